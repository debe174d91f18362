/**
 * `OpenInferenceExporter`: the OTel exporter (same span plumbing, pipeline, options and lifecycle)
 * speaking OpenInference, for Arize Phoenix. What differs from `OtelExporter`: the mapper, the
 * default endpoint (a local Phoenix), content recorded by default (masking instead), a raised span
 * attribute limit (flattened chats have many attributes), and the Phoenix project resource.
 */
import { OtelExporter, checkExporterOptions, checkOptionsObject, nonEmpty, processEnv, type OtelExporterOptions } from '@nemo-flow/exporter-otel';
import { OpenInferenceMapper } from './mapper.js';
import { SEMRESATTRS_PROJECT_NAME } from './names.js';
import type { RunContextOptions } from './run-context.js';
import type { TraceConfig, TraceConfigOptions } from './trace-config.js';
import { VERSION } from './version.js';

export interface OpenInferenceExporterOptions extends Omit<OtelExporterOptions, 'mapper'>, RunContextOptions {
  /**
   * Masking (OpenInference's trace config). Unset settings come from the `OPENINFERENCE_HIDE_*` /
   * `OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH` environment variables; code wins over environment.
   */
  traceConfig?: TraceConfigOptions;
  /**
   * Record inputs, outputs and messages. Default true (Phoenix is where you read them); `false`
   * hides inputs and outputs whatever `traceConfig` and the environment say.
   */
  captureContent?: boolean;
  /** Phoenix project the spans go to (`openinference.project.name` resource attribute). Default: `PHOENIX_PROJECT_NAME`, else Phoenix's `default`. */
  projectName?: string;
}

/** The local Phoenix: `python -m phoenix.server.main serve` or `docker run -p 6006:6006 arizephoenix/phoenix`. */
export const DEFAULT_PHOENIX_ENDPOINT = 'http://localhost:6006/v1/traces';

/**
 * Span attributes kept per span when neither the options nor `OTEL_(SPAN_)ATTRIBUTE_COUNT_LIMIT`
 * say: the SDK default (128) would silently drop the later messages of a long chat, and the token
 * counts set when the call ends.
 */
export const DEFAULT_ATTRIBUTE_COUNT_LIMIT = 8192;

type SpanLimits = NonNullable<OtelExporterOptions['spanLimits']>;
type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where spans go: the `endpoint` option, else `PHOENIX_COLLECTOR_ENDPOINT`, else the standard
 * `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` (left to the OTLP exporter), else the local Phoenix.
 */
export function resolveEndpoint(endpoint: string | undefined, env: Env = process.env): string | undefined {
  if (endpoint !== undefined) return endpoint;
  const phoenix = nonEmpty(env['PHOENIX_COLLECTOR_ENDPOINT']);
  if (phoenix) return phoenix;
  if (nonEmpty(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) || nonEmpty(env['OTEL_EXPORTER_OTLP_ENDPOINT'])) return undefined;
  return DEFAULT_PHOENIX_ENDPOINT;
}

/**
 * Request headers for Phoenix, as Phoenix's own `register()` builds them: `PHOENIX_CLIENT_HEADERS`
 * (`key=value` pairs, comma-separated, values URL-encoded), then `authorization: Bearer
 * $PHOENIX_API_KEY` unless a header already authorizes, then the `headers` option over both.
 * Undefined when there is nothing to add.
 */
export function phoenixHeaders(given: Record<string, string> | undefined, env: Env = process.env): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const pair of (nonEmpty(env['PHOENIX_CLIENT_HEADERS']) ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    const key = pair.slice(0, i).trim().toLowerCase();
    let value = pair.slice(i + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // not URL-encoded: kept as written
    }
    if (key) out[key] = value;
  }
  const apiKey = nonEmpty(env['PHOENIX_API_KEY']);
  const authorizedInCode = given !== undefined && Object.keys(given).some((k) => k.toLowerCase() === 'authorization');
  if (apiKey && out['authorization'] === undefined && !authorizedInCode) out['authorization'] = `Bearer ${apiKey}`;
  const merged = { ...out, ...given };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

function spanLimitsFor(given: SpanLimits | undefined, env: Env): SpanLimits | undefined {
  if (given) return given;
  if (nonEmpty(env['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT']) || nonEmpty(env['OTEL_ATTRIBUTE_COUNT_LIMIT'])) return undefined;
  return { attributeCountLimit: DEFAULT_ATTRIBUTE_COUNT_LIMIT };
}

/** Throws a TypeError naming the first option that is not what its type says (see `checkExporterOptions`). */
function checkOpenInferenceOptions(options: unknown, what: string): void {
  checkExporterOptions(options, what);
  const o = options as Record<string, unknown>;
  for (const key of ['projectName', 'sessionId', 'userId']) {
    if (o[key] !== undefined && typeof o[key] !== 'string') throw new TypeError(`${what}: ${key} must be a string, got ${typeof o[key]}`);
  }
  const tags = o['tags'];
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) {
    throw new TypeError(`${what}: tags must be an array of strings`);
  }
  for (const key of ['metadata', 'traceConfig']) {
    const v = o[key];
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v)))
      throw new TypeError(`${what}: ${key} must be an object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  }
}

export class OpenInferenceExporter extends OtelExporter {
  /** The mapper in use (its `traceConfig` is the masking in force). */
  readonly mapper: OpenInferenceMapper;

  constructor(options: OpenInferenceExporterOptions = {}) {
    checkOpenInferenceOptions(options, `new ${new.target.name}()`);
    const { traceConfig, captureContent, projectName, sessionId, userId, tags, metadata, ...otel } = options;
    const env = processEnv();
    let mapper: OpenInferenceMapper | undefined;
    const source = otel.source ?? 'exporter-openinference';
    const ownPipeline = !otel.tracerProvider && !otel.spanExporter;
    const project = projectName ?? nonEmpty(env['PHOENIX_PROJECT_NAME']);
    const headers = ownPipeline ? phoenixHeaders(otel.headers, env) : otel.headers;
    const base: OtelExporterOptions = {
      ...otel,
      endpoint: ownPipeline ? resolveEndpoint(otel.endpoint, env) : otel.endpoint,
      ...(headers ? { headers } : {}),
      spanLimits: otel.tracerProvider ? otel.spanLimits : spanLimitsFor(otel.spanLimits, env),
      resourceAttributes: project ? { ...otel.resourceAttributes, [SEMRESATTRS_PROJECT_NAME]: project } : otel.resourceAttributes,
      source,
      subscriberName: otel.subscriberName ?? 'openinference',
      instrumentationName: otel.instrumentationName ?? '@nemo-flow/exporter-openinference',
      instrumentationVersion: otel.instrumentationVersion ?? VERSION,
      captureContent: captureContent ?? true,
      // Phoenix takes traces only: GenAI metrics only when asked for (or given a MeterProvider).
      metrics: otel.metrics ?? otel.meterProvider !== undefined,
      mapper: (o) =>
        (mapper = new OpenInferenceMapper({
          maxAttributeLength: o.maxAttributeLength,
          source,
          captureContent,
          traceConfig,
          sessionId,
          userId,
          tags,
          metadata,
        })),
    };
    super(base);
    this.mapper = mapper!;
  }

  /** The masking in force (code, then environment, then defaults). */
  get traceConfig(): TraceConfig {
    return this.mapper.traceConfig;
  }
}

/** Options of `createOpenInferenceExporter`: the OTLP pipeline is always built here. */
export interface OpenInferenceOtlpExporterOptions extends Omit<OpenInferenceExporterOptions, 'tracerProvider'> {
  /** Register with the runtime right away, under this name (`true`: `openinference`). Default true. */
  register?: boolean | string;
}

/**
 * An exporter that ships OpenInference spans over OTLP/HTTP to Phoenix (default
 * `http://localhost:6006/v1/traces`) through its own isolated provider, registered with the runtime.
 */
export function createOpenInferenceExporter(options: OpenInferenceOtlpExporterOptions = {}): OpenInferenceExporter {
  checkOptionsObject(options, 'createOpenInferenceExporter()');
  const { register = true, ...rest } = options;
  const exporter = new OpenInferenceExporter(rest);
  if (register !== false) exporter.register(typeof register === 'string' ? register : undefined);
  return exporter;
}
