/**
 * `withAgentRun(name, fn)`: one agent scope around a `generateText` / `streamText` /
 * `generateObject` run, so its LLM calls and tool calls appear in order under one agent.
 */
import { ScopeType, withScope, type ScopeHandle, type ScopeOptions } from '@nemo-flow/runtime';

/**
 * Runs `fn` inside a new agent scope named `name`. Every model call (through
 * `nemoFlowMiddleware`) and tool call (through `instrumentTools`) made while `fn` runs — the
 * steps of a multi-step tool loop included — is recorded under it. The scope ends when `fn`'s
 * promise settles: consume a `streamText` result inside `fn`. An abort (`abortSignal`) or any
 * error ends it with that error, and calls still open under it end too.
 */
export function withAgentRun<T>(name: string, fn: (scope: ScopeHandle) => T | Promise<T>, options?: ScopeOptions): Promise<Awaited<T>> {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('withAgentRun: name must be a non-empty string');
  if (typeof fn !== 'function') throw new TypeError(`withAgentRun("${name}"): fn must be a function`);
  return withScope(name, ScopeType.Agent, fn, options);
}
