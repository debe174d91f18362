/**
 * The workloads every runtime runs (Node 20/24, Bun): the managed tool call and 1,000 concurrent
 * runs, each against the same runtime's OpenTelemetry SDK span. They import nothing Node-only, so
 * bench/runtimes.ts can measure them anywhere; bench/run.ts lists them in its main table too.
 */
import * as rt from '@nemo-flow/runtime';
import type { Tracer } from '@opentelemetry/api';
import { context, trace } from './otel-floor.js';
import type { Workload } from './run.js';

/** The baseline of the tool-call rows: a bare SDK span around awaiting `fn({ a: i })`. */
export function bareSpans(tracer: Tracer, fn: (a: unknown) => unknown): (n: number) => Promise<void> {
  return async (n) => {
    for (let i = 0; i < n; i++) {
      const s = tracer.startSpan('t');
      await fn({ a: i });
      s.end();
    }
  };
}

export function portableWorkloads(tracer: Tracer, ops: (n: number) => number, quick: boolean): Workload[] {
  return [
    {
      name: 'tool_sync',
      what: 'managed sync tool call, 1 subscriber',
      ops: ops(50_000),
      target: 2,
      ours: async (n) => {
        for (let i = 0; i < n; i++) await rt.toolCallExecute('t', { a: i }, (a) => a);
      },
      otel: bareSpans(tracer, (a) => a),
    },
    {
      name: 'tool_async',
      what: 'managed async tool call, 1 subscriber',
      ops: ops(50_000),
      target: 2,
      ours: async (n) => {
        for (let i = 0; i < n; i++) await rt.toolCallExecute('t', { a: i }, async (a) => a);
      },
      otel: bareSpans(tracer, async (a) => a),
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
  ];
}
