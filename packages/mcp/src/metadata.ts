/**
 * What this package records on the events of an MCP call (`metadata.mcp`), and the W3C trace
 * context it carries in a request's `params._meta`. Exporters map `metadata.mcp` to the
 * OpenTelemetry MCP semantic conventions (`mcp.method.name`, `mcp.session.id`, ...).
 */
import type { ScopeHandle } from '@nemo-flow/runtime';
import { isPlainObject, reportFailure } from '@nemo-flow/runtime/exporter-kit';

/** Recorded as `metadata.mcp` on every MCP call's events (and on the `tools/list` mark). */
export interface McpCallMetadata {
  /** The JSON-RPC method: `tools/call`, `resources/read`, `prompts/get`, `tools/list`. */
  method: string;
  /** Which end of the connection recorded the call. */
  side: 'client' | 'server';
  /** The peer server's `serverInfo` (client side) or this server's (server side). */
  server_name?: string;
  server_version?: string;
  /** The peer client's `clientInfo` (server side). */
  client_name?: string;
  client_version?: string;
  /** The Streamable HTTP session id, when there is one. */
  session_id?: string;
  /** The negotiated MCP protocol version, when known. */
  protocol_version?: string;
  /** `pipe` for stdio, `tcp` for HTTP transports (OpenTelemetry's `network.transport`). */
  transport?: 'pipe' | 'tcp';
  /** The JSON-RPC request id (known on the server side). */
  request_id?: string | number;
  /** `resources/read`: the resource read. */
  resource_uri?: string;
  /** `prompts/get`: the prompt fetched. */
  prompt_name?: string;
}

/** The W3C headers that carry a trace across the process boundary. */
export interface TraceContextHeaders {
  traceparent: string;
  tracestate?: string;
}

/**
 * Returns the trace context of a call's span, for the outgoing request's `_meta`. With the
 * OpenTelemetry exporter: `(call) => otel.traceparentFor(call)`.
 */
export type TraceContextInjector = (call: ScopeHandle) => TraceContextHeaders | undefined;

/** The runtime's plain-object test (not null, not an array), under the short name this package uses. */
export const isObject = isPlainObject;

/** Drops the keys whose value is undefined, so events carry only what is known. */
export function compact(m: McpCallMetadata): McpCallMetadata {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined && v !== '') out[k] = v;
  return out as unknown as McpCallMetadata;
}

/**
 * `params` with the call's trace context added to `_meta` (the caller's own `_meta` keys kept).
 * A failing injector never fails the call: the request goes out without trace context.
 */
export function withTraceContext<P>(params: P, call: ScopeHandle, inject: TraceContextInjector | undefined): P {
  if (!inject) return params;
  let headers: TraceContextHeaders | undefined;
  try {
    headers = inject(call);
  } catch (err) {
    reportFailure('mcp:trace-context', 'MCP trace-context injector threw; the request goes out without it', err);
    return params;
  }
  if (!headers || typeof headers.traceparent !== 'string') return params;
  const base: Record<string, unknown> = isObject(params) ? params : {};
  const meta = isObject(base._meta) ? base._meta : {};
  const next: Record<string, unknown> = { ...meta, traceparent: headers.traceparent };
  if (typeof headers.tracestate === 'string' && headers.tracestate) next.tracestate = headers.tracestate;
  return { ...base, _meta: next } as P;
}

/** `traceparent` / `tracestate` of an incoming request's `_meta`, as scope metadata keys. */
export function traceContextOf(meta: unknown): Partial<TraceContextHeaders> {
  if (!isObject(meta) || typeof meta.traceparent !== 'string') return {};
  const out: Partial<TraceContextHeaders> = { traceparent: meta.traceparent };
  if (typeof meta.tracestate === 'string' && meta.tracestate) out.tracestate = meta.tracestate;
  return out;
}

/** `pipe` for a stdio transport, `tcp` for HTTP ones, by their public shape. */
export function transportKind(transport: unknown): 'pipe' | 'tcp' | undefined {
  if (!isObject(transport)) return undefined;
  const name = (transport.constructor as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string') {
    if (name.startsWith('Stdio')) return 'pipe';
    if (name.includes('HTTP') || name.includes('Http') || name.startsWith('SSE')) return 'tcp';
  }
  return undefined;
}

export function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
