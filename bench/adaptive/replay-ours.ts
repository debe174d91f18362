/**
 * Replays the recorded workload through our runtime with the adaptive component installed, on a
 * virtual clock: every run on its own scope stack, events in global time order with their recorded
 * timestamps. Each LLM call goes through the request intercepts (`llmRequestIntercepts`), the
 * resulting request is billed by `bill` at the call's start time, and the call is recorded with
 * the manual `llmCall`/`llmCallEnd` so the learners see the provider's usage.
 *
 * `prepareReplay` exposes the steps so a fleet (fleet.ts) can run a share of the runs in each
 * process and interleave the steps of all processes in the same global order.
 */
import {
  createScopeStack,
  llmCall,
  llmCallEnd,
  llmRequestIntercepts,
  popScope,
  pushScope,
  runWithScopeStack,
  toolCall,
  toolCallEnd,
  toolCallError,
  type ScopeHandle,
  type LlmHandle,
  type ToolHandle,
} from '@nemo-flow/runtime';
import { Adaptive, type AdaptiveOptions } from '@nemo-flow/adaptive';
import { requestOf, responseOf, type RecordedRun, type Workload } from './workload.js';

export interface OurCall {
  run: string;
  agent: string;
  index: number;
  atMs: number;
  /** The request as the provider received it, and as recorded. */
  content: Record<string, unknown>;
  original: Record<string, unknown>;
  usage: Record<string, number>;
  /** Output tokens predicted before the call: by position, and agent-wide (what a global counter gives). */
  predicted: number | undefined;
  predictedAgentWide: number | undefined;
  actual: number;
}

export type Bill = (
  content: Record<string, unknown>,
  atMs: number,
  run: RecordedRun,
  index: number,
) => Record<string, number> | Promise<Record<string, number>>;

/** One event of the replay at virtual time `t`; `order` breaks ties the same way in every process. */
export interface ReplayStep {
  t: number;
  order: number;
  /** The step that ends a run (its record reaches the store). */
  runEnd: boolean;
  run: () => void | Promise<void>;
}

export interface Replay {
  /** Steps of the replayed runs, in time order. */
  steps: ReplayStep[];
  /** Calls made so far. */
  calls: OurCall[];
  adaptive: Adaptive;
  /** Sets the virtual clock and runs the step. */
  step(s: ReplayStep): Promise<void>;
}

/** Builds the replay of the runs `owns` selects (by index in `w.runs`; default all) and installs the component. */
export function prepareReplay(w: Workload, bill: Bill, options: AdaptiveOptions = {}, owns: (runIndex: number) => boolean = () => true): Replay {
  const clock = { t: 0 };
  const adaptive = new Adaptive({ ...options, now: () => clock.t }).install('bench-adaptive');
  const us = (ms: number) => Math.round(ms * 1000);
  const steps: ReplayStep[] = [];
  const calls: OurCall[] = [];
  // Orders are numbered over every run, owned or not, so all processes agree on ties.
  let order = 0;
  const push = (owned: boolean, s: Omit<ReplayStep, 'order' | 'runEnd'> & { runEnd?: boolean }) => {
    const o = order++;
    if (owned) steps.push({ runEnd: false, ...s, order: o });
  };
  w.runs.forEach((run, runIndex) => {
    const owned = owns(runIndex);
    const stack = createScopeStack();
    let agent: ScopeHandle | undefined;
    const llm: LlmHandle[] = [];
    const usage: Array<Record<string, number>> = [];
    push(owned, {
      t: run.start_ms,
      run: () =>
        runWithScopeStack(stack, () => void (agent = pushScope(run.agent, 'agent', { timestamp: us(run.start_ms), metadata: { agent_id: run.agent } }))),
    });
    run.calls.forEach((call, i) => {
      push(owned, {
        t: call.start_ms,
        run: async () => {
          const model = adaptive.model(run.agent);
          const pos = adaptive.predict(run.agent, i + 1);
          const predicted = pos && pos.basis === 'position' ? pos.outputTokens : undefined;
          const predictedAgentWide = model.overall.outputTokens?.mean;
          const req = await runWithScopeStack(stack, () => llmRequestIntercepts('llm', { headers: {}, content: requestOf(w, run, i) }));
          const content = req.content as Record<string, unknown>;
          const u = await bill(content, call.start_ms, run, i);
          usage[i] = { ...u, [w.provider === 'anthropic' ? 'output_tokens' : 'completion_tokens']: call.output_tokens };
          calls.push({
            run: run.id,
            agent: run.agent,
            index: i,
            atMs: call.start_ms,
            content,
            original: requestOf(w, run, i),
            usage: usage[i]!,
            predicted,
            predictedAgentWide,
            actual: call.output_tokens,
          });
          runWithScopeStack(stack, () => void (llm[i] = llmCall('llm', req, { timestamp: us(call.start_ms), parent: agent })));
        },
      });
      push(owned, { t: call.end_ms, run: () => llmCallEnd(llm[i]!, responseOf(w, run, i, usage[i]!), { timestamp: us(call.end_ms) }) });
    });
    for (const tool of run.tools) {
      let h: ToolHandle | undefined;
      push(owned, {
        t: tool.start_ms,
        run: () => runWithScopeStack(stack, () => void (h = toolCall(tool.name, {}, { timestamp: us(tool.start_ms), parent: agent, toolCallId: tool.id }))),
      });
      push(owned, {
        t: tool.end_ms,
        run: () =>
          tool.ok ? toolCallEnd(h!, 'ok', { timestamp: us(tool.end_ms) }) : toolCallError(h!, new Error('tool failed'), { timestamp: us(tool.end_ms) }),
      });
    }
    push(owned, { t: run.end_ms, runEnd: true, run: () => runWithScopeStack(stack, () => popScope(agent!, { timestamp: us(run.end_ms) })) });
  });
  steps.sort(byTime);
  return {
    steps,
    calls,
    adaptive,
    step: async (s) => {
      clock.t = s.t;
      await s.run();
    },
  };
}

export const byTime = (a: { t: number; order: number }, b: { t: number; order: number }): number => a.t - b.t || a.order - b.order;

export async function replayOurs(w: Workload, bill: Bill, options: AdaptiveOptions = {}): Promise<{ calls: OurCall[]; adaptive: Adaptive }> {
  const r = prepareReplay(w, bill, options);
  try {
    for (const s of r.steps) await r.step(s);
  } finally {
    r.adaptive.uninstall();
  }
  return { calls: r.calls, adaptive: r.adaptive };
}
