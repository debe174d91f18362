/**
 * The added cost per instrumented OpenAI SDK call against a loopback server (in its own process), in one process: the
 * uninstrumented SDK, our `instrumentOpenAI` with the OpenInference exporter, and
 * `@arizeai/openinference-instrumentation-openai`, each with the same span pipeline (batch
 * processor, spans dropped instead of sent). Samples alternate (plain, ours, OpenInference, …) so
 * all three see the same machine state. OpenTelemetry's AsyncLocalStorage context manager is
 * registered, as OpenInference's documented setup (`provider.register()`) does. Measured as CPU time of
 * this process per call: the server runs in a child process, so that its work (the same for every
 * variant) adds no noise; "added" is the median over rounds of the variant minus the uninstrumented
 * SDK in the same round.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import * as rt from '@nemo-flow/runtime';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { instrumentOpenAI } from '@nemo-flow/openai';
import { NoopSpanExporter } from './otel-floor.js';
import { SDK_WARMUP_CALLS, chatRequest } from './measure.js';
import { OPENAI_BODY as BODY } from './openai-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const PIPELINE = { maxQueueSize: 1 << 16, maxExportBatchSize: 512, scheduledDelayMillis: 50 };

export interface SdkResult {
  /** Median CPU ns per call of each variant. */
  plainNs: number;
  oursNs: number;
  openinferenceNs: number;
  /** Median over rounds of the variant's per-call CPU ns minus the baseline's in the same round. */
  oursAddedNs: number;
  openinferenceAddedNs: number;
  calls: number;
}

/** A client whose `chat.completions` has a prototype of its own, which OpenInference patches (instead of the shared one). */
function openInferenceClient(baseURL: string, fetch: typeof cannedFetch | undefined): { client: OpenAI; instrumentation: OpenAIInstrumentation } {
  const client = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0, fetch });
  const proto = (o: object): object => Object.create(Object.getPrototypeOf(o) as object) as object;
  const chat = proto(client.chat.completions);
  const completions = proto(client.completions);
  const embeddings = proto(client.embeddings);
  const responses = proto(client.responses);
  Object.setPrototypeOf(client.chat.completions, chat);
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new NoopSpanExporter(), PIPELINE)] });
  const instrumentation = new OpenAIInstrumentation({ tracerProvider: provider });
  // The module shape manuallyInstrument reads, pointing at this client's own prototypes only.
  const module = {
    OpenAI: {
      Chat: { Completions: { prototype: chat } },
      Completions: { prototype: completions },
      Embeddings: { prototype: embeddings },
      Responses: { prototype: responses },
    },
  };
  instrumentation.manuallyInstrument(module as never);
  return { client, instrumentation };
}

/** An in-process `fetch` answering at once: the SDK and instrumentation CPU without sockets. */
const cannedFetch = async (): Promise<Response> => new Response(BODY, { headers: { 'content-type': 'application/json' } });

/** `rounds` rounds of `calls` calls per variant; `transport` `loopback` (a 127.0.0.1 server) or `in-process` (a canned fetch). */
export async function runOpenAiSdk(calls: number, rounds: number, transport: 'loopback' | 'in-process' = 'loopback'): Promise<SdkResult> {
  const server = spawn(process.execPath, ['--import', 'tsx', join(here, 'openai-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const baseURL = await new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
  });
  // OpenInference's documented setup registers the provider, and with it OpenTelemetry's
  // AsyncLocalStorage context manager, so that spans nest; ours keeps its scopes in
  // AsyncLocalStorage too. Both then carry a context through the SDK's async work.
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = new OpenInferenceExporter({ spanExporter: new NoopSpanExporter(), ...PIPELINE });
  rt.registerSubscriber('bench-openai-sdk', exporter);
  try {
    const fetch = transport === 'in-process' ? cannedFetch : undefined;
    const plain = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0, fetch });
    const ours = instrumentOpenAI(new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0, fetch }));
    const { client: oi } = openInferenceClient(baseURL, fetch);
    const params = chatRequest().content as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
    // CPU time (user + system) of this process per call: the load other processes put on the
    // machine moves wall-clock times by more than the cost measured here. Short rounds, the order
    // rotating, so that drift hits every variant alike.
    const batch = async (client: OpenAI, n: number): Promise<number> => {
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) await client.chat.completions.create(params);
      const c = process.cpuUsage(c0);
      return ((c.user + c.system) * 1000) / n;
    };
    const clients = [plain, ours, oi];
    for (const c of clients) await batch(c, Math.max(SDK_WARMUP_CALLS, calls));
    const per: number[][] = [[], [], []];
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < 3; k++) {
        const v = (round + k) % 3;
        per[v]!.push(await batch(clients[v]!, calls));
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const added = (v: number): number => median(per[v]!.map((x, i) => x - per[0]![i]!));
    return {
      plainNs: median(per[0]!),
      oursNs: median(per[1]!),
      openinferenceNs: median(per[2]!),
      oursAddedNs: added(1),
      openinferenceAddedNs: added(2),
      calls: rounds * calls,
    };
  } finally {
    rt.deregisterSubscriber('bench-openai-sdk');
    context.disable();
    await exporter.shutdown();
    server.kill();
  }
}

/** The printed table (markdown, one column pair per transport) and whether the loopback target (we add less than OpenInference) is met. */
export function sdkTable(loopback: SdkResult, inProcess?: SdkResult): { table: string; met: boolean } {
  const us = (ns: number): string => `${(ns / 1000).toFixed(1)} µs`;
  const verdict = (r: SdkResult): string => {
    if (r.oursAddedNs >= r.openinferenceAddedNs)
      return r.openinferenceAddedNs > 0 ? `✖ adds ${(r.oursAddedNs / r.openinferenceAddedNs).toFixed(2)}× more` : '✖ adds more';
    return r.oursAddedNs > 0 ? `✔ adds ${(r.openinferenceAddedNs / r.oursAddedNs).toFixed(2)}× less` : '✔ adds less (within noise of the baseline)';
  };
  const cols = (r: SdkResult | undefined, pick: (r: SdkResult) => string): string[] => (r ? [pick(r)] : []);
  const header = ['', 'loopback HTTP: CPU per call', 'added', ...(inProcess ? ['in-process fetch: CPU per call', 'added'] : [])];
  const row = (label: string, total: (r: SdkResult) => number, added?: (r: SdkResult) => number): string[] => [
    label,
    us(total(loopback)),
    added ? us(added(loopback)) : '—',
    ...cols(inProcess, (r) => us(total(r))),
    ...cols(inProcess, (r) => (added ? us(added(r)) : '—')),
  ];
  const rows = [
    header,
    header.map(() => '---'),
    row('uninstrumented openai SDK', (r) => r.plainNs),
    row(
      'ours: instrumentOpenAI + OpenInference exporter',
      (r) => r.oursNs,
      (r) => r.oursAddedNs,
    ),
    row(
      '@arizeai/openinference-instrumentation-openai',
      (r) => r.openinferenceNs,
      (r) => r.openinferenceAddedNs,
    ),
    ['target: ours adds less', '', verdict(loopback), ...(inProcess ? ['', verdict(inProcess)] : [])],
  ];
  return { table: rows.map((x) => `| ${x.join(' | ')} |`).join('\n'), met: loopback.oursAddedNs < loopback.openinferenceAddedNs };
}
