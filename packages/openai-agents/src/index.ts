/**
 * @nemo-flow/openai-agents — NeMo Flow for the OpenAI Agents SDK (`@openai/agents`).
 *
 * @module @nemo-flow/openai-agents
 */
export { NemoFlowTracingProcessor } from './processor.js';
export type { NemoFlowTracingProcessorOptions } from './processor.js';
export { wrapModel, wrapModelProvider } from './model.js';
export type { WrapModelOptions } from './model.js';
export { wrapTool, wrapTools } from './tool.js';
export type { WrapToolOptions } from './tool.js';
