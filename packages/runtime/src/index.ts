/**
 * @nemo-flow/runtime — scopes, managed tool and LLM calls, middleware, one lifecycle event stream.
 * Zero runtime dependencies. This root holds what an application needs; the rest is in sub-paths:
 * `/codecs` (provider payloads), `/plugins` (configuration and plugin authors), `/exporter-kit`
 * (subscriber and exporter authors) and `/models` (model facts: cache prices and minimums).
 *
 * @module @nemo-flow/runtime
 */
export type {
  Json,
  JsonObject,
  EndStatus,
  EventError,
  LlmTransport,
  LlmCategoryProfile,
  ToolCategoryProfile,
  CategoryProfile,
  ScopeEvent,
  MarkEvent,
  LifecycleEvent,
  Subscriber,
  LlmRequest,
} from './types.js';
export { ScopeType } from './types.js';
export { ScopeHandle, ScopeStack, getHandle, currentScopeStack, createScopeStack, runWithScopeStack, bindScopeStack } from './scope.js';
export { pushScope, popScope, withScope, mark, event } from './lifecycle.js';
export type { ScopeOptions, PopOptions, MarkOptions } from './lifecycle.js';
export { registerSubscriber, deregisterSubscriber, listSubscribers, flushSubscribers } from './subscribers.js';
export type { EventExporter, SubscriberOptions, FlushOptions, FlushReport, DeliveryStats } from './subscribers.js';
export { ToolHandle, LlmHandle } from './calls/handles.js';
export { toolCallExecute, toolCall, toolCallEnd, toolCallError } from './calls/tool.js';
export type { ToolCallOptions, EndOptions } from './calls/tool.js';
export { llmCallExecute, llmCall, llmCallEnd, llmCallError } from './calls/llm.js';
export type { LlmCallOptions, LlmEndOptions } from './calls/llm.js';
export { llmStreamCallExecute, LlmStream } from './calls/stream.js';
export type { LlmStreamOptions } from './calls/stream.js';
export * from './middleware/register.js';
export { listMiddleware } from './middleware/registry.js';
export { toolConditionalExecution, toolRequestIntercepts, llmConditionalExecution, llmRequestIntercepts } from './calls/standalone.js';
export type { StandaloneOptions } from './calls/standalone.js';
export type {
  ToolConditionalGuardrail,
  ToolRequestIntercept,
  ToolSanitizeGuardrail,
  CallInfo,
  ToolExecutionIntercept,
  LlmConditionalGuardrail,
  LlmInterceptContext,
  LlmRequestIntercept,
  LlmSanitizeGuardrail,
  LlmExecutionIntercept,
  LlmStreamExecutionIntercept,
  FamilyCallbacks,
  Family,
  RegisterOptions,
  InterceptOptions,
  MiddlewareRegistration,
} from './middleware/types.js';
export { GuardrailRejectedError, MiddlewareError, LifecycleError } from './errors.js';
export { setFailureReporter, failureCounts } from './report.js';
export type { ReportedFailure, FailureReporter } from './report.js';
export { ConsoleExporter } from './sinks/console.js';
export type { ConsoleExporterOptions } from './sinks/console.js';
export { AtofFileExporter } from './sinks/atof-file.js';
export type { AtofFileExporterOptions, AtofFileStats } from './sinks/atof-file.js';
