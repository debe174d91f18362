/**
 * `nemoFlowTelemetry()`: an AI SDK telemetry integration (`experimental_telemetry: { integrations }`
 * or `registerTelemetry`). Each `generateText` / `streamText` / `generateObject` becomes an agent
 * scope; model calls run inside it (so `nemoFlowMiddleware`'s LLM calls nest under it) and tool
 * executions become managed tool calls under it, linked by the model's tool call id.
 */
import type { Telemetry } from 'ai';
import {
  ScopeType,
  createScopeStack,
  getHandle,
  popScope,
  pushScope,
  runWithScopeStack,
  toolCallExecute,
  type ScopeHandle,
  type ScopeStack,
} from '@nemo-flow/runtime';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';

export interface NemoFlowTelemetryOptions {
  /**
   * Name of the agent scope. Defaults to the telemetry `functionId`, else the operation
   * (`ai.generateText`, `ai.streamText`…).
   */
  agentName?: string;
  /**
   * Run tool executions as managed tool calls (default true). Tools wrapped with
   * `instrumentTools` as well are still recorded once. Set false to record tools only through
   * `instrumentTools` (its options then apply).
   */
  tools?: boolean;
}

interface Run {
  handle: ScopeHandle;
  stack: ScopeStack;
}

/** The operations that become an agent run. */
const RUN_OPERATIONS = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject']);

/**
 * A telemetry integration putting AI SDK runs on the NeMo Flow runtime. Pair it with
 * `nemoFlowMiddleware` on the model for the LLM calls:
 *
 * ```ts
 * await generateText({ model, tools, prompt, experimental_telemetry: { integrations: [nemoFlowTelemetry()] } });
 * ```
 */
export function nemoFlowTelemetry(options?: NemoFlowTelemetryOptions): Telemetry {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('nemoFlowTelemetry: options must be an object');
  if (options?.agentName !== undefined && (typeof options.agentName !== 'string' || options.agentName === ''))
    throw new TypeError('nemoFlowTelemetry: options.agentName must be a non-empty string');
  const runs = new Map<string, Run>();
  const wrapTools = options?.tools !== false;

  const end = (callId: unknown, output: unknown, error: unknown): void => {
    if (typeof callId !== 'string') return;
    const run = runs.get(callId);
    if (!run) return;
    runs.delete(callId);
    try {
      if (run.handle.isOpen) runWithScopeStack(run.stack, () => popScope(run.handle, error === undefined ? { output } : { error }));
    } catch (err) {
      reportFailure('ai-sdk:telemetry', 'could not end an AI SDK run', err);
    }
  };
  const inRun = <T>(callId: string, fn: () => T): T => {
    const run = runs.get(callId);
    return run ? runWithScopeStack(run.stack, fn) : fn();
  };

  return {
    onStart(event) {
      try {
        if (!RUN_OPERATIONS.has(event.operationId)) return;
        const parent = getHandle();
        const stack = createScopeStack();
        const name = options?.agentName ?? event.functionId ?? event.operationId;
        const handle = runWithScopeStack(stack, () =>
          pushScope(name, ScopeType.Agent, { parent, metadata: { operation: event.operationId, provider: event.provider, model: event.modelId } }),
        );
        runs.set(event.callId, { handle, stack });
      } catch (err) {
        reportFailure('ai-sdk:telemetry', 'could not start an AI SDK run', err);
      }
    },
    onEnd(event) {
      end(event.callId, 'text' in event ? { text: event.text } : undefined, undefined);
    },
    onAbort(event) {
      end(event.callId, undefined, Object.assign(new Error('the run was aborted'), { name: 'AbortError' }));
    },
    onError(event) {
      const e = event as { callId?: unknown; error?: unknown } | null;
      end(e?.callId, undefined, e?.error ?? new Error('AI SDK run failed'));
    },
    executeLanguageModelCall({ callId, execute }) {
      return inRun(callId, execute);
    },
    executeTool({ callId, toolCallId, toolCall, execute }) {
      if (!wrapTools) return inRun(callId, execute);
      const name = toolCall?.toolName ?? 'tool';
      return inRun(callId, () => toolCallExecute(name, toolCall?.input ?? null, () => execute(), { toolCallId }));
    },
  };
}
