/**
 * GenAI client metrics from the lifecycle stream: `gen_ai.client.token.usage` and
 * `gen_ai.client.operation.duration` histograms with the conventions' attributes and advised
 * bucket boundaries. LLM calls are `chat` operations; agent runs (`invoke_agent`) and tool calls
 * (`execute_tool`) are recorded in the duration histogram too, so one metric answers "how long do
 * my agents, tools and models take". Recorded through the OpenTelemetry metrics API, into the
 * app's `MeterProvider` or an isolated one exporting over OTLP/HTTP.
 */
import type { Attributes, Histogram, Meter, MeterProvider } from '@opentelemetry/api';
import { type LifecycleEvent, type ScopeEvent } from '@nemo-flow/runtime';
import { eventTimeMicros, reportFailure } from '@nemo-flow/runtime/exporter-kit';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { JsonMetricsSerializer, MetricsExporterMetricsHelper, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import {
  AggregationTemporality,
  MeterProvider as SdkMeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ExportResult } from '@opentelemetry/core';
import { envVar, processEnv } from './env.js';
import { FetchOtlpSender, fetchExporterConfig, resolveTransport } from './fetch-exporter.js';
import { llmModelName, llmRequestOf, llmResponseOf, llmTransportOf, namedProvider } from './llm-view.js';
import { createResource, resolveProtocol, type OtlpPipelineOptions, type OtlpProtocol } from './pipeline.js';
import { exporterOffByEnv } from './sdk-config.js';
import { OpenTable } from './open-table.js';
import { providerNameOf } from './genai-mapper.js';
import * as C from './semconv.js';

export interface GenAiMetricsOptions {
  /**
   * Record GenAI metrics. Default: on when an OTLP endpoint is configured (the `endpoint` option,
   * `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`) or a `meterProvider` is
   * given, and `OTEL_METRICS_EXPORTER` is not `none`. `false` turns them off whatever the environment says.
   */
  metrics?: boolean;
  /** Record into this provider (your app's) instead of an isolated OTLP one. It is flushed, never shut down. */
  meterProvider?: MeterProvider;
  /** Interval between metric exports of the isolated provider (ms). Default `OTEL_METRIC_EXPORT_INTERVAL`, then 60000. */
  metricExportIntervalMillis?: number;
}

/** The built-in meter provider's OTLP/HTTP metric exporter (same encodings and transports as the span exporter). */
class OtlpMetricExporter implements PushMetricExporter {
  private readonly delegate: Pick<ReturnType<typeof createOtlpHttpExportDelegate<ResourceMetrics, unknown>>, 'export' | 'forceFlush' | 'shutdown'>;

  constructor(config: Parameters<typeof convertLegacyHttpOptions>[0], protocol: OtlpProtocol, transport: 'http' | 'fetch') {
    const json = protocol === 'http/json';
    if (transport === 'fetch') {
      const sender = new FetchOtlpSender(
        fetchExporterConfig({
          signal: 'METRICS',
          ...(config.url !== undefined ? { url: config.url } : {}),
          protocol,
          ...(config.headers !== undefined ? { headers: config.headers as Record<string, string> } : {}),
          ...(config.timeoutMillis !== undefined ? { timeoutMillis: config.timeoutMillis } : {}),
          ...(config.compression !== undefined ? { compression: config.compression === 'gzip' ? 'gzip' : 'none' } : {}),
          concurrencyLimit: 30,
        }),
      );
      const serializer = json ? JsonMetricsSerializer : ProtobufMetricsSerializer;
      this.delegate = {
        export: (metrics, done) => sender.export(() => serializer.serializeRequest(metrics as never), done),
        forceFlush: () => sender.forceFlush(),
        shutdown: () => sender.forceFlush(),
      };
      return;
    }
    const http = convertLegacyHttpOptions(config, 'METRICS', 'v1/metrics', { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
    const serializer = (json ? JsonMetricsSerializer : ProtobufMetricsSerializer) as unknown as Parameters<
      typeof createOtlpHttpExportDelegate<ResourceMetrics, unknown>
    >[1];
    this.delegate = createOtlpHttpExportDelegate(http, serializer, 'otlp_http_metric_exporter', MetricsExporterMetricsHelper as never, undefined);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.delegate.export(metrics, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.delegate.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.delegate.shutdown();
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
}

/** The metrics URL for an `endpoint` option: a base URL gets `/v1/metrics`; a traces URL is turned into the metrics one. */
export function metricsUrl(endpoint: string): string {
  const u = new URL(endpoint);
  u.pathname = u.pathname.replace(/\/v1\/(traces|metrics)\/?$/, '');
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  u.pathname += 'v1/metrics';
  return u.href;
}

function endpointConfigured(options: OtlpPipelineOptions): boolean {
  const env = processEnv();
  const set = (v: string | undefined): boolean => v !== undefined && v.trim() !== '';
  return options.endpoint !== undefined || set(env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT']) || set(env['OTEL_EXPORTER_OTLP_ENDPOINT']);
}

function exportInterval(options: GenAiMetricsOptions): number {
  if (options.metricExportIntervalMillis !== undefined) return options.metricExportIntervalMillis;
  const n = Number(envVar('OTEL_METRIC_EXPORT_INTERVAL'));
  return Number.isFinite(n) && n > 0 ? n : 60_000;
}

/** Open starts kept at most (calls never ended); the oldest is forgotten past it. */
const MAX_OPEN = 100_000;

interface OpenCall {
  start: ScopeEvent;
  micros: number;
}

/**
 * Records the GenAI client metrics for the events it is handed. `handle` is synchronous and never
 * throws; `forceFlush` / `shutdown` act on the provider it owns (a given provider is only flushed).
 */
export class GenAiMetrics {
  private readonly tokenUsage: Histogram;
  private readonly duration: Histogram;
  private readonly open = new OpenTable<OpenCall>();
  /** Something was recorded since the last flush (a flush with nothing new sends nothing). */
  private dirty = false;
  private closed = false;

  constructor(
    meter: Meter,
    private readonly provider: MeterProvider,
    private readonly owned: boolean,
    private readonly source = 'exporter-otel',
  ) {
    this.tokenUsage = meter.createHistogram(C.METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      description: 'Number of input and output tokens used.',
      unit: '{token}',
      advice: { explicitBucketBoundaries: [...C.GEN_AI_TOKEN_USAGE_BUCKETS] },
    });
    this.duration = meter.createHistogram(C.METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
      description: 'GenAI operation duration.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...C.GEN_AI_DURATION_BUCKETS] },
    });
  }

  handle(event: LifecycleEvent): void {
    try {
      if (event.kind !== 'scope') return;
      const c = event.category;
      if (c !== 'llm' && c !== 'tool' && c !== 'agent') return;
      if (event.scope_category === 'start') {
        if (this.open.has(event.uuid)) return; // a duplicate start: the first one times the call
        if (this.open.size >= MAX_OPEN) this.open.delete(this.open.oldestKey()!);
        this.open.add(event.uuid, { start: event, micros: eventTimeMicros(event) });
        return;
      }
      const o = this.open.get(event.uuid);
      if (!o) return;
      this.open.delete(event.uuid);
      this.record(o, event);
    } catch (err) {
      reportFailure(`${this.source}:metrics`, 'GenAI metrics recording failed', err);
    }
  }

  private record(o: OpenCall, end: ScopeEvent): void {
    const start = o.start;
    const seconds = Math.max(0, (eventTimeMicros(end) - o.micros) / 1e6);
    const attrs: Attributes = {};
    if (start.category === 'llm') {
      attrs[C.ATTR_GEN_AI_OPERATION_NAME] = C.GEN_AI_OPERATION_CHAT;
      const req = llmRequestOf(start);
      const t = llmTransportOf(end) ?? llmTransportOf(start);
      const provider = namedProvider(t) ?? (req ? providerNameOf(req.provider_format) : undefined);
      if (provider) attrs[C.ATTR_GEN_AI_PROVIDER_NAME] = provider;
      const model = llmModelName(start) ?? req?.model;
      if (model) attrs[C.ATTR_GEN_AI_REQUEST_MODEL] = model;
      if (typeof t?.server_address === 'string' && t.server_address.length > 0) attrs[C.ATTR_SERVER_ADDRESS] = t.server_address;
      if (typeof t?.server_port === 'number') attrs[C.ATTR_SERVER_PORT] = t.server_port;
      const res = end.status === 'error' ? undefined : llmResponseOf(end, start);
      if (res?.model) attrs[C.ATTR_GEN_AI_RESPONSE_MODEL] = res.model;
      const u = res?.usage;
      if (u) {
        if (typeof u.input_tokens === 'number') this.tokenUsage.record(u.input_tokens, { ...attrs, [C.ATTR_GEN_AI_TOKEN_TYPE]: C.GEN_AI_TOKEN_TYPE_INPUT });
        if (typeof u.output_tokens === 'number') this.tokenUsage.record(u.output_tokens, { ...attrs, [C.ATTR_GEN_AI_TOKEN_TYPE]: C.GEN_AI_TOKEN_TYPE_OUTPUT });
      }
    } else if (start.category === 'tool') {
      attrs[C.ATTR_GEN_AI_OPERATION_NAME] = C.GEN_AI_OPERATION_EXECUTE_TOOL;
      attrs[C.ATTR_GEN_AI_TOOL_NAME] = start.name;
    } else {
      attrs[C.ATTR_GEN_AI_OPERATION_NAME] = C.GEN_AI_OPERATION_INVOKE_AGENT;
      attrs[C.ATTR_GEN_AI_AGENT_NAME] = start.name;
    }
    if (end.status === 'error' || end.error) attrs[C.ATTR_ERROR_TYPE] = end.error?.type || 'Error';
    this.duration.record(seconds, attrs);
    this.dirty = true;
  }

  /** Exports what was recorded so far. */
  async forceFlush(): Promise<void> {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    const p = this.provider as { forceFlush?: () => Promise<void> };
    if (typeof p.forceFlush === 'function') await p.forceFlush();
  }

  /** Final export; shuts the built-in provider down (a given one is flushed only). */
  async shutdown(): Promise<void> {
    this.open.clear();
    this.dirty = true; // the final export always goes out
    if (this.owned) {
      this.closed = true;
      await (this.provider as SdkMeterProvider).shutdown();
    } else {
      await this.forceFlush();
      this.closed = true;
    }
  }
}

/** The metrics recorder the options and environment ask for, or undefined when metrics are off. */
export function createGenAiMetrics(options: GenAiMetricsOptions & OtlpPipelineOptions, scope: { name: string; version: string }): GenAiMetrics | undefined {
  if (options.metrics === false) return undefined;
  const source = options.source ?? 'exporter-otel';
  if (options.meterProvider) {
    return new GenAiMetrics(options.meterProvider.getMeter(scope.name, scope.version), options.meterProvider, false, source);
  }
  if (options.metrics !== true && (exporterOffByEnv('METRICS') || !endpointConfigured(options))) return undefined;
  const config: Parameters<typeof convertLegacyHttpOptions>[0] = {};
  if (options.endpoint !== undefined) config.url = metricsUrl(options.endpoint);
  if (options.headers !== undefined) config.headers = options.headers;
  if (options.exportTimeoutMillis !== undefined) config.timeoutMillis = options.exportTimeoutMillis;
  if (options.compression !== undefined) config.compression = options.compression as typeof config.compression;
  const exporter = new OtlpMetricExporter(config, resolveProtocol(options.protocol, source), resolveTransport(options.transport));
  const interval = exportInterval(options);
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: interval,
    exportTimeoutMillis: Math.min(interval, options.exportTimeoutMillis ?? 30_000),
  });
  const provider = new SdkMeterProvider({ resource: createResource(options), readers: [reader] });
  return new GenAiMetrics(provider.getMeter(scope.name, scope.version), provider, true, source);
}
