/**
 * @nemo-flow/langchain — NeMo Flow for LangChain.js and LangGraph.js: a callback handler that records
 * every run, and wrappers that put tools and chat models under the runtime's middleware.
 *
 * @module @nemo-flow/langchain
 */
export { NemoFlowCallbackHandler } from './handler.js';
export type { NemoFlowCallbackHandlerOptions } from './handler.js';
export { wrapTool, wrapTools } from './wrap-tool.js';
export type { InvokableTool } from './wrap-tool.js';
export { wrapChatModel } from './wrap-model.js';
