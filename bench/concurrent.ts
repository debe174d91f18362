/**
 * 10,000 concurrent agent runs × 10 async tool calls, with the otel exporter (OTLP-encoded),
 * against the SDK doing the same with OpenTelemetry's AsyncLocalStorage context manager (what
 * keeps concurrent spans parented right without passing contexts by hand), with the same span
 * names and attributes as ours. A separate pass checks
 * that every tool span of ours is parented to its own run's span.
 */
import * as rt from '@nemo-flow/runtime';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { BATCH, EncodingSpanExporter, encodingTracer } from './encoding-exporter.js';
import type { Workload } from './run.js';
import { flushed } from './measure.js';

const RUNS = 10_000;
const ID = '01a20b85-07f4-76e3-a352-a993a5b15d77'; // stands for the ids a hand instrumentation records too
const CALLS = 10;

async function ourRuns(): Promise<void> {
  await Promise.all(
    Array.from({ length: RUNS }, (_, r) =>
      rt.withScope(`run-${r}`, rt.ScopeType.Agent, async () => {
        for (let k = 0; k < CALLS; k++) await rt.toolCallExecute('t', { k }, async (a) => (await null, a), { toolCallId: `${r}.${k}` });
      }),
    ),
  );
}

/** Runs the workload once with an exporter that records parentage; returns the mis-parented tool spans. */
export async function misparented(): Promise<{ tools: number; wrong: number }> {
  const spans = new Map<string, { name: string; parent?: string; attrs: ReadableSpan['attributes'] }>();
  const exporter = new OtelExporter({
    spanExporter: new EncodingSpanExporter((s) =>
      spans.set(s.spanContext().spanId, { name: s.name, parent: s.parentSpanContext?.spanId, attrs: s.attributes }),
    ),
    ...BATCH,
  });
  rt.registerSubscriber('bench-parentage', exporter);
  await ourRuns();
  rt.deregisterSubscriber('bench-parentage');
  await exporter.shutdown();
  let tools = 0;
  let wrong = 0;
  for (const s of spans.values()) {
    if (!s.name.startsWith('execute_tool')) continue;
    tools++;
    const run = String(s.attrs['gen_ai.tool.call.id']).split('.')[0];
    const parent = s.parent === undefined ? undefined : spans.get(s.parent);
    if (parent?.name !== `invoke_agent run-${run}`) wrong++;
  }
  return { tools, wrong };
}

export function concurrentWorkload(): Workload {
  const { tracer, provider } = encodingTracer();
  const cm = new AsyncLocalStorageContextManager().enable();
  let exporter: OtelExporter | undefined;
  return {
    name: 'concurrent_10000x10_otel',
    what: '10,000 concurrent runs × 10 async tool calls, otel exporter, OTLP-encoded, vs the SDK with its AsyncLocalStorage context manager (per tool call)',
    ops: RUNS * CALLS,
    samples: 3,
    target: 1,
    around: {
      setup() {
        rt.deregisterSubscriber('bench');
        exporter = new OtelExporter({ spanExporter: new EncodingSpanExporter(), ...BATCH });
        rt.registerSubscriber('bench-exporter', exporter);
      },
      async teardown() {
        rt.deregisterSubscriber('bench-exporter');
        await exporter?.shutdown();
        rt.registerSubscriber('bench', () => {});
      },
    },
    // Each sample ends by exporting what its side still queues (both timed; see `flushed`).
    ours: flushed(
      async (n) => {
        for (let done = 0; done < n; done += RUNS * CALLS) await ourRuns();
      },
      () => exporter!.forceFlush(),
    ),
    otel: flushed(
      async (n) => {
        for (let done = 0; done < n; done += RUNS * CALLS) {
          await Promise.all(
            Array.from({ length: RUNS }, (_, r) => {
              const run = tracer.startSpan(`invoke_agent run-${r}`, {
                attributes: {
                  'nemo_flow.uuid': ID,
                  'nemo_flow.parent_uuid': ID,
                  'nemo_flow.category': 'agent',
                  'gen_ai.operation.name': 'invoke_agent',
                  'gen_ai.agent.name': `run-${r}`,
                },
              });
              return cm.with(trace.setSpan(cm.active(), run), async () => {
                for (let k = 0; k < CALLS; k++) {
                  const s = tracer.startSpan(
                    'execute_tool t',
                    {
                      attributes: {
                        'nemo_flow.uuid': ID,
                        'nemo_flow.parent_uuid': ID,
                        'nemo_flow.category': 'tool',
                        'gen_ai.operation.name': 'execute_tool',
                        'gen_ai.tool.name': 't',
                        'gen_ai.tool.type': 'function',
                        'gen_ai.tool.call.id': `${r}.${k}`,
                      },
                    },
                    cm.active(),
                  );
                  await cm.with(trace.setSpan(cm.active(), s), async () => (await null, { k }));
                  s.end();
                }
                run.end();
              });
            }),
          );
        }
      },
      () => provider.forceFlush(),
    ),
  };
}
