/**
 * `observability.otel` → options of `OtelExporter` (the class is imported when the section is
 * used, so configuring no OTel output loads none of the OpenTelemetry SDK). The OTLP keys are
 * shared with `openinference` (otlp.ts).
 */
import type { ObservabilitySection } from '@nemo-flow/runtime/plugins';
import type { OtelExporter } from '../exporter.js';
import { checkOtlpEndpoint, effectiveEndpoint, endpointFromOwnEnv, readOtlp, type OtlpSection } from './otlp.js';

/** The OTLP/HTTP default of the OpenTelemetry SDK. */
const SDK_DEFAULT_ENDPOINT = 'http://localhost:4318';

export const otelSection: ObservabilitySection<OtlpSection> = {
  name: 'otel',
  package: { specifier: '@nemo-flow/exporter-otel', exportName: 'OtelExporter' },
  read(r, env) {
    const s = readOtlp(r, env.env);
    endpointFromOwnEnv(s.options, env.env, ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
    return s;
  },
  async check(s, ctx, r) {
    if (s.checkEndpoint) await checkOtlpEndpoint(effectiveEndpoint(s.options.endpoint, ctx.env, SDK_DEFAULT_ENDPOINT), ctx, r, 'OTLP');
  },
  create: (s, loaded) => new (loaded as typeof OtelExporter)(s.options),
  describe: (s) => ({ endpoint: s.options.endpoint ?? '(from OTEL_EXPORTER_OTLP_* or http://localhost:4318)' }),
};
