/**
 * A stand-in OTLP/HTTP trace backend for tests (no Jaeger, Tempo, Phoenix or Collector can run
 * here). It listens on 127.0.0.1, accepts `POST /v1/traces` in both OTLP encodings, and decodes
 * what the exporter really sent:
 *
 * - `application/x-protobuf` with the official opentelemetry-proto schema (protobufjs static code
 *   shipped by `@opentelemetry/otlp-transformer` 0.52, installed as `otlp-proto-0.52`);
 * - `application/json` per the OTLP/JSON mapping (hex ids, enum integers, int64 as strings).
 *
 * Spans come back flattened, each with its resource and instrumentation scope, attribute values as
 * plain JS. The response status can be switched (503, 500...) and delayed to play a failing or
 * slow backend.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

/** An attribute value decoded to plain JS (int64 → number, or bigint beyond 2^53). */
export type AttrValue = string | number | boolean | bigint | null | Uint8Array | AttrValue[] | { [key: string]: AttrValue };
export type AttrMap = Record<string, AttrValue>;

export type ReceivedSpanKind = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type ReceivedStatusCode = 'UNSET' | 'OK' | 'ERROR';

export interface ReceivedEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: AttrMap;
}

export interface ReceivedLink {
  traceId: string;
  spanId: string;
  attributes: AttrMap;
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Undefined for a root span. */
  parentSpanId: string | undefined;
  traceState: string;
  name: string;
  kind: ReceivedSpanKind;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: AttrMap;
  events: ReceivedEvent[];
  links: ReceivedLink[];
  status: { code: ReceivedStatusCode; message: string };
  droppedAttributesCount: number;
  droppedEventsCount: number;
  resource: AttrMap;
  scope: { name: string; version: string };
  /** Which encoding carried it. */
  encoding: 'protobuf' | 'json';
}

export interface ReceivedRequest {
  path: string;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  /** The status the receiver answered with. */
  status: number;
  spanCount: number;
}

export interface OtlpReceiverOptions {
  /** HTTP status to answer with (default 200). Spans of non-2xx requests are not kept. */
  status?: number;
  /** Port to listen on (default: a free one). */
  port?: number;
  /** Delay before answering (ms), to play a slow backend. */
  delayMs?: number;
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:43123` (pass as an exporter's `endpoint`). */
  url: string;
  /** Full traces URL: `${url}/v1/traces`. */
  tracesUrl: string;
  port: number;
  /** Every span accepted so far, in arrival order. */
  spans(): ReceivedSpan[];
  /** Every request seen, accepted or not. */
  requests(): ReceivedRequest[];
  /** Resolves with the spans once at least `n` have arrived; rejects after `timeoutMs` (default 5000). */
  waitForSpans(n: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  /** Resolves once at least `n` requests (accepted or not) have been answered. */
  waitForRequests(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Resolves once at least `n` requests have arrived, before any `delayMs` holds their answer. */
  waitForArrivals(n: number, timeoutMs?: number): Promise<void>;
  setStatus(code: number): void;
  setDelay(ms: number): void;
  /** Forgets spans and requests received so far. */
  reset(): void;
  close(): Promise<void>;
}

// ── Protobuf schema ─────────────────────────────────────────────────────────────────────────────

interface ProtoRoot {
  opentelemetry: {
    proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { decode(bytes: Uint8Array): unknown } } } } };
  };
}

const require = createRequire(import.meta.url);
let protoRoot: ProtoRoot | undefined;
function exportTraceServiceRequest(): { decode(bytes: Uint8Array): unknown } {
  protoRoot ??= require('otlp-proto-0.52/build/src/generated/root.js') as ProtoRoot;
  return protoRoot.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
}

// ── Decoding (both encodings share the same walk; only leaf representations differ) ───────────

type Obj = Record<string, unknown>;

const KINDS: ReceivedSpanKind[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS: ReceivedStatusCode[] = ['UNSET', 'OK', 'ERROR'];
const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function has(o: Obj, key: string): boolean {
  // protobufjs puts unset oneof members on the prototype (as null); decoded fields are own properties.
  return Object.prototype.hasOwnProperty.call(o, key) && o[key] !== null && o[key] !== undefined;
}

/** int64 in any representation (number, decimal string, protobufjs Long) → bigint. */
function toBigInt(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string') return BigInt(v);
  if (typeof v === 'object' && 'low' in (v as Obj) && 'high' in (v as Obj)) {
    const l = v as { low: number; high: number; unsigned?: boolean };
    const hi = BigInt(l.high >>> 0) << 32n;
    const u = hi + BigInt(l.low >>> 0);
    return !l.unsigned && l.high < 0 ? u - (1n << 64n) : u;
  }
  return BigInt(String(v));
}

function toNumber(v: unknown): number | bigint {
  const b = toBigInt(v);
  return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(b) : b;
}

function toHex(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.toLowerCase(); // OTLP/JSON ids are hex already
  return Buffer.from(v as Uint8Array).toString('hex');
}

function enumValue(v: unknown, names: Record<string, number>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return names[v] ?? Number(v);
  return 0;
}

function anyValue(v: unknown): AttrValue {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Obj;
  if (has(o, 'stringValue')) return o['stringValue'] as string;
  if (has(o, 'boolValue')) return o['boolValue'] as boolean;
  if (has(o, 'intValue')) return toNumber(o['intValue']);
  if (has(o, 'doubleValue')) return Number(o['doubleValue']);
  if (has(o, 'arrayValue')) return (((o['arrayValue'] as Obj)['values'] as unknown[]) ?? []).map(anyValue);
  if (has(o, 'kvlistValue')) return keyValues((o['kvlistValue'] as Obj)['values']);
  if (has(o, 'bytesValue')) {
    const b = o['bytesValue'];
    return typeof b === 'string' ? new Uint8Array(Buffer.from(b, 'base64')) : new Uint8Array(b as Uint8Array);
  }
  return null;
}

function keyValues(list: unknown): AttrMap {
  const out: AttrMap = {};
  for (const kv of (list as Obj[] | undefined) ?? []) out[kv['key'] as string] = anyValue(kv['value']);
  return out;
}

function decodeRequest(body: Obj, encoding: 'protobuf' | 'json'): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (body['resourceSpans'] as Obj[] | undefined) ?? []) {
    const resource = keyValues((rs['resource'] as Obj | undefined)?.['attributes']);
    for (const ss of (rs['scopeSpans'] as Obj[] | undefined) ?? []) {
      const sc = (ss['scope'] as Obj | undefined) ?? {};
      const scope = { name: String(sc['name'] ?? ''), version: String(sc['version'] ?? '') };
      for (const s of (ss['spans'] as Obj[] | undefined) ?? []) out.push(decodeSpan(s, resource, scope, encoding));
    }
  }
  return out;
}

function decodeSpan(s: Obj, resource: AttrMap, scope: { name: string; version: string }, encoding: 'protobuf' | 'json'): ReceivedSpan {
  const parent = toHex(s['parentSpanId']);
  const status = (s['status'] as Obj | undefined) ?? {};
  return {
    traceId: toHex(s['traceId']),
    spanId: toHex(s['spanId']),
    parentSpanId: parent === '' ? undefined : parent,
    traceState: String(s['traceState'] ?? ''),
    name: String(s['name'] ?? ''),
    kind: KINDS[enumValue(s['kind'], KIND_NAMES)] ?? 'UNSPECIFIED',
    startTimeUnixNano: toBigInt(s['startTimeUnixNano']),
    endTimeUnixNano: toBigInt(s['endTimeUnixNano']),
    attributes: keyValues(s['attributes']),
    events: ((s['events'] as Obj[] | undefined) ?? []).map((e) => ({
      name: String(e['name'] ?? ''),
      timeUnixNano: toBigInt(e['timeUnixNano']),
      attributes: keyValues(e['attributes']),
    })),
    links: ((s['links'] as Obj[] | undefined) ?? []).map((l) => ({
      traceId: toHex(l['traceId']),
      spanId: toHex(l['spanId']),
      attributes: keyValues(l['attributes']),
    })),
    status: { code: STATUS[enumValue(status['code'], STATUS_NAMES)] ?? 'UNSET', message: String(status['message'] ?? '') },
    droppedAttributesCount: Number(s['droppedAttributesCount'] ?? 0),
    droppedEventsCount: Number(s['droppedEventsCount'] ?? 0),
    resource,
    scope,
    encoding,
  };
}

/** Decodes one OTLP/HTTP trace request body. Throws on a body that is not a valid request. */
export function decodeOtlpTraces(body: Uint8Array, contentType: string): ReceivedSpan[] {
  if (contentType.includes('json')) {
    return decodeRequest(JSON.parse(Buffer.from(body).toString('utf8')) as Obj, 'json');
  }
  return decodeRequest(exportTraceServiceRequest().decode(body) as Obj, 'protobuf');
}

// ── Server ─────────────────────────────────────────────────────────────────────────────────────

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface Waiter {
  check(): boolean;
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  let status = options.status ?? 200;
  let delay = options.delayMs ?? 0;
  let spans: ReceivedSpan[] = [];
  let requests: ReceivedRequest[] = [];
  const waiters = new Set<Waiter>();
  /** Answers held back by `delayMs`, released at close so no timer outlives the receiver. */
  const delayed = new Set<() => void>();
  const notify = (): void => {
    for (const w of [...waiters]) if (w.check()) waiters.delete(w);
  };

  let arrivals = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    arrivals++;
    notify();
    const contentType = String(req.headers['content-type'] ?? '');
    const path = req.url ?? '';
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        const release = (): void => {
          clearTimeout(timer);
          delayed.delete(release);
          resolve();
        };
        const timer = setTimeout(release, delay);
        delayed.add(release);
      });
    }
    const answer = status;
    let decoded: ReceivedSpan[] = [];
    let code = answer;
    if (req.method !== 'POST' || path !== '/v1/traces') code = 404;
    else if (answer >= 200 && answer < 300) {
      try {
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        decoded = decodeOtlpTraces(body, contentType);
      } catch {
        code = 400;
      }
    }
    requests.push({ path, contentType, headers: { ...req.headers }, status: code, spanCount: decoded.length });
    if (code >= 200 && code < 300) spans.push(...decoded);
    const json = contentType.includes('json');
    res.writeHead(code, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    // An empty ExportTraceServiceResponse is zero bytes in protobuf, `{}` in JSON.
    res.end(json ? '{}' : undefined);
    notify();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  function waitFor<T>(ready: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const now = ready();
      if (now !== undefined) {
        resolve(now);
        return;
      }
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`OTLP receiver: timed out after ${timeoutMs} ms: ${describe()}`));
      }, timeoutMs);
      const w: Waiter = {
        check() {
          const v = ready();
          if (v === undefined) return false;
          clearTimeout(timer);
          resolve(v);
          return true;
        },
      };
      waiters.add(w);
    });
  }

  return {
    url,
    tracesUrl: `${url}/v1/traces`,
    port,
    spans: () => spans.slice(),
    requests: () => requests.slice(),
    waitForSpans: (n, timeoutMs = 5000) =>
      waitFor(
        () => (spans.length >= n ? spans.slice() : undefined),
        timeoutMs,
        () => `expected ${n} spans, got ${spans.length} (${spans.map((s) => s.name).join(', ')}) in ${requests.length} requests`,
      ),
    waitForRequests: (n, timeoutMs = 5000) =>
      waitFor(
        () => (requests.length >= n ? requests.slice() : undefined),
        timeoutMs,
        () => `expected ${n} requests, got ${requests.length}`,
      ),
    waitForArrivals: async (n, timeoutMs = 5000) => {
      await waitFor(
        () => (arrivals >= n ? true : undefined),
        timeoutMs,
        () => `expected ${n} requests to arrive, got ${arrivals}`,
      );
    },
    setStatus: (code) => {
      status = code;
    },
    setDelay: (ms) => {
      delay = ms;
    },
    reset: () => {
      spans = [];
      requests = [];
      arrivals = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of [...delayed]) release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ── Helpers for assertions ─────────────────────────────────────────────────────────────────────

/** The one span called `name` (throws when there is none or several, naming what exists). */
export function spanNamed(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) {
    throw new Error(`expected exactly one span "${name}", found ${found.length} among: ${spans.map((s) => s.name).join(', ')}`);
  }
  return found[0]!;
}

/** Direct children of `parent`, in start-time order. */
export function childrenOf(spans: readonly ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
  return spans
    .filter((s) => s.traceId === parent.traceId && s.parentSpanId === parent.spanId)
    .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0));
}

/** The spans as an indented `name` tree (roots first), handy in assertion messages and snapshots. */
export function renderTree(spans: readonly ReceivedSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const lines: string[] = [];
  const walk = (s: ReceivedSpan, depth: number): void => {
    lines.push(`${'  '.repeat(depth)}${s.name}`);
    for (const c of childrenOf(spans, s)) walk(c, depth + 1);
  };
  const roots = spans.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId));
  roots.sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0));
  for (const root of roots) walk(root, 0);
  return lines.join('\n');
}
