/**
 * Server side: the `tools/call` handler runs every tool as a managed tool call, continuing the
 * trace context the client put in `params._meta`. It wraps the request handler itself, so it covers
 * the high-level `McpServer` (tools registered before or after) and a low-level `Server` alike.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { GuardrailRejectedError, toolCallExecute } from '@nemo-flow/runtime';
import { compact, isObject, stringOf, traceContextOf, transportKind, type McpCallMetadata } from './metadata.js';
import { McpToolError, isErrorResult } from './tool-error.js';

export interface McpServerOptions {
  /**
   * What a tool call blocked by a guardrail answers. Default: a tool error result
   * (`isError: true`, the rejection as text), which the calling model can read, as MCP advises for
   * tool failures. `'throw'`: a JSON-RPC error instead.
   */
  onGuardrailReject?: 'result' | 'throw';
}

type Handler = (request: unknown, extra: unknown) => Promise<unknown>;
interface LowServerShape {
  /** Set by us: the protocol version the initialize handshake settled on (stdio has no header for it). */
  [NEGOTIATED]?: string;
  setRequestHandler: (...args: unknown[]) => unknown;
  _requestHandlers: Map<string, Handler>;
  getClientVersion(): unknown;
  transport?: unknown;
  _serverInfo?: unknown;
}

const INSTRUMENTED = Symbol.for('nemo-flow.mcp.server');
const NEGOTIATED = Symbol('nemo-flow.mcp.protocol-version');
const wrapped = new WeakSet<Handler>();

function lowServerOf(server: unknown): LowServerShape | undefined {
  const candidates = [isObject(server) ? server.server : undefined, server];
  for (const s of candidates) {
    if (isObject(s) && typeof s.setRequestHandler === 'function' && s._requestHandlers instanceof Map) return s as unknown as LowServerShape;
  }
  return undefined;
}

/**
 * Instruments an `McpServer` or a low-level `Server` in place and returns it: every `tools/call`
 * becomes a managed tool call (guardrails, request intercepts, redaction apply), a tool result
 * with `isError: true` is recorded as a failed call, and a request carrying `traceparent` in its
 * `_meta` continues the client's trace. Instrumenting twice is a no-op.
 */
export function instrumentMcpServer<S extends McpServer | Server>(server: S, options?: McpServerOptions): S {
  const low = lowServerOf(server);
  if (!low) throw new TypeError('instrumentMcpServer: server must be an McpServer or Server from @modelcontextprotocol/sdk 1.x');
  if (options !== undefined && !isObject(options)) throw new TypeError('instrumentMcpServer: options must be an object');
  const onReject = options?.onGuardrailReject ?? 'result';
  if (onReject !== 'result' && onReject !== 'throw') {
    throw new TypeError(`instrumentMcpServer: options.onGuardrailReject must be 'result' or 'throw', got ${String(onReject)}`);
  }
  const l = low as LowServerShape & { [INSTRUMENTED]?: true };
  if (l[INSTRUMENTED]) return server;
  Object.defineProperty(l, INSTRUMENTED, { value: true });

  const wrapCurrent = (): void => {
    wrap(l, 'tools/call', (inner) => (request, extra) => callTool(l, inner, request, extra, onReject));
    wrap(l, 'initialize', (inner) => async (request, extra) => {
      const result = await inner(request, extra);
      if (isObject(result)) l[NEGOTIATED] = stringOf(result.protocolVersion);
      return result;
    });
  };
  // McpServer installs its tools/call handler with the first registered tool: wrap it then too.
  const set = l.setRequestHandler;
  l.setRequestHandler = function (this: unknown, ...args: unknown[]) {
    const r = set.apply(this, args);
    wrapCurrent();
    return r;
  };
  wrapCurrent();
  return server;
}

/** Replaces the handler of `method` (once) by `make(handler)`. */
function wrap(low: LowServerShape, method: string, make: (inner: Handler) => Handler): void {
  const inner = low._requestHandlers.get(method);
  if (!inner || wrapped.has(inner)) return;
  const outer = make(inner);
  wrapped.add(outer);
  low._requestHandlers.set(method, outer);
}

async function callTool(low: LowServerShape, inner: Handler, request: unknown, extra: unknown, onReject: 'result' | 'throw'): Promise<unknown> {
  const params = isObject(request) ? request.params : undefined;
  // Malformed requests are the SDK's to reject; task-augmented calls return a task, not a result.
  if (!isObject(request) || !isObject(params) || typeof params.name !== 'string' || params.name === '' || params.task !== undefined)
    return inner(request, extra);
  const name = params.name;
  const x = isObject(extra) ? extra : {};
  try {
    return await toolCallExecute(
      name,
      params.arguments,
      async (args) => {
        const result = await inner({ ...request, params: { ...params, arguments: args } }, extra);
        if (isErrorResult(result)) throw new McpToolError(name, result);
        return result;
      },
      { metadata: { ...traceContextOf(params._meta), mcp: describe(low, x) } },
    );
  } catch (err) {
    if (err instanceof McpToolError) return err.result;
    if (err instanceof GuardrailRejectedError && onReject === 'result') {
      return { content: [{ type: 'text', text: err.message }], isError: true };
    }
    throw err;
  }
}

function describe(low: LowServerShape, extra: Record<string, unknown>): McpCallMetadata {
  const client = low.getClientVersion();
  const self = low._serverInfo;
  const info = isObject(extra.requestInfo) ? extra.requestInfo : undefined;
  const headers = info && isObject(info.headers) ? info.headers : undefined;
  const id = extra.requestId;
  return compact({
    method: 'tools/call',
    side: 'server',
    server_name: isObject(self) ? stringOf(self.name) : undefined,
    server_version: isObject(self) ? stringOf(self.version) : undefined,
    client_name: isObject(client) ? stringOf(client.name) : undefined,
    client_version: isObject(client) ? stringOf(client.version) : undefined,
    session_id: stringOf(extra.sessionId),
    protocol_version: (headers ? stringOf(headers['mcp-protocol-version']) : undefined) ?? low[NEGOTIATED],
    transport: info ? 'tcp' : transportKind(low.transport),
    request_id: typeof id === 'string' || typeof id === 'number' ? id : undefined,
  });
}
