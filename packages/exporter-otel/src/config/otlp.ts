/**
 * Keys shared by the OTLP sections (`otel`, `openinference`) → the options both exporters take
 * (`OtelExporterOptions`, which `OpenInferenceExporterOptions` extends), plus the endpoint check.
 */
import { checkReachable, type FieldReader, type ValidationContext } from '@nemo-flow/runtime/plugins';
import type { OtelExporterOptions } from '../exporter.js';
import { readHeadersEnv, warnInlineSecrets } from './secrets.js';
import { nonEmpty, processEnv } from '../env.js';

/** Mapped options plus what the check needs. */
export interface OtlpSection<O extends OtelExporterOptions = OtelExporterOptions> {
  options: O;
  /** Check the endpoint is reachable during validation (default true). */
  checkEndpoint: boolean;
}

/** Reads the OTLP keys of a section into `OtelExporterOptions`. */
export function readOtlp(r: FieldReader, env: Readonly<Record<string, string | undefined>>): OtlpSection {
  const o: OtelExporterOptions = {};
  const endpoint = r.string('endpoint');
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      r.findings.report({
        code: 'INVALID_VALUE',
        field: r.field('endpoint'),
        message: `expected an http(s) URL like "http://localhost:4318", got ${JSON.stringify(endpoint)}`,
      });
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') {
      r.findings.unsupportedValue(r.field('endpoint'), `scheme "${url.protocol}" is not supported; OTLP is sent over http:// or https://`);
    } else if (url) o.endpoint = endpoint;
  }
  const protocol = r.oneOf('protocol', ['http/protobuf', 'http/json'] as const);
  if (protocol) o.protocol = protocol;
  const inline = r.stringRecord('headers');
  warnInlineSecrets(r, inline);
  const fromEnv = readHeadersEnv(r, env);
  if (inline || fromEnv) o.headers = { ...inline, ...fromEnv };
  const serviceName = r.string('service_name');
  if (serviceName !== undefined) o.serviceName = serviceName;
  const attrs = r.scalarRecord('resource_attributes');
  if (attrs) o.resourceAttributes = attrs;
  const capture = r.boolean('capture_content');
  if (capture !== undefined) o.captureContent = capture;
  const maxLen = r.number('max_attribute_length', { integer: true, min: 1 });
  if (maxLen !== undefined) o.maxAttributeLength = maxLen;
  // Configured setups rarely call shutdown(): flush on exit unless told otherwise.
  o.flushOnExit = r.boolean('flush_on_exit') ?? true;
  const ms = (key: string): number | undefined => r.number(key, { integer: true, min: 0 });
  const flushT = ms('flush_timeout_ms');
  if (flushT !== undefined) o.flushTimeoutMillis = flushT;
  const shutT = ms('shutdown_timeout_ms');
  if (shutT !== undefined) o.shutdownTimeoutMillis = shutT;
  const exportT = ms('export_timeout_ms');
  if (exportT !== undefined) o.exportTimeoutMillis = exportT;
  const delay = ms('scheduled_delay_ms');
  if (delay !== undefined) o.scheduledDelayMillis = delay;
  const queue = r.number('max_queue_size', { integer: true, min: 1 });
  if (queue !== undefined) o.maxQueueSize = queue;
  const batch = r.number('max_export_batch_size', { integer: true, min: 1 });
  if (batch !== undefined) o.maxExportBatchSize = batch;
  const compression = r.oneOf('compression', ['gzip', 'none'] as const);
  if (compression) o.compression = compression;
  const transport = r.oneOf('transport', ['auto', 'http', 'fetch'] as const);
  if (transport) o.transport = transport;
  const metrics = r.boolean('metrics');
  if (metrics !== undefined) o.metrics = metrics;
  const interval = r.number('metric_export_interval_ms', { integer: true, min: 1 });
  if (interval !== undefined) o.metricExportIntervalMillis = interval;
  const checkEndpoint = r.boolean('check_endpoint') ?? true;
  return { options: o, checkEndpoint };
}

/**
 * The exporters read `OTEL_*` from `process.env` themselves. When the caller supplied another
 * environment (`PluginOptions.env`), the endpoint it names is passed explicitly so that the
 * environment given is the one that counts.
 */
export function endpointFromOwnEnv(options: OtelExporterOptions, env: Readonly<Record<string, string | undefined>>, names: readonly string[]): void {
  if (options.endpoint !== undefined || env === processEnv()) return;
  for (const name of names) {
    const v = nonEmpty(env[name]);
    if (v) {
      options.endpoint = v;
      return;
    }
  }
}

/** Warns when the endpoint spans will go to does not accept TCP connections. */
export async function checkOtlpEndpoint(endpoint: string | undefined, ctx: ValidationContext, r: FieldReader, what: string): Promise<void> {
  if (endpoint === undefined) return;
  const problem = await checkReachable(endpoint, ctx.connectTimeoutMs);
  if (problem) {
    ctx.report({
      level: 'warn',
      code: 'ENDPOINT_UNREACHABLE',
      field: r.field('endpoint'),
      message: `${what} endpoint ${endpoint}: ${problem}; spans will be dropped until a collector listens there (set "check_endpoint": false to skip this check)`,
    });
  }
}

/** The endpoint an OTLP exporter will use: the option, else the standard `OTEL_*` variables, else `fallback`. */
export function effectiveEndpoint(
  endpoint: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  fallback: string | undefined,
): string | undefined {
  return endpoint ?? nonEmpty(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) ?? nonEmpty(env['OTEL_EXPORTER_OTLP_ENDPOINT']) ?? fallback;
}
