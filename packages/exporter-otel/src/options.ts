/**
 * Argument checks of the exporter constructors: a wrong option is a TypeError (or RangeError for a
 * number out of range) naming the option and what was expected, thrown at construction, instead of
 * an exporter that silently exports nothing (`maxQueueSize: NaN`) or drops everything (`0`).
 */
import { isPlainObject } from '@nemo-flow/runtime/exporter-kit';

type Rule = 'count' | 'millis' | 'delay';

/** Numeric options and what each accepts. */
const NUMERIC: Readonly<Record<string, Rule>> = {
  maxQueueSize: 'count',
  maxExportBatchSize: 'count',
  maxOpenSpans: 'count',
  maxAttributeLength: 'count',
  exportTimeoutMillis: 'millis',
  flushTimeoutMillis: 'millis',
  shutdownTimeoutMillis: 'millis',
  scheduledDelayMillis: 'delay',
  metricExportIntervalMillis: 'millis',
};

const EXPECTED: Readonly<Record<Rule, string>> = {
  count: 'a positive integer',
  millis: 'a positive number of milliseconds',
  delay: 'a non-negative number of milliseconds',
};

const STRINGS = ['endpoint', 'serviceName', 'source', 'subscriberName', 'instrumentationName', 'instrumentationVersion'];
const BOOLEANS = ['flushOnExit', 'captureContent', 'metrics'];
const FUNCTIONS = ['parentContext'];
const OBJECTS = ['headers', 'resourceAttributes', 'spanLimits'];

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v;
}

const isRecord: (v: unknown) => v is Record<string, unknown> = isPlainObject;

/** Throws unless `options` is undefined or an object (`what` names the constructor). */
export function checkOptionsObject(options: unknown, what: string): void {
  if (options !== undefined && !isRecord(options)) {
    throw new TypeError(`${what}: options must be an object, got ${describe(options)}`);
  }
}

function ok(rule: Rule, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  if (rule === 'count') return Number.isInteger(v) && v > 0;
  if (rule === 'millis') return v > 0;
  return v >= 0;
}

/**
 * Checks the options of `OtelExporter` (and of exporters built on it, before they read them).
 * Throws on the first bad one, naming it; `what` names the entry point (`new OtelExporter()`).
 */
export function checkExporterOptions(options: unknown, what: string): void {
  checkOptionsObject(options, what);
  if (options === undefined) return;
  const o = options as Record<string, unknown>;
  for (const key in NUMERIC) {
    const v = o[key];
    if (v === undefined) continue;
    const rule = NUMERIC[key]!;
    if (typeof v !== 'number') throw new TypeError(`${what}: ${key} must be ${EXPECTED[rule]}, got ${describe(v)}`);
    if (!ok(rule, v)) throw new RangeError(`${what}: ${key} must be ${EXPECTED[rule]}, got ${describe(v)}`);
  }
  for (const key of STRINGS) {
    const v = o[key];
    if (v !== undefined && typeof v !== 'string') throw new TypeError(`${what}: ${key} must be a string, got ${describe(v)}`);
  }
  for (const key of BOOLEANS) {
    const v = o[key];
    if (v !== undefined && typeof v !== 'boolean') throw new TypeError(`${what}: ${key} must be a boolean, got ${describe(v)}`);
  }
  for (const key of FUNCTIONS) {
    const v = o[key];
    if (v !== undefined && typeof v !== 'function') throw new TypeError(`${what}: ${key} must be a function, got ${describe(v)}`);
  }
  for (const key of OBJECTS) {
    const v = o[key];
    if (v !== undefined && !isRecord(v)) throw new TypeError(`${what}: ${key} must be an object, got ${describe(v)}`);
  }
  const headers = o['headers'];
  if (isRecord(headers)) {
    for (const k in headers) {
      if (typeof headers[k] !== 'string') throw new TypeError(`${what}: headers["${k}"] must be a string, got ${describe(headers[k])}`);
    }
  }
  const protocol = o['protocol'];
  if (protocol !== undefined && protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new TypeError(`${what}: protocol must be "http/protobuf" or "http/json", got ${describe(protocol)}`);
  }
  const transport = o['transport'];
  if (transport !== undefined && transport !== 'auto' && transport !== 'http' && transport !== 'fetch') {
    throw new TypeError(`${what}: transport must be "auto", "http" or "fetch", got ${describe(transport)}`);
  }
  const compression = o['compression'];
  if (compression !== undefined && compression !== 'gzip' && compression !== 'none') {
    throw new TypeError(`${what}: compression must be "gzip" or "none", got ${describe(compression)}`);
  }
  const tp = o['tracerProvider'];
  if (tp !== undefined && !(isRecord(tp) && typeof tp['getTracer'] === 'function')) {
    throw new TypeError(`${what}: tracerProvider must be an OpenTelemetry TracerProvider (with getTracer), got ${describe(tp)}`);
  }
  const mapper = o['mapper'];
  if (
    mapper !== undefined &&
    typeof mapper !== 'function' &&
    !(isRecord(mapper) && typeof mapper['start'] === 'function' && typeof mapper['end'] === 'function')
  ) {
    throw new TypeError(`${what}: mapper must be an AttributeMapper or a function returning one, got ${describe(mapper)}`);
  }
  const se = o['spanExporter'];
  if (se !== undefined && !(isRecord(se) && typeof se['export'] === 'function')) {
    throw new TypeError(`${what}: spanExporter must be an OpenTelemetry SpanExporter (with export), got ${describe(se)}`);
  }
}
