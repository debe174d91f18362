/**
 * One variant of the OpenAI SDK workload in a process of its own (see `openai-sdk.ts`): the
 * uninstrumented SDK (`plain`), our `instrumentOpenAI` with the OpenInference exporter (`ours`), or
 * `@arizeai/openinference-instrumentation-openai` (`openinference`). Every variant makes the same
 * setup, warms up, then prints as JSON the CPU nanoseconds per call over one stretch of `calls`
 * calls (its whole CPU time, garbage collection included). The setup: spans batched and dropped; OpenTelemetry's AsyncLocalStorage
 * context manager registered, as OpenInference's documented `provider.register()` does, and the
 * calls made inside an active context, as in a service whose HTTP server instrumentation opens
 * one per request. On Node 20 an entered AsyncLocalStorage turns on promise hooks, which cost
 * every promise the SDK makes; without the active context the uninstrumented and OpenInference
 * processes would run without them and ours (whose calls enter their scope) with them.
 *
 * Usage: openai-sdk-worker.ts <variant> <baseURL> <loopback|in-process> <warmup> <calls>
 */
import OpenAI from 'openai';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import * as rt from '@nemo-flow/runtime';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { instrumentOpenAI } from '@nemo-flow/openai';
import { NoopSpanExporter } from './otel-floor.js';
import { chatRequest } from './measure.js';
import { OPENAI_BODY as BODY } from './openai-server.js';

export type SdkVariant = 'plain' | 'ours' | 'openinference';

const PIPELINE = { maxQueueSize: 1 << 16, maxExportBatchSize: 512, scheduledDelayMillis: 50 };

/** An in-process `fetch` answering at once: the SDK and instrumentation CPU without sockets. */
const cannedFetch = async (): Promise<Response> => new Response(BODY, { headers: { 'content-type': 'application/json' } });

function client(variant: SdkVariant, baseURL: string, fetch: typeof cannedFetch | undefined): { client: OpenAI; close(): Promise<void> } {
  const c = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0, fetch });
  if (variant === 'ours') {
    const exporter = new OpenInferenceExporter({ spanExporter: new NoopSpanExporter(), ...PIPELINE });
    rt.registerSubscriber('bench-openai-sdk', exporter);
    return { client: instrumentOpenAI(c), close: () => exporter.shutdown() };
  }
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new NoopSpanExporter(), PIPELINE)] });
  if (variant === 'openinference') new OpenAIInstrumentation({ tracerProvider: provider }).manuallyInstrument({ OpenAI } as never);
  return { client: c, close: () => provider.shutdown() };
}

async function main(): Promise<void> {
  const [variant, baseURL, transport, warmup, calls] = process.argv.slice(2) as [SdkVariant, string, string, string, string];
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  await context.with(context.active(), () => measure(variant, baseURL, transport, Number(warmup), Number(calls)));
}

async function measure(variant: SdkVariant, baseURL: string, transport: string, warmup: number, calls: number): Promise<void> {
  const { client: c, close } = client(variant, baseURL, transport === 'in-process' ? cannedFetch : undefined);
  const params = chatRequest().content as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
  const stretch = async (n: number): Promise<number> => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await c.chat.completions.create(params);
    const u = process.cpuUsage(c0);
    return ((u.user + u.system) * 1000) / n;
  };
  await stretch(warmup);
  const nsPerCall = await stretch(calls);
  await close();
  process.stdout.write(`${JSON.stringify({ nsPerCall })}\n`);
}

void main();
