/**
 * Replays the recorded workload through our runtime with the adaptive component installed, on a
 * virtual clock: every run on its own scope stack, events in global time order with their recorded
 * timestamps. Each LLM call goes through the request intercepts (`llmRequestIntercepts`), the
 * resulting request is billed by `bill` at the call's start time, and the call is recorded with
 * the manual `llmCall`/`llmCallEnd` so the learners see the provider's usage.
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

type Bill = (content: Record<string, unknown>, atMs: number, run: RecordedRun, index: number) => Record<string, number>;

export async function replayOurs(w: Workload, bill: Bill, options: AdaptiveOptions = {}): Promise<{ calls: OurCall[]; adaptive: Adaptive }> {
  const clock = { t: 0 };
  const adaptive = new Adaptive({ ...options, now: () => clock.t }).install('bench-adaptive');
  const us = (ms: number) => Math.round(ms * 1000);
  const steps: Array<{ t: number; order: number; run: () => void | Promise<void> }> = [];
  const calls: OurCall[] = [];
  let order = 0;
  for (const run of w.runs) {
    const stack = createScopeStack();
    let agent: ScopeHandle | undefined;
    const llm: LlmHandle[] = [];
    const usage: Array<Record<string, number>> = [];
    steps.push({
      t: run.start_ms,
      order: order++,
      run: () =>
        runWithScopeStack(stack, () => void (agent = pushScope(run.agent, 'agent', { timestamp: us(run.start_ms), metadata: { agent_id: run.agent } }))),
    });
    run.calls.forEach((call, i) => {
      steps.push({
        t: call.start_ms,
        order: order++,
        run: async () => {
          const model = adaptive.model(run.agent);
          const pos = adaptive.predict(run.agent, i + 1);
          const predicted = pos && pos.basis === 'position' ? pos.outputTokens : undefined;
          const predictedAgentWide = model.overall.outputTokens?.mean;
          const req = await runWithScopeStack(stack, () => llmRequestIntercepts('llm', { headers: {}, content: requestOf(w, run, i) }));
          const content = req.content as Record<string, unknown>;
          const u = bill(content, call.start_ms, run, i);
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
      steps.push({ t: call.end_ms, order: order++, run: () => llmCallEnd(llm[i]!, responseOf(w, run, i, usage[i]!), { timestamp: us(call.end_ms) }) });
    });
    for (const tool of run.tools) {
      let h: ToolHandle | undefined;
      steps.push({
        t: tool.start_ms,
        order: order++,
        run: () => runWithScopeStack(stack, () => void (h = toolCall(tool.name, {}, { timestamp: us(tool.start_ms), parent: agent, toolCallId: tool.id }))),
      });
      steps.push({
        t: tool.end_ms,
        order: order++,
        run: () =>
          tool.ok ? toolCallEnd(h!, 'ok', { timestamp: us(tool.end_ms) }) : toolCallError(h!, new Error('tool failed'), { timestamp: us(tool.end_ms) }),
      });
    }
    steps.push({ t: run.end_ms, order: order++, run: () => runWithScopeStack(stack, () => popScope(agent!, { timestamp: us(run.end_ms) })) });
  }
  steps.sort((a, b) => a.t - b.t || a.order - b.order);
  try {
    for (const s of steps) {
      clock.t = s.t;
      await s.run();
    }
  } finally {
    adaptive.uninstall();
  }
  return { calls, adaptive };
}
