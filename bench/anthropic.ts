/**
 * The Anthropic SDK workload: the cost an instrumentation adds per SDK call against a loopback fake
 * server (in its own process), side by side in one process: the uninstrumented SDK, ours
 * (instrumentAnthropic + our OpenInference exporter) and OpenInference's own Anthropic
 * instrumentation (manually instrumented), both exporting OpenInference spans through a batch
 * processor into an exporter that drops them. OpenInference's instrumentation patches the SDK's
 * prototypes, so it gets the SDK's CommonJS build and the other two sides the ES module build (two
 * copies of the SDK); ours instrumented one client only. Samples alternate between the sides.
 * The figure is CPU time per call of this process (the loopback server runs in another): on a
 * loaded machine wall time on loopback swings by milliseconds, CPU time much less. "added" is the
 * median over rounds of the side minus the uninstrumented SDK in the same round; the in-process
 * fetch rows give the SDK a `fetch` that answers at once, isolating the instrumentation's work.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import * as rt from '@nemo-flow/runtime';
import { instrumentAnthropic } from '@nemo-flow/anthropic';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NoopSpanExporter } from './otel-floor.js';
import { SDK_WARMUP_CALLS } from './measure.js';
import { message, streamEvents, text } from '../test/support/fake-providers/anthropic.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const SIDES = ['sdk', 'nemo-flow', 'openinference', 'nemo-flow-bare'] as const;
type Side = (typeof SIDES)[number];
const batch = { maxQueueSize: 1 << 16, scheduledDelayMillis: 50 };

const params = {
  model: 'claude-bench-1',
  max_tokens: 256,
  system: 'You are a concise assistant.',
  messages: [
    { role: 'user' as const, content: 'What is the weather in Paris? '.repeat(20) },
    { role: 'assistant' as const, content: 'Let me check that for you. '.repeat(10) },
    { role: 'user' as const, content: 'Thanks, and tomorrow?' },
  ],
};

const ANSWER_SPEC = text('It is sunny in Paris today, about 21 °C with a light breeze from the west.', {
  input_tokens: 120,
  output_tokens: 18,
  cache_read_input_tokens: 64,
});
const ANSWER_JSON = JSON.stringify(message(ANSWER_SPEC));
const ANSWER_SSE = streamEvents(ANSWER_SPEC)
  .map((e) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`)
  .join('');

const fmt = (ns: number | undefined): string => (ns === undefined || Number.isNaN(ns) ? '—' : `${(ns / 1000).toFixed(1)} µs`);
/** A signed difference: +12.3 µs / −4.5 µs. */
const signed = (ns: number | undefined): string => (ns === undefined ? '—' : `${ns < 0 ? '−' : '+'}${fmt(Math.abs(ns))}`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function startServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'anthropic-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
  });
  return { url, stop: () => void child.kill() };
}

type Client = Pick<Anthropic, 'messages'>;

async function plainCalls(c: Client, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await c.messages.create(params);
}
async function streamCalls(c: Client, n: number): Promise<void> {
  for (let i = 0; i < n; i++) for await (const _ of await c.messages.create({ ...params, stream: true }));
}

type Kind = 'plain' | 'stream';
type Samples = Record<Side, Record<Kind, number[]>>;

/** CPU µs per call of each side, sampled in rotating rounds; `added` is side minus SDK within each round. */
async function sample(clients: Partial<Record<Side, Client>>, exporter: OpenInferenceExporter, samples: number, ops: Record<Kind, number>): Promise<Samples> {
  const sides = SIDES.filter((s) => clients[s]);
  const out = Object.fromEntries(SIDES.map((s) => [s, { plain: [], stream: [] }])) as unknown as Samples;
  for (const s of sides) {
    await plainCalls(clients[s]!, Math.max(SDK_WARMUP_CALLS, ops.plain * 2)); // warm-up
    await streamCalls(clients[s]!, Math.max(SDK_WARMUP_CALLS / 4, ops.stream * 2));
  }
  for (let i = 0; i < samples; i++) {
    for (const k of ['plain', 'stream'] as const) {
      // the order rotates each round, so no side always follows the same one
      for (let j = 0; j < sides.length; j++) {
        const s = sides[(i + j) % sides.length]!;
        // the bare side: the integration and runtime with no subscriber at all
        if (s === 'nemo-flow-bare') rt.deregisterSubscriber('bench-anthropic-oi');
        const c0 = process.cpuUsage();
        await (k === 'plain' ? plainCalls : streamCalls)(clients[s]!, ops[k]);
        const c = process.cpuUsage(c0);
        if (s === 'nemo-flow-bare') rt.registerSubscriber('bench-anthropic-oi', exporter);
        out[s][k].push(((c.user + c.system) * 1000) / ops[k]);
      }
    }
  }
  return out;
}

function rowsOf(transport: string, m: Samples): string[][] {
  const rows: string[][] = [];
  const added = (s: Side, k: Kind): number | undefined => (m[s][k].length && m.sdk[k].length ? median(m[s][k].map((v, i) => v - m.sdk[k][i]!)) : undefined);
  for (const [k, label] of [
    ['plain', 'messages.create'],
    ['stream', 'messages.create, 30-event stream'],
  ] as const) {
    const ours = added('nemo-flow', k);
    const oi = added('openinference', k);
    const verdict = ours !== undefined && oi !== undefined ? (ours < oi ? '✔ less' : '✖ more') : '—';
    rows.push([
      `${label} (${transport})`,
      fmt(m.sdk[k].length ? median(m.sdk[k]) : undefined),
      signed(ours),
      signed(oi),
      verdict,
      signed(added('nemo-flow-bare', k)),
    ]);
  }
  return rows;
}

/** Runs the workload and returns its markdown table (also printed). */
export async function anthropicWorkload(quick: boolean): Promise<{ table: string; met: boolean }> {
  const server = await startServer();
  const exporter = new OpenInferenceExporter({ spanExporter: new NoopSpanExporter(), ...batch });
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new NoopSpanExporter(), batch)] });
  rt.registerSubscriber('bench-anthropic-oi', exporter);
  try {
    let oiInstrumentation: { manuallyInstrument(m: unknown): void } | undefined;
    let cjs: typeof import('@anthropic-ai/sdk') | undefined;
    try {
      const { AnthropicInstrumentation } =
        require('@arizeai/openinference-instrumentation-anthropic') as typeof import('@arizeai/openinference-instrumentation-anthropic');
      cjs = require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk');
      oiInstrumentation = new AnthropicInstrumentation({ tracerProvider: provider });
      oiInstrumentation.manuallyInstrument(cjs);
    } catch (err) {
      process.stderr.write(`OpenInference's Anthropic instrumentation could not be set up: ${(err as Error).message}\n`);
    }
    const clientsFor = (options: { baseURL: string; fetch?: (url: unknown, init?: unknown) => Promise<Response> }): Partial<Record<Side, Client>> => {
      const o = { apiKey: 'bench', maxRetries: 0, ...options } as ConstructorParameters<typeof Anthropic>[0];
      const ours = instrumentAnthropic(new Anthropic(o));
      const c: Partial<Record<Side, Client>> = { sdk: new Anthropic(o), 'nemo-flow': ours, 'nemo-flow-bare': ours };
      if (cjs && oiInstrumentation) c.openinference = new cjs.Anthropic(o);
      return c;
    };
    const samples = quick ? 3 : 21;
    const loopback = await sample(clientsFor({ baseURL: server.url }), exporter, samples, { plain: quick ? 10 : 30, stream: quick ? 5 : 15 });
    const inProcess = await sample(clientsFor({ baseURL: 'http://127.0.0.1:9', fetch: inProcessFetch }), exporter, samples, {
      plain: quick ? 20 : 100,
      stream: quick ? 10 : 50,
    });
    const rows = [
      [
        'SDK call',
        'uninstrumented SDK (CPU/call)',
        'nemo-flow adds',
        'OpenInference instrumentation adds',
        'target: we add less',
        'nemo-flow, no subscriber, adds',
      ],
      ['---', '---', '---', '---', '---', '---'],
      ...rowsOf('loopback HTTP', loopback),
      ...rowsOf('in-process fetch', inProcess),
    ];
    const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
    process.stdout.write(`\nAnthropic SDK call, instrumented (CPU time per call, medians of ${samples} rotating rounds):\n${table}\n`);
    return { table, met: rows.slice(2).every((r) => r[4] !== '✖ more') };
  } finally {
    rt.deregisterSubscriber('bench-anthropic-oi');
    await exporter.shutdown();
    await provider.shutdown();
    server.stop();
  }
}

/** A `fetch` that answers at once, as the server would (no sockets): isolates the instrumentation's own work. */
async function inProcessFetch(_url: unknown, init?: unknown): Promise<Response> {
  const body = JSON.parse(String((init as { body?: unknown } | undefined)?.body ?? '{}')) as { stream?: boolean };
  if (!body.stream) return new Response(ANSWER_JSON, { status: 200, headers: { 'content-type': 'application/json', 'request-id': 'req_bench' } });
  return new Response(ANSWER_SSE, { status: 200, headers: { 'content-type': 'text/event-stream', 'request-id': 'req_bench' } });
}
