/**
 * The added cost of NeMo Flow per AI SDK `generateText` step against a loopback provider, side by
 * side with the AI SDK's own telemetry (`experimental_telemetry` with `@ai-sdk/otel`), on the same
 * OpenTelemetry setup: one tracer provider (batch processor, spans dropped instead of sent) and the
 * AsyncLocalStorage context manager. Three variants in one process, in short rounds whose order
 * rotates: the plain AI SDK, `nemoFlowMiddleware` with the OTel exporter on that provider, and
 * `@ai-sdk/otel`'s `OpenTelemetry` integration on a tracer of that provider. Measured as CPU time of
 * the process per step (client and server share it); "added" is the median over rounds of the
 * variant minus the plain SDK in the same round.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAI } from '@ai-sdk/openai';
import { OpenTelemetry } from '@ai-sdk/otel';
import { generateText, wrapLanguageModel, type LanguageModel, type TelemetryOptions } from 'ai';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as rt from '@nemo-flow/runtime';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { nemoFlowMiddleware } from '@nemo-flow/ai-sdk';
import { NoopSpanExporter } from './otel-floor.js';
import { SDK_WARMUP_CALLS, chatRequest, chatResponse } from './measure.js';

const BODY = JSON.stringify({
  ...chatResponse(),
  created: 1,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Sure.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
});
const PIPELINE = { maxQueueSize: 1 << 16, maxExportBatchSize: 512, scheduledDelayMillis: 50 };

export interface AiSdkResult {
  plainNs: number;
  oursNs: number;
  aiOtelNs: number;
  oursAddedNs: number;
  aiOtelAddedNs: number;
  steps: number;
}

/** The 2 KB chat request of the other workloads: its system text as instructions, the rest as user messages. */
function prompt(): { instructions: string; messages: { role: 'user'; content: string }[] } {
  const m = (chatRequest().content as { messages: { role: string; content: string }[] }).messages;
  return {
    instructions: m
      .filter((x) => x.role === 'system')
      .map((x) => x.content)
      .join('\n'),
    messages: m.filter((x) => x.role !== 'system').map((x) => ({ role: 'user' as const, content: x.content })),
  };
}

/** An in-process `fetch` answering at once: the SDK's and the instrumentation's CPU without sockets. */
const cannedFetch = async (): Promise<Response> => new Response(BODY, { headers: { 'content-type': 'application/json' } });

/** `rounds` rounds of `steps` steps per variant, over `loopback` HTTP (127.0.0.1) or an `in-process` fetch. */
export async function runAiSdk(steps: number, rounds: number, transport: 'loopback' | 'in-process' = 'loopback'): Promise<AiSdkResult> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
      res.end(BODY);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const openai = createOpenAI({
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    apiKey: 'sk-bench',
    fetch: transport === 'in-process' ? cannedFetch : undefined,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new NoopSpanExporter(), PIPELINE)] });
  const exporter = new OtelExporter({ tracerProvider: provider });
  rt.registerSubscriber('bench-ai-sdk', exporter);
  const integration = new OpenTelemetry({ tracer: provider.getTracer('ai') });
  try {
    const raw = openai.chat('gpt-4o-mini');
    const ours = wrapLanguageModel({ model: openai.chat('gpt-4o-mini'), middleware: nemoFlowMiddleware() });
    const { instructions, messages } = prompt();
    const telemetry: TelemetryOptions = { integrations: [integration] };
    const variants: { model: LanguageModel; telemetry?: TelemetryOptions }[] = [{ model: raw }, { model: ours }, { model: raw, telemetry }];
    const batch = async (v: number, n: number): Promise<number> => {
      const { model, telemetry: t } = variants[v]!;
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) await generateText({ model, instructions, messages, maxRetries: 0, experimental_telemetry: t });
      const c = process.cpuUsage(c0);
      return ((c.user + c.system) * 1000) / n;
    };
    for (let v = 0; v < 3; v++) await batch(v, Math.max(SDK_WARMUP_CALLS, steps));
    const per: number[][] = [[], [], []];
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < 3; k++) {
        const v = (round + k) % 3;
        per[v]!.push(await batch(v, steps));
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const added = (v: number): number => median(per[v]!.map((x, i) => x - per[0]![i]!));
    return {
      plainNs: median(per[0]!),
      oursNs: median(per[1]!),
      aiOtelNs: median(per[2]!),
      oursAddedNs: added(1),
      aiOtelAddedNs: added(2),
      steps: rounds * steps,
    };
  } finally {
    rt.deregisterSubscriber('bench-ai-sdk');
    context.disable();
    await exporter.shutdown();
    await provider.shutdown();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** The printed table and whether the loopback target (we add no more than the AI SDK's own telemetry) is met. */
export function aiSdkTable(loopback: AiSdkResult, inProcess: AiSdkResult): { table: string; met: boolean } {
  const us = (ns: number): string => `${(ns / 1000).toFixed(1)} µs`;
  const verdict = (r: AiSdkResult): string => {
    if (r.oursAddedNs > r.aiOtelAddedNs) return `✖ adds ${(r.oursAddedNs / Math.max(1, r.aiOtelAddedNs)).toFixed(2)}× more`;
    return r.oursAddedNs > 0 ? `✔ adds ${(r.aiOtelAddedNs / r.oursAddedNs).toFixed(2)}× less` : '✔ adds less (within noise of the baseline)';
  };
  const row = (label: string, total: (r: AiSdkResult) => number, added?: (r: AiSdkResult) => number): string[] => [
    label,
    us(total(loopback)),
    added ? us(added(loopback)) : '—',
    us(total(inProcess)),
    added ? us(added(inProcess)) : '—',
  ];
  const rows = [
    ['', 'loopback HTTP: CPU per step', 'added', 'in-process fetch: CPU per step', 'added'],
    ['---', '---', '---', '---', '---'],
    row('plain AI SDK (`ai` + `@ai-sdk/openai`)', (r) => r.plainNs),
    row(
      'ours: nemoFlowMiddleware + OTel exporter',
      (r) => r.oursNs,
      (r) => r.oursAddedNs,
    ),
    row(
      "AI SDK's experimental_telemetry (`@ai-sdk/otel`)",
      (r) => r.aiOtelNs,
      (r) => r.aiOtelAddedNs,
    ),
    ['target: ours adds no more', '', verdict(loopback), '', verdict(inProcess)],
  ];
  return { table: rows.map((x) => `| ${x.join(' | ')} |`).join('\n'), met: loopback.oursAddedNs <= loopback.aiOtelAddedNs };
}
