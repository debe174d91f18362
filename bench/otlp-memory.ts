/**
 * Memory an OTLP exporter keeps after 10,000 agent runs (10 tool calls each, 100 runs at a time),
 * every span encoded to OTLP protobuf. Run in its own process with `--expose-gc`; prints JSON.
 */
import * as rt from '@nemo-flow/runtime';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { BATCH, EncodingSpanExporter } from './encoding-exporter.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const exporter = new OtelExporter({ spanExporter: new EncodingSpanExporter(), ...BATCH, captureContent: true });
rt.registerSubscriber('otlp', exporter);
const batch = async (from: number, count: number): Promise<void> => {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      rt.withScope(
        `run-${from + i}`,
        rt.ScopeType.Agent,
        async () => {
          for (let k = 0; k < 10; k++) await rt.toolCallExecute('t', { k }, async (a) => (await null, a));
        },
        { metadata: { session_id: `s-${from + i}` } },
      ),
    ),
  );
};
await batch(0, 100); // warm: code, caches and pools that exist once, not per run
await exporter.forceFlush();
gc();
const base = process.memoryUsage().heapUsed;
const N = Number(process.env.RUNS ?? 10_000);
for (let r = 100; r < N + 100; r += 100) await batch(r, 100);
await exporter.forceFlush();
await new Promise((r) => setTimeout(r, 100));
gc();
gc();
const kept = process.memoryUsage().heapUsed - base;
await exporter.shutdown();
process.stdout.write(JSON.stringify({ runs: 10_000, keptBytes: kept }));
