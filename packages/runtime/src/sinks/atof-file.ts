/**
 * ATOF JSONL file: one event per line. Lines are serialized when the event arrives (so later
 * mutation of a payload cannot change them) and written in batches off the hot path; whatever
 * is still buffered at process exit is written synchronously, and on SIGINT/SIGTERM (when nothing
 * else handles them) before the process ends by the signal.
 *
 * The file is opened when the first line is written, not at construction: a configuration that is
 * staged and then rolled back has touched no file.
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { EventExporter } from '../subscribers.js';
import type { LifecycleEvent } from '../types.js';
import { serializeEvent } from '../payload.js';
import { reportFailure } from '../report.js';
import { checkOptions, describeValue, errorText } from '../errors.js';
import { registerDiagnosticsSource } from '../diagnostics.js';
import { addExitHook, addSyncExitHook, type ExitReason } from '../exit-hook.js';
import { checkWritableFile } from '../plugins/checks.js';
import { fileSystemMissing } from './file-system.js';
import { countNewlines, trimTail, writeText, writeTextSync, type WriteResult } from './fd-write.js';

export interface AtofFileExporterOptions {
  /** File to write (parent folders are created). */
  path: string;
  /**
   * `append` (default) keeps existing lines (after a torn last line, writing starts on a fresh
   * line); `overwrite` truncates the file when the first line is written.
   */
  mode?: 'append' | 'overwrite';
  /**
   * Most bytes of lines held in memory, including those being written (default 16 MiB). What
   * happens past it is `overflow`'s choice.
   */
  maxBufferBytes?: number;
  /**
   * `block` (default): lines are written synchronously, so a slow disk slows the application down
   * and nothing is dropped. `drop`: lines are written in the background and the event loop never
   * waits for the disk; a line arriving while `maxBufferBytes` are waiting is dropped and counted.
   */
  overflow?: 'block' | 'drop';
}

/** What happened to the lines so far. */
export interface AtofFileStats {
  /** Lines written whole. */
  writtenLines: number;
  /** Lines dropped because the buffer was full (`overflow: 'drop'`). */
  droppedLines: number;
  /** Lines a write failed for (disk full, file gone …). None of them is left torn in the file. */
  failedLines: number;
  /** Bytes held right now (waiting or being written). */
  bufferedBytes: number;
}

const DEFAULT_MAX_BUFFER_BYTES = 16 * 1024 * 1024;
const OVERWRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;

interface Chunk {
  text: string;
  /** `text`'s length in UTF-8 bytes. */
  bytes: number;
  lines: number;
  /** The chunk starts with a newline ending a torn line left by an earlier run or write. */
  prefixed: boolean;
}

function checkArgs(options: AtofFileExporterOptions): Required<Omit<AtofFileExporterOptions, 'path'>> {
  const what = 'AtofFileExporter';
  if (options === null || options === undefined) throw new TypeError(`${what}: options must be an object with a path, got ${describeValue(options)}`);
  checkOptions(options, what);
  if (typeof options.path !== 'string' || options.path.length === 0)
    throw new TypeError(`${what}: path must be a non-empty string, got ${describeValue(options.path)}`);
  const mode = options.mode ?? 'append';
  if (mode !== 'append' && mode !== 'overwrite') throw new TypeError(`${what}: mode must be "append" or "overwrite", got ${describeValue(mode)}`);
  const max = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max <= 0) {
    throw new TypeError(`${what}: maxBufferBytes must be a positive integer (bytes), got ${describeValue(max)}`);
  }
  const overflow = options.overflow ?? 'block';
  if (overflow !== 'block' && overflow !== 'drop') throw new TypeError(`${what}: overflow must be "block" or "drop", got ${describeValue(overflow)}`);
  return { mode, maxBufferBytes: max, overflow };
}

/** Writes every event as a JSON line. Construction fails with a clear error when the path is unwritable. */
export class AtofFileExporter implements EventExporter {
  /** Absolute path of the file. */
  readonly path: string;
  readonly #mode: 'append' | 'overwrite';
  readonly #max: number;
  readonly #drop: boolean;
  #fd: number | undefined;
  #closed = false;
  /** The file (or an earlier failed write) ended in the middle of a line. */
  #torn = false;
  #lines: string[] = [];
  #pending = 0;
  #inflightBytes = 0;
  #inflight: Promise<void> | undefined;
  #scheduled = false;
  #written = 0;
  #dropped = 0;
  #failed = 0;
  #bufferFull: Error | undefined;
  /** For diagnostics: the last write error (cleared by a good write) and when a write last succeeded. */
  #lastError: string | null = null;
  #lastSuccessAt: number | null = null;
  readonly #removeDiagnostics: () => void;
  readonly #removeExitHook: () => void;
  readonly #removeSignalHook: () => void;

  constructor(options: AtofFileExporterOptions) {
    const o = checkArgs(options);
    this.#mode = o.mode;
    this.#max = o.maxBufferBytes;
    this.#drop = o.overflow === 'drop';
    const noFs = fileSystemMissing();
    if (noFs) {
      throw new Error(
        `AtofFileExporter: cannot write ${options.path}: ${noFs}. Send the events to a WritableStream or a callback with AtofStreamExporter (@nemo-flow/runtime/exporter-kit)`,
      );
    }
    this.path = resolve(options.path);
    // Checked without creating or truncating anything (see the file comment).
    const problem = checkWritableFile(this.path);
    if (problem) throw new Error(`AtofFileExporter: cannot open ${this.path} for writing: ${problem}`);
    this.#removeExitHook = addSyncExitHook(() => this.#flushSync());
    this.#removeDiagnostics = registerDiagnosticsSource(`atof-file:${this.path}`, () => {
      const st = this.stats;
      return {
        endpoint: this.path,
        queued: st.bufferedBytes,
        exported: st.writtenLines,
        dropped: st.droppedLines + st.failedLines,
        lastError: this.#lastError,
        lastSuccessAt: this.#lastSuccessAt === null ? null : new Date(this.#lastSuccessAt).toISOString(),
      };
    });
    // A signal that would end the process: write everything first, in order after any write in flight.
    this.#removeSignalHook = addExitHook((reason: ExitReason) => (reason.signal && reason.exiting ? this.forceFlush() : Promise.resolve()));
  }

  /** Counts of written, dropped and failed lines, and the bytes held now. */
  get stats(): AtofFileStats {
    return { writtenLines: this.#written, droppedLines: this.#dropped, failedLines: this.#failed, bufferedBytes: this.#pending + this.#inflightBytes };
  }

  onEvent(event: LifecycleEvent): void {
    if (this.#closed) return;
    // Full already: a dropped line is not even serialized (an overloaded app pays the least).
    if (this.#drop && this.#pending + this.#inflightBytes >= this.#max) return this.#dropLine();
    const line = serializeEvent(event) + '\n';
    const bytes = Buffer.byteLength(line);
    if (this.#pending + this.#inflightBytes + bytes > this.#max) {
      if (this.#drop) return this.#dropLine();
      this.#lines.push(line);
      this.#pending += bytes;
      this.#flushSync(); // the disk is behind: wait for it rather than grow without bound
      return;
    }
    this.#lines.push(line);
    this.#pending += bytes;
    this.#schedule();
  }

  #dropLine(): void {
    this.#dropped++;
    reportFailure(
      `atof-file:${this.path}:dropped`,
      `AtofFileExporter dropped lines for ${this.path}: more than ${this.#max} bytes were waiting for the disk (overflow: "drop"); see stats.droppedLines`,
      (this.#bufferFull ??= new Error('buffer full')),
    );
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#drop) void this.#drain();
      else this.#flushSync();
    });
  }

  /** Opens the file on first use; false (reported, the lines counted as failed) when it cannot be. */
  #open(): boolean {
    if (this.#fd !== undefined) return true;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      // Always O_APPEND: after a cut-off line is truncated away, the next write lands at the new end, not past it.
      this.#fd = openSync(this.path, this.#mode === 'append' ? 'a' : OVERWRITE);
    } catch (err) {
      reportFailure(`atof-file:${this.path}`, `AtofFileExporter cannot open ${this.path} for writing`, err);
      return false;
    }
    if (this.#mode === 'append') this.#torn ||= !endsWithNewline(this.path, this.#fd);
    return true;
  }

  /** Takes every waiting line as one buffer. */
  #take(): Chunk {
    const prefixed = this.#torn;
    const text = (prefixed ? '\n' : '') + this.#lines.join('');
    const chunk = { text, bytes: this.#pending + (prefixed ? 1 : 0), lines: this.#lines.length, prefixed };
    this.#lines = [];
    this.#pending = 0;
    return chunk;
  }

  /** Books the outcome of writing `c`; a line cut short is removed again (or ended by the next write). */
  #settle(c: Chunk, r: WriteResult): void {
    if (r.error === undefined) {
      this.#written += c.lines;
      this.#lastError = null;
      this.#lastSuccessAt = Date.now();
      this.#torn = false;
      return;
    }
    const buf = Buffer.from(c.text); // a failed write only: its bytes tell which lines made it
    const ends = countNewlines(buf, r.written);
    const whole = Math.max(0, ends - (c.prefixed ? 1 : 0));
    if (c.prefixed && ends > 0) this.#torn = false;
    const tail = r.written === 0 ? 0 : r.written - (buf.lastIndexOf(10, r.written - 1) + 1);
    if (tail > 0 && !trimTail(this.#fd!, tail)) this.#torn = true;
    this.#written += whole;
    this.#lost(c.lines - whole, r.error);
  }

  #lost(lines: number, err: unknown): void {
    this.#failed += lines;
    this.#lastError = errorText(err);
    reportFailure(`atof-file:${this.path}`, `AtofFileExporter could not write ${lines} line(s) to ${this.path} (see stats.failedLines)`, err);
  }

  /** Writes waiting lines in the background; one write in flight at a time keeps lines in order. */
  #drain(): Promise<void> {
    if (this.#inflight) return this.#inflight.then(() => this.#drain());
    if (this.#lines.length === 0) return Promise.resolve();
    if (!this.#open()) return Promise.resolve(this.#lost(this.#take().lines, new Error('file not open')));
    const c = this.#take();
    this.#inflightBytes = c.bytes;
    this.#inflight = writeText(this.#fd!, c.text, c.bytes)
      .then((r) => this.#settle(c, r))
      .finally(() => {
        this.#inflight = undefined;
        this.#inflightBytes = 0;
        if (this.#lines.length > 0) this.#schedule();
      });
    return this.#inflight;
  }

  #flushSync(): void {
    if (this.#lines.length === 0) return;
    if (!this.#open()) return this.#lost(this.#take().lines, new Error('file not open'));
    const c = this.#take();
    this.#settle(c, writeTextSync(this.#fd!, c.text, c.bytes));
  }

  /** Resolves when every event received so far is written (or counted as failed). */
  async forceFlush(): Promise<void> {
    if (!this.#drop) return this.#flushSync();
    while (this.#inflight || this.#lines.length > 0) await this.#drain();
  }

  /** Flushes and closes the file. Later events are ignored. Lost lines, if any, are reported once more as a total. */
  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.#closed = true;
    this.#removeDiagnostics();
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
    if (this.#dropped + this.#failed > 0) {
      reportFailure(
        `atof-file:${this.path}:lost`,
        `AtofFileExporter lost lines of ${this.path}`,
        new Error(`${this.#written} written, ${this.#dropped} dropped (buffer full), ${this.#failed} failed to write`),
      );
    }
  }
}

/** Whether a regular file is empty or ends with a newline (anything else, e.g. a FIFO, counts as yes). */
function endsWithNewline(path: string, fd: number): boolean {
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size === 0) return true;
    const rfd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(1);
      readSync(rfd, b, 0, 1, st.size - 1);
      return b[0] === 10;
    } finally {
      closeSync(rfd);
    }
  } catch {
    return true; // unreadable: nothing to repair we could know of
  }
}
