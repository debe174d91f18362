/**
 * Standalone runners for frameworks that own the invocation: run only the conditional guardrails
 * or only the request intercepts, with no events.
 */
import type { LlmRequest } from '../types.js';
import type { CodecName, LlmCodec } from '../codecs/types.js';
import type { ScopeHandle } from '../scope.js';
import { resolve } from '../middleware/registry.js';
import type { ToolConditionalGuardrail, LlmConditionalGuardrail } from '../middleware/types.js';
import { runToolRequestIntercepts } from './tool.js';
import { parentOf } from '../lifecycle.js';
import { readonlyView } from '../readonly.js';
import { runConditional } from './pipeline.js';
import { beforeStart, checkRequest } from './llm-request.js';
import { LlmHandle } from './handles.js';
import { codecOf } from './llm.js';
import { callLabel, checkName, checkOptions } from '../errors.js';

export interface StandaloneOptions {
  /** Scope whose scope-local middleware applies; defaults to the current scope. */
  parent?: ScopeHandle;
}

/** Runs the tool conditional guardrails. Rejects with `GuardrailRejectedError` when one refuses. */
export async function toolConditionalExecution(name: string, args: unknown, options?: StandaloneOptions): Promise<void> {
  const what = callLabel('toolConditionalExecution', name);
  checkName(name, what);
  checkOptions(options, what);
  const parent = parentOf(options?.parent, what);
  const rejected = await runConditional(resolve('tool_conditional_execution', parent), name, (e) =>
    (e.fn as ToolConditionalGuardrail)(name, readonlyView(args)),
  );
  if (rejected) throw rejected;
}

/** Runs the tool request intercepts and returns the args the tool should receive. */
export async function toolRequestIntercepts(name: string, args: unknown, options?: StandaloneOptions): Promise<unknown> {
  const what = callLabel('toolRequestIntercepts', name);
  checkName(name, what);
  checkOptions(options, what);
  const parent = parentOf(options?.parent, what);
  return runToolRequestIntercepts(resolve('tool_request_intercept', parent), name, args);
}

/** Runs the LLM conditional guardrails. Rejects with `GuardrailRejectedError` when one refuses. */
export async function llmConditionalExecution(request: LlmRequest, options?: StandaloneOptions & { name?: string }): Promise<void> {
  const req = checkRequest(request, 'llmConditionalExecution');
  checkOptions(options, 'llmConditionalExecution');
  if (options?.name !== undefined) checkName(options.name, 'llmConditionalExecution', 'options.name');
  const parent = parentOf(options?.parent, 'llmConditionalExecution');
  const rejected = await runConditional(resolve('llm_conditional_execution', parent), options?.name ?? 'llm', (e) =>
    (e.fn as LlmConditionalGuardrail)(readonlyView(req)),
  );
  if (rejected) throw rejected;
}

/** Runs the LLM request intercepts (with a codec, if given) and returns the request to send. */
export async function llmRequestIntercepts(
  name: string,
  request: LlmRequest,
  options?: StandaloneOptions & { codec?: LlmCodec | CodecName | 'auto' },
): Promise<LlmRequest> {
  const what = callLabel('llmRequestIntercepts', name);
  checkName(name, what);
  const req = checkRequest(request, what);
  checkOptions(options, what);
  const parent = parentOf(options?.parent, what);
  // A detached handle gives the chain its name; it is never started, so no event is emitted.
  const h = new LlmHandle(name, parent, null, undefined, undefined, undefined, 0);
  const pre = await beforeStart(h, req, codecOf(options?.codec, req.content, what), [], resolve('llm_request_intercept', parent), []);
  if (pre.failure) throw pre.failure;
  return pre.request;
}
