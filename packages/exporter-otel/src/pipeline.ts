/**
 * The export pipeline built when the user gives no tracer provider: an isolated
 * `BasicTracerProvider` (never registered globally, so another library's global provider cannot
 * swallow our spans, and ours cannot capture theirs) → batch processor with a bounded queue →
 * OTLP/HTTP (protobuf or JSON), configured from options first, then the standard `OTEL_*`
 * environment variables. The exporter records its own spans with a `DirectTracer` over the same
 * processor chain, resource, sampler and limits as the provider.
 */
import type { Attributes, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter, type SpanLimits } from '@opentelemetry/sdk-trace-base';
import { reportFailure, type ExporterState } from '@nemo-flow/runtime/exporter-kit';
import { CountingSpanExporter, DropCountingSpanProcessor, SpanLossCounter, type ExportStats } from './counting.js';
import { DirectTracer } from './direct-tracer.js';
import { resolveSpanLimits, samplerFromEnv } from './sdk-config.js';
import { envVar, processEnv } from './env.js';
import { FetchSpanExporter, fetchExporterConfig, resolveTransport, type OtlpTransport } from './fetch-exporter.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface OtlpPipelineOptions {
  /**
   * OTLP/HTTP endpoint. A base URL (`http://collector:4318`) gets `/v1/traces` appended, like
   * `OTEL_EXPORTER_OTLP_ENDPOINT`; a URL whose path already ends in `/v1/traces` is used as-is.
   * Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, then `OTEL_EXPORTER_OTLP_ENDPOINT`, then
   * `http://localhost:4318/v1/traces`.
   */
  endpoint?: string;
  /** Wire encoding. Default: `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`, then `http/protobuf`. */
  protocol?: OtlpProtocol;
  /** Extra request headers (e.g. auth); merged over `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS`. */
  headers?: Record<string, string>;
  /** `service.name`. Default: `OTEL_SERVICE_NAME`, then the SDK default `unknown_service:node`. */
  serviceName?: string;
  /** Resource attributes, merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Attributes;
  /**
   * Spans held in memory waiting for export; past it new spans are dropped and counted. Default
   * 32768 (`OTEL_BSP_MAX_QUEUE_SIZE`): a burst of 20,000 spans to a healthy backend is delivered
   * whole (the SDK default of 2048 lost most of it); held while the backend is down, that is some
   * tens of MB.
   */
  maxQueueSize?: number;
  /** Spans per export request. Default 1024 (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`). */
  maxExportBatchSize?: number;
  /** Delay between scheduled exports (ms). Default 5000 (`OTEL_BSP_SCHEDULE_DELAY`). */
  scheduledDelayMillis?: number;
  /** Time allowed for one export request, retries included (ms). Default 10000 (`OTEL_EXPORTER_OTLP_TIMEOUT`). */
  exportTimeoutMillis?: number;
  /** Compress requests. Default: `OTEL_EXPORTER_OTLP_COMPRESSION`, then none. */
  compression?: 'gzip' | 'none';
  /**
   * How requests are sent: `http` (`node:http`, the OpenTelemetry SDK's transport), `fetch`
   * (`globalThis.fetch`: Workers, Deno, Bun, browsers) or `auto` — `http` on Node, `fetch`
   * elsewhere. Queue, retries, timeouts and loss accounting are the same. Default `auto`.
   */
  transport?: OtlpTransport;
  /** Use this exporter instead of OTLP (another transport, or an in-memory exporter in tests). */
  spanExporter?: SpanExporter;
  /** SDK span limits (attribute count, event count...). */
  spanLimits?: SpanLimits;
  /** Failure-report source prefix. */
  source?: string;
}

/** An isolated provider plus the counters of what it exported and lost. */
export interface OtlpPipeline {
  provider: BasicTracerProvider;
  /** A tracer recording `RecordedSpan`s into the provider's processors (what the exporter uses). */
  directTracer(name: string, version?: string): Tracer;
  /** Exports everything ended so far, batches already in flight included. */
  forceFlush(): Promise<void>;
  stats(): ExportStats;
  /** Counts everything still queued or in flight as lost (shutdown ran out of time). Returns how many. */
  abandon(timeoutMillis: number): number;
  /** What `diagnostics()` shows for this pipeline. */
  diagnosticsState(): ExporterState;
}

const TRACES_PATH = 'v1/traces';

/** Chosen by measurement (docs in `OtlpPipelineOptions`). */
export const DEFAULT_MAX_QUEUE_SIZE = 32_768;
export const DEFAULT_MAX_EXPORT_BATCH_SIZE = 1024;

/** The URL spans go to: the option, else `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (as is), else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else the SDK default. */
export function effectiveTracesUrl(endpoint: string | undefined): string {
  if (endpoint !== undefined) return tracesUrl(endpoint);
  const env = processEnv();
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  if (traces) return traces;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  if (base) return base.replace(/\/?$/, '/') + TRACES_PATH;
  return 'http://localhost:4318/v1/traces';
}

/** The traces URL for an `endpoint` option (see `OtlpPipelineOptions.endpoint`). */
export function tracesUrl(endpoint: string): string {
  const u = new URL(endpoint);
  if (/\/v1\/traces\/?$/.test(u.pathname)) return u.href;
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  u.pathname += TRACES_PATH;
  return u.href;
}

function envProtocol(): string | undefined {
  return envVar('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') || envVar('OTEL_EXPORTER_OTLP_PROTOCOL') || undefined;
}

/** The protocol to use: the option, else the environment, else protobuf (grpc is not supported here). */
export function resolveProtocol(protocol: OtlpProtocol | undefined, source = 'exporter-otel'): OtlpProtocol {
  const p = protocol ?? envProtocol()?.trim();
  if (p === undefined || p === 'http/protobuf') return 'http/protobuf';
  if (p === 'http/json') return 'http/json';
  reportFailure(`${source}:config`, `OTLP protocol "${p}" is not supported; using http/protobuf`, new Error(`unsupported protocol ${p}`));
  return 'http/protobuf';
}

type OtlpHttpConfig = NonNullable<ConstructorParameters<typeof OTLPProtoTraceExporter>[0]>;

/** The OTLP/HTTP span exporter for the options (the SDK exporter fills unset options from `OTEL_*`). */
export function createOtlpSpanExporter(options: OtlpPipelineOptions = {}, concurrencyLimit?: number): SpanExporter {
  if (resolveTransport(options.transport) === 'fetch') {
    return new FetchSpanExporter(
      fetchExporterConfig({
        ...(options.endpoint !== undefined ? { url: tracesUrl(options.endpoint) } : {}),
        protocol: resolveProtocol(options.protocol, options.source),
        ...(options.headers !== undefined ? { headers: options.headers } : {}),
        ...(options.exportTimeoutMillis !== undefined ? { timeoutMillis: options.exportTimeoutMillis } : {}),
        ...(options.compression !== undefined ? { compression: options.compression } : {}),
        concurrencyLimit: concurrencyLimit ?? 30,
      }),
    );
  }
  const config: OtlpHttpConfig = {};
  if (concurrencyLimit !== undefined) config.concurrencyLimit = concurrencyLimit;
  if (options.endpoint !== undefined) config.url = tracesUrl(options.endpoint);
  if (options.headers !== undefined) config.headers = options.headers;
  if (options.exportTimeoutMillis !== undefined) config.timeoutMillis = options.exportTimeoutMillis;
  // The SDK types compression as its own string enum ('gzip' | 'none').
  if (options.compression !== undefined) config.compression = options.compression as OtlpHttpConfig['compression'];
  return resolveProtocol(options.protocol, options.source) === 'http/json' ? new OTLPJsonTraceExporter(config) : new OTLPProtoTraceExporter(config);
}

/** SDK defaults, then `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES`, then the options. */
export function createResource(options: Pick<OtlpPipelineOptions, 'serviceName' | 'resourceAttributes'> = {}): Resource {
  let resource = defaultResource().merge(detectResources({ detectors: [envDetector] }));
  const own: Attributes = { ...options.resourceAttributes };
  if (options.serviceName) own['service.name'] = options.serviceName;
  if (Object.keys(own).length > 0) resource = resource.merge(resourceFromAttributes(own));
  return resource;
}

/** Builds the isolated provider → counting batch processor → OTLP exporter pipeline. */
export function createOtlpPipeline(options: OtlpPipelineOptions = {}): OtlpPipeline {
  const source = options.source ?? 'exporter-otel';
  const counter = new SpanLossCounter(source);
  const maxQueueSize = options.maxQueueSize ?? envNumber('OTEL_BSP_MAX_QUEUE_SIZE') ?? DEFAULT_MAX_QUEUE_SIZE;
  const maxExportBatchSize = Math.min(options.maxExportBatchSize ?? envNumber('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? DEFAULT_MAX_EXPORT_BATCH_SIZE, maxQueueSize);
  // A flush sends the whole queue at once, one request per batch: the OTLP exporter must accept
  // that many in flight (its default of 30 failed the rest of a large queue).
  const concurrency = Math.ceil(maxQueueSize / maxExportBatchSize) + 1;
  const inner = options.spanExporter ?? createOtlpSpanExporter(options, concurrency);
  const exporter = new CountingSpanExporter(inner, counter);
  const batch = new BatchSpanProcessor(exporter, {
    maxQueueSize,
    maxExportBatchSize,
    ...(options.scheduledDelayMillis !== undefined ? { scheduledDelayMillis: options.scheduledDelayMillis } : {}),
    // The processor's own deadline must not cut the exporter's retries short.
    exportTimeoutMillis: (options.exportTimeoutMillis ?? envNumber('OTEL_EXPORTER_OTLP_TIMEOUT') ?? 10_000) + 1_000,
  });
  const processor = new DropCountingSpanProcessor(batch, counter, maxQueueSize);
  const resource = createResource(options);
  // Resolved once and given to both tracers, so that they apply the same ones.
  const sampler = samplerFromEnv();
  const limits = resolveSpanLimits(options.spanLimits);
  const provider = new BasicTracerProvider({ resource, sampler, spanLimits: limits, spanProcessors: [processor] });
  return {
    provider,
    directTracer: (name, version) => new DirectTracer({ processor, resource, sampler, limits, scope: version === undefined ? { name } : { name, version } }),
    forceFlush: async () => {
      await provider.forceFlush();
      await exporter.idle();
    },
    stats: () => counter.stats(),
    abandon: (timeoutMillis) => {
      // Requests still held by the backend would keep a serverless invocation (or the process) busy.
      if (inner instanceof FetchSpanExporter) inner.abort();
      return counter.abandon(timeoutMillis);
    },
    diagnosticsState: () => {
      const st = counter.stats();
      return {
        endpoint: options.spanExporter ? '(custom span exporter)' : effectiveTracesUrl(options.endpoint),
        protocol: resolveProtocol(options.protocol, '(diagnostics)'),
        sampler: envVar('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on',
        ...(envVar('OTEL_TRACES_SAMPLER_ARG') !== undefined ? { samplerArg: envVar('OTEL_TRACES_SAMPLER_ARG') } : {}),
        queued: st.pending,
        exported: st.exported,
        dropped: st.dropped,
        lastError: counter.lastError,
        lastSuccessAt: counter.lastSuccessAt === null ? null : new Date(counter.lastSuccessAt).toISOString(),
      };
    },
  };
}

function envNumber(name: string): number | undefined {
  const raw = envVar(name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
