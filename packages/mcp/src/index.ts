/**
 * @nemo-flow/mcp — the Model Context Protocol on NeMo Flow: MCP client calls and server tool
 * handlers as managed tool calls, one trace across client and server through `params._meta`.
 *
 * @module @nemo-flow/mcp
 */
export { TOOL_CALL_ID_META, instrumentMcpClient } from './client.js';
export type { McpClientOptions } from './client.js';
export { instrumentMcpServer } from './server.js';
export type { McpServerOptions } from './server.js';
export { McpToolError } from './tool-error.js';
export type { McpCallMetadata, TraceContextHeaders, TraceContextInjector } from './metadata.js';
