/**
 * @nemo-flow/runtime — scopes, managed tool and LLM calls, middleware, one lifecycle event stream.
 * Zero runtime dependencies.
 */
export * from './types.js';
export { ScopeHandle, ScopeStack, getHandle, currentScopeStack, createScopeStack, runWithScopeStack, bindScopeStack } from './scope.js';
export { pushScope, popScope, withScope, mark, event } from './lifecycle.js';
export type { ScopeOptions, PopOptions, MarkOptions } from './lifecycle.js';
export { registerSubscriber, deregisterSubscriber, listSubscribers, flushSubscribers } from './subscribers.js';
export type { EventExporter, SubscriberOptions } from './subscribers.js';
export { ToolHandle, LlmHandle } from './calls/handles.js';
export { toolCallExecute, toolCall, toolCallEnd, toolCallError } from './calls/tool.js';
export type { ToolCallOptions, EndOptions } from './calls/tool.js';
export { llmCallExecute, llmCall, llmCallEnd, llmCallError } from './calls/llm.js';
export type { LlmCallOptions, LlmEndOptions } from './calls/llm.js';
export { llmStreamCallExecute, LlmStream } from './calls/stream.js';
export type { LlmStreamOptions } from './calls/stream.js';
export { REDACTED_MARKER } from './calls/pipeline.js';
export * from './middleware/register.js';
export { listMiddleware } from './middleware/registry.js';
export { toolConditionalExecution, toolRequestIntercepts, llmConditionalExecution, llmRequestIntercepts } from './middleware/standalone.js';
export type { StandaloneOptions } from './middleware/standalone.js';
export type * from './middleware/types.js';
export { GuardrailRejectedError, MiddlewareError, LifecycleError } from './errors.js';
export { eventTimeMicros } from './events.js';
export { nowMicros, formatMicros, parseTimestampMicros } from './time.js';
export { uuidv7 } from './uuid.js';
export { toJsonSafe, stringifySafe } from './payload.js';
/** For exporters that only read payloads: skips the read-only proxy (reading through it costs per access). */
export { unwrapView } from './readonly.js';
export { reportFailure, failureCounts, resetFailures, setFailureReporter } from './report.js';
export type { ReportedFailure, FailureReporter } from './report.js';
export { addExitHook } from './exit-hook.js';
export type { ExitFlush, ExitReason } from './exit-hook.js';
export * from './codecs/index.js';
export { ConsoleExporter } from './sinks/console.js';
export type { ConsoleExporterOptions } from './sinks/console.js';
export { AtofFileExporter } from './sinks/atof-file.js';
export type { AtofFileExporterOptions, AtofFileStats } from './sinks/atof-file.js';
export { serializeEvent } from './payload.js';
export * from './plugins/index.js';
export * from './adaptive/index.js';
