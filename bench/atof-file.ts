/**
 * The ATOF sink writing a real file: `AtofFileExporter.onEvent` for the events of 1,000 managed
 * tool calls (1 KB args), flushed to disk, against `JSON.stringify` of the same events (as plain
 * objects) appended to a file the same way (lines joined, one write).
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rt from '@nemo-flow/runtime';
import { serializeEvent } from '@nemo-flow/runtime/exporter-kit';
import { payload } from './measure.js';
import type { Workload } from './run.js';

async function recordEvents(calls: number): Promise<rt.LifecycleEvent[]> {
  const events: rt.LifecycleEvent[] = [];
  rt.registerSubscriber('bench-record', (e) => void events.push(e));
  const args = payload(1024);
  await rt.withScope('agent', rt.ScopeType.Agent, async () => {
    for (let i = 0; i < calls; i++) await rt.toolCallExecute('search', args, () => ({ ok: true, hits: 3 }), { toolCallId: `call_${i}` });
  });
  rt.deregisterSubscriber('bench-record');
  return events;
}

export async function atofFileWorkload(ops: (n: number) => number): Promise<Workload> {
  const live = await recordEvents(1000);
  const plain = live.map((e) => JSON.parse(serializeEvent(e)) as unknown);
  const dir = mkdtempSync(join(tmpdir(), 'nf-bench-atof-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const batches = (n: number): number => Math.max(1, Math.round(n / live.length));
  return {
    name: 'atof_file',
    what: 'ATOF sink writing a file (events of tool calls with 1 KB args) vs JSON.stringify + append of the same events',
    ops: live.length * batches(ops(10_000)),
    target: 1.5,
    ours: async (n) => {
      const sink = new rt.AtofFileExporter({ path: join(dir, 'ours.jsonl'), mode: 'overwrite' });
      for (let b = 0; b < batches(n); b++) {
        for (const e of live) sink.onEvent(e);
        await sink.forceFlush();
      }
      await sink.shutdown();
    },
    otel: async (n) => {
      const fd = openSync(join(dir, 'plain.jsonl'), 'w');
      for (let b = 0; b < batches(n); b++) {
        const lines: string[] = [];
        for (const e of plain) lines.push(JSON.stringify(e) + '\n');
        writeSync(fd, lines.join(''));
      }
      closeSync(fd);
    },
  };
}
