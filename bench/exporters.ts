/**
 * Exporter workloads: a managed tool call (1 KB args) and an LLM call (2 KB request) with an
 * exporter attached and content capture on, against the same spans (same names, attributes and
 * `JSON.stringify`-ed content) made directly with the SDK. Both sides batch their spans and encode
 * every batch to OTLP protobuf bytes (`EncodingSpanExporter`), so the work compared is the work a
 * user's process does short of the network.
 */
import * as rt from '@nemo-flow/runtime';
import { SpanKind } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import type { Workload } from './run.js';
import { BATCH, EncodingSpanExporter, encodingTracer } from './encoding-exporter.js';
import { flushed, payload } from './measure.js';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface Context {
  tracer: Tracer;
  request: { headers: Record<string, string>; content: Record<string, unknown> };
  response: Record<string, unknown>;
  ops: (n: number) => number;
  quick: boolean;
}

type Exporter = rt.EventExporter & { shutdown(): Promise<void> };

/**
 * Registers `make()` for the workload only (and takes the bench's no-op subscriber out meanwhile);
 * `flush` exports what the current exporter still holds.
 */
function attached(make: () => Exporter): NonNullable<Workload['around']> & { flush(): Promise<void> } {
  let exp: Exporter | undefined;
  return {
    setup() {
      rt.deregisterSubscriber('bench');
      exp = make();
      rt.registerSubscriber('bench-exporter', exp);
    },
    async teardown() {
      rt.deregisterSubscriber('bench-exporter');
      await exp?.shutdown();
      rt.registerSubscriber('bench', () => {});
    },
    async flush() {
      await exp?.forceFlush();
    },
  };
}

const ID = '01a20b85-07f4-76e3-a352-a993a5b15d77'; // stands for the ids a hand instrumentation records too

type Chat = { model: string; temperature: number; max_tokens: number; messages: Array<{ role: string; content: string }> };
type ChatResponse = {
  id: string;
  model: string;
  choices: Array<{
    finish_reason: string;
    message: { role: string; content: string; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> };
  }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
};

const ARGS_1KB = payload(1024);
const RESULT = { ok: true, rows: 3 };
const toolFn = (a: unknown): unknown => (a === undefined ? a : RESULT);

/** GenAI message JSON of a chat request's messages (what `gen_ai.input.messages` holds). */
function genAiInput(c: Chat): string {
  return JSON.stringify(c.messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })));
}

function genAiOutput(r: ChatResponse): string {
  const msg = r.choices[0]!.message;
  const parts: Array<Record<string, unknown>> = [];
  if (msg.content) parts.push({ type: 'text', content: msg.content });
  for (const t of msg.tool_calls ?? []) parts.push({ type: 'tool_call', id: t.id, name: t.function.name, arguments: t.function.arguments });
  return JSON.stringify([{ role: 'assistant', parts, finish_reason: r.choices[0]!.finish_reason }]);
}

/** The spans our exporters produce, made by hand with the SDK from the raw payloads (same names, kinds, attributes, content). */
const baselines = {
  otel: {
    tool: (tracer: Tracer) => async (n: number) => {
      for (let i = 0; i < n; i++) {
        const s = tracer.startSpan('execute_tool t', {
          kind: SpanKind.INTERNAL,
          attributes: {
            'nemo_flow.uuid': ID,
            'nemo_flow.parent_uuid': ID,
            'nemo_flow.category': 'tool',
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 't',
            'gen_ai.tool.type': 'function',
            'gen_ai.tool.call.id': `call_${i}`,
            'gen_ai.tool.call.arguments': JSON.stringify(ARGS_1KB),
          },
        });
        const out = await toolFn(ARGS_1KB);
        s.setAttribute('gen_ai.tool.call.result', JSON.stringify(out));
        s.end();
      }
    },
    llm: (tracer: Tracer, ctx: Context) => async (n: number) => {
      for (let i = 0; i < n; i++) {
        const c = ctx.request.content as Chat;
        const s = tracer.startSpan(`chat ${c.model}`, {
          kind: SpanKind.CLIENT,
          attributes: {
            'nemo_flow.uuid': ID,
            'nemo_flow.parent_uuid': ID,
            'nemo_flow.category': 'llm',
            'nemo_flow.name': 'openai.chat',
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': c.model,
            'gen_ai.request.temperature': c.temperature,
            'gen_ai.request.max_tokens': c.max_tokens,
            'gen_ai.input.messages': genAiInput(c),
          },
        });
        const r = (await ctx.response) as ChatResponse;
        s.setAttributes({
          'gen_ai.response.id': r.id,
          'gen_ai.response.model': r.model,
          'gen_ai.response.finish_reasons': r.choices.map((ch) => ch.finish_reason),
          'gen_ai.usage.input_tokens': r.usage.prompt_tokens,
          'gen_ai.usage.output_tokens': r.usage.completion_tokens,
          'gen_ai.output.messages': genAiOutput(r),
        });
        s.end();
      }
    },
  },
  openinference: {
    tool: (tracer: Tracer) => async (n: number) => {
      for (let i = 0; i < n; i++) {
        const args = ARGS_1KB;
        const s = tracer.startSpan('t', {
          attributes: {
            'openinference.span.kind': 'TOOL',
            'nemo_flow.uuid': ID,
            'nemo_flow.parent_uuid': ID,
            'nemo_flow.category': 'tool',
            'tool.name': 't',
            'tool_call.id': `call_${i}`,
            'tool.id': `call_${i}`,
            'input.value': JSON.stringify(args),
            'input.mime_type': 'application/json',
          },
        });
        const out = await toolFn(args);
        s.setAttributes({ 'output.value': JSON.stringify(out), 'output.mime_type': 'application/json' });
        s.end();
      }
    },
    llm: (tracer: Tracer, ctx: Context) => async (n: number) => {
      for (let i = 0; i < n; i++) {
        const c = ctx.request.content as Chat;
        const attrs: Record<string, string | number> = {
          'openinference.span.kind': 'LLM',
          'nemo_flow.uuid': ID,
          'nemo_flow.parent_uuid': ID,
          'nemo_flow.category': 'llm',
          'llm.model_name': c.model,
          'llm.provider': 'openai',
          'llm.system': 'openai',
          'llm.invocation_parameters': JSON.stringify({ temperature: c.temperature, max_tokens: c.max_tokens }),
        };
        c.messages.forEach((m, k) => {
          attrs[`llm.input_messages.${k}.message.role`] = m.role;
          attrs[`llm.input_messages.${k}.message.content`] = m.content;
        });
        attrs['input.value'] = JSON.stringify(ctx.request.content);
        attrs['input.mime_type'] = 'application/json';
        const s = tracer.startSpan('openai.chat', { attributes: attrs });
        const r = (await ctx.response) as ChatResponse;
        const msg = r.choices[0]!.message;
        const out: Record<string, string | number> = {
          'llm.finish_reason': r.choices[0]!.finish_reason,
          'llm.token_count.prompt': r.usage.prompt_tokens,
          'llm.token_count.completion': r.usage.completion_tokens,
          'llm.token_count.total': r.usage.total_tokens,
          'llm.output_messages.0.message.role': msg.role,
          'llm.output_messages.0.message.content': msg.content,
        };
        msg.tool_calls?.forEach((t, k) => {
          out[`llm.output_messages.0.message.tool_calls.${k}.tool_call.id`] = t.id;
          out[`llm.output_messages.0.message.tool_calls.${k}.tool_call.function.name`] = t.function.name;
          out[`llm.output_messages.0.message.tool_calls.${k}.tool_call.function.arguments`] = t.function.arguments;
        });
        out['output.value'] = JSON.stringify(r);
        out['output.mime_type'] = 'application/json';
        s.setAttributes(out);
        s.end();
      }
    },
  },
};

function exporterPair(label: 'otel' | 'openinference', make: () => Exporter, ctx: Context, sdk: Tracer, sdkFlush: () => Promise<void>): Workload[] {
  const tool = attached(make);
  const llm = attached(make);
  return [
    {
      name: `${label}_tool_1kb`,
      what: `managed tool call, 1 KB args, ${label} exporter, content capture on, OTLP-encoded, vs the same span made with the SDK`,
      ops: ctx.ops(20_000),
      target: 1.2,
      around: tool,
      ours: flushed(async (n) => {
        for (let i = 0; i < n; i++) await rt.toolCallExecute('t', ARGS_1KB, toolFn, { toolCallId: `call_${i}` });
      }, tool.flush),
      otel: flushed(baselines[label].tool(sdk), sdkFlush),
    },
    {
      name: `${label}_llm_2kb`,
      what: `LLM call, 2 KB request, ${label} exporter, content capture on, OTLP-encoded, vs the same span made with the SDK`,
      ops: ctx.ops(10_000),
      target: 1.2,
      around: llm,
      ours: flushed(async (n) => {
        for (let i = 0; i < n; i++) await rt.llmCallExecute('openai.chat', ctx.request, () => ctx.response, { codec: 'openai-chat' });
      }, llm.flush),
      otel: flushed(baselines[label].llm(sdk, ctx), sdkFlush),
    },
  ];
}

/** Four middleware doing real edits, and the same edits made by hand around an SDK span. */
function middlewareWorkload(ctx: Context, sdk: Tracer, sdkFlush: () => Promise<void>): Workload {
  const args = { query: 'weather in Paris', api_key: 'sk-secret', limit: 5 };
  let elapsed = 0;
  const redact = (_n: string, v: unknown): unknown => {
    delete (v as { api_key?: string }).api_key; // the copy subscribers see
    return undefined;
  };
  const allow = (_n: string, a: unknown): string | undefined => ((a as { limit: number }).limit > 100 ? 'limit too high' : undefined);
  const rewrite = (_n: string, a: unknown): unknown => ({ ...(a as object), query: (a as { query: string }).query.trim().toLowerCase() });
  const timing = async (a: unknown, next: (a: unknown) => Promise<unknown>): Promise<unknown> => {
    const t0 = performance.now();
    try {
      return await next(a);
    } finally {
      elapsed += performance.now() - t0;
    }
  };
  const real = (a: unknown): unknown => ({ forecast: 'sunny', for: (a as { query: string }).query });
  const exp = attached(() => new OtelExporter({ spanExporter: new EncodingSpanExporter(), ...BATCH }));
  return {
    name: 'tool_4_real_middleware',
    what: 'managed tool call with 4 middleware doing real edits (redact a key, conditional check, rewrite an argument, timing intercept), otel exporter, OTLP-encoded, vs the same edits by hand around an SDK span',
    ops: ctx.ops(20_000),
    target: 1.2,
    around: {
      setup() {
        exp.setup();
        rt.registerToolSanitizeRequestGuardrail('bench-redact', 0, redact);
        rt.registerToolConditionalExecutionGuardrail('bench-allow', 0, allow);
        rt.registerToolRequestIntercept('bench-rewrite', 0, rewrite);
        rt.registerToolExecutionIntercept('bench-timing', 0, timing);
      },
      async teardown() {
        rt.deregisterToolSanitizeRequestGuardrail('bench-redact');
        rt.deregisterToolConditionalExecutionGuardrail('bench-allow');
        rt.deregisterToolRequestIntercept('bench-rewrite');
        rt.deregisterToolExecutionIntercept('bench-timing');
        await exp.teardown();
      },
    },
    ours: flushed(async (n) => {
      for (let i = 0; i < n; i++) await rt.toolCallExecute('get_weather', args, real);
    }, exp.flush),
    otel: flushed(async (n) => {
      for (let i = 0; i < n; i++) {
        const { api_key: _k, ...shown } = args;
        void shown;
        const s = sdk.startSpan('execute_tool get_weather', {
          kind: SpanKind.INTERNAL,
          attributes: {
            'nemo_flow.uuid': ID,
            'nemo_flow.parent_uuid': ID,
            'nemo_flow.category': 'tool',
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'get_weather',
            'gen_ai.tool.type': 'function',
          },
        });
        if (allow('get_weather', args) === undefined) {
          const a = rewrite('get_weather', args);
          await timing(a, async (x) => real(x));
        }
        s.end();
      }
    }, sdkFlush),
  };
}

/**
 * With a provider the user gives, spans are the SDK's own (the built-in pipeline records lighter
 * spans into the same processors): shown for information, no target.
 */
function ownProviderWorkload(ctx: Context, sdk: Tracer, sdkFlush: () => Promise<void>): Workload {
  let provider: BasicTracerProvider | undefined;
  const make = (): Exporter => {
    provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new EncodingSpanExporter(), BATCH)] });
    const exporter = new OtelExporter({ tracerProvider: provider, captureContent: true });
    return {
      onEvent: (e) => exporter.onEvent(e),
      forceFlush: () => exporter.forceFlush(),
      shutdown: async () => {
        await exporter.shutdown();
        await provider?.shutdown();
      },
    };
  };
  const own = attached(make);
  return {
    name: 'otel_tool_own_provider',
    what: 'managed tool call with the otel exporter given your own SDK provider (SDK spans) vs the same span made directly with the SDK',
    ops: ctx.ops(30_000),
    around: own,
    ours: flushed(async (n) => {
      for (let i = 0; i < n; i++) await rt.toolCallExecute('t', ARGS_1KB, toolFn, { toolCallId: `call_${i}` });
    }, own.flush),
    otel: flushed(baselines.otel.tool(sdk), sdkFlush),
  };
}

export async function extraWorkloads(ctx: Context): Promise<Workload[]> {
  const { tracer: sdk, provider } = encodingTracer();
  const sdkFlush = (): Promise<void> => provider.forceFlush();
  const common = () => ({ spanExporter: new EncodingSpanExporter(), ...BATCH, captureContent: true });
  const workloads = exporterPair('otel', () => new OtelExporter(common()), ctx, sdk, sdkFlush);
  workloads.push(middlewareWorkload(ctx, sdk, sdkFlush));
  workloads.push(ownProviderWorkload(ctx, sdk, sdkFlush));
  try {
    const oi = (await import('@nemo-flow/exporter-openinference')) as { OpenInferenceExporter: new (o: ReturnType<typeof common>) => Exporter };
    workloads.push(...exporterPair('openinference', () => new oi.OpenInferenceExporter(common()), ctx, sdk, sdkFlush));
  } catch (err) {
    process.stderr.write(`openinference workloads skipped: ${(err as Error).message}\n`);
  }
  return workloads;
}
