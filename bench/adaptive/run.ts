/**
 * The adaptive benchmark: replays the recorded workload (bench/adaptive/workload/) and reports,
 * for the same Anthropic-shaped requests, the share of input tokens served from cache and the
 * simulated input cost of (a) no caching, (b) caching only the system prompt, (c) the reference
 * package's adaptive cache governor, (d) ours; the prompt_cache_key our governor gives the
 * OpenAI-shaped requests; the router hints' output-length prediction error per call position; and
 * the fleet lines: 8 processes sharing one Redis store vs 8 with isolated in-memory stores, against
 * one shared provider cache (fleet.ts; starts its own redis-server on a free 127.0.0.1 port).
 *
 * node --import tsx bench/adaptive/run.ts [--write]   (--write updates docs/adaptive.md)
 */
import { execFileSync } from 'node:child_process';
import { canonicalJson } from '../../packages/adaptive/src/hash.js';
import { freePort, RedisServer } from '../../test/support/redis-server.js';
import { replayFleet, type FleetResult } from './fleet.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnthropicCacheSimulator, anthropicLayout, type AdaptiveOptions } from '@nemo-flow/adaptive';
import { minCacheableTokens } from '@nemo-flow/runtime/models';
import { loadWorkload, requestOf, sameContent, type Workload } from './workload.js';
import { replayOurs, type OurCall } from './replay-ours.js';
import { generate } from './generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

interface Line {
  name: string;
  what: string;
  inputTokens: number;
  readTokens: number;
  writeTokens: number;
  cost: number;
  maxBreakpoints: number;
  /** Requests whose prompt reached the provider unchanged (annotations aside). */
  kept: number;
  calls: number;
  note?: string;
}

type Row = { total: number; read: number; write: number; cost: number; breakpoints: number; kept: boolean };

function line(name: string, what: string, rows: Row[], note?: string): Line {
  const sum = (k: 'total' | 'read' | 'write' | 'cost') => rows.reduce((n, r) => n + r[k], 0);
  return {
    name,
    what,
    inputTokens: sum('total'),
    readTokens: sum('read'),
    writeTokens: sum('write'),
    cost: sum('cost'),
    maxBreakpoints: Math.max(0, ...rows.map((r) => r.breakpoints)),
    kept: rows.filter((r) => r.kept).length,
    calls: rows.length,
    note,
  };
}

/** Replays the Anthropic workload with a static transform of each request. */
function staticLine(w: Workload, name: string, what: string, transform: (c: Record<string, unknown>) => Record<string, unknown>): Line {
  const sim = new AnthropicCacheSimulator();
  const calls = w.runs.flatMap((run) =>
    run.calls.map((c, i) => ({ at: c.start_ms, original: requestOf(w, run, i), content: transform(requestOf(w, run, i)) })),
  );
  calls.sort((a, b) => a.at - b.at);
  return line(
    name,
    what,
    calls.map((c) => {
      const u = sim.process(c.content, c.at);
      return {
        total: u.total_input_tokens,
        read: u.cache_read_input_tokens,
        write: u.cache_creation_input_tokens,
        cost: u.cost,
        breakpoints: u.breakpoints,
        kept: sameContent(c.original, c.content),
      };
    }),
  );
}

/** Marks the last system block: the classic "cache the system prompt" setup. */
function systemOnly(c: Record<string, unknown>): Record<string, unknown> {
  const sys = c.system;
  const blocks = typeof sys === 'string' ? [{ type: 'text', text: sys }] : [...(sys as Array<Record<string, unknown>>)];
  blocks[blocks.length - 1] = { ...blocks[blocks.length - 1], cache_control: { type: 'ephemeral' } };
  return { ...c, system: blocks };
}

interface ReferenceOut {
  ok: boolean;
  error?: string;
  version?: string;
  lossyRoundTrips?: number;
  calls: Array<{
    run: string;
    index: number;
    usage: Record<string, number>;
    breakpoints: number;
    cost: number;
    contentKept: boolean;
    total: number;
    prompt_cache_key: string | null;
  }>;
}

/** Runs the reference worker on a workload file; a failure to drive it is returned as the reason. */
function runReference(path: string): ReferenceOut | string {
  let out: ReferenceOut;
  try {
    const text = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'reference-worker.ts'), path], {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
      timeout: 600_000,
      encoding: 'utf8',
    });
    out = JSON.parse(text) as ReferenceOut;
  } catch (err) {
    return (err as Error).message.split('\n')[0]!;
  }
  if (!out.ok || out.calls.length === 0 || out.calls.some((c) => !Number.isFinite(c.cost))) return out.error ?? 'no calls recorded';
  return out;
}

function referenceLine(out: ReferenceOut | string): Line {
  const what = `nemo-flow-node ${typeof out === 'string' ? '' : out.version}, \`nemo-flow-node/adaptive\` acg provider "anthropic"`;
  if (typeof out === 'string') return { ...line('(c) reference', what, []), note: `not measurable: ${out}` };
  return line(
    '(c) reference',
    what,
    out.calls.map((c) => ({
      total: c.total,
      read: c.usage.cache_read_input_tokens ?? 0,
      write: c.usage.cache_creation_input_tokens ?? 0,
      cost: c.cost,
      breakpoints: c.breakpoints,
      kept: c.contentKept,
    })),
  );
}

interface Mape {
  position: string;
  calls: number;
  predicted: number;
  mape: number;
  mapeAgentWide: number;
}

function mapeByPosition(calls: OurCall[]): Mape[] {
  const buckets = new Map<string, OurCall[]>();
  for (const c of calls) {
    const k = c.index + 1 >= 8 ? '8+' : String(c.index + 1);
    (buckets.get(k) ?? buckets.set(k, []).get(k)!).push(c);
  }
  const all = [...buckets.entries()].sort((a, b) => (a[0] === '8+' ? 1 : b[0] === '8+' ? -1 : Number(a[0]) - Number(b[0])));
  all.push(['all', calls]);
  return all.map(([position, cs]) => {
    const withPred = cs.filter((c) => c.predicted !== undefined && c.predictedAgentWide !== undefined);
    const err = (p: number, a: number) => Math.abs(p - a) / a;
    const avg = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((n, x) => n + x, 0) / xs.length);
    return {
      position,
      calls: cs.length,
      predicted: withPred.length,
      mape: avg(withPred.map((c) => err(c.predicted!, c.actual))),
      mapeAgentWide: avg(withPred.map((c) => err(c.predictedAgentWide!, c.actual))),
    };
  });
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function table(lines: Line[], none: number): string {
  const rows = lines.map((l) =>
    l.note
      ? `| ${l.name} | ${l.what} | ${l.note} | | | | | |`
      : `| ${l.name} | ${l.what} | ${pct(l.readTokens / l.inputTokens)} | ${int(l.writeTokens)} | ${int(l.cost)} | ${pct(l.cost / none)} | ${l.maxBreakpoints} | ${l.kept}/${l.calls} |`,
  );
  return [
    '| line | setup | input tokens served from cache | cache writes (tokens) | simulated input cost (token units) | cost vs no caching | max breakpoints | prompts unchanged |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

async function main(): Promise<void> {
  const anthropicPath = join(here, 'workload', 'anthropic.json');
  const openaiPath = join(here, 'workload', 'openai.json');
  const w = loadWorkload(anthropicPath);
  const calls = w.runs.reduce((n, r) => n + r.calls.length, 0);
  // The committed workload must be what the seeded generator produces.
  const regenerated = generate(w.seed);
  const reproducible =
    JSON.stringify(regenerated.anthropic) === JSON.stringify(w) && JSON.stringify(regenerated.openai) === JSON.stringify(loadWorkload(openaiPath));

  const none = staticLine(w, '(a) no caching', 'requests as recorded', (c) => c);
  const sys = staticLine(w, '(b) system prompt only', '`cache_control` on the last system block', systemOnly);
  const refOut = runReference(anthropicPath);
  const ref = referenceLine(refOut);
  const replay = async (options: AdaptiveOptions) => replayOurs(w, simulatedBill(), options);
  const rowsOf = (calls: OurCall[]): Row[] =>
    calls.map((c) => ({
      total: c.usage.total!,
      read: c.usage.cache_read_input_tokens!,
      write: c.usage.cache_creation_input_tokens!,
      cost: c.usage.cost!,
      breakpoints: c.usage.breakpoints!,
      kept: sameContent(c.original, c.content),
    }));
  const ours = await replay({});
  const oursLine = line('(d) ours', 'adaptive component, default settings', rowsOf(ours.calls));
  const unlearned = await replay({ learners: [] });
  const unlearnedLine = line(
    '(d0) ours, nothing learned',
    'same, learners off: structural defaults only (ends of tools and system, conversation tail)',
    rowsOf(unlearned.calls),
  );
  const lines = [none, sys, ref, oursLine];
  const fleet = await measureFleet(w, anthropicPath, ours.calls);

  // Our own telemetry reads the simulated usage back: it must agree with the simulator.
  const report = ours.adaptive.cacheReport().total;

  // OpenAI: the prompt_cache_key our governor derives.
  const wo = loadWorkload(openaiPath);
  const openai = await replayOurs(wo, (_content, _at, run, i) => ({ prompt_tokens: 0, completion_tokens: run.calls[i]!.output_tokens }));
  const keys = new Map<string, Map<string, number>>();
  for (const c of openai.calls) {
    const k = String(c.content.prompt_cache_key ?? '(none)');
    const m = keys.get(c.agent) ?? keys.set(c.agent, new Map()).get(c.agent)!;
    m.set(k, (m.get(k) ?? 0) + 1);
  }

  const mape = mapeByPosition(ours.calls);
  const perAgent = [...new Set(ours.calls.map((c) => c.agent))].map((agent) => {
    const cs = ours.calls.filter((c) => c.agent === agent);
    const base = cs.reduce((n, c) => n + anthropicLayout(c.content).totalTokens, 0);
    return { agent, model: w.agents[agent]!.model, calls: cs.length, base };
  });

  const targetHalf = oursLine.cost <= none.cost / 2;
  const belowOthers = lines.filter((l) => l !== oursLine && !l.note).every((l) => oursLine.cost < l.cost);
  const out: string[] = [];
  out.push(
    `Workload: ${w.runs.length} recorded agent runs, ${calls} LLM calls, ${int(none.inputTokens)} input tokens (chars/4), seed ${w.seed}` +
      ` (${reproducible ? 'the committed JSON is what the generator produces' : 'WARNING: the committed JSON differs from the generator output'}).`,
  );
  out.push('');
  out.push(table([...lines, unlearnedLine, ...fleet.lines], none.cost));
  out.push('');
  out.push(
    `Targets: ours at most half the no-cache cost: ${targetHalf ? 'met' : 'NOT met'} (${pct(oursLine.cost / none.cost)}); below every other line: ${belowOthers ? 'met' : 'NOT met'}.`,
  );
  out.push('');
  out.push(...fleetReport(fleet, oursLine, ours.calls, w));
  if (typeof refOut !== 'string') {
    out.push(
      `Reference: its own Anthropic codec round trip (decode → encode) would have dropped conversation messages from ${refOut.lossyRoundTrips ?? 0} of ${refOut.calls.length} requests; ` +
        'the worker bypasses its encoder so the line bills the real prompts (see the method).',
    );
  }
  out.push(
    `Our cache telemetry over the same run (from the usage fields): hit ratio ${pct(report.hitRatio)}, ${int(report.cacheReadTokens)} cache-read tokens, estimated savings ${int(report.savedTokens)} token units (${pct(report.savedRatio)}).`,
  );
  out.push('');
  out.push('Per agent (ours):');
  out.push('');
  out.push('| agent | model | calls | min cacheable | served from cache |');
  out.push('|---|---|---|---|---|');
  for (const a of perAgent) {
    const r = ours.adaptive.cacheReport(a.agent).agents[0]!;
    out.push(`| ${a.agent} | ${a.model} | ${a.calls} | ${minCacheableTokens(a.model)} | ${pct(r.hitRatio)} |`);
  }
  out.push('');
  const refOpenAI = runReference(openaiPath);
  const refKeys = (agent: string): string => {
    if (typeof refOpenAI === 'string') return `not measurable: ${refOpenAI}`;
    const ids = new Set(wo.runs.filter((r) => r.agent === agent).map((r) => r.id));
    const mine = refOpenAI.calls.filter((c) => ids.has(c.run));
    return `${mine.filter((c) => c.prompt_cache_key !== null).length} of ${mine.length}`;
  };
  out.push('OpenAI-shaped requests (same runs): the `prompt_cache_key` our governor sets, and how many requests the reference gives one:');
  out.push('');
  out.push('| agent | requests | distinct keys (ours) | requests with the most common key (ours) | requests with a key (reference) |');
  out.push('|---|---|---|---|---|');
  for (const [agent, m] of keys) {
    const n = [...m.values()].reduce((a, b) => a + b, 0);
    out.push(`| ${agent} | ${n} | ${m.size} | ${pct(Math.max(...m.values()) / n)} | ${refKeys(agent)} |`);
  }
  out.push('');
  out.push('Router hints, output-length prediction (`osl`) per call position: mean absolute percentage error of the');
  out.push('prediction made before each call from the runs finished so far (by position, as sent), next to the');
  out.push('agent-wide mean (what a process-wide call counter amounts to), over the same calls:');
  out.push('');
  out.push('| position | calls | predicted | MAPE by position | MAPE agent-wide mean |');
  out.push('|---|---|---|---|---|');
  for (const m of mape) out.push(`| ${m.position} | ${m.calls} | ${m.predicted} | ${pct(m.mape)} | ${pct(m.mapeAgentWide)} |`);
  const text = out.join('\n');
  console.log(text);

  if (process.argv.includes('--write')) {
    const doc = join(root, 'docs', 'adaptive.md');
    const current = readFileSync(doc, 'utf8');
    const start = '<!-- bench:adaptive:start -->';
    const end = '<!-- bench:adaptive:end -->';
    const i = current.indexOf(start);
    const j = current.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${doc} has no ${start} … ${end} section`);
    writeFileSync(doc, current.slice(0, i + start.length) + '\n' + text + '\n' + current.slice(j));
    console.log(`\nupdated ${doc}`);
  }
  if (!targetHalf || !belowOthers || !reproducible || !fleet.met) process.exitCode = 1;
}

/** Bills with a fresh simulator, in the usage fields the replay records. */
function simulatedBill(sim = new AnthropicCacheSimulator()): (content: unknown, atMs: number) => Record<string, number> {
  return (content, at) => {
    const u = sim.process(content, at);
    return {
      input_tokens: u.input_tokens,
      cache_read_input_tokens: u.cache_read_input_tokens,
      cache_creation_input_tokens: u.cache_creation_input_tokens,
      cost: u.cost,
      total: u.total_input_tokens,
      breakpoints: u.breakpoints,
    };
  };
}

const FLEET = 8;
const FLEET_TOLERANCE = 0.05;

interface Fleet {
  lines: Line[];
  shared?: FleetResult;
  isolated?: FleetResult;
  /** Both fleet targets met. */
  met: boolean;
}

/**
 * The fleet lines: the same workload dealt round-robin to 8 processes, billed against one provider
 * cache, once sharing a Redis store (a redis-server started here on a free port) and once with
 * isolated in-memory stores.
 */
async function measureFleet(w: Workload, path: string, single: OurCall[]): Promise<Fleet> {
  const sharedWhat = `${FLEET} processes, runs dealt round-robin, one Redis store (\`@nemo-flow/adaptive/redis\`), one provider cache`;
  const isolatedWhat = `${FLEET} processes, same runs, each its own in-memory store, same provider cache`;
  const rows = (r: FleetResult): Row[] =>
    r.calls.map((c) => ({
      total: c.usage.total!,
      read: c.usage.cache_read_input_tokens!,
      write: c.usage.cache_creation_input_tokens!,
      cost: c.usage.cost!,
      breakpoints: c.usage.breakpoints!,
      kept: sameContent(requestOf(w, w.runs[c.run]!, c.call), c.content),
    }));
  let server: RedisServer | undefined;
  try {
    execFileSync('bash', [join(root, 'test', 'support', 'ensure-redis.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
    server = await new RedisServer(await freePort()).start();
    const shared = await replayFleet({ workload: path, workers: FLEET, bill: simulatedBill(), redis: { url: server.url, keyPrefix: 'bench-fleet:' } });
    const isolated = await replayFleet({ workload: path, workers: FLEET, bill: simulatedBill() });
    const singleCost = single.reduce((n, c) => n + c.usage.cost!, 0);
    const within = (r: FleetResult) => r.calls.reduce((n, c) => n + c.usage.cost!, 0) <= singleCost * (1 + FLEET_TOLERANCE);
    return {
      lines: [line('(e) fleet, shared store', sharedWhat, rows(shared)), line('(f) fleet, isolated stores', isolatedWhat, rows(isolated))],
      shared,
      isolated,
      met: shared.calls.length === single.length && within(shared) && !within(isolated),
    };
  } catch (err) {
    const note = `not measurable: ${(err as Error).message.split('\n')[0]}`;
    return {
      lines: [
        { ...line('(e) fleet, shared store', sharedWhat, []), note },
        { ...line('(f) fleet, isolated stores', isolatedWhat, []), note },
      ],
      met: false,
    };
  } finally {
    await server?.stop();
  }
}

function fleetReport(fleet: Fleet, single: Line, singleCalls: OurCall[], w: Workload): string[] {
  const { shared, isolated } = fleet;
  if (!shared || !isolated) return [`Fleet: ${fleet.lines[0]!.note ?? 'not measured'}. Target NOT met.`];
  const [e, f] = fleet.lines as [Line, Line];
  const vs = (l: Line) => `${int(l.cost)} (${l.cost >= single.cost ? '+' : ''}${pct(l.cost / single.cost - 1)})`;
  // Same request, annotations included, as the single process sent it.
  const asSent = new Map(singleCalls.map((c) => [`${c.run}#${c.index}`, canonicalJson(c.content)]));
  const same = (r: FleetResult) => r.calls.filter((c) => asSent.get(`${w.runs[c.run]!.id}#${c.call}`) === canonicalJson(c.content)).length;
  const held = (r: FleetResult) => {
    const n = r.runs.map((x) => Object.values(x).reduce((a, b) => a + b, 0));
    return Math.min(...n) === Math.max(...n) ? `${n[0]}` : `${Math.min(...n)}–${Math.max(...n)}`;
  };
  const sharedOk = e.cost <= single.cost * (1 + FLEET_TOLERANCE);
  const isolatedOk = f.cost > single.cost * (1 + FLEET_TOLERANCE);
  const out = [
    `Fleet (${FLEET} processes, one provider cache), input cost against the single process (d), ${int(single.cost)}:`,
    '',
    '| fleet | simulated input cost (token units) | requests annotated exactly as by the single process | runs each process learned from at the end |',
    '|---|---|---|---|',
    `| (e) one shared Redis store | ${vs(e)} | ${same(shared)}/${shared.calls.length} | ${held(shared)} of ${w.runs.length} |`,
    `| (f) isolated in-memory stores | ${vs(f)} | ${same(isolated)}/${isolated.calls.length} | ${held(isolated)} of ${w.runs.length} |`,
    '',
    '| agent | single process (d) | shared store (e) | isolated stores (f) |',
    '|---|---|---|---|',
  ];
  const byAgent = (calls: Array<{ agent: string; cost: number }>, agent: string) => calls.filter((c) => c.agent === agent).reduce((n, c) => n + c.cost, 0);
  const flat = (r: FleetResult) => r.calls.map((c) => ({ agent: w.runs[c.run]!.agent, cost: c.usage.cost! }));
  const singleFlat = singleCalls.map((c) => ({ agent: c.agent, cost: c.usage.cost! }));
  for (const agent of Object.keys(w.agents)) {
    const s = byAgent(singleFlat, agent);
    const rel = (x: number) => `${int(x)} (${x >= s ? '+' : ''}${pct(x / s - 1)})`;
    out.push(`| ${agent} | ${int(s)} | ${rel(byAgent(flat(shared), agent))} | ${rel(byAgent(flat(isolated), agent))} |`);
  }
  out.push('');
  out.push(
    `Targets: shared fleet within ${pct(FLEET_TOLERANCE)} of the single-process cost: ${sharedOk ? 'met' : 'NOT met'}; ` +
      `isolated fleet not within it: ${isolatedOk ? 'met' : 'NOT met'}.`,
  );
  return out;
}

await main();
