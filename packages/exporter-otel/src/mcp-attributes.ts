/**
 * MCP calls (recorded by @nemo-flow/mcp as `metadata.mcp` on tool events) → the OpenTelemetry MCP
 * conventions: span `{mcp.method.name} {target}`, CLIENT or SERVER kind, `mcp.*`, `jsonrpc.request.id`,
 * `network.transport`. Only `tools/call` keeps `gen_ai.operation.name = execute_tool`.
 */
import { SpanKind, type Attributes } from '@opentelemetry/api';
import type { ScopeEvent } from '@nemo-flow/runtime';
import { unwrapView } from '@nemo-flow/runtime/exporter-kit';
import type { SpanStart } from './mapper.js';
import * as C from './semconv.js';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** The span of an MCP tool event, or `undefined` when the event is not an MCP call. */
export function mcpSpanStart(event: ScopeEvent, attrs: Attributes): SpanStart | undefined {
  const meta = unwrapView(event.metadata) as { mcp?: unknown } | null;
  const mcp = typeof meta === 'object' && meta !== null ? (meta.mcp as Record<string, unknown> | undefined) : undefined;
  const method = typeof mcp === 'object' && mcp !== null ? str(mcp.method) : undefined;
  if (!mcp || !method) return undefined;
  attrs[C.ATTR_MCP_METHOD_NAME] = method;
  const set = (key: string, v: unknown): void => {
    const s = str(v);
    if (s) attrs[key] = s;
  };
  set(C.ATTR_MCP_SESSION_ID, mcp.session_id);
  set(C.ATTR_MCP_PROTOCOL_VERSION, mcp.protocol_version);
  set(C.ATTR_NETWORK_TRANSPORT, mcp.transport);
  set(C.ATTR_MCP_RESOURCE_URI, mcp.resource_uri);
  set(C.ATTR_GEN_AI_PROMPT_NAME, mcp.prompt_name);
  const id = mcp.request_id;
  if (typeof id === 'number' || typeof id === 'string') attrs[C.ATTR_JSONRPC_REQUEST_ID] = String(id);
  let target: string | undefined;
  if (method === C.MCP_METHOD_TOOLS_CALL) {
    target = event.name;
  } else {
    // Not a tool execution: the call only borrows the tool pipeline (resources/read, prompts/get).
    delete attrs[C.ATTR_GEN_AI_OPERATION_NAME];
    delete attrs[C.ATTR_GEN_AI_TOOL_NAME];
    delete attrs[C.ATTR_GEN_AI_TOOL_TYPE];
    target = str(mcp.prompt_name);
  }
  const kind = mcp.side === 'server' ? SpanKind.SERVER : SpanKind.CLIENT;
  return { name: target ? `${method} ${target}` : method, kind, attributes: attrs };
}
