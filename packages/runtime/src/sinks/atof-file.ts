/**
 * ATOF JSONL file: one event per line. Lines are serialized when the event arrives (so later
 * mutation of a payload cannot change them) and written in batches off the hot path; whatever
 * is still buffered at process exit is written synchronously, and on SIGINT/SIGTERM (when nothing
 * else handles them) before the process ends by the signal.
 */
import { closeSync, mkdirSync, openSync, write, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { EventExporter } from '../subscribers.js';
import type { LifecycleEvent } from '../types.js';
import { serializeEvent } from '../payload.js';
import { reportFailure } from '../report.js';
import { addExitHook, addSyncExitHook, type ExitReason } from '../exit-hook.js';

export interface AtofFileExporterOptions {
  /** File to write (parent folders are created). */
  path: string;
  /** `append` (default) keeps existing lines; `overwrite` truncates the file first. */
  mode?: 'append' | 'overwrite';
  /**
   * Buffered characters past which lines are written synchronously instead of waiting for the
   * background write (default 16 MiB; while a background write is in flight, right after it):
   * memory stays near this bound when the disk is slower than the event rate, and nothing is dropped.
   */
  highWaterMark?: number;
}

/** Writes every event as a JSON line. Construction fails with a clear error when the path is unwritable. */
export class AtofFileExporter implements EventExporter {
  /** Absolute path of the file. */
  readonly path: string;
  #fd: number | undefined;
  #buffer: string[] = [];
  #buffered = 0;
  readonly #highWaterMark: number;
  #scheduled = false;
  #inflight: Promise<void> | undefined;
  readonly #removeExitHook: () => void;
  readonly #removeSignalHook: () => void;

  constructor(options: AtofFileExporterOptions) {
    if (!options || typeof options.path !== 'string' || options.path.length === 0) {
      throw new TypeError('AtofFileExporter: option "path" must be a non-empty string');
    }
    const mode = options.mode ?? 'append';
    if (mode !== 'append' && mode !== 'overwrite') throw new TypeError(`AtofFileExporter: mode must be "append" or "overwrite", got ${JSON.stringify(mode)}`);
    const hwm = options.highWaterMark ?? 16 * 1024 * 1024;
    if (typeof hwm !== 'number' || !(hwm > 0)) throw new TypeError(`AtofFileExporter: highWaterMark must be a positive number, got ${String(hwm)}`);
    this.#highWaterMark = hwm;
    this.path = resolve(options.path);
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      this.#fd = openSync(this.path, mode === 'append' ? 'a' : 'w');
    } catch (err) {
      throw new Error(`AtofFileExporter: cannot open ${this.path} for writing: ${(err as Error).message}`, { cause: err });
    }
    this.#removeExitHook = addSyncExitHook(() => this.#flushSync());
    // A signal that would end the process: write everything first, in order after any write in flight.
    this.#removeSignalHook = addExitHook((reason: ExitReason) => (reason.signal && reason.exiting ? this.forceFlush() : Promise.resolve()));
  }

  onEvent(event: LifecycleEvent): void {
    if (this.#fd === undefined) return;
    const line = serializeEvent(event) + '\n';
    this.#buffer.push(line);
    this.#buffered += line.length;
    if (this.#buffered > this.#highWaterMark && !this.#inflight) {
      this.#flushSync(); // the disk is behind: apply backpressure rather than grow without bound
      return;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.#drain();
      });
    }
  }

  /** Writes buffered lines; one write in flight at a time keeps lines in order. */
  #drain(): Promise<void> {
    if (this.#inflight) return this.#inflight.then(() => this.#drain());
    if (this.#buffer.length === 0 || this.#fd === undefined) return Promise.resolve();
    const chunk = this.#buffer.join('');
    this.#buffer = [];
    this.#buffered = 0;
    const fd = this.#fd;
    this.#inflight = new Promise<void>((done) => {
      write(fd, chunk, (err) => {
        if (err) reportFailure(`atof-file:${this.path}`, `AtofFileExporter could not write ${this.path}`, err);
        done();
      });
    }).finally(() => {
      this.#inflight = undefined;
      // Lines that piled up past the mark during that write go out now, in order.
      if (this.#buffered > this.#highWaterMark) this.#flushSync();
    });
    return this.#inflight;
  }

  #flushSync(): void {
    if (this.#fd === undefined || this.#buffer.length === 0) return;
    try {
      writeSync(this.#fd, this.#buffer.join(''));
    } catch (err) {
      reportFailure(`atof-file:${this.path}`, `AtofFileExporter could not write ${this.path}`, err);
    }
    this.#buffer = [];
    this.#buffered = 0;
  }

  /** Resolves when every event received so far is written. */
  async forceFlush(): Promise<void> {
    while (this.#inflight || this.#buffer.length > 0) await this.#drain();
  }

  /** Flushes and closes the file. Later events are ignored. */
  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.#removeExitHook();
    this.#removeSignalHook();
    if (this.#fd !== undefined) {
      const fd = this.#fd;
      this.#fd = undefined;
      try {
        closeSync(fd);
      } catch (err) {
        reportFailure(`atof-file:${this.path}`, `AtofFileExporter could not close ${this.path}`, err);
      }
    }
  }
}
