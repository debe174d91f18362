/**
 * The Anthropic SDK workload: the cost an instrumentation adds per SDK call against a loopback fake
 * server (in its own process), side by side in one process: the uninstrumented SDK, ours
 * (instrumentAnthropic + our OpenInference exporter) and OpenInference's own Anthropic
 * instrumentation (manually instrumented), both exporting OpenInference spans through a batch
 * processor into an exporter that drops them. OpenInference's instrumentation patches the SDK's
 * prototypes, so it gets the SDK's CommonJS build and the other two sides the ES module build (two
 * copies of the SDK); ours instrumented one client only. Samples alternate between the sides.
 * The main figure is CPU time per call in this process (the server runs in another): on a loaded
 * machine wall time on loopback swings by milliseconds, CPU time by microseconds.
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

const fmt = (ns: number | undefined): string => (ns === undefined || Number.isNaN(ns) ? '—' : `${(ns / 1000).toFixed(1)} µs`);
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

/** Runs the workload and returns its markdown table (also printed). */
export async function anthropicWorkload(quick: boolean): Promise<string> {
  const server = await startServer();
  const exporter = new OpenInferenceExporter({ spanExporter: new NoopSpanExporter(), ...batch });
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new NoopSpanExporter(), batch)] });
  try {
    const clients: Partial<Record<Side, Client>> = {
      sdk: new Anthropic({ apiKey: 'bench', baseURL: server.url, maxRetries: 0 }),
      'nemo-flow': instrumentAnthropic(new Anthropic({ apiKey: 'bench', baseURL: server.url, maxRetries: 0 })),
    };
    clients['nemo-flow-bare'] = clients['nemo-flow'];
    rt.registerSubscriber('bench-anthropic-oi', exporter);
    try {
      const { AnthropicInstrumentation } = require('@arizeai/openinference-instrumentation-anthropic') as typeof import('@arizeai/openinference-instrumentation-anthropic');
      const cjs = require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk');
      new AnthropicInstrumentation({ tracerProvider: provider }).manuallyInstrument(cjs as unknown as typeof Anthropic);
      clients.openinference = new cjs.Anthropic({ apiKey: 'bench', baseURL: server.url, maxRetries: 0 });
    } catch (err) {
      process.stderr.write(`OpenInference's Anthropic instrumentation could not be set up: ${(err as Error).message}\n`);
    }
    const samples = quick ? 3 : 21;
    const ops = { plain: quick ? 10 : 40, stream: quick ? 5 : 20 };
    type Samples = { plain: number[]; stream: number[] };
    const fresh = (): Record<Side, Samples> => ({ sdk: { plain: [], stream: [] }, 'nemo-flow': { plain: [], stream: [] }, openinference: { plain: [], stream: [] }, 'nemo-flow-bare': { plain: [], stream: [] } });
    const cpu = fresh();
    const wall = fresh();
    const sides = SIDES.filter((s) => clients[s]);
    for (const s of sides) {
      await plainCalls(clients[s]!, ops.plain * 2); // warm-up
      await streamCalls(clients[s]!, ops.stream * 2);
    }
    for (let i = 0; i < samples; i++) {
      for (const k of ['plain', 'stream'] as const) {
        // rotate the order each sample so no side always follows the same one
        for (let j = 0; j < sides.length; j++) {
          const s = sides[(i + j) % sides.length]!;
          // the bare side: the integration and runtime without any subscriber
          if (s === 'nemo-flow-bare') rt.deregisterSubscriber('bench-anthropic-oi');
          const c0 = process.cpuUsage();
          const t0 = process.hrtime.bigint();
          await (k === 'plain' ? plainCalls : streamCalls)(clients[s]!, ops[k]);
          wall[s][k].push(Number(process.hrtime.bigint() - t0) / ops[k]);
          const c = process.cpuUsage(c0);
          cpu[s][k].push(((c.user + c.system) * 1000) / ops[k]);
          if (s === 'nemo-flow-bare') rt.registerSubscriber('bench-anthropic-oi', exporter);
        }
      }
    }
    const rows = [
      ['SDK call', 'measure', 'uninstrumented SDK', 'nemo-flow (added)', 'OpenInference instrumentation (added)', 'target: we add less', 'nemo-flow, no subscriber (added)'],
      ['---', '---', '---', '---', '---', '---', '---'],
    ];
    for (const [k, label] of [['plain', 'messages.create'], ['stream', 'messages.create, stream of 30 events']] as const) {
      for (const [per, what] of [[cpu, 'CPU'], [wall, 'wall']] as const) {
        const med = (s: Side): number | undefined => (per[s][k].length ? median(per[s][k]) : undefined);
        const base = med('sdk');
        const ours = med('nemo-flow');
        const oi = med('openinference');
        const addOurs = base !== undefined && ours !== undefined ? ours - base : undefined;
        const addOi = base !== undefined && oi !== undefined ? oi - base : undefined;
        const verdict = what === 'wall' ? '(informational)' : addOurs !== undefined && addOi !== undefined ? (addOurs < addOi ? '✔' : '✖') : '—';
        const bare = med('nemo-flow-bare');
        rows.push([label, what, fmt(base), `${fmt(ours)} (+${fmt(addOurs)})`, `${fmt(oi)} (+${fmt(addOi)})`, verdict, `${fmt(bare)} (+${fmt(bare !== undefined && base !== undefined ? bare - base : undefined)})`]);
      }
    }
    const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
    process.stdout.write(`\nAnthropic SDK against a loopback server (per call; medians of ${samples} alternating samples):\n${table}\n`);
    return table;
  } finally {
    rt.deregisterSubscriber('bench-anthropic-oi');
    await exporter.shutdown();
    await provider.shutdown();
    server.stop();
  }
}
