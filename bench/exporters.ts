/**
 * Exporter workloads: a managed tool call and an LLM call with an exporter attached (batch
 * processor, spans dropped instead of sent), against the same spans made directly with the SDK.
 */
import * as rt from '@nemo-flow/runtime';
import { SpanKind } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import type { Workload } from './run.js';
import { NoopSpanExporter } from './otel-floor.js';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface Context {
  tracer: Tracer;
  request: { headers: Record<string, string>; content: Record<string, unknown> };
  response: Record<string, unknown>;
  ops: (n: number) => number;
  quick: boolean;
}

type Exporter = rt.EventExporter & { shutdown(): Promise<void> };

/** Registers `make()` for the workload only (and takes the bench's no-op subscriber out meanwhile). */
function attached(make: () => Exporter): Workload['around'] {
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

/** The spans our exporters produce, made by hand with the SDK from the raw payloads (same names, kinds, attributes). */
const baselines = {
  otel: {
    tool: (tracer: Tracer) => async (n: number) => {
      const fn = (a: unknown): unknown => a;
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
          },
        });
        await fn({ a: i });
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
          },
        });
        const r = (await ctx.response) as ChatResponse;
        s.setAttributes({
          'gen_ai.response.id': r.id,
          'gen_ai.response.model': r.model,
          'gen_ai.response.finish_reasons': r.choices.map((ch) => ch.finish_reason),
          'gen_ai.usage.input_tokens': r.usage.prompt_tokens,
          'gen_ai.usage.output_tokens': r.usage.completion_tokens,
        });
        s.end();
      }
    },
  },
  openinference: {
    tool: (tracer: Tracer) => async (n: number) => {
      const fn = (a: unknown): unknown => a;
      for (let i = 0; i < n; i++) {
        const args = { a: i };
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
        const out = await fn(args);
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

function exporterPair(label: 'otel' | 'openinference', make: () => Exporter, ctx: Context): Workload[] {
  return [
    {
      name: `${label}_tool`,
      what: `managed tool call with the ${label} exporter attached vs the same span made directly with the SDK`,
      ops: ctx.ops(30_000),
      target: 1.5,
      around: attached(make),
      ours: async (n) => {
        for (let i = 0; i < n; i++) await rt.toolCallExecute('t', { a: i }, (a) => a, { toolCallId: `call_${i}` });
      },
      otel: baselines[label].tool(ctx.tracer),
    },
    {
      name: `${label}_llm`,
      what: `LLM call (2 KB request) with the ${label} exporter attached vs the same span made directly with the SDK`,
      ops: ctx.ops(20_000),
      target: 1.5,
      around: attached(make),
      ours: async (n) => {
        for (let i = 0; i < n; i++) await rt.llmCallExecute('openai.chat', ctx.request, () => ctx.response, { codec: 'openai-chat' });
      },
      otel: baselines[label].llm(ctx.tracer, ctx),
    },
  ];
}

/**
 * With a provider the user gives, spans are the SDK's own (the built-in pipeline records lighter
 * spans into the same processors): shown for information, no target.
 */
function ownProviderWorkload(ctx: Context): Workload {
  let provider: BasicTracerProvider | undefined;
  const make = (): Exporter => {
    provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(new NoopSpanExporter(), { maxQueueSize: 1 << 16, scheduledDelayMillis: 50 })],
    });
    const exporter = new OtelExporter({ tracerProvider: provider });
    return {
      onEvent: (e) => exporter.onEvent(e),
      forceFlush: () => exporter.forceFlush(),
      shutdown: async () => {
        await exporter.shutdown();
        await provider?.shutdown();
      },
    };
  };
  return {
    name: 'otel_tool_own_provider',
    what: 'managed tool call with the otel exporter given your own SDK provider (SDK spans) vs the same span made directly with the SDK',
    ops: ctx.ops(30_000),
    around: attached(make),
    ours: async (n) => {
      for (let i = 0; i < n; i++) await rt.toolCallExecute('t', { a: i }, (a) => a, { toolCallId: `call_${i}` });
    },
    otel: baselines.otel.tool(ctx.tracer),
  };
}

export async function extraWorkloads(ctx: Context): Promise<Workload[]> {
  const common = { spanExporter: new NoopSpanExporter(), maxQueueSize: 1 << 16, scheduledDelayMillis: 50 };
  const workloads = exporterPair('otel', () => new OtelExporter(common), ctx);
  workloads.push(ownProviderWorkload(ctx));
  try {
    const oi = (await import('@nemo-flow/exporter-openinference')) as { OpenInferenceExporter: new (o: typeof common) => Exporter };
    workloads.push(...exporterPair('openinference', () => new oi.OpenInferenceExporter(common), ctx));
  } catch (err) {
    process.stderr.write(`openinference workloads skipped: ${(err as Error).message}\n`);
  }
  return workloads;
}
