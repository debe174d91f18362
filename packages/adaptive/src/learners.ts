/**
 * Learners: what the retained runs of one agent say about its next run.
 * - Call statistics per call position (the call's position within its own run): remaining LLM
 *   calls, time to the next call, output tokens, and how often another call follows.
 * - Tool concurrency: which tools were seen running at the same time, and whether any of them
 *   failed while overlapping.
 * - Prefix stability per request shape: how many runs shared the prompt prefix ending at each
 *   leading boundary, and how often runs follow each other within the cache lifetime.
 */
import type { LlmCallRecord, RunRecord, ToolCallRecord } from './records.js';
import { summarize, type Summary } from './stats.js';

export type LearnerName = 'call_stats' | 'tool_concurrency' | 'prefix_stability';
export const LEARNER_NAMES: readonly LearnerName[] = ['call_stats', 'tool_concurrency', 'prefix_stability'];

export interface PositionStats {
  /** 1-based call position; the last bucket also holds every later position. 0 for the agent-wide row. */
  position: number;
  /** Runs that made a call at this position. */
  runs: number;
  /** Of those, runs with another LLM call after it. */
  continued: number;
  /** Of those, runs whose next call started within the cache lifetime. */
  continuedWithinTtl: number;
  remainingCalls: Summary | undefined;
  timeToNextMs: Summary | undefined;
  outputTokens: Summary | undefined;
}

export interface ToolPairStats {
  /** Tool names, sorted (equal names: the tool ran concurrently with itself). */
  tools: [string, string];
  /** Runs in which both tools ran. */
  runsTogether: number;
  /** Runs in which they overlapped in time. */
  concurrentRuns: number;
  /** Runs in which they overlapped and one of the overlapping calls failed. */
  failedConcurrentRuns: number;
}

export interface ShapeStability {
  shape: string;
  /** Runs that sent requests of this shape. */
  runs: number;
  /** Prefix fingerprint → number of those runs whose requests had that prefix. */
  support: Map<string, number>;
  /** Share of consecutive runs that started within the cache lifetime of the previous use (1 with fewer than two runs). */
  ttlReuse: number;
}

export interface AgentModel {
  agentId: string;
  /** Store version it was derived from. */
  version: number;
  runs: number;
  /** Positions tracked separately (the last bucket holds every later one). */
  maxPositions: number;
  /** Index i holds position i+1. */
  positions: PositionStats[];
  /** Every position together: the fallback for positions never seen. */
  overall: PositionStats;
  toolPairs: ToolPairStats[];
  shapes: Map<string, ShapeStability>;
}

export interface LearnOptions {
  learners: ReadonlySet<LearnerName>;
  /** Positions tracked separately; later ones share the last bucket. */
  maxPositions: number;
  ttlMs: number;
}

function llmCalls(run: RunRecord): LlmCallRecord[] {
  return run.calls.filter((c): c is LlmCallRecord => c.kind === 'llm').sort((a, b) => a.position - b.position || a.startMs - b.startMs);
}

interface Samples {
  runs: number;
  continued: number;
  withinTtl: number;
  remaining: number[];
  gaps: number[];
  output: number[];
}

const emptySamples = (): Samples => ({ runs: 0, continued: 0, withinTtl: 0, remaining: [], gaps: [], output: [] });

function toStats(position: number, s: Samples): PositionStats {
  return {
    position,
    runs: s.runs,
    continued: s.continued,
    continuedWithinTtl: s.withinTtl,
    remainingCalls: summarize(s.remaining),
    timeToNextMs: summarize(s.gaps),
    outputTokens: summarize(s.output),
  };
}

function learnPositions(runs: readonly RunRecord[], o: LearnOptions): { positions: PositionStats[]; overall: PositionStats } {
  const buckets: Samples[] = [];
  const all = emptySamples();
  for (const run of runs) {
    const calls = llmCalls(run);
    const n = calls.length;
    calls.forEach((c, k) => {
      const bucket = Math.min(k + 1, o.maxPositions);
      const s = (buckets[bucket - 1] ??= emptySamples());
      for (const t of [s, all]) {
        t.runs++;
        t.remaining.push(n - k - 1);
        if (c.outputTokens !== undefined) t.output.push(c.outputTokens);
        if (k + 1 < n) {
          const gap = Math.max(0, calls[k + 1]!.startMs - c.endMs);
          t.continued++;
          t.gaps.push(gap);
          if (gap <= o.ttlMs) t.withinTtl++;
        }
      }
    });
  }
  const positions: PositionStats[] = [];
  for (let i = 0; i < buckets.length; i++) positions.push(toStats(i + 1, buckets[i] ?? emptySamples()));
  return { positions, overall: toStats(0, all) };
}

const pairKey = (a: string, b: string): string => (a <= b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/** Calls beyond this many per run are not compared (keeps the sweep bounded). */
const MAX_TOOLS_PER_RUN = 256;

function learnTools(runs: readonly RunRecord[]): ToolPairStats[] {
  const pairs = new Map<string, ToolPairStats>();
  const get = (a: string, b: string): ToolPairStats => {
    const k = pairKey(a, b);
    let p = pairs.get(k);
    if (!p) pairs.set(k, (p = { tools: a <= b ? [a, b] : [b, a], runsTogether: 0, concurrentRuns: 0, failedConcurrentRuns: 0 }));
    return p;
  };
  for (const run of runs) {
    const tools = run.calls
      .filter((c): c is ToolCallRecord => c.kind === 'tool')
      .slice(0, MAX_TOOLS_PER_RUN)
      .sort((a, b) => a.startMs - b.startMs);
    const count = new Map<string, number>();
    for (const t of tools) count.set(t.name, (count.get(t.name) ?? 0) + 1);
    const names = [...count.keys()].sort();
    for (let i = 0; i < names.length; i++) {
      for (let j = i; j < names.length; j++) if (i !== j || count.get(names[i]!)! > 1) get(names[i]!, names[j]!).runsTogether++;
    }
    const concurrent = new Set<string>();
    const failed = new Set<string>();
    for (let i = 0; i < tools.length; i++) {
      const a = tools[i]!;
      for (let j = i + 1; j < tools.length && tools[j]!.startMs < a.endMs; j++) {
        const b = tools[j]!;
        if (b.endMs <= a.startMs) continue;
        const k = pairKey(a.name, b.name);
        concurrent.add(k);
        if (a.status === 'error' || b.status === 'error') failed.add(k);
      }
    }
    for (const k of concurrent) pairs.get(k)!.concurrentRuns++;
    for (const k of failed) pairs.get(k)!.failedConcurrentRuns++;
  }
  return [...pairs.values()].sort((x, y) => x.tools[0].localeCompare(y.tools[0]) || x.tools[1].localeCompare(y.tools[1]));
}

function learnShapes(runs: readonly RunRecord[], o: LearnOptions): Map<string, ShapeStability> {
  const byShape = new Map<string, Array<{ first: number; last: number; hashes: Set<string> }>>();
  for (const run of runs) {
    const seen = new Map<string, { first: number; last: number; hashes: Set<string> }>();
    for (const c of run.calls) {
      if (c.kind !== 'llm' || c.shape === null) continue;
      let s = seen.get(c.shape);
      if (!s) seen.set(c.shape, (s = { first: c.startMs, last: c.startMs, hashes: new Set() }));
      s.first = Math.min(s.first, c.startMs);
      s.last = Math.max(s.last, c.startMs);
      for (const h of c.prefix) s.hashes.add(h);
    }
    for (const [shape, s] of seen) {
      let list = byShape.get(shape);
      if (!list) byShape.set(shape, (list = []));
      list.push(s);
    }
  }
  const out = new Map<string, ShapeStability>();
  for (const [shape, list] of byShape) {
    const support = new Map<string, number>();
    for (const s of list) for (const h of s.hashes) support.set(h, (support.get(h) ?? 0) + 1);
    list.sort((a, b) => a.first - b.first);
    let lastUse = -Infinity;
    let gaps = 0;
    let within = 0;
    for (const s of list) {
      if (lastUse !== -Infinity) {
        gaps++;
        if (s.first - lastUse <= o.ttlMs) within++;
      }
      lastUse = Math.max(lastUse, s.last);
    }
    out.set(shape, { shape, runs: list.length, support, ttlReuse: gaps === 0 ? 1 : within / gaps });
  }
  return out;
}

/** Derives what the runs of one agent teach (only the enabled learners run). */
export function learn(agentId: string, version: number, runs: readonly RunRecord[], o: LearnOptions): AgentModel {
  const p = o.learners.has('call_stats') ? learnPositions(runs, o) : { positions: [], overall: toStats(0, emptySamples()) };
  return {
    agentId,
    version,
    runs: runs.length,
    maxPositions: o.maxPositions,
    positions: p.positions,
    overall: p.overall,
    toolPairs: o.learners.has('tool_concurrency') ? learnTools(runs) : [],
    shapes: o.learners.has('prefix_stability') ? learnShapes(runs, o) : new Map(),
  };
}

/** Predictions for the call at `position` of a run of this agent. */
export interface CallPrediction {
  position: number;
  /** `position`: from calls at that position; `agent`: no call was seen there, agent-wide figures. */
  basis: 'position' | 'agent';
  /** Runs the figures come from. */
  samples: number;
  /** Median output tokens. */
  outputTokens: number | undefined;
  /** Median time from the end of this call to the start of the next (ms). */
  timeToNextMs: number | undefined;
  /** Mean LLM calls left after this one. */
  remainingCalls: number | undefined;
  /** Share of runs with another call after this position. */
  continueProbability: number | undefined;
  /** Share of runs whose next call came within the cache lifetime. */
  continueWithinTtlProbability: number | undefined;
}

export function predictCall(model: AgentModel, position: number): CallPrediction | undefined {
  const n = model.positions.length;
  // A position beyond those seen falls back to agent-wide figures, unless it is in the overflow bucket.
  const at = position <= n ? model.positions[position - 1] : n === model.maxPositions && n > 0 ? model.positions[n - 1] : undefined;
  const s = at && at.runs > 0 ? at : model.overall.runs > 0 ? model.overall : undefined;
  if (!s) return undefined;
  return {
    position,
    basis: s === at ? 'position' : 'agent',
    samples: s.runs,
    outputTokens: s.outputTokens?.p50,
    timeToNextMs: s.timeToNextMs?.p50,
    remainingCalls: s.remainingCalls?.mean,
    continueProbability: s.continued / s.runs,
    continueWithinTtlProbability: s.continuedWithinTtl / s.runs,
  };
}

/** Guidance about running tools concurrently. Observe-only: nothing is scheduled. */
export interface ToolParallelismGuidance {
  agentId: string;
  runs: number;
  /** Pairs seen overlapping in at least `minObservations` runs and never failing while overlapping. */
  safePairs: Array<[string, string]>;
  /** Largest sets of tools that were pairwise seen running together without failure. */
  groups: string[][];
  /** Every pair observed. */
  pairs: ToolPairStats[];
}

export function toolGuidance(model: AgentModel, minObservations: number): ToolParallelismGuidance {
  const safe = model.toolPairs.filter((p) => p.concurrentRuns >= minObservations && p.failedConcurrentRuns === 0);
  const adj = new Map<string, Set<string>>();
  for (const p of safe) {
    const [a, b] = p.tools;
    if (a === b) continue;
    (adj.get(a) ?? adj.set(a, new Set()).get(a)!).add(b);
    (adj.get(b) ?? adj.set(b, new Set()).get(b)!).add(a);
  }
  const groups: string[][] = [];
  // Maximal cliques (Bron–Kerbosch); graphs here are small (tool names of one agent).
  const grow = (r: string[], p: string[], x: string[]): void => {
    if (groups.length >= 64) return;
    if (p.length === 0 && x.length === 0) {
      if (r.length > 1) groups.push([...r].sort());
      return;
    }
    for (const v of [...p]) {
      const nv = adj.get(v)!;
      grow(
        [...r, v],
        p.filter((u) => nv.has(u)),
        x.filter((u) => nv.has(u)),
      );
      p = p.filter((u) => u !== v);
      x = [...x, v];
    }
  };
  grow([], [...adj.keys()].sort(), []);
  groups.sort((a, b) => b.length - a.length || (a.join() < b.join() ? -1 : 1));
  return { agentId: model.agentId, runs: model.runs, safePairs: safe.map((p) => p.tools), groups, pairs: model.toolPairs };
}
