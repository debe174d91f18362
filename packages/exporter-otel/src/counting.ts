/**
 * Span loss accounting. The SDK's batch processor drops spans silently when its queue is full and
 * when an export fails for good (after the OTLP exporter's own retries). These wrappers count
 * both, so the loss is visible in `stats()` and reported once instead of never.
 */
import { TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';

/** What happened to the spans handed to the export pipeline. */
export interface ExportStats {
  /** Spans the backend accepted. */
  exported: number;
  /** Spans lost: `droppedQueueFull + droppedExportFailed + droppedShutdown`. */
  dropped: number;
  /** Dropped because the queue was full (backend slower than the app, or down). */
  droppedQueueFull: number;
  /** Dropped because their export failed after retries (backend down, 5xx, timeout). */
  droppedExportFailed: number;
  /** Still queued or in flight when `shutdown()`'s timeout expired: given up, never counted as exported later. */
  droppedShutdown: number;
  /** Waiting in the queue or in flight. */
  pending: number;
}

/** Shared counters of one pipeline. */
export class SpanLossCounter {
  ended = 0;
  handedToExporter = 0;
  exported = 0;
  droppedQueueFull = 0;
  droppedExportFailed = 0;
  droppedShutdown = 0;
  /** Set when shutdown gave up: later export results change nothing (their spans are counted lost). */
  closed = false;
  /** For diagnostics: text of the last failed export (cleared by a success), and when the last one succeeded. */
  lastError: string | null = null;
  lastSuccessAt: number | null = null;

  private firstError: unknown;

  constructor(private readonly source: string) {}

  pending(): number {
    return this.ended - this.droppedQueueFull - this.exported - this.droppedExportFailed - this.droppedShutdown;
  }

  stats(): ExportStats {
    const dropped = this.droppedQueueFull + this.droppedExportFailed + this.droppedShutdown;
    return {
      exported: this.exported,
      dropped,
      droppedQueueFull: this.droppedQueueFull,
      droppedExportFailed: this.droppedExportFailed,
      droppedShutdown: this.droppedShutdown,
      pending: this.pending(),
    };
  }

  /**
   * Shutdown ran out of time: whatever is still queued or in flight is counted lost, and reported,
   * so that `pending` is 0 and nothing is left unaccounted. Returns how many.
   */
  abandon(timeoutMillis: number): number {
    if (this.closed) return 0;
    this.closed = true;
    const n = this.pending();
    if (n > 0) {
      this.droppedShutdown += n;
      reportFailure(
        `${this.source}:dropped`,
        `OpenTelemetry exporter lost ${n} spans: not delivered when shutdown's timeout (${timeoutMillis} ms) expired (backend down or too slow); see exporter.stats()`,
        new Error(`shutdown timed out after ${timeoutMillis} ms`),
      );
    }
    return n;
  }

  /**
   * Reports the first loss of this pipeline; later ones are only counted (here and by the failure
   * registry). `err` is a thunk so an overloaded pipeline does not build an Error per dropped span.
   */
  report(reason: string, err: () => unknown): void {
    this.firstError ??= err();
    reportFailure(`${this.source}:dropped`, `OpenTelemetry exporter dropped spans (${reason}); see exporter.stats() for counts`, this.firstError);
  }
}

/**
 * Wraps a `SpanExporter` to count exported and failed spans, and to know when no export is in
 * flight: the batch processor's flush does not wait for a batch it handed over earlier.
 */
export class CountingSpanExporter implements SpanExporter {
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly inner: SpanExporter,
    private readonly counter: SpanLossCounter,
  ) {}

  /** Resolves once every export handed to this exporter so far has finished (or failed). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const n = spans.length;
    const c = this.counter;
    c.handedToExporter += n;
    this.inFlight++;
    let done = false;
    const finish = (result: ExportResult): void => {
      if (done) return;
      done = true;
      if (--this.inFlight === 0 && this.idleWaiters.length > 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
      if (c.closed) {
        // Already counted lost by shutdown.
      } else if (result.code === ExportResultCode.SUCCESS) {
        c.exported += n;
        c.lastError = null;
        c.lastSuccessAt = Date.now();
      } else {
        c.droppedExportFailed += n;
        c.lastError = exportErrorText(result.error);
        c.report('export failed', () => result.error ?? new Error('export failed'));
      }
      resultCallback(result);
    };
    try {
      this.inner.export(spans, finish);
    } catch (err) {
      finish({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * Wraps the batch processor to count queue-full drops. It mirrors the processor's queue length
 * (spans accepted minus spans handed to the exporter, which the SDK does synchronously when a
 * batch is taken) and counts the spans that arrive while it is at `maxQueueSize`, exactly the
 * ones the processor discards.
 */
export class DropCountingSpanProcessor implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    private readonly counter: SpanLossCounter,
    private readonly maxQueueSize: number,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) {
      const c = this.counter;
      const queued = c.ended - c.droppedQueueFull - c.handedToExporter;
      c.ended++;
      if (c.closed) c.droppedShutdown++;
      else if (queued >= this.maxQueueSize) {
        c.droppedQueueFull++;
        c.report('queue full', () => new Error(`export queue full (maxQueueSize ${this.maxQueueSize})`));
      }
    }
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** One line for an export error: the OTLP exporter's errors carry the HTTP status in `code`. */
function exportErrorText(err: Error | undefined): string {
  if (!err) return 'export failed';
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? `HTTP ${code}: ${err.message}` : err.message || err.name;
}
