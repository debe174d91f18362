/**
 * ATOF JSONL to a `WritableStream` or a callback instead of a file: for runtimes without a
 * filesystem (Cloudflare Workers, browsers), or to ship events somewhere of the app's choosing.
 * Lines are serialized when the event arrives and handed over in batches (one per microtask, no
 * timer), in order; `forceFlush()` (and so `flushSubscribers()` / `flush()`) waits until the
 * stream or the callback's promise has taken every one of them.
 */
import type { DeliveryStats, EventExporter } from '../subscribers.js';
import type { LifecycleEvent } from '../types.js';
import { serializeEvent } from '../payload.js';
import { reportFailure } from '../report.js';
import { describeValue } from '../errors.js';

/** A `WritableStream` of strings, typed structurally so that no DOM library is needed. */
export interface TextWritableStream {
  getWriter(): { write(chunk: string): Promise<void>; close(): Promise<void>; releaseLock(): void };
}

export interface AtofStreamExporterOptions {
  /**
   * Where the lines go: a `WritableStream<string>` (closed by `shutdown()`), or a function given
   * each batch of lines (newline-terminated JSONL); a promise it returns is awaited by flushes.
   */
  output: TextWritableStream | ((jsonl: string) => void | Promise<void>);
}

const SOURCE = 'atof-stream';

export class AtofStreamExporter implements EventExporter {
  readonly #output: AtofStreamExporterOptions['output'];
  #writer: ReturnType<TextWritableStream['getWriter']> | undefined;
  #lines: string[] = [];
  #scheduled = false;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  #written = 0;
  #failed = 0;
  #inFlight = 0;

  constructor(options: AtofStreamExporterOptions) {
    const output = (options as Partial<AtofStreamExporterOptions> | undefined)?.output;
    const isStream = typeof output === 'object' && output !== null && typeof (output as TextWritableStream).getWriter === 'function';
    if (typeof output !== 'function' && !isStream) {
      throw new TypeError(`AtofStreamExporter: output must be a WritableStream or a function (jsonl) => void | Promise<void>, got ${describeValue(output)}`);
    }
    this.#output = output;
  }

  onEvent(event: LifecycleEvent): void {
    if (this.#closed) return;
    try {
      this.#lines.push(serializeEvent(event) + '\n');
    } catch (err) {
      this.#failed++;
      reportFailure(SOURCE, 'ATOF stream exporter could not serialize an event', err);
      return;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#send());
    }
  }

  /** Hands the buffered lines over as one chunk, after the chunks before it. */
  #send(): void {
    this.#scheduled = false;
    const lines = this.#lines;
    if (lines.length === 0) return;
    this.#lines = [];
    const n = lines.length;
    this.#inFlight += n;
    const chunk = lines.join('');
    this.#chain = this.#chain
      .then(() => this.#deliver(chunk))
      .then(
        () => void (this.#written += n),
        (err: unknown) => {
          this.#failed += n;
          reportFailure(SOURCE, 'ATOF stream exporter could not write events (stream or callback failed)', err);
        },
      )
      .finally(() => void (this.#inFlight -= n));
  }

  #deliver(chunk: string): void | Promise<void> {
    const out = this.#output;
    if (typeof out === 'function') return out(chunk);
    this.#writer ??= out.getWriter();
    return this.#writer.write(chunk);
  }

  /** Lines handed over, lines whose write failed (reported), lines on their way. */
  get stats(): { writtenLines: number; failedLines: number; pendingLines: number } {
    return { writtenLines: this.#written, failedLines: this.#failed, pendingLines: this.#inFlight + this.#lines.length };
  }

  deliveryStats(): DeliveryStats {
    const s = this.stats;
    return { delivered: s.writtenLines, lost: s.failedLines, pending: s.pendingLines };
  }

  /** Resolves once every line so far has been taken by the stream or the callback. */
  async forceFlush(): Promise<void> {
    this.#send();
    await this.#chain;
  }

  /** Flushes, stops taking events, and closes the stream (a callback is simply no longer called). */
  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.#closed = true;
    const writer = this.#writer;
    if (writer) await writer.close().catch((err: unknown) => reportFailure(SOURCE, 'ATOF stream exporter could not close its stream', err));
  }
}
