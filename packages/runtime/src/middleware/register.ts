/**
 * Public registration functions. `registerMiddleware(family, …)` / `deregisterMiddleware(family, …)`
 * do the work; the per-family names of the reference package (`registerToolSanitizeRequestGuardrail`
 * …) are that function with the family fixed. Every one accepts `{ scope }` to register scope-locally.
 */
import { addEntry, removeEntry } from './registry.js';
import type { Family, FamilyCallbacks, InterceptOptions, RegisterOptions } from './types.js';
import { FAMILIES } from './types.js';
import { describeValue } from '../errors.js';

/**
 * Registers middleware of `family` under `name` (unique per family and scope) with `priority`
 * (ascending: lower runs first / outermost). `breakChain` applies to request intercepts only.
 */
export function registerMiddleware<F extends Family>(family: F, name: string, priority: number, fn: FamilyCallbacks[F], options?: InterceptOptions): void {
  checkFamily(family, 'registerMiddleware');
  addEntry(family, name, priority, fn, options, 'registerMiddleware');
}

/** Removes the middleware of `family` named `name` (scope-local with `{ scope }`). Returns whether it existed. */
export function deregisterMiddleware(family: Family, name: string, options?: RegisterOptions): boolean {
  checkFamily(family, 'deregisterMiddleware');
  return removeEntry(family, name, options, 'deregisterMiddleware');
}

function checkFamily(family: unknown, what: string): void {
  if (!FAMILIES.includes(family as Family)) throw new TypeError(`${what}: family must be one of ${FAMILIES.join(', ')}, got ${describeValue(family)}`);
}

type Register<F extends Family, O> = (name: string, priority: number, fn: FamilyCallbacks[F], options?: O) => void;
type Deregister = (name: string, options?: RegisterOptions) => boolean;

/** `api` is the public name, for error messages. */
function registrar<F extends Family, O extends RegisterOptions = RegisterOptions>(family: F, api: string): Register<F, O> {
  return (name, priority, fn, options) => addEntry(family, name, priority, fn, options, api);
}
function deregistrar(family: Family, api: string): Deregister {
  return (name, options) => removeEntry(family, name, options, api);
}

export const registerToolConditionalExecutionGuardrail = registrar('tool_conditional_execution', 'registerToolConditionalExecutionGuardrail');
export const deregisterToolConditionalExecutionGuardrail = deregistrar('tool_conditional_execution', 'deregisterToolConditionalExecutionGuardrail');
export const registerToolRequestIntercept = registrar<'tool_request_intercept', InterceptOptions>('tool_request_intercept', 'registerToolRequestIntercept');
export const deregisterToolRequestIntercept = deregistrar('tool_request_intercept', 'deregisterToolRequestIntercept');
export const registerToolSanitizeRequestGuardrail = registrar('tool_sanitize_request', 'registerToolSanitizeRequestGuardrail');
export const deregisterToolSanitizeRequestGuardrail = deregistrar('tool_sanitize_request', 'deregisterToolSanitizeRequestGuardrail');
export const registerToolSanitizeResponseGuardrail = registrar('tool_sanitize_response', 'registerToolSanitizeResponseGuardrail');
export const deregisterToolSanitizeResponseGuardrail = deregistrar('tool_sanitize_response', 'deregisterToolSanitizeResponseGuardrail');
export const registerToolExecutionIntercept = registrar('tool_execution_intercept', 'registerToolExecutionIntercept');
export const deregisterToolExecutionIntercept = deregistrar('tool_execution_intercept', 'deregisterToolExecutionIntercept');
export const registerLlmConditionalExecutionGuardrail = registrar('llm_conditional_execution', 'registerLlmConditionalExecutionGuardrail');
export const deregisterLlmConditionalExecutionGuardrail = deregistrar('llm_conditional_execution', 'deregisterLlmConditionalExecutionGuardrail');
export const registerLlmRequestIntercept = registrar<'llm_request_intercept', InterceptOptions>('llm_request_intercept', 'registerLlmRequestIntercept');
export const deregisterLlmRequestIntercept = deregistrar('llm_request_intercept', 'deregisterLlmRequestIntercept');
export const registerLlmSanitizeRequestGuardrail = registrar('llm_sanitize_request', 'registerLlmSanitizeRequestGuardrail');
export const deregisterLlmSanitizeRequestGuardrail = deregistrar('llm_sanitize_request', 'deregisterLlmSanitizeRequestGuardrail');
export const registerLlmSanitizeResponseGuardrail = registrar('llm_sanitize_response', 'registerLlmSanitizeResponseGuardrail');
export const deregisterLlmSanitizeResponseGuardrail = deregistrar('llm_sanitize_response', 'deregisterLlmSanitizeResponseGuardrail');
export const registerLlmExecutionIntercept = registrar('llm_execution_intercept', 'registerLlmExecutionIntercept');
export const deregisterLlmExecutionIntercept = deregistrar('llm_execution_intercept', 'deregisterLlmExecutionIntercept');
export const registerLlmStreamExecutionIntercept = registrar('llm_stream_execution_intercept', 'registerLlmStreamExecutionIntercept');
export const deregisterLlmStreamExecutionIntercept = deregistrar('llm_stream_execution_intercept', 'deregisterLlmStreamExecutionIntercept');
