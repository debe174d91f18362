/**
 * The added cost per LangChain chat-model call (`ChatOpenAI.invoke`, 2 KB request, an in-process
 * `fetch` answering at once so only LangChain and the instrumentation use CPU): no callbacks,
 * `NemoFlowCallbackHandler` with the OpenInference exporter, and
 * `@arizeai/openinference-instrumentation-langchain`'s tracer, each with the same span pipeline, and a
 * handler that does nothing (what LangChain's callback machinery costs by itself)
 * (batch processor, spans dropped). Short rounds whose order rotates; CPU time of the process per
 * call; "added" is the median over rounds of a variant minus the no-callback call in that round.
 */
import { ChatOpenAI } from '@langchain/openai';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as rt from '@nemo-flow/runtime';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { NemoFlowCallbackHandler } from '@nemo-flow/langchain';
import { NoopSpanExporter } from './otel-floor.js';
import { SDK_WARMUP_CALLS, chatRequest, chatResponse } from './measure.js';

const BODY = JSON.stringify({
  ...chatResponse(),
  created: 1,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Sure.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
});
const PIPELINE = { maxQueueSize: 1 << 16, maxExportBatchSize: 512, scheduledDelayMillis: 50 };
const cannedFetch = async (): Promise<Response> => new Response(BODY, { headers: { 'content-type': 'application/json' } });

/** A handler that does nothing: what LangChain's callback machinery costs by itself (the floor). */
class NoopHandler extends BaseCallbackHandler {
  name = 'noop';
  constructor() {
    super({ _awaitHandler: true });
  }
  override handleChatModelStart(): void {}
  override handleLLMEnd(): void {}
}

export interface LangChainResult {
  plainNs: number;
  noopAddedNs: number;
  oursNs: number;
  openinferenceNs: number;
  oursAddedNs: number;
  openinferenceAddedNs: number;
  calls: number;
}

/**
 * OpenInference's tracer handler. Its instrumentation adds the handler to every callback manager;
 * here it is taken out once and passed per call instead, so the three variants can alternate.
 */
function openInferenceTracer(): BaseCallbackHandler {
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new NoopSpanExporter(), PIPELINE)] });
  const cm = CallbackManagerModule.CallbackManager as unknown as { _configureSync: unknown };
  const original = cm._configureSync;
  new LangChainInstrumentation({ tracerProvider: provider }).manuallyInstrument(CallbackManagerModule);
  const manager = CallbackManagerModule.CallbackManager.configure([]) as unknown as { handlers: BaseCallbackHandler[] } | undefined;
  cm._configureSync = original;
  const tracer = manager?.handlers.find((h) => /openinference/i.test(h.name) || h.constructor.name === 'LangChainTracer');
  if (!tracer) throw new Error('bench: OpenInference LangChain tracer not found');
  return tracer;
}

export async function runLangChain(calls: number, rounds: number): Promise<LangChainResult> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = new OpenInferenceExporter({ spanExporter: new NoopSpanExporter(), ...PIPELINE });
  rt.registerSubscriber('bench-langchain', exporter);
  try {
    const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-bench', maxRetries: 0, configuration: { fetch: cannedFetch } });
    const messages = (chatRequest().content as { messages: { role: 'user' | 'system' | 'assistant'; content: string }[] }).messages;
    const variants: (BaseCallbackHandler[] | undefined)[] = [undefined, [new NemoFlowCallbackHandler()], [openInferenceTracer()], [new NoopHandler()]];
    const batch = async (callbacks: BaseCallbackHandler[] | undefined, n: number): Promise<number> => {
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) await model.invoke(messages, { callbacks });
      const c = process.cpuUsage(c0);
      return ((c.user + c.system) * 1000) / n;
    };
    for (const v of variants) await batch(v, Math.max(SDK_WARMUP_CALLS, calls));
    const per: number[][] = variants.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = (round + k) % variants.length;
        per[v]!.push(await batch(variants[v], calls));
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const added = (v: number): number => median(per[v]!.map((x, i) => x - per[0]![i]!));
    return {
      plainNs: median(per[0]!),
      noopAddedNs: added(3),
      oursNs: median(per[1]!),
      openinferenceNs: median(per[2]!),
      oursAddedNs: added(1),
      openinferenceAddedNs: added(2),
      calls: rounds * calls,
    };
  } finally {
    rt.deregisterSubscriber('bench-langchain');
    context.disable();
    await exporter.shutdown();
  }
}

/** The printed table and whether the target (we add less than OpenInference) is met. */
export function langchainTable(r: LangChainResult): { table: string; met: boolean } {
  const us = (ns: number): string => `${(ns / 1000).toFixed(1)} µs`;
  const met = r.oursAddedNs < r.openinferenceAddedNs;
  const verdict = met ? (r.oursAddedNs > 0 ? `✔ adds ${(r.openinferenceAddedNs / r.oursAddedNs).toFixed(2)}× less` : '✔ adds less') : '✖ adds more';
  const rows = [
    ['', 'CPU per call', 'added'],
    ['---', '---', '---'],
    ['ChatOpenAI.invoke, no callbacks', us(r.plainNs), '—'],
    ["a handler that does nothing (LangChain's own callback cost)", '', us(r.noopAddedNs)],
    ['ours: NemoFlowCallbackHandler + OpenInference exporter', us(r.oursNs), us(r.oursAddedNs)],
    ['@arizeai/openinference-instrumentation-langchain', us(r.openinferenceNs), us(r.openinferenceAddedNs)],
    ['target: ours adds less', '', verdict],
  ];
  return { table: rows.map((x) => `| ${x.join(' | ')} |`).join('\n'), met };
}
