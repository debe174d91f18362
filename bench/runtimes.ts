/**
 * The portable workloads (bench/portable.ts) on whichever runtime runs this file, each as a ratio
 * to that runtime's OpenTelemetry SDK span, sampled alternately. Prints one JSON line; bench/run.ts
 * runs it on Node 20, Node 24 and Bun (from scripts/runtimes.mjs) and tabulates the three.
 * `--quick` uses fewer operations.
 */
import * as rt from '@nemo-flow/runtime';
import { measurePair } from './measure.js';
import { floorTracer } from './otel-floor.js';
import { portableWorkloads } from './portable.js';

export interface RuntimeRow {
  name: string;
  ours: number;
  otel: number;
}

const quick = process.argv.includes('--quick');
const ops = (n: number): number => Math.max(10, Math.round(n * (quick ? 0.05 : 1)));
const { tracer } = floorTracer();
const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
const runtime = g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : `Node ${process.version}`;
rt.registerSubscriber('bench', () => {});
const rows: RuntimeRow[] = [];
for (const w of portableWorkloads(tracer, ops, quick)) {
  const m = await measurePair(w.ours, w.otel!, w.ops, w.samples ?? 7, w.around);
  rows.push({ name: w.name, ours: m.a.nsPerOp, otel: m.b.nsPerOp });
}
rt.deregisterSubscriber('bench');
process.stdout.write(`${JSON.stringify({ runtime, rows })}\n`);
process.exit(0);
