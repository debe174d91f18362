/**
 * Public registration functions. `registerMiddleware(family, …)` / `deregisterMiddleware(family, …)`
 * do the work; the per-family names of the reference package (`registerToolSanitizeRequestGuardrail`
 * …) are that function with the family fixed. Every one accepts `{ scope }` to register scope-locally.
 */
import { addEntry, removeEntry } from './registry.js';
import type { Family, FamilyCallbacks, InterceptOptions, RegisterOptions } from './types.js';

/**
 * Registers middleware of `family` under `name` (unique per family and scope) with `priority`
 * (ascending: lower runs first / outermost). `breakChain` applies to request intercepts only.
 */
export function registerMiddleware<F extends Family>(family: F, name: string, priority: number, fn: FamilyCallbacks[F], options?: InterceptOptions): void {
  addEntry(family, name, priority, fn, options);
}

/** Removes the middleware of `family` named `name` (scope-local with `{ scope }`). Returns whether it existed. */
export function deregisterMiddleware(family: Family, name: string, options?: RegisterOptions): boolean {
  return removeEntry(family, name, options?.scope);
}

type Register<F extends Family, O> = (name: string, priority: number, fn: FamilyCallbacks[F], options?: O) => void;
type Deregister = (name: string, options?: RegisterOptions) => boolean;

function registrar<F extends Family, O extends RegisterOptions = RegisterOptions>(family: F): Register<F, O> {
  return (name, priority, fn, options) => addEntry(family, name, priority, fn, options);
}
function deregistrar(family: Family): Deregister {
  return (name, options) => removeEntry(family, name, options?.scope);
}

export const registerToolConditionalExecutionGuardrail = registrar('tool_conditional_execution');
export const deregisterToolConditionalExecutionGuardrail = deregistrar('tool_conditional_execution');
export const registerToolRequestIntercept = registrar<'tool_request_intercept', InterceptOptions>('tool_request_intercept');
export const deregisterToolRequestIntercept = deregistrar('tool_request_intercept');
export const registerToolSanitizeRequestGuardrail = registrar('tool_sanitize_request');
export const deregisterToolSanitizeRequestGuardrail = deregistrar('tool_sanitize_request');
export const registerToolSanitizeResponseGuardrail = registrar('tool_sanitize_response');
export const deregisterToolSanitizeResponseGuardrail = deregistrar('tool_sanitize_response');
export const registerToolExecutionIntercept = registrar('tool_execution_intercept');
export const deregisterToolExecutionIntercept = deregistrar('tool_execution_intercept');
export const registerLlmConditionalExecutionGuardrail = registrar('llm_conditional_execution');
export const deregisterLlmConditionalExecutionGuardrail = deregistrar('llm_conditional_execution');
export const registerLlmRequestIntercept = registrar<'llm_request_intercept', InterceptOptions>('llm_request_intercept');
export const deregisterLlmRequestIntercept = deregistrar('llm_request_intercept');
export const registerLlmSanitizeRequestGuardrail = registrar('llm_sanitize_request');
export const deregisterLlmSanitizeRequestGuardrail = deregistrar('llm_sanitize_request');
export const registerLlmSanitizeResponseGuardrail = registrar('llm_sanitize_response');
export const deregisterLlmSanitizeResponseGuardrail = deregistrar('llm_sanitize_response');
export const registerLlmExecutionIntercept = registrar('llm_execution_intercept');
export const deregisterLlmExecutionIntercept = deregistrar('llm_execution_intercept');
export const registerLlmStreamExecutionIntercept = registrar('llm_stream_execution_intercept');
export const deregisterLlmStreamExecutionIntercept = deregistrar('llm_stream_execution_intercept');
