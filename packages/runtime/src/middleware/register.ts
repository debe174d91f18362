/**
 * Public registration functions, one pair per family, named as in the reference package.
 * Every one accepts `{ scope }` to register scope-locally.
 */
import { addEntry, removeEntry } from './registry.js';
import type {
  Family,
  FamilyCallbacks,
  InterceptOptions,
  LlmConditionalGuardrail,
  LlmExecutionIntercept,
  LlmRequestIntercept,
  LlmSanitizeGuardrail,
  LlmStreamExecutionIntercept,
  RegisterOptions,
  ToolConditionalGuardrail,
  ToolExecutionIntercept,
  ToolRequestIntercept,
  ToolSanitizeGuardrail,
} from './types.js';

function registrar<F extends Family>(family: F, api: string) {
  return (name: string, priority: number, fn: FamilyCallbacks[F], options?: RegisterOptions): void =>
    addEntry(family, name, priority, fn, options, api);
}
function deregistrar(family: Family, api: string) {
  return (name: string, options?: RegisterOptions): boolean => removeEntry(family, name, options, api);
}

export const registerToolConditionalExecutionGuardrail: (name: string, priority: number, fn: ToolConditionalGuardrail, options?: RegisterOptions) => void =
  registrar('tool_conditional_execution', 'registerToolConditionalExecutionGuardrail');
export const deregisterToolConditionalExecutionGuardrail = deregistrar('tool_conditional_execution', 'deregisterToolConditionalExecutionGuardrail');

export const registerToolRequestIntercept = (name: string, priority: number, fn: ToolRequestIntercept, options?: InterceptOptions): void =>
  addEntry('tool_request_intercept', name, priority, fn, options, 'registerToolRequestIntercept');
export const deregisterToolRequestIntercept = deregistrar('tool_request_intercept', 'deregisterToolRequestIntercept');

export const registerToolSanitizeRequestGuardrail: (name: string, priority: number, fn: ToolSanitizeGuardrail, options?: RegisterOptions) => void =
  registrar('tool_sanitize_request', 'registerToolSanitizeRequestGuardrail');
export const deregisterToolSanitizeRequestGuardrail = deregistrar('tool_sanitize_request', 'deregisterToolSanitizeRequestGuardrail');

export const registerToolSanitizeResponseGuardrail: (name: string, priority: number, fn: ToolSanitizeGuardrail, options?: RegisterOptions) => void =
  registrar('tool_sanitize_response', 'registerToolSanitizeResponseGuardrail');
export const deregisterToolSanitizeResponseGuardrail = deregistrar('tool_sanitize_response', 'deregisterToolSanitizeResponseGuardrail');

export const registerToolExecutionIntercept: (name: string, priority: number, fn: ToolExecutionIntercept, options?: RegisterOptions) => void =
  registrar('tool_execution_intercept', 'registerToolExecutionIntercept');
export const deregisterToolExecutionIntercept = deregistrar('tool_execution_intercept', 'deregisterToolExecutionIntercept');

export const registerLlmConditionalExecutionGuardrail: (name: string, priority: number, fn: LlmConditionalGuardrail, options?: RegisterOptions) => void =
  registrar('llm_conditional_execution', 'registerLlmConditionalExecutionGuardrail');
export const deregisterLlmConditionalExecutionGuardrail = deregistrar('llm_conditional_execution', 'deregisterLlmConditionalExecutionGuardrail');

export const registerLlmRequestIntercept = (name: string, priority: number, fn: LlmRequestIntercept, options?: InterceptOptions): void =>
  addEntry('llm_request_intercept', name, priority, fn, options, 'registerLlmRequestIntercept');
export const deregisterLlmRequestIntercept = deregistrar('llm_request_intercept', 'deregisterLlmRequestIntercept');

export const registerLlmSanitizeRequestGuardrail: (name: string, priority: number, fn: LlmSanitizeGuardrail, options?: RegisterOptions) => void =
  registrar('llm_sanitize_request', 'registerLlmSanitizeRequestGuardrail');
export const deregisterLlmSanitizeRequestGuardrail = deregistrar('llm_sanitize_request', 'deregisterLlmSanitizeRequestGuardrail');

export const registerLlmSanitizeResponseGuardrail: (name: string, priority: number, fn: LlmSanitizeGuardrail, options?: RegisterOptions) => void =
  registrar('llm_sanitize_response', 'registerLlmSanitizeResponseGuardrail');
export const deregisterLlmSanitizeResponseGuardrail = deregistrar('llm_sanitize_response', 'deregisterLlmSanitizeResponseGuardrail');

export const registerLlmExecutionIntercept: (name: string, priority: number, fn: LlmExecutionIntercept, options?: RegisterOptions) => void =
  registrar('llm_execution_intercept', 'registerLlmExecutionIntercept');
export const deregisterLlmExecutionIntercept = deregistrar('llm_execution_intercept', 'deregisterLlmExecutionIntercept');

export const registerLlmStreamExecutionIntercept: (name: string, priority: number, fn: LlmStreamExecutionIntercept, options?: RegisterOptions) => void =
  registrar('llm_stream_execution_intercept', 'registerLlmStreamExecutionIntercept');
export const deregisterLlmStreamExecutionIntercept = deregistrar('llm_stream_execution_intercept', 'deregisterLlmStreamExecutionIntercept');
