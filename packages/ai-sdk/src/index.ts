/**
 * @nemo-flow/ai-sdk — NeMo Flow for the Vercel AI SDK (`ai` 7): a language-model middleware,
 * instrumented tools, agent runs, and a telemetry integration.
 *
 * @module @nemo-flow/ai-sdk
 */
export { nemoFlowMiddleware } from './middleware.js';
export type { NemoFlowMiddlewareOptions, AiSdkCallContent } from './middleware.js';
export { instrumentTools, instrumentTool } from './tools.js';
export type { InstrumentToolsOptions } from './tools.js';
export { withAgentRun } from './run.js';
export { nemoFlowTelemetry } from './telemetry.js';
export type { NemoFlowTelemetryOptions } from './telemetry.js';
