/**
 * `OtelExporter`: the subscriber that turns the lifecycle stream into OpenTelemetry spans. It glues
 * the three parts together: a tracer (the user's provider, or an isolated OTLP pipeline), an
 * attribute mapper (GenAI conventions by default) and the `SpanBridge`.
 */
import type { Context, TracerProvider } from '@opentelemetry/api';
import { deregisterSubscriber, getHandle, registerSubscriber, type DeliveryStats, type LifecycleEvent, type ScopeEvent } from '@nemo-flow/runtime';
import { addExitHook, registerDiagnosticsSource, reportFailure, type ExitReason } from '@nemo-flow/runtime/exporter-kit';
import { SpanBridge, type ScopeRef, type SpanBridgeStats } from './bridge.js';
import type { ExportStats } from './counting.js';
import { GenAiMapper } from './genai-mapper.js';
import type { AttributeMapper, MapperOptions } from './mapper.js';
import { checkExporterOptions, checkOptionsObject } from './options.js';
import { createOtlpPipeline, type OtlpPipeline, type OtlpPipelineOptions } from './pipeline.js';
import type { TraceContextHeaders } from './propagation.js';
import { createGenAiMetrics, type GenAiMetrics, type GenAiMetricsOptions } from './metrics.js';
import { exporterOffByEnv, sdkDisabledByEnv } from './sdk-config.js';
import { DEFAULT_MAX_ATTRIBUTE_LENGTH } from './truncate.js';
import { VERSION } from './version.js';

export interface OtelExporterOptions extends OtlpPipelineOptions, MapperOptions, GenAiMetricsOptions {
  /**
   * Record spans with this provider (e.g. your app's `NodeTracerProvider`). The OTLP options
   * (`endpoint`, `protocol`, `headers`, `serviceName`, queue settings...) are then ignored: the
   * provider's own processors decide where spans go. Without it, an isolated OTLP/HTTP pipeline
   * is built (see `createOtlpPipeline`).
   */
  tracerProvider?: TracerProvider;
  /** The attribute vocabulary. Default: `GenAiMapper` (OpenTelemetry GenAI conventions). */
  mapper?: AttributeMapper | ((options: Required<MapperOptions>) => AttributeMapper);
  /** Flush on `beforeExit`, `SIGTERM` and `SIGINT` (see README "Process exit"). Default false. */
  flushOnExit?: boolean;
  /** Longest wait of `forceFlush()` and of the exit flush (ms). Default 5000. */
  flushTimeoutMillis?: number;
  /** Longest wait of `shutdown()` (ms). Default 10000. */
  shutdownTimeoutMillis?: number;
  /**
   * Parent context for a top-level scope without a `traceparent` in its metadata, e.g.
   * `() => context.active()` to nest runs under your HTTP server span.
   */
  parentContext?: (event: ScopeEvent) => Context | undefined;
  /**
   * Open spans kept at most (a guard against scopes never ended). Past it the oldest runs are ended
   * whole as incomplete (at least 1/64 of the bound at a time), counted in `stats().evictedRuns`
   * and reported. Default 200000 (10,000
   * concurrent runs of 20 open spans each).
   */
  maxOpenSpans?: number;
  /** Name `register()` uses by default. Default `otel`. */
  subscriberName?: string;
  /** Instrumentation scope of the spans. Default `@nemo-flow/exporter-otel` and this package's version. */
  instrumentationName?: string;
  instrumentationVersion?: string;
}

/** `stats()`: what the bridge did and, for the built-in pipeline, what was exported or lost. */
export interface OtelExporterStats extends SpanBridgeStats, ExportStats {}

const NO_EXPORT_STATS: ExportStats = { exported: 0, dropped: 0, droppedQueueFull: 0, droppedExportFailed: 0, droppedShutdown: 0, pending: 0 };

export class OtelExporter {
  /** The provider spans are recorded with (the given one, or the isolated one built here). */
  readonly tracerProvider: TracerProvider;
  private readonly bridge: SpanBridge;
  private readonly pipeline: OtlpPipeline | undefined;
  private readonly source: string;
  private readonly flushTimeout: number;
  private readonly shutdownTimeout: number;
  private readonly subscriberName: string;
  private registeredAs: string | undefined;
  private removeExitHook: (() => void) | undefined;
  private removeDiagnostics: (() => void) | undefined;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  /** Something was recorded since the last flush (lets the exit hook skip needless work). */
  private dirty = false;
  /** GenAI client metrics, when on (see `GenAiMetricsOptions.metrics`). */
  private readonly metrics: GenAiMetrics | undefined;
  /** False with `OTEL_SDK_DISABLED=true`, or `OTEL_TRACES_EXPORTER=none` for the built-in pipeline. */
  private readonly tracing: boolean;

  constructor(options: OtelExporterOptions = {}) {
    checkExporterOptions(options, `new ${new.target.name}()`);
    this.source = options.source ?? 'exporter-otel';
    this.flushTimeout = options.flushTimeoutMillis ?? 5_000;
    this.shutdownTimeout = options.shutdownTimeoutMillis ?? 10_000;
    this.subscriberName = options.subscriberName ?? 'otel';
    const disabled = sdkDisabledByEnv();
    this.tracing = !disabled && (options.tracerProvider !== undefined || options.spanExporter !== undefined || !exporterOffByEnv('TRACES'));
    if (options.tracerProvider) {
      this.tracerProvider = options.tracerProvider;
    } else {
      this.pipeline = createOtlpPipeline({ ...options, source: this.source });
      this.tracerProvider = this.pipeline.provider;
    }
    const mapperOptions: Required<MapperOptions> = {
      captureContent: options.captureContent ?? false,
      maxAttributeLength: options.maxAttributeLength ?? DEFAULT_MAX_ATTRIBUTE_LENGTH,
    };
    const m = options.mapper;
    const mapper = typeof m === 'function' ? m(mapperOptions) : (m ?? new GenAiMapper(mapperOptions));
    const scopeName = options.instrumentationName ?? '@nemo-flow/exporter-otel';
    const scopeVersion = options.instrumentationVersion ?? VERSION;
    this.bridge = new SpanBridge({
      tracer: this.pipeline ? this.pipeline.directTracer(scopeName, scopeVersion) : this.tracerProvider.getTracer(scopeName, scopeVersion),
      mapper,
      maxAttributeLength: mapperOptions.maxAttributeLength,
      ...(options.parentContext ? { parentContext: options.parentContext } : {}),
      ...(options.maxOpenSpans !== undefined ? { maxOpenSpans: options.maxOpenSpans } : {}),
      source: this.source,
    });
    this.metrics = disabled ? undefined : createGenAiMetrics({ ...options, source: this.source }, { name: scopeName, version: scopeVersion });
    if (options.flushOnExit) this.removeExitHook = addExitHook((reason) => this.onExit(reason));
    const pipeline = this.pipeline;
    if (pipeline)
      this.removeDiagnostics = registerDiagnosticsSource(this.source, () => ({ ...pipeline.diagnosticsState(), openSpans: this.bridge.stats().openSpans }));
  }

  /** Subscriber entry point: synchronous, never throws. */
  onEvent(event: LifecycleEvent): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.tracing) this.bridge.handle(event);
    this.metrics?.handle(event);
  }

  /** Registers this exporter with the runtime (`registerSubscriber`). Returns `this`. */
  register(name: string = this.subscriberName): this {
    registerSubscriber(name, this);
    this.registeredAs = name;
    return this;
  }

  /** Removes the registration made by `register()`. */
  deregister(): boolean {
    const name = this.registeredAs;
    if (name === undefined) return false;
    this.registeredAs = undefined;
    return deregisterSubscriber(name);
  }

  /**
   * W3C `traceparent` / `tracestate` of a scope's (or call's) span, to send with an outgoing
   * request. Without an argument: the current scope (inside a tool callback, the tool call).
   * Undefined when the scope has no span (not recorded by this exporter, or long ended).
   */
  traceparentFor(scope: ScopeRef = getHandle()): TraceContextHeaders | undefined {
    return this.bridge.traceparentFor(scope);
  }

  /** OpenTelemetry context holding a scope's span (default: the current scope), to parent your own spans. */
  contextFor(scope: ScopeRef = getHandle()): Context | undefined {
    return this.bridge.contextFor(scope);
  }

  /**
   * Spans delivered, lost and pending since the exporter started, for `flushSubscribers()`' report
   * (built-in pipeline only: spans recorded with your own provider are its to count).
   */
  deliveryStats(): DeliveryStats | undefined {
    if (!this.pipeline) return undefined;
    const s = this.pipeline.stats();
    return { delivered: s.exported, lost: s.dropped, pending: s.pending };
  }

  stats(): OtelExporterStats {
    return { ...this.bridge.stats(), ...(this.pipeline ? this.pipeline.stats() : NO_EXPORT_STATS) };
  }

  /**
   * Exports what has ended so far, batches already on their way included (built-in pipeline).
   * Resolves within `timeoutMillis` (default `flushTimeoutMillis`)
   * whatever the backend does; never rejects. Spans still open are not affected.
   */
  async forceFlush(options?: { timeoutMillis?: number }): Promise<void> {
    this.dirty = false;
    const timeout = this.timeoutOf(options, this.flushTimeout, 'forceFlush');
    const metrics = this.metrics;
    const metricsDone = metrics ? this.settle(() => metrics.forceFlush(), timeout, 'metrics flush') : undefined;
    try {
      if (this.pipeline) {
        const pipeline = this.pipeline;
        await this.settle(() => pipeline.forceFlush(), timeout, 'flush');
        return;
      }
      const p = this.tracerProvider as { forceFlush?: () => Promise<unknown> };
      if (typeof p.forceFlush !== 'function') return;
      await this.settle(() => p.forceFlush!(), timeout, 'flush');
    } finally {
      await metricsDone;
    }
  }

  /**
   * Stops recording: ends spans still open (marked `nemo_flow.incomplete`), exports everything,
   * deregisters, and shuts the built-in pipeline down. A provider you passed in is flushed, not
   * shut down (it is yours). Idempotent; resolves within the timeout (counted from the call, the
   * ending of open spans included); never rejects. What the built-in pipeline has not delivered
   * by then is counted lost (`stats().droppedShutdown`) and reported.
   */
  shutdown(options?: { timeoutMillis?: number }): Promise<void> {
    return (this.shutdownPromise ??= this.doShutdown(this.timeoutOf(options, this.shutdownTimeout, 'shutdown')));
  }

  private async doShutdown(timeout: number): Promise<void> {
    const deadline = performance.now() + timeout;
    this.closed = true;
    this.removeExitHook?.();
    this.removeExitHook = undefined;
    this.removeDiagnostics?.();
    this.deregister();
    // The last metrics export runs beside the span shutdown, within the same deadline.
    const metrics = this.metrics;
    const metricsDone = metrics ? this.settle(() => metrics.shutdown(), timeout, 'metrics shutdown') : undefined;
    // Many open spans (thousands of runs in flight) take a while to end: in slices, within the deadline.
    await this.bridge.endOpenSpansBefore(deadline);
    const left = Math.max(0, deadline - performance.now());
    const pipeline = this.pipeline;
    if (pipeline) {
      // No time left: not even the (synchronous) encoding of the queue the SDK starts with.
      const done = left > 0 && (await this.settle(() => pipeline.provider.shutdown(), left, 'shutdown'));
      if (!done) pipeline.abandon(timeout);
    } else {
      await this.forceFlush({ timeoutMillis: left });
    }
    await metricsDone;
  }

  /**
   * The `timeoutMillis` of a flush or shutdown call. These never throw (they run in exit paths):
   * a value that is not a positive number is reported and the default used instead.
   */
  private timeoutOf(options: { timeoutMillis?: number } | undefined, fallback: number, what: string): number {
    const t: unknown = options === undefined || options === null ? undefined : (options as { timeoutMillis?: unknown }).timeoutMillis;
    if (t === undefined) return fallback;
    if (typeof t === 'number' && t > 0 && Number.isFinite(t)) return t;
    reportFailure(
      `${this.source}:config`,
      `${what}(): timeoutMillis must be a positive number of milliseconds, got ${typeof t === 'number' ? String(t) : typeof t}; using ${fallback} ms`,
      new TypeError('invalid timeoutMillis'),
    );
    return fallback;
  }

  private async onExit(reason: ExitReason): Promise<void> {
    if (this.closed) return;
    const open = this.bridge.stats().openSpans;
    if (reason.exiting && open > 0)
      this.bridge.endOpenSpans(); // nothing will end them now
    else if (!this.dirty) return;
    await this.forceFlush();
  }

  /**
   * Runs `fn` and waits for it at most `ms`; failures and timeouts are reported, never thrown.
   * Resolves true when `fn` finished in time (even by failing), false on timeout.
   */
  private async settle(fn: () => Promise<unknown>, ms: number, what: string): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
      // Node: never keep the process alive for this. Elsewhere (Workers, Deno) a timer is a number.
      (timer as { unref?: () => void }).unref?.();
    });
    try {
      const r = await Promise.race([fn(), timeout]);
      if (r === 'timeout') {
        reportFailure(`${this.source}:${what}`, `OpenTelemetry exporter ${what} did not finish within ${Math.round(ms)} ms`, new Error('timeout'));
        return false;
      }
    } catch (err) {
      reportFailure(`${this.source}:${what}`, `OpenTelemetry exporter ${what} failed`, err);
    } finally {
      clearTimeout(timer);
    }
    return true;
  }
}

/** Options of `createOtlpExporter`: the OTLP pipeline is always built here. */
export interface OtlpExporterOptions extends Omit<OtelExporterOptions, 'tracerProvider'> {
  /** Register with the runtime right away, under this name (`true`: `otel`). Default true. */
  register?: boolean | string;
}

/**
 * An exporter that ships spans over OTLP/HTTP to a collector, Jaeger or Tempo, through its own
 * isolated provider, registered with the runtime. Configure it with options or the standard
 * `OTEL_*` environment variables (options win).
 */
export function createOtlpExporter(options: OtlpExporterOptions = {}): OtelExporter {
  checkOptionsObject(options, 'createOtlpExporter()');
  const { register = true, ...rest } = options;
  const exporter = new OtelExporter(rest);
  if (register !== false) exporter.register(typeof register === 'string' ? register : undefined);
  return exporter;
}
