/**
 * How the handler and the wrappers agree on who records a call. A wrapped tool or chat model runs a
 * managed runtime call (middleware, its own events); the handler then must not record the same
 * LangChain run a second time, only keep its handle so children and streamed tokens attach to it.
 */
import type { ToolHandle } from '@nemo-flow/runtime';

/** Tool calls opened by `wrapTool`: the handler adopts them instead of opening its own. */
export const managedTools = new WeakSet<ToolHandle>();

/** Run metadata key a wrapped chat model carries, so the handler leaves its LLM call to the wrapper. */
export const WRAPPED_MODEL_KEY = 'nemo_flow_wrapped';
