/**
 * OTLP/HTTP over `globalThis.fetch`, for runtimes without `node:http` (Cloudflare Workers, Deno
 * without Node compatibility, browsers). The OpenTelemetry SDK's own fetch transport sets request
 * fields (`mode`, `keepalive`) that Workers reject and is reachable only through its `browser`
 * build, so the POST is done here: the SDK's serializers encode the spans, this module sends them
 * with the same retry policy as the SDK's HTTP transport (429/502/503/504 and network errors,
 * exponential backoff with jitter, `Retry-After`), all within one deadline per export, and a
 * bounded number of exports in flight.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { envVar, nonEmpty } from './env.js';

/** How the OTLP/HTTP requests are sent. `auto`: `node:http` on Node, `fetch` elsewhere. */
export type OtlpTransport = 'auto' | 'http' | 'fetch';

export interface FetchSpanExporterOptions {
  /** Full traces URL (`…/v1/traces`). */
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  headers?: Record<string, string>;
  /** Deadline of one export, retries included (ms). */
  timeoutMillis: number;
  compression?: 'gzip' | 'none';
  /** Exports in flight at most; past it an export fails at once (counted as lost by the pipeline). */
  concurrencyLimit: number;
}

const MAX_RETRIES = 5;
const INITIAL_BACKOFF = 1000;
const MAX_BACKOFF = 5000;
const BACKOFF_MULTIPLIER = 1.5;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

type Attempt = { ok: true } | { ok: false; retryable: boolean; retryAfterMs?: number; error: Error };

/** The `fetch` to use: the original one when an instrumentation wrapped it (else each export would make a span). */
function originalFetch(): typeof fetch {
  const f = globalThis.fetch as typeof fetch & { __original?: typeof fetch };
  if (typeof f !== 'function') throw new Error('globalThis.fetch is not available in this runtime');
  return typeof f.__original === 'function' ? f.__original : f;
}

/** `Retry-After` in ms (seconds or an HTTP date), or undefined. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A timer that never keeps a Node process alive (elsewhere `setTimeout` returns a number). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms) as { unref?: () => void };
    if (typeof t === 'object' && typeof t.unref === 'function') t.unref();
  });
}

/**
 * Sends encoded OTLP requests (any signal) to one URL over `fetch`, with retries within one
 * deadline per request and a bound on requests in flight.
 */
export class FetchOtlpSender {
  private readonly inFlight = new Set<Promise<void>>();
  /** Aborts every request in flight (shutdown gave up on them). */
  private readonly abortAll = new AbortController();
  private readonly headers: Record<string, string>;

  constructor(private readonly options: FetchSpanExporterOptions) {
    this.headers = {
      ...options.headers,
      'content-type': options.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
      ...(options.compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
    };
  }

  /** Encodes with `serialize` and sends; `resultCallback` gets the outcome (never called twice, never throws out). */
  export(serialize: () => Uint8Array | undefined, resultCallback: (result: ExportResult) => void): void {
    if (this.inFlight.size >= this.options.concurrencyLimit) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('Concurrent export limit reached') });
      return;
    }
    let body: Uint8Array | undefined;
    try {
      body = serialize();
    } catch (err) {
      resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      return;
    }
    if (body === undefined) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('Nothing to send') });
      return;
    }
    const p = this.send(body).then(
      (error) => resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS }),
      (err: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) }),
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Sends one request body with retries; resolves with the error, or undefined when delivered. */
  private async send(raw: Uint8Array): Promise<Error | undefined> {
    const deadline = Date.now() + this.options.timeoutMillis;
    const body = this.options.compression === 'gzip' ? await gzip(raw) : raw;
    let backoff = INITIAL_BACKOFF;
    let result = await this.attempt(body, deadline);
    for (let retries = 0; !result.ok && result.retryable && retries < MAX_RETRIES; retries++) {
      const jittered = Math.min(backoff * (0.8 + Math.random() * 0.4), MAX_BACKOFF);
      backoff *= BACKOFF_MULTIPLIER;
      const wait = result.retryAfterMs ?? jittered;
      if (wait >= deadline - Date.now() || this.abortAll.signal.aborted) break;
      await sleep(wait);
      result = await this.attempt(body, deadline);
    }
    return result.ok ? undefined : result.error;
  }

  private async attempt(body: Uint8Array, deadline: number): Promise<Attempt> {
    const left = deadline - Date.now();
    if (left <= 0) return { ok: false, retryable: false, error: new Error(`OTLP export timed out after ${this.options.timeoutMillis} ms`) };
    // AbortSignal.any is missing before Node 20.3: there, only the timeout aborts.
    const signal = typeof AbortSignal.any === 'function' ? AbortSignal.any([AbortSignal.timeout(left), this.abortAll.signal]) : AbortSignal.timeout(left);
    try {
      const response = await originalFetch()(this.options.url, { method: 'POST', headers: this.headers, body: body as Uint8Array<ArrayBuffer>, signal });
      // Read the body so the connection is released (Workers and undici keep it otherwise).
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true };
      const error = new Error(`OTLP export failed: HTTP ${response.status} from ${this.options.url}`);
      if (!RETRYABLE_STATUS.has(response.status)) return { ok: false, retryable: false, error };
      const after = retryAfterMs(response.headers.get('retry-after'));
      return after === undefined ? { ok: false, retryable: true, error } : { ok: false, retryable: true, retryAfterMs: after, error };
    } catch (err) {
      const aborted = signal.aborted;
      const error = new Error(
        aborted ? `OTLP export to ${this.options.url} timed out or was aborted` : `OTLP export to ${this.options.url} failed: network error`,
        { cause: err },
      );
      // A network error (refused, reset) may pass; a timeout has used the deadline up.
      return { ok: false, retryable: !aborted, error };
    }
  }

  /** Resolves once every export started so far has finished. */
  async forceFlush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Aborts the requests in flight and stops retrying (their data is failed; the caller counts it lost). */
  abort(): void {
    this.abortAll.abort(new Error('OTLP exporter shut down'));
  }
}

/** An OTLP/HTTP `SpanExporter` over `fetch`. */
export class FetchSpanExporter implements SpanExporter {
  private readonly sender: FetchOtlpSender;
  private readonly json: boolean;

  constructor(options: FetchSpanExporterOptions) {
    this.sender = new FetchOtlpSender(options);
    this.json = options.protocol === 'http/json';
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const serializer = this.json ? JsonTraceSerializer : ProtobufTraceSerializer;
    this.sender.export(() => serializer.serializeRequest(spans), resultCallback);
  }

  /** Resolves once every export started so far has finished. */
  forceFlush(): Promise<void> {
    return this.sender.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.sender.forceFlush();
  }

  /** Aborts the requests in flight and stops retrying (their spans are failed; the caller counts them lost). */
  abort(): void {
    this.sender.abort();
  }
}

// ── Configuration from options and the standard environment variables ──────────────────────────

function parseHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of nonEmpty(raw)?.split(',') ?? []) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
    } catch {
      // A malformed escape: the pair is skipped, as the SDK does.
    }
  }
  return out;
}

function envMillis(name: string): number | undefined {
  const v = nonEmpty(envVar(name));
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Options first, then `OTEL_EXPORTER_OTLP_(TRACES_|METRICS_)*`, then the SDK defaults: the same precedence as the HTTP exporter. */
export function fetchExporterConfig(o: {
  signal?: 'TRACES' | 'METRICS';
  url?: string;
  protocol: 'http/protobuf' | 'http/json';
  headers?: Record<string, string>;
  timeoutMillis?: number;
  compression?: 'gzip' | 'none';
  concurrencyLimit: number;
}): FetchSpanExporterOptions {
  const signal = o.signal ?? 'TRACES';
  let url = o.url ?? nonEmpty(envVar(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`));
  if (url === undefined) {
    const base = nonEmpty(envVar('OTEL_EXPORTER_OTLP_ENDPOINT')) ?? 'http://localhost:4318';
    url = `${base.endsWith('/') ? base : `${base}/`}v1/${signal.toLowerCase()}`;
  }
  const compression = o.compression ?? nonEmpty(envVar(`OTEL_EXPORTER_OTLP_${signal}_COMPRESSION`) ?? envVar('OTEL_EXPORTER_OTLP_COMPRESSION'));
  return {
    url,
    protocol: o.protocol,
    headers: { ...parseHeaders(envVar('OTEL_EXPORTER_OTLP_HEADERS')), ...parseHeaders(envVar(`OTEL_EXPORTER_OTLP_${signal}_HEADERS`)), ...o.headers },
    timeoutMillis: o.timeoutMillis ?? envMillis(`OTEL_EXPORTER_OTLP_${signal}_TIMEOUT`) ?? envMillis('OTEL_EXPORTER_OTLP_TIMEOUT') ?? 10_000,
    compression: compression === 'gzip' ? 'gzip' : 'none',
    concurrencyLimit: o.concurrencyLimit,
  };
}

/**
 * `auto` resolved: `http` on Node itself (its `node:http` transport is the SDK's own, with
 * keep-alive agents), `fetch` on every other runtime — Bun, Deno, Workers and browsers all have a
 * native `fetch`, and some of them only a partial `node:http`.
 */
export function resolveTransport(transport: OtlpTransport | undefined): 'http' | 'fetch' {
  if (transport === 'http' || transport === 'fetch') return transport;
  const g = globalThis as { process?: { release?: { name?: string } }; Bun?: unknown; Deno?: unknown; navigator?: { userAgent?: string } };
  const onNode = g.process?.release?.name === 'node' && g.Bun === undefined && g.Deno === undefined && g.navigator?.userAgent !== 'Cloudflare-Workers';
  return onNode ? 'http' : 'fetch';
}
