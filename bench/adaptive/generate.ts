/**
 * Generates the adaptive benchmark's workload, deterministically from a seed:
 * `node --import tsx bench/adaptive/generate.ts` writes workload/anthropic.json and
 * workload/openai.json (the same runs in both providers' formats).
 *
 * Three agents with the shapes that matter for prompt caching:
 * - support  (claude-sonnet-4-5-20250929): a long fixed system prompt and 8 tools; 3–7 calls a run.
 * - research (claude-3-5-sonnet-20241022): 12 tools, a fixed policy plus a per-run session block
 *   at the end of system (so system varies across runs while tools do not), parallel tool calls
 *   with large results; 4–9 calls a run.
 * - coder    (claude-haiku-4-5-20251001, 4096-token minimum): a short system prompt and tools
 *   (below the minimum on their own) followed by fixed few-shot examples; 2–5 calls a run.
 * Runs of one agent follow each other with mostly short gaps and some longer than the cache
 * lifetime; the agents run concurrently. Output length depends on the call's role in the run
 * (plan, tool step, final answer). Token counts are chars/4 estimates.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentSpec, RecordedCall, RecordedRun, RecordedTool, Workload } from './workload.js';

export const SEED = 20260105;
const RUNS_PER_AGENT = 24;
const BASE_MS = Date.UTC(2026, 0, 5, 9, 0, 0);

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the agent must verify each claim against the source before answering and cite the document id ' +
  'customer order refund policy shipping warranty invoice account region latency error retry budget ' +
  'search fetch page summary table figure result query filter index cluster node service deploy config ' +
  'function class module test coverage build lint format commit branch review merge release version ' +
  'always never only when unless after before during because therefore however otherwise instead ' +
  'careful precise brief complete structured relevant recent official internal external primary'
).split(' ');

class Gen {
  readonly rnd: () => number;
  constructor(seed: number) {
    this.rnd = prng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
  /** Text of about `tokens` estimated tokens. */
  text(tokens: number): string {
    const out: string[] = [];
    let len = 0;
    while (len < tokens * 4) {
      const n = this.int(6, 16);
      const s: string[] = [];
      for (let i = 0; i < n; i++) s.push(this.pick(WORDS));
      const sentence = s.join(' ').replace(/^./, (c) => c.toUpperCase()) + '.';
      out.push(sentence);
      len += sentence.length + 1;
    }
    return out.join(' ').slice(0, tokens * 4);
  }
  /** Exponential with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.rnd()) * mean;
  }
}

interface AgentPlan {
  name: string;
  model: string;
  systemTokens: number;
  session: boolean;
  tools: Array<{ name: string; tokens: number }>;
  fewShotTokens: number[];
  calls: [number, number];
  parallel: [number, number];
  resultTokens: [number, number];
}

const PLANS: AgentPlan[] = [
  {
    name: 'support',
    model: 'claude-sonnet-4-5-20250929',
    systemTokens: 3600,
    session: false,
    tools: ['lookup_order', 'refund', 'shipping_status', 'update_address', 'search_kb', 'escalate', 'send_email', 'apply_coupon'].map((name) => ({
      name,
      tokens: 220,
    })),
    fewShotTokens: [],
    calls: [3, 7],
    parallel: [1, 1],
    resultTokens: [150, 500],
  },
  {
    name: 'research',
    model: 'claude-3-5-sonnet-20241022',
    systemTokens: 2400,
    session: true,
    tools: [
      'web_search',
      'fetch_page',
      'read_pdf',
      'extract_table',
      'summarize',
      'cite',
      'compare',
      'timeline',
      'translate',
      'calculator',
      'chart',
      'notes',
    ].map((name) => ({ name, tokens: 260 })),
    fewShotTokens: [],
    calls: [4, 9],
    parallel: [2, 3],
    resultTokens: [300, 1100],
  },
  {
    name: 'coder',
    model: 'claude-haiku-4-5-20251001',
    systemTokens: 1200,
    session: false,
    tools: ['read_file', 'write_file', 'run_tests', 'grep'].map((name) => ({ name, tokens: 220 })),
    fewShotTokens: [700, 600, 700, 600],
    calls: [2, 5],
    parallel: [1, 2],
    resultTokens: [200, 700],
  },
];

/** A neutral conversation entry, rendered per provider. */
type Turn =
  | { kind: 'user'; text: string }
  | { kind: 'assistant'; text: string; calls: Array<{ id: string; name: string; input: Record<string, unknown> }> }
  | { kind: 'results'; results: Array<{ id: string; text: string }> };

function renderAnthropic(t: Turn): unknown[] {
  switch (t.kind) {
    case 'user':
      return [{ role: 'user', content: t.text }];
    case 'assistant':
      return [
        {
          role: 'assistant',
          content: [...(t.text ? [{ type: 'text', text: t.text }] : []), ...t.calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.input }))],
        },
      ];
    case 'results':
      return [{ role: 'user', content: t.results.map((r) => ({ type: 'tool_result', tool_use_id: r.id, content: r.text })) }];
  }
}

function renderOpenAI(t: Turn): unknown[] {
  switch (t.kind) {
    case 'user':
      return [{ role: 'user', content: t.text }];
    case 'assistant':
      return [
        {
          role: 'assistant',
          content: t.text || null,
          tool_calls: t.calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } })),
        },
      ];
    case 'results':
      return t.results.map((r) => ({ role: 'tool', tool_call_id: r.id, content: r.text }));
  }
}

/** Output tokens by the call's role: planning first, short tool steps, a long final answer. */
function outputTokens(g: Gen, first: boolean, last: boolean): number {
  if (last) return g.int(450, 1100);
  if (first) return g.int(180, 380);
  return g.int(50, 150);
}

interface NeutralRun {
  id: string;
  agent: string;
  start: number;
  end: number;
  session: string | null;
  turns: Turn[];
  /** Per call: start, end, turns carried, output tokens, stop. */
  calls: Array<{ start: number; end: number; turns: number; output: number; stop: 'tool_use' | 'end_turn' }>;
  tools: RecordedTool[];
}

function generateRuns(g: Gen, plan: AgentPlan): NeutralRun[] {
  const runs: NeutralRun[] = [];
  let t = BASE_MS + g.int(0, 120_000);
  for (let r = 0; r < RUNS_PER_AGENT; r++) {
    const id = `${plan.name}-${String(r + 1).padStart(2, '0')}`;
    const start = t;
    const session = plan.session
      ? `Session ${g.int(1000, 9999)} for user ${g.pick(['ann', 'bo', 'chen', 'dara', 'eli'])} on ${new Date(start).toISOString()}. ${g.text(120)}`
      : null;
    const turns: Turn[] = [{ kind: 'user', text: `Request ${id}: ${g.text(g.int(40, 160))}` }];
    const n = g.int(plan.calls[0], plan.calls[1]);
    const calls: NeutralRun['calls'] = [];
    const tools: RecordedTool[] = [];
    let now = start + g.int(50, 400);
    for (let k = 0; k < n; k++) {
      const last = k === n - 1;
      const output = outputTokens(g, k === 0, last);
      const dur = 600 + output * g.int(15, 25);
      calls.push({ start: now, end: now + dur, turns: turns.length, output, stop: last ? 'end_turn' : 'tool_use' });
      now += dur;
      if (last) break;
      const width = g.int(plan.parallel[0], plan.parallel[1]);
      const chosen = Array.from({ length: width }, (_, j) => ({ id: `${id}-t${k}-${j}`, name: g.pick(plan.tools).name, input: { query: g.text(8) } }));
      turns.push({ kind: 'assistant', text: g.rnd() < 0.6 ? g.text(Math.max(10, output - 40)) : '', calls: chosen });
      // Tools of one step run concurrently; now and then one is slow (beyond the cache lifetime).
      let stepEnd = now;
      const results: Array<{ id: string; text: string }> = [];
      for (const c of chosen) {
        const slow = g.rnd() < 0.04;
        const d = slow ? g.int(330_000, 420_000) : g.int(300, 9_000);
        const s = now + g.int(5, 60);
        tools.push({ name: c.name, id: c.id, start_ms: s, end_ms: s + d, ok: g.rnd() > 0.03 });
        stepEnd = Math.max(stepEnd, s + d);
        results.push({ id: c.id, text: g.text(g.int(plan.resultTokens[0], plan.resultTokens[1])) });
      }
      turns.push({ kind: 'results', results });
      now = stepEnd + g.int(20, 200);
    }
    const end = now + g.int(10, 100);
    runs.push({ id, agent: plan.name, start, end, session, turns, calls, tools });
    // Mostly back-to-back traffic; one gap in five outlives the 5-minute cache.
    t = end + (g.rnd() < 0.2 ? g.int(8 * 60_000, 30 * 60_000) : Math.round(g.exp(100_000)));
  }
  return runs;
}

function render(provider: 'anthropic' | 'openai', specs: Record<string, AgentSpec>, runs: NeutralRun[], fewShots: Map<string, Turn[]>): Workload {
  const r = provider === 'anthropic' ? renderAnthropic : renderOpenAI;
  const out: RecordedRun[] = runs.map((run) => {
    // Message index where each turn starts, in this provider's rendering.
    const offsets: number[] = [];
    const messages: unknown[] = [];
    for (const t of run.turns) {
      offsets.push(messages.length);
      messages.push(...r(t));
    }
    offsets.push(messages.length);
    const calls: RecordedCall[] = run.calls.map((c) => ({
      start_ms: c.start,
      end_ms: c.end,
      messages: offsets[c.turns]!,
      output_tokens: c.output,
      stop: c.stop,
    }));
    return { id: run.id, agent: run.agent, start_ms: run.start, end_ms: run.end, session: run.session, messages, calls, tools: run.tools };
  });
  const agents: Record<string, AgentSpec> = {};
  for (const [name, spec] of Object.entries(specs)) agents[name] = { ...spec, preamble: (fewShots.get(name) ?? []).flatMap(r) };
  out.sort((a, b) => a.start_ms - b.start_ms);
  return { format: 'nemo-flow.adaptive-workload', version: 1, provider, seed: SEED, token_estimate: 'chars/4', agents, runs: out };
}

export function generate(seed = SEED): { anthropic: Workload; openai: Workload } {
  const g = new Gen(seed);
  const specs: Record<string, { anthropic: AgentSpec; openai: AgentSpec }> = {};
  const fewShots = new Map<string, Turn[]>();
  const runs: NeutralRun[] = [];
  for (const plan of PLANS) {
    const system = `You are the ${plan.name} agent. ${g.text(plan.systemTokens)}`;
    const toolDefs = plan.tools.map((t) => ({
      name: t.name,
      description: g.text(t.tokens - 30),
      schema: { type: 'object', properties: { query: { type: 'string', description: g.text(12) } }, required: ['query'] },
    }));
    const anthropicTools = toolDefs.map((t) => ({ name: t.name, description: t.description, input_schema: t.schema }));
    const openaiTools = toolDefs.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.schema } }));
    const shots: Turn[] = plan.fewShotTokens.map((n, i) =>
      i % 2 === 0 ? { kind: 'user', text: `Example task: ${g.text(n)}` } : { kind: 'assistant', text: `Example solution: ${g.text(n)}`, calls: [] },
    );
    fewShots.set(plan.name, shots);
    const base = { model: plan.model, system, session_system: plan.session, preamble: [] as unknown[] };
    specs[plan.name] = { anthropic: { ...base, tools: anthropicTools }, openai: { ...base, model: OPENAI_MODELS[plan.name]!, tools: openaiTools } };
    runs.push(...generateRuns(g, plan));
  }
  const pick = (k: 'anthropic' | 'openai') => Object.fromEntries(Object.entries(specs).map(([n, s]) => [n, s[k]]));
  return { anthropic: render('anthropic', pick('anthropic'), runs, fewShots), openai: render('openai', pick('openai'), runs, fewShots) };
}

/** The OpenAI-shaped rendering uses OpenAI model names. */
const OPENAI_MODELS: Record<string, string> = { support: 'gpt-4.1', research: 'gpt-4.1', coder: 'gpt-4.1-mini' };

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'workload');
  const w = generate();
  for (const p of ['anthropic', 'openai'] as const) {
    const path = join(dir, `${p}.json`);
    writeFileSync(path, JSON.stringify(w[p]) + '\n');
    const calls = w[p].runs.reduce((n, r) => n + r.calls.length, 0);
    console.log(`${path}: ${w[p].runs.length} runs, ${calls} calls`);
  }
}
