/**
 * Client side: `callTool`, `readResource` and `getPrompt` run as managed tool calls (guardrails
 * block before the request leaves, request intercepts rewrite what the server receives), each
 * request carrying the call's W3C trace context in `params._meta`; `listTools` is a mark.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getHandle, mark, toolCallExecute } from '@nemo-flow/runtime';
import { compact, isObject, stringOf, transportKind, withTraceContext, type McpCallMetadata, type TraceContextInjector } from './metadata.js';
import { McpToolError, isErrorResult } from './tool-error.js';

export interface McpClientOptions {
  /**
   * The trace context of a call's span for the request's `_meta`, so the server's spans join the
   * client's trace. With `@nemo-flow/exporter-otel`: `(call) => otel.traceparentFor(call)`.
   * Without it, requests carry no trace context.
   */
  traceContext?: TraceContextInjector;
}

const INSTRUMENTED = Symbol.for('nemo-flow.mcp.client');

/**
 * `params._meta` key of `callTool` naming the model's tool call id, so the call links to the LLM turn
 * that asked for it (`category_profile.tool_call_id`). Removed before the request is sent.
 */
export const TOOL_CALL_ID_META = 'nemo-flow/toolCallId';

/** The tool call id out of `_meta`, and `params` without it (nothing is copied when it is absent). */
function takeToolCallId(params: Record<string, unknown>): [string | undefined, Record<string, unknown>] {
  const meta = params._meta;
  if (!isObject(meta) || !(TOOL_CALL_ID_META in meta)) return [undefined, params];
  const { [TOOL_CALL_ID_META]: id, ...rest } = meta;
  const out = { ...params };
  if (Object.keys(rest).length > 0) out._meta = rest;
  else delete out._meta;
  return [typeof id === 'string' && id.length > 0 ? id : undefined, out];
}

type Fn = (...args: unknown[]) => Promise<unknown>;
interface ClientShape {
  callTool: Fn;
  readResource: Fn;
  getPrompt: Fn;
  listTools: Fn;
  request: Fn;
  getServerVersion(): unknown;
  transport?: unknown;
  [INSTRUMENTED]?: true;
}

/**
 * Instruments an MCP `Client` in place and returns it. Call it before `connect()` so the
 * negotiated protocol version is known on every transport (HTTP transports report it anyway).
 * Instrumenting twice is a no-op.
 */
export function instrumentMcpClient<C extends Client>(client: C, options?: McpClientOptions): C {
  const c = client as unknown as ClientShape;
  if (!isObject(c) || typeof c.callTool !== 'function' || typeof c.request !== 'function') {
    throw new TypeError('instrumentMcpClient: client must be an MCP Client from @modelcontextprotocol/sdk');
  }
  if (options !== undefined && !isObject(options)) throw new TypeError('instrumentMcpClient: options must be an object');
  const inject = options?.traceContext as TraceContextInjector | undefined;
  if (inject !== undefined && typeof inject !== 'function') {
    throw new TypeError('instrumentMcpClient: options.traceContext must be a function (call) => { traceparent, tracestate? }');
  }
  if (c[INSTRUMENTED]) return client;
  Object.defineProperty(c, INSTRUMENTED, { value: true });

  const orig = {
    callTool: c.callTool,
    readResource: c.readResource,
    getPrompt: c.getPrompt,
    listTools: c.listTools,
    request: c.request,
  };
  let negotiated: string | undefined;

  // Stdio transports do not keep the protocol version: read it off the initialize result.
  c.request = function (this: unknown, ...args: unknown[]) {
    const p = orig.request.apply(this, args);
    if (isObject(args[0]) && args[0].method === 'initialize') {
      p.then(
        (r) => {
          if (isObject(r)) negotiated = stringOf(r.protocolVersion) ?? negotiated;
        },
        () => undefined,
      );
    }
    return p;
  };

  const describe = (method: string, extra?: Partial<McpCallMetadata>): { mcp: McpCallMetadata } => {
    const info = c.getServerVersion();
    const t = c.transport as { sessionId?: unknown; protocolVersion?: unknown } | undefined;
    return {
      mcp: compact({
        method,
        side: 'client',
        server_name: isObject(info) ? stringOf(info.name) : undefined,
        server_version: isObject(info) ? stringOf(info.version) : undefined,
        session_id: stringOf(t?.sessionId),
        protocol_version: stringOf(t?.protocolVersion) ?? negotiated,
        transport: transportKind(t),
        ...extra,
      }),
    };
  };

  c.callTool = async function (this: unknown, given: unknown, ...rest: unknown[]) {
    if (!isObject(given) || typeof given.name !== 'string' || given.name === '') return orig.callTool.call(this, given, ...rest); // the SDK reports the bad request
    const name = given.name;
    const [toolCallId, params] = takeToolCallId(given);
    try {
      return await toolCallExecute(
        name,
        params.arguments,
        async (args) => {
          const sent = withTraceContext({ ...params, arguments: args }, getHandle(), inject);
          const result = await orig.callTool.call(this, sent, ...rest);
          if (isErrorResult(result)) throw new McpToolError(name, result);
          return result;
        },
        { metadata: describe('tools/call'), toolCallId },
      );
    } catch (err) {
      if (err instanceof McpToolError) return err.result; // recorded as failed; the caller gets the SDK's result
      throw err;
    }
  };

  c.readResource = function (this: unknown, params: unknown, ...rest: unknown[]) {
    const uri = isObject(params) ? stringOf(params.uri) : undefined;
    return toolCallExecute('resources/read', params, (p) => orig.readResource.call(this, withTraceContext(p, getHandle(), inject), ...rest), {
      metadata: describe('resources/read', { resource_uri: uri }),
    });
  };

  c.getPrompt = function (this: unknown, params: unknown, ...rest: unknown[]) {
    const prompt = isObject(params) ? stringOf(params.name) : undefined;
    return toolCallExecute('prompts/get', params, (p) => orig.getPrompt.call(this, withTraceContext(p, getHandle(), inject), ...rest), {
      metadata: describe('prompts/get', { prompt_name: prompt }),
    });
  };

  c.listTools = async function (this: unknown, ...args: unknown[]) {
    const result = await orig.listTools.apply(this, args);
    const tools = isObject(result) && Array.isArray(result.tools) ? result.tools : [];
    mark('tools/list', {
      data: { tools: tools.map((t: unknown) => (isObject(t) ? t.name : undefined)) },
      metadata: describe('tools/list'),
    });
    return result;
  };

  return client;
}
