/**
 * @nemo-flow/exporter-otel/config — the `otel` section of the `observability` component (its
 * schema, validation, defaults and construction) and the OTLP keys the OpenInference section
 * shares. Light to import: the exporter itself is loaded only when the section is used.
 *
 * @module @nemo-flow/exporter-otel/config
 */
export { otelSection } from './otel.js';
export { readOtlp, endpointFromOwnEnv, checkOtlpEndpoint, effectiveEndpoint } from './otlp.js';
export type { OtlpSection } from './otlp.js';
export { readHeadersEnv, warnInlineSecrets, SECRET_HEADER } from './secrets.js';
