/**
 * `npm run bench`: our runtime side by side with `nemo-flow-node` (in a child process) and plain
 * OpenTelemetry spans, in one run. Prints medians (ns/op) and ratios; `--write` also updates
 * docs/benchmarks.md. `--quick` uses fewer operations (a smoke run); `--only=a,b` runs the named workloads (`atif` for the ATIF
 * export, `pii` for PII redaction, `openai_sdk` for instrumented OpenAI SDK calls against a loopback server, `anthropic_sdk` for
 * instrumented Anthropic SDK calls).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as rt from '@nemo-flow/runtime';
import { measure, measurePair, payload, chatRequest, chatResponse, type Around } from './measure.js';
import { floorTracer, trace, context } from './otel-floor.js';
import { extraWorkloads } from './exporters.js';
import { atifTurn } from './atif-workload.js';
import { runOpenAiSdk, sdkTable } from './openai-sdk.js';
import { geminiWorkloads } from './gemini-sdk.js';
import { runPii } from './pii.js';
import { typedWorkloads } from './typed.js';
import { anthropicWorkload } from './anthropic.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
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
  {
    name: 'tool_sync',
    what: 'managed sync tool call, 1 subscriber',
    ops: ops(50_000),
    target: 2,
    ours: async (n) => {
      for (let i = 0; i < n; i++) await rt.toolCallExecute('t', { a: i }, (a) => a);
    },
    otel: async (n) => {
      const fn = (a: unknown): unknown => a;
      for (let i = 0; i < n; i++) {
        const s = tracer.startSpan('t');
        await fn({ a: i });
        s.end();
      }
    },
  },
  {
    name: 'tool_async',
    what: 'managed async tool call, 1 subscriber',
    ops: ops(50_000),
    target: 2,
    ours: async (n) => {
      for (let i = 0; i < n; i++) await rt.toolCallExecute('t', { a: i }, async (a) => a);
    },
    otel: async (n) => {
      const fn = async (a: unknown): Promise<unknown> => a;
      for (let i = 0; i < n; i++) {
        const s = tracer.startSpan('t');
        await fn({ a: i });
        s.end();
      }
    },
  },
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
  {
    name: 'concurrent_1000x10',
    what: '1,000 concurrent runs × 10 async tool calls (per tool call)',
    ops: 10_000 * (quick ? 1 : 3),
    refOps: 10_000,
    samples: 3,
    ours: async (n) => {
      for (let r = 0; r < n; r += 10_000) {
        await Promise.all(
          Array.from({ length: 1000 }, () =>
            rt.withScope('run', rt.ScopeType.Agent, async () => {
              for (let k = 0; k < 10; k++) await rt.toolCallExecute('t', { k }, async (a) => (await null, a));
            }),
          ),
        );
      }
    },
    otel: async (n) => {
      for (let r = 0; r < n; r += 10_000) {
        await Promise.all(
          Array.from({ length: 1000 }, async () => {
            const run = tracer.startSpan('run');
            const ctx = trace.setSpan(context.active(), run);
            for (let k = 0; k < 10; k++) {
              const s = tracer.startSpan('t', undefined, ctx);
              await (async (a: unknown) => (await null, a))({ k });
              s.end();
            }
            run.end();
          }),
        );
      }
    },
  },
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
    otel: async (n) => {
      const fn = (a: unknown): unknown => a;
      for (let i = 0; i < n; i++) {
        const s = tracer.startSpan('t');
        await fn({ a: i });
        s.end();
      }
    },
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

/** The ATIF export workload, ours and the reference's, each in its own process. */
function runAtif(): string {
  const child = (args: string[], input?: string): Record<string, number> | undefined => {
    try {
      return JSON.parse(execFileSync(process.execPath, args, { input, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 })) as Record<string, number>;
    } catch (err) {
      process.stderr.write(`ATIF workload failed: ${(err as Error).message}\n`);
      return undefined;
    }
  };
  const ours = child(['--expose-gc', '--import', 'tsx', join(here, 'atif-ours.ts')]);
  const turns = Array.from({ length: 1000 }, (_, i) => atifTurn(i));
  const ref = child([join(here, 'atif-ref.cjs')], JSON.stringify(turns));
  const ms = (v?: number): string => (v === undefined ? '—' : `${v.toFixed(0)} ms`);
  const kb = (v?: number): string => (v === undefined ? '—' : `${(v / 1024).toFixed(0)} KB`);
  const speedup = ours && ref ? ref.elapsedMs! / ours.elapsedMs! : undefined;
  const memRatio = ours ? ours.peakRetainedBytes! / ours.fileBytes! : undefined;
  const rows = [
    ['', 'elapsed', 'file', 'peak retained heap', 'heap / file'],
    ['---', '---', '---', '---', '---'],
    [
      'ours',
      ms(ours?.elapsedMs),
      kb(ours?.fileBytes),
      kb(ours?.peakRetainedBytes),
      memRatio === undefined ? '—' : `${memRatio.toFixed(2)}× ${memRatio <= 1.5 ? '✔ ≤1.5×' : '✖ >1.5×'}`,
    ],
    ['nemo-flow-node', ms(ref?.elapsedMs), kb(ref?.fileBytes), '—', '—'],
    ['ours vs ref', speedup === undefined ? '—' : `${speedup.toFixed(1)}× faster ${speedup >= 2 ? '✔ ≥2×' : '✖ <2×'}`, '', '', ''],
  ];
  const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
  process.stdout.write(`\nATIF export (1,000 LLM × 10 tool calls):\n${table}\n`);
  return table;
}

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
  const all = [...base, ...(await extraWorkloads({ tracer, request, response, ops, quick })), ...typedWorkloads(ops), ...gemini.workloads];
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
    const loopback = await runOpenAiSdk(quick ? 10 : 40, quick ? 5 : 30, 'loopback');
    const inProcess = await runOpenAiSdk(quick ? 20 : 100, quick ? 5 : 30, 'in-process');
    const t = sdkTable(loopback, inProcess);
    if (!t.met) failed++;
    sdk = t.table;
    process.stdout.write(`\nOpenAI SDK call, instrumented (${loopback.calls} loopback calls per variant):\n${sdk}\n`);
  }
  await gemini.server.stop();
  let anthropic = '(Anthropic SDK workload not selected)';
  if (!only || only.includes('anthropic_sdk')) {
    const a = await anthropicWorkload(quick);
    if (!a.met) failed++;
    anthropic = a.table;
  }
  const atifTable = only && !only.includes('atif') ? '(ATIF workload not selected)' : runAtif();
  const piiTable = only && !only.includes('pii') ? '(PII workload not selected)' : await runPii();
  const header = ['workload', 'what', 'ours', 'plain OTel', 'ours/OTel', 'nemo-flow-node', 'ours vs ref', 'target'];
  const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  process.stdout.write(`\n${table}\n\n${atifTable}\n`);
  if (process.argv.includes('--write')) {
    const doc = `# Benchmarks\n\nProduced by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}, ${process.platform}/${process.arch}).\nMedians of repeated samples, ns per operation; ours and the plain-OTel baseline are sampled alternately (ours, baseline, ours, ...) so both see the same machine state. "plain OTel" is the OpenTelemetry SDK doing the equivalent span work (BasicTracerProvider + BatchSpanProcessor, exporter dropping spans); for the \`otel_*\`/\`openinference_*\` rows it is the same span, with the same attributes, made directly with the SDK. The built-in exporter pipeline records its spans without the SDK span object (same processors, OTLP output, sampler and limits); \`otel_tool_own_provider\` shows the exporter given your own SDK provider, whose spans are SDK spans. "nemo-flow-node" is the reference package 0.2.0 measured in a child process with one JS subscriber.\n\n${table}\n\n## OpenAI SDK calls\n\nThe cost an instrumentation adds to one \`openai\` SDK chat completion (2 KB request), all three variants in one process, in short rounds whose order rotates: the uninstrumented SDK, \`instrumentOpenAI\` with the OpenInference exporter, and \`@arizeai/openinference-instrumentation-openai\` (patching only its own client's prototype), both with the same span pipeline (BatchSpanProcessor, spans dropped). Measured as CPU time of the process per call (client and server share it), because the machine's load moves wall-clock times by more than these costs; "added" is the median over rounds of the variant minus the uninstrumented SDK in the same round. "loopback HTTP" talks to a server on 127.0.0.1; "in-process fetch" gives the SDK a \`fetch\` that answers at once (no sockets), isolating the instrumentation's own work.\n\n${sdk}\n\n## Anthropic SDK calls\n\nThe cost an instrumentation adds to one \`@anthropic-ai/sdk\` \`messages.create\` (plain, and a 30-event stream), the sides sampled in rotating rounds in one process: the uninstrumented SDK, \`instrumentAnthropic\` with the OpenInference exporter, and \`@arizeai/openinference-instrumentation-anthropic\` (on the SDK's CommonJS copy, so the others stay unpatched), both with the same span pipeline (BatchSpanProcessor, spans dropped). CPU time of the process per call (the loopback server runs in another process); "adds" is the median over rounds of the side minus the uninstrumented SDK in the same round. "in-process fetch" gives the SDK a \`fetch\` that answers at once, isolating the instrumentation's own work; the last column is ours with no subscriber.\n\n${anthropic}\n\n## ATIF export\n\nOne agent run of 1,000 LLM calls × 10 tool calls exported to an ATIF file, each side in its own process. Peak retained heap is sampled after a forced GC every 100 turns (what the exporter holds for the open run).\n\n${atifTable}\n\n## PII redaction\n\nOne string redacted with the default detectors, milliseconds per redaction (median).\n\n${piiTable}\n\n## Provider SDK instrumentation\n\n\`@nemo-flow/google-genai\` against the uninstrumented \`@google/genai\` client, both calling a loopback fake Gemini server (the HTTP round trip is in both). Single calls are timed alternately (SDK, instrumented, SDK, ...), with one subscriber registered; \"added\" is the difference of the two.\n\n${geminiTable}\n`;
    writeFileSync(join(here, '..', 'docs', 'benchmarks.md'), doc);
  }
  if (failed > 0) process.stdout.write(`\n${failed} workload(s) missed their target.\n`);
  process.exit(0);
}

void main();
