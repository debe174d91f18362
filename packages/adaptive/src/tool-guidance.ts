/**
 * Tool parallelism, observe-only: which tools were seen running concurrently without failing.
 * Nothing is scheduled differently; the application reads the guidance (`toolParallelism()`),
 * and the first LLM call of each agent run carries it as a mark in the trace.
 */
import type { LlmRequestIntercept } from '@nemo-flow/runtime';
import type { ScopeHandle } from '@nemo-flow/runtime';
import { mark } from '@nemo-flow/runtime';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';
import type { AdaptiveCore } from './core.js';
import { toolGuidance } from './learners.js';

export interface ToolParallelismOptions {
  /** Middleware priority of the intercept that emits the mark (default 890). */
  priority?: number;
  /** Runs in which a pair overlapped before it counts as safe (default 2). */
  minObservations?: number;
  /** Emit the `nemo_flow.adaptive.tool_parallelism` mark (default true). */
  mark?: boolean;
}

export const TOOL_PARALLELISM_MARK = 'nemo_flow.adaptive.tool_parallelism';

/** An LLM request intercept that changes nothing and marks the guidance once per agent run. */
export function createToolGuidanceMarker(core: AdaptiveCore, minObservations: number): LlmRequestIntercept {
  const marked = new WeakSet<ScopeHandle>();
  return () => {
    try {
      const site = core.site();
      if (!site.agentScope || !site.model || marked.has(site.agentScope)) return undefined;
      marked.add(site.agentScope);
      const g = toolGuidance(site.model, minObservations);
      if (g.safePairs.length === 0) return undefined;
      mark(TOOL_PARALLELISM_MARK, {
        parent: site.agentScope,
        data: { agent_id: g.agentId, runs: g.runs, safe_pairs: g.safePairs, groups: g.groups },
      });
    } catch (err) {
      reportFailure('adaptive:tool_parallelism', 'the adaptive tool-parallelism mark could not be emitted', err);
    }
    return undefined;
  };
}
