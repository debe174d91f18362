/**
 * @nemo-flow/exporter-openinference — NeMo Flow lifecycle events as OpenInference spans for Arize
 * Phoenix: the OTel exporter's span machinery (`SpanBridge`, OTLP pipeline, lifecycle) with
 * OpenInference attributes (span kinds, flattened chat messages, tools, token counts, sessions)
 * and OpenInference's masking configuration.
 *
 * @module @nemo-flow/exporter-openinference
 */
export {
  OpenInferenceExporter,
  createOpenInferenceExporter,
  resolveEndpoint,
  phoenixHeaders,
  DEFAULT_ATTRIBUTE_COUNT_LIMIT,
  DEFAULT_PHOENIX_ENDPOINT,
} from './exporter.js';
export type { OpenInferenceExporterOptions, OpenInferenceOtlpExporterOptions } from './exporter.js';
export { OpenInferenceMapper, spanKindOf } from './mapper.js';
export type { OpenInferenceMapperOptions } from './mapper.js';
export {
  DEFAULT_BASE64_IMAGE_MAX_LENGTH,
  DEFAULT_TRACE_CONFIG,
  REDACTED_VALUE,
  TRACE_CONFIG_ENV,
  resolveTraceConfig,
} from './trace-config.js';
export type { TraceConfig, TraceConfigOptions } from './trace-config.js';
export type { RunContextOptions } from './run-context.js';
export { addInputMessages, addMessage, addOutputMessage } from './messages.js';
export type { MessageMask } from './messages.js';
export { VERSION } from './version.js';
