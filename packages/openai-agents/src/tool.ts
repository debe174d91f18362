/**
 * Function-tool wrappers: each invocation runs as a managed NeMo Flow tool call (guardrails,
 * intercepts, sanitizers, execution intercepts), with the model's call id, parented to the agent
 * running it. The trace processor then leaves that tool's span to the wrapper (no double record).
 */
import { GuardrailRejectedError, getHandle, toolCallExecute } from '@nemo-flow/runtime';
import { getCurrentSpan } from '@openai/agents';
import type { FunctionTool, Tool } from '@openai/agents';
import { getEntry, scopeOf } from './registry.js';

export interface WrapToolOptions {
  /**
   * When a NeMo Flow guardrail blocks the call: `'reply'` (default) answers the model with a
   * sentence naming the guardrail and reason, so the agent can go on; `'throw'` fails the run
   * with the `GuardrailRejectedError`.
   */
  rejection?: 'reply' | 'throw';
}

function parseArgs(input: string): unknown {
  if (!input) return {};
  try {
    return JSON.parse(input);
  } catch {
    return input; // the SDK reports unparsable arguments itself
  }
}

/** Wraps a function tool; other tools (hosted, computer…) are returned unchanged. */
export function wrapTool<T extends Tool<any>>(tool: T, options: WrapToolOptions = {}): T {
  if (typeof tool !== 'object' || tool === null || typeof (tool as { type?: unknown }).type !== 'string') {
    throw new TypeError(`wrapTool: tool must be an Agents SDK tool (from tool()), got ${tool === null ? 'null' : typeof tool}`);
  }
  if (tool.type !== 'function') return tool;
  const fn = tool as unknown as FunctionTool;
  const invoke = fn.invoke;
  const wrapped: FunctionTool = {
    ...fn,
    invoke: async (runContext, input, details) => {
      // Inside invoke the SDK's current span is this call's function span: claim it, parent to its agent.
      const entry = getEntry(getCurrentSpan()?.spanId);
      if (entry) entry.owned = true;
      const parent = scopeOf(entry?.parent) ?? getHandle();
      const args = parseArgs(input);
      const callId = details?.toolCall?.callId;
      try {
        const run = (a: unknown): Promise<unknown> => {
          // Work the tool starts (an agent used as a tool) nests under this call.
          if (entry) entry.handle = getHandle();
          return invoke(runContext, a === args ? input : JSON.stringify(a), details);
        };
        return (await toolCallExecute(fn.name, args, run, { parent, ...(callId ? { toolCallId: callId } : {}) })) as Awaited<
          ReturnType<FunctionTool['invoke']>
        >;
      } catch (err) {
        if (err instanceof GuardrailRejectedError && options.rejection !== 'throw') return `Tool call blocked by guardrail "${err.guardrail}": ${err.reason}`;
        throw err;
      }
    },
  };
  return wrapped as unknown as T;
}

/** `wrapTool` over a list. */
export function wrapTools<T extends Tool<any>>(tools: readonly T[], options?: WrapToolOptions): T[] {
  if (!Array.isArray(tools)) throw new TypeError(`wrapTools: tools must be an array of Agents SDK tools, got ${typeof tools}`);
  return tools.map((t) => wrapTool(t, options));
}
