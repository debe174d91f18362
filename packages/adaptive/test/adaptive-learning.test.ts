/**
 * Learning from the lifecycle stream: run records, per-position statistics (by the call's
 * position in its own run, not a process-wide counter), tool concurrency, cache telemetry, the
 * bounded store, and export/import of learned state.
 */
import { strict as assert } from 'node:assert';
import {
  createScopeStack,
  llmCall,
  llmCallEnd,
  llmCallExecute,
  popScope,
  pushScope,
  runWithScopeStack,
  toolCall,
  toolCallEnd,
  toolCallError,
  withScope,
} from '@nemo-flow/runtime';
import { Adaptive, InMemoryAdaptiveStore, TOOL_PARALLELISM_MARK } from '@nemo-flow/adaptive';
import type { ScopeHandle } from '@nemo-flow/runtime';
import type { RunRecord } from '@nemo-flow/adaptive';
import { capture, collectFailures } from './helpers.js';

const BASE = Date.UTC(2026, 0, 5, 9, 0, 0);
const us = (ms: number): number => Math.round((BASE + ms) * 1000);

interface ScriptedCall {
  at: number;
  end: number;
  output: number;
  usage?: { input: number; read?: number; write?: number };
}
interface ScriptedTool {
  name: string;
  at: number;
  end: number;
  error?: boolean;
}

const content = (question: string) => ({
  model: 'claude-sonnet-4-5-20250929',
  max_tokens: 256,
  system: 'You are a careful agent. '.repeat(300),
  messages: [{ role: 'user', content: question }],
});

function response(output: number, usage?: ScriptedCall['usage']) {
  const u: Record<string, number> = { input_tokens: usage?.input ?? 100, output_tokens: output };
  if (usage?.read !== undefined) u.cache_read_input_tokens = usage.read;
  if (usage?.write !== undefined) u.cache_creation_input_tokens = usage.write;
  return {
    id: 'msg',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text', text: 'ok' }],
    stop_reason: 'end_turn',
    usage: u,
  };
}

type Step = { t: number; run: () => void };

/** Emits the events of scripted runs in global time order, each run on its own scope stack. */
function replay(runs: Array<{ agent: string; start: number; end: number; calls: ScriptedCall[]; tools?: ScriptedTool[] }>): void {
  const steps: Step[] = [];
  for (const r of runs) {
    const stack = createScopeStack();
    let agent: ScopeHandle | undefined;
    const on = (fn: () => void) => () => runWithScopeStack(stack, fn);
    steps.push({ t: r.start, run: on(() => (agent = pushScope(r.agent, 'agent', { timestamp: us(r.start), metadata: { agent_id: r.agent } }))) });
    r.calls.forEach((c, i) => {
      let h: ReturnType<typeof llmCall> | undefined;
      steps.push({ t: c.at, run: on(() => (h = llmCall('llm', { headers: {}, content: content(`q${i}`) }, { timestamp: us(c.at), parent: agent }))) });
      steps.push({ t: c.end, run: on(() => llmCallEnd(h!, response(c.output, c.usage), { timestamp: us(c.end) })) });
    });
    for (const tool of r.tools ?? []) {
      let h: ReturnType<typeof toolCall> | undefined;
      steps.push({ t: tool.at, run: on(() => (h = toolCall(tool.name, {}, { timestamp: us(tool.at), parent: agent }))) });
      steps.push({
        t: tool.end,
        run: on(() => (tool.error ? toolCallError(h!, new Error('boom'), { timestamp: us(tool.end) }) : toolCallEnd(h!, 'ok', { timestamp: us(tool.end) }))),
      });
    }
    steps.push({ t: r.end, run: on(() => popScope(agent!, { timestamp: us(r.end) })) });
  }
  steps.sort((a, b) => a.t - b.t);
  for (const s of steps) s.run();
}

describe('adaptive: learning from runs', () => {
  let adaptive: Adaptive;
  beforeEach(() => {
    adaptive = new Adaptive({ cacheGovernor: false, toolParallelism: false }).install('adaptive-test');
  });
  afterEach(() => adaptive.uninstall());

  it('records each agent run with its LLM and tool calls, timings and usage', () => {
    replay([
      {
        agent: 'planner',
        start: 0,
        end: 10_000,
        calls: [
          { at: 100, end: 2_100, output: 300, usage: { input: 5000, read: 0, write: 4000 } },
          { at: 3_000, end: 4_000, output: 40, usage: { input: 5100, read: 4000, write: 100 } },
        ],
        tools: [{ name: 'search', at: 2_200, end: 2_900 }],
      },
    ]);
    const [run] = adaptive.runs('planner');
    assert.ok(run);
    assert.equal(run.status, 'ok');
    assert.equal(run.endMs - run.startMs, 10_000);
    assert.deepEqual(
      run.calls.map((c) => `${c.kind}:${c.name}`),
      ['llm:llm', 'tool:search', 'llm:llm'],
    );
    const [a, , b] = run.calls;
    assert.ok(a && a.kind === 'llm' && b && b.kind === 'llm');
    assert.equal(a.position, 1);
    assert.equal(b.position, 2);
    assert.equal(a.endMs - a.startMs, 2_000);
    assert.equal(b.outputTokens, 40);
    assert.equal(a.format, 'anthropic-messages');
    assert.equal(a.model, 'claude-sonnet-4-5-20250929');
    assert.ok(a.prefix.length >= 2, 'fingerprints of the system end and the first message');
    assert.equal(a.prefix[0], b.prefix[0], 'same system prompt, same prefix fingerprint');
    assert.ok(!JSON.stringify(run).includes('careful agent'), 'no prompt text is kept');
    // Cache telemetry per call and per run (Anthropic: input = uncached + read + write).
    const callStats = adaptive.callCacheStats(b);
    assert.equal(callStats.inputTokens, 5100 + 4000 + 100);
    assert.equal(callStats.cacheReadTokens, 4000);
    const runStats = adaptive.runCacheStats(run);
    assert.equal(runStats.cacheReadTokens, 4000);
    assert.equal(runStats.cacheWriteTokens, 4100);
    assert.ok(Math.abs(runStats.savedTokens - (4000 * 0.9 - 4100 * 0.25)) < 1e-9);
    assert.equal(adaptive.cacheReport().total.calls, 2);
  });

  it('keys statistics by each call’s position in its own run, even with runs interleaved', () => {
    // Two runs of one agent, their calls interleaved in time: a process-wide counter would number them 1..7.
    replay([
      {
        agent: 'worker',
        start: 0,
        end: 60_000,
        calls: [
          { at: 1_000, end: 2_000, output: 400 },
          { at: 12_000, end: 13_000, output: 50 },
          { at: 22_000, end: 23_000, output: 900 },
        ],
      },
      {
        agent: 'worker',
        start: 500,
        end: 61_000,
        calls: [
          { at: 5_000, end: 6_000, output: 420 },
          { at: 7_000, end: 8_000, output: 60 },
          { at: 15_000, end: 16_000, output: 70 },
          { at: 31_000, end: 32_000, output: 1000 },
        ],
      },
    ]);
    assert.deepEqual(
      adaptive.runs('worker').map((r) => r.calls.map((c) => (c.kind === 'llm' ? c.position : 0))),
      [
        [1, 2, 3],
        [1, 2, 3, 4],
      ],
    );
    const stats = adaptive.positionStats('worker');
    assert.deepEqual(
      stats.map((s) => s.runs),
      [2, 2, 2, 1],
    );
    assert.equal(stats[0]!.outputTokens!.p50, 410);
    assert.equal(stats[1]!.outputTokens!.p50, 55);
    assert.equal(stats[3]!.outputTokens!.p50, 1000);
    assert.deepEqual(stats[0]!.remainingCalls && [stats[0].remainingCalls.min, stats[0].remainingCalls.max], [2, 3]);
    const p1 = adaptive.predict('worker', 1)!;
    assert.equal(p1.basis, 'position');
    assert.equal(p1.outputTokens, 410);
    assert.equal(p1.timeToNextMs, (10_000 + 1_000) / 2);
    assert.equal(p1.remainingCalls, 2.5);
    assert.equal(p1.continueProbability, 1);
    assert.equal(adaptive.predict('worker', 4)!.continueProbability, 0);
    // A position never seen falls back to agent-wide figures, and says so.
    assert.equal(adaptive.predict('worker', 9)!.basis, 'agent');
    assert.equal(adaptive.predict('nobody', 1), undefined);
  });

  it('finds tools that ran concurrently without failing, and marks the guidance on the next run', async () => {
    adaptive.uninstall();
    adaptive = new Adaptive({ cacheGovernor: false, toolParallelism: { minObservations: 2 } }).install('adaptive-test');
    const run = (start: number, failFetch: boolean) => ({
      agent: 'researcher',
      start,
      end: start + 20_000,
      calls: [{ at: start + 100, end: start + 500, output: 10 }],
      tools: [
        { name: 'search', at: start + 1_000, end: start + 3_000 },
        { name: 'fetch', at: start + 1_500, end: start + 2_500 },
        { name: 'write', at: start + 4_000, end: start + 5_000 },
        { name: 'lint', at: start + 4_500, end: start + 6_000, error: failFetch },
      ],
    });
    replay([run(0, true), run(30_000, true), run(60_000, false)]);
    const g = adaptive.toolParallelism('researcher');
    assert.deepEqual(g.safePairs, [['fetch', 'search']]);
    assert.deepEqual(g.groups, [['fetch', 'search']]);
    const lint = g.pairs.find((p) => p.tools.join() === 'lint,write')!;
    assert.equal(lint.concurrentRuns, 3);
    assert.equal(lint.failedConcurrentRuns, 2);

    const cap = capture();
    try {
      await withScope(
        'researcher',
        'agent',
        async () => {
          for (let i = 0; i < 2; i++) await llmCallExecute('llm', { headers: {}, content: content('q') }, () => response(5));
        },
        { metadata: { agent_id: 'researcher' } },
      );
    } finally {
      cap.stop();
    }
    const marks = cap.events.filter((e) => e.kind === 'mark' && e.name === TOOL_PARALLELISM_MARK);
    assert.equal(marks.length, 1, 'once per run');
    assert.deepEqual((marks[0]!.data as { safe_pairs: unknown }).safe_pairs, [['fetch', 'search']]);
  });

  it('reports finished runs with their cache figures to onRun listeners', () => {
    const seen: Array<[RunRecord, number]> = [];
    const off = adaptive.onRun((r, s) => seen.push([r, s.hitRatio]));
    replay([{ agent: 'a', start: 0, end: 1000, calls: [{ at: 10, end: 20, output: 1, usage: { input: 100, read: 900, write: 0 } }] }]);
    off();
    replay([{ agent: 'a', start: 2000, end: 3000, calls: [] }]);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]![1], 0.9);
  });

  it('contains a failing listener', () => {
    const f = collectFailures();
    try {
      adaptive.onRun(() => {
        throw new Error('listener bug');
      });
      replay([{ agent: 'a', start: 0, end: 1000, calls: [] }]);
      assert.equal(adaptive.runs('a').length, 1);
      assert.ok(f.failures.some((x) => x.source === 'adaptive:onRun'));
    } finally {
      f.restore();
    }
  });
});

describe('adaptive: bounded store', () => {
  it('keeps the last N runs per agent and the most recently updated agents', () => {
    const store = new InMemoryAdaptiveStore({ maxRunsPerAgent: 3, maxAgents: 2 });
    const adaptive = new Adaptive({ store, cacheGovernor: false }).install('adaptive-test');
    try {
      replay([0, 1, 2, 3, 4].map((i) => ({ agent: 'a', start: i * 1000, end: i * 1000 + 500, calls: [{ at: i * 1000 + 10, end: i * 1000 + 20, output: i }] })));
      const runs = adaptive.runs('a');
      assert.equal(runs.length, 3);
      assert.deepEqual(
        runs.map((r) => r.startMs - BASE),
        [2000, 3000, 4000],
        'oldest evicted',
      );
      assert.deepEqual(adaptive.positionStats('a')[0]!.outputTokens!.p50, 3, 'statistics follow the window');
      replay([{ agent: 'b', start: 10_000, end: 11_000, calls: [] }]);
      replay([{ agent: 'c', start: 12_000, end: 13_000, calls: [] }]);
      assert.deepEqual(store.agents(), ['b', 'c']);
    } finally {
      adaptive.uninstall();
    }
  });

  it('drops the oldest open run beyond max_open_runs and reports it once', () => {
    const f = collectFailures();
    const adaptive = new Adaptive({ maxOpenRuns: 2, cacheGovernor: false }).install('adaptive-test');
    try {
      const stacks = [0, 1, 2].map(() => createScopeStack());
      const handles = stacks.map((s, i) => runWithScopeStack(s, () => pushScope(`agent${i}`, 'agent')));
      stacks.forEach((s, i) => runWithScopeStack(s, () => popScope(handles[i]!)));
      assert.deepEqual(adaptive.store.agents().sort(), ['agent1', 'agent2']);
      assert.equal(f.failures.filter((x) => x.source === 'adaptive:open-runs').length, 1);
    } finally {
      adaptive.uninstall();
      f.restore();
    }
  });
});

describe('adaptive: export and import of learned state', () => {
  it('warms a new worker with the same predictions; importing twice counts each run once', () => {
    const first = new Adaptive({ cacheGovernor: false }).install('adaptive-test');
    try {
      replay(
        [0, 1, 2].map((i) => ({
          agent: 'svc',
          start: i * 10_000,
          end: i * 10_000 + 5000,
          calls: [
            { at: i * 10_000 + 10, end: i * 10_000 + 20, output: 100 + i },
            { at: i * 10_000 + 1000, end: i * 10_000 + 1100, output: 7 },
          ],
        })),
      );
    } finally {
      first.uninstall();
    }
    const snapshot = JSON.parse(JSON.stringify(first.exportState()));
    assert.equal(snapshot.format, 'nemo-flow.adaptive');
    const fresh = new Adaptive({ cacheGovernor: false });
    assert.deepEqual(fresh.importState(snapshot), { imported: 3, duplicates: 0, invalid: 0 });
    assert.deepEqual(fresh.predict('svc', 1), first.predict('svc', 1));
    assert.deepEqual(fresh.predict('svc', 2), first.predict('svc', 2));
    assert.deepEqual(fresh.importState(snapshot), { imported: 0, duplicates: 3, invalid: 0 });
    assert.equal(fresh.runs('svc').length, 3);
  });

  it('merges snapshots of several workers without losing runs', () => {
    const workers = [0, 1].map(() => new Adaptive({ cacheGovernor: false }));
    workers.forEach((w, k) => {
      w.install('adaptive-test');
      try {
        replay(
          [0, 1].map((i) => ({
            agent: 'svc',
            start: k * 100_000 + i * 1000,
            end: k * 100_000 + i * 1000 + 500,
            calls: [{ at: k * 100_000 + i * 1000 + 1, end: k * 100_000 + i * 1000 + 2, output: 10 * (k + 1) }],
          })),
        );
      } finally {
        w.uninstall();
      }
    });
    const hub = new Adaptive({ cacheGovernor: false });
    for (const w of workers) hub.importState(w.exportState());
    assert.equal(hub.runs('svc').length, 4);
    assert.equal(hub.positionStats('svc')[0]!.runs, 4);
  });

  it('rejects what is not a snapshot and skips malformed runs', () => {
    const a = new Adaptive({ cacheGovernor: false });
    assert.throws(() => a.importState({ agents: {} }), TypeError);
    assert.throws(() => a.importState(null), TypeError);
    const bad = {
      format: 'nemo-flow.adaptive',
      version: 1,
      exportedAt: '',
      agents: {
        x: {
          runs: [
            { runId: 'r', agentId: 'x', startMs: 0, endMs: 1, status: 'ok', calls: [{ kind: 'llm', name: 'l', position: 0 }] },
            { runId: 'r2', agentId: 'y', startMs: 0, endMs: 1, status: 'ok', calls: [] },
            { runId: 'r3', agentId: 'x', startMs: 0, endMs: 1, status: 'ok', calls: [] },
          ],
        },
      },
    };
    assert.deepEqual(a.importState(bad), { imported: 1, duplicates: 0, invalid: 2 });
  });
});
