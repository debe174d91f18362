/**
 * @nemo-flow/exporter-openinference/config — the `openinference` section of the `observability`
 * component: the OTLP keys (shared with `otel`) plus the Phoenix project, run context defaults and
 * OpenInference masking. The exporter is imported only when the section is used.
 *
 * @module @nemo-flow/exporter-openinference/config
 */
import type { ObservabilitySection } from '@nemo-flow/runtime/plugins';
import { checkOtlpEndpoint, effectiveEndpoint, endpointFromOwnEnv, readOtlp, type OtlpSection } from '@nemo-flow/exporter-otel/config';
import type { OpenInferenceExporter, OpenInferenceExporterOptions } from './exporter.js';
import type { TraceConfigOptions } from './trace-config.js';

/** A local Phoenix (the exporter's own default). */
const PHOENIX_DEFAULT_ENDPOINT = 'http://localhost:6006/v1/traces';

const MASKING_FLAGS: ReadonlyArray<[string, keyof TraceConfigOptions]> = [
  ['hide_inputs', 'hideInputs'],
  ['hide_outputs', 'hideOutputs'],
  ['hide_input_messages', 'hideInputMessages'],
  ['hide_output_messages', 'hideOutputMessages'],
  ['hide_input_images', 'hideInputImages'],
  ['hide_input_text', 'hideInputText'],
  ['hide_output_text', 'hideOutputText'],
];

export const openInferenceSection: ObservabilitySection<OtlpSection<OpenInferenceExporterOptions>> = {
  name: 'openinference',
  package: { specifier: '@nemo-flow/exporter-openinference', exportName: 'OpenInferenceExporter' },
  read(r, env) {
    const base = readOtlp(r, env.env);
    endpointFromOwnEnv(base.options, env.env, ['PHOENIX_COLLECTOR_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
    const o: OpenInferenceExporterOptions = { ...base.options };
    // Phoenix is where content is read: record it unless the section says otherwise (the exporter's default).
    if (!r.has('capture_content')) delete o.captureContent;
    const project = r.string('project_name');
    if (project !== undefined) o.projectName = project;
    const session = r.string('session_id');
    if (session !== undefined) o.sessionId = session;
    const user = r.string('user_id');
    if (user !== undefined) o.userId = user;
    const tags = r.stringArray('tags');
    if (tags) o.tags = tags;
    const m = r.object('masking');
    if (m) {
      const masking: TraceConfigOptions = {};
      for (const [key, option] of MASKING_FLAGS) {
        const v = m.boolean(key);
        if (v !== undefined) (masking as Record<string, boolean | number>)[option] = v;
      }
      const b64 = m.number('base64_image_max_length', { integer: true, min: 0 });
      if (b64 !== undefined) masking.base64ImageMaxLength = b64;
      m.done();
      o.traceConfig = masking;
    }
    return { options: o, checkEndpoint: base.checkEndpoint };
  },
  async check(s, ctx, r) {
    if (!s.checkEndpoint) return;
    const phoenix = ctx.env['PHOENIX_COLLECTOR_ENDPOINT']?.trim() || undefined;
    await checkOtlpEndpoint(s.options.endpoint ?? phoenix ?? effectiveEndpoint(undefined, ctx.env, PHOENIX_DEFAULT_ENDPOINT), ctx, r, 'OpenInference');
  },
  create: (s, loaded) => new (loaded as typeof OpenInferenceExporter)(s.options),
  describe: (s) => ({ endpoint: s.options.endpoint ?? '(from PHOENIX_COLLECTOR_ENDPOINT, OTEL_EXPORTER_OTLP_* or http://localhost:6006/v1/traces)' }),
};
