/**
 * @nemo-flow/exporter-otel — NeMo Flow lifecycle events as OpenTelemetry spans (OTLP/HTTP to a
 * collector, Jaeger, Tempo), with GenAI semantic-convention attributes.
 *
 * Three layers, each usable alone (the OpenInference exporter reuses the first and the last):
 * - the span plumbing: `SpanBridge` + the `AttributeMapper` contract;
 * - the vocabulary: `GenAiMapper` and the attribute-name constants;
 * - the pipeline: `createOtlpPipeline` (isolated provider, batch processor, OTLP, `OTEL_*` env).
 * `OtelExporter` / `createOtlpExporter` put them together as a runtime subscriber.
 *
 * @module @nemo-flow/exporter-otel
 */
export { OtelExporter, createOtlpExporter } from './exporter.js';
export type { OtelExporterOptions, OtelExporterStats, OtlpExporterOptions } from './exporter.js';

export { checkExporterOptions, checkOptionsObject } from './options.js';

export { SpanBridge } from './bridge.js';
export type { ScopeRef, SpanBridgeOptions, SpanBridgeStats } from './bridge.js';
export type { AttributeMapper, MapperOptions, SpanStart } from './mapper.js';

export { GenAiMapper } from './genai-mapper.js';
export { inputMessages, outputMessages, systemInstructions, toolDefinitions } from './genai-messages.js';
export type { GenAiMessage, GenAiPart } from './genai-messages.js';
export { llmCostOf, llmModelName, llmRequestOf, llmResponseOf } from './llm-view.js';
export { addNemoFlowEndAttributes, addNemoFlowStartAttributes, isEmpty, nemoFlowMarkAttributes } from './nemo-flow-attributes.js';
export * from './semconv.js';

export { createOtlpPipeline, createOtlpSpanExporter, createResource, resolveProtocol, tracesUrl } from './pipeline.js';
export type { OtlpPipeline, OtlpPipelineOptions, OtlpProtocol } from './pipeline.js';
export { FetchSpanExporter, resolveTransport } from './fetch-exporter.js';
export type { FetchSpanExporterOptions, OtlpTransport } from './fetch-exporter.js';
export { CountingSpanExporter, DropCountingSpanProcessor, SpanLossCounter } from './counting.js';
export type { ExportStats } from './counting.js';

export { formatTraceContext, remoteContextFrom, traceContextMetadata } from './propagation.js';
export type { TraceContextHeaders } from './propagation.js';
export { boundedStringify, boundedText } from './bounded-json.js';
export { DEFAULT_MAX_ATTRIBUTE_LENGTH, truncateAttributes, truncateString } from './truncate.js';
export { eventHrTime, fromMicros } from './time.js';
// Process-exit hooks are shared by every package, so they live in the runtime; re-exported here.
export { addExitHook } from '@nemo-flow/runtime/exporter-kit';
export type { ExitFlush, ExitReason } from '@nemo-flow/runtime/exporter-kit';
export { GenAiMetrics, createGenAiMetrics, metricsUrl } from './metrics.js';
export type { GenAiMetricsOptions } from './metrics.js';
export { nonEmpty, processEnv } from './env.js';
export { VERSION } from './version.js';
