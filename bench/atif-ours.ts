/**
 * One agent run of 1,000 LLM calls × 10 tool calls, exported to ATIF by our exporter, in its own
 * process; prints JSON: elapsed ms, file bytes, peak retained heap growth. With `--expose-gc`
 * (the memory run) the heap is sampled after a forced GC every 100 turns and the time is not
 * reported; without it (the timed runs) nothing forces a GC.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rt from '@nemo-flow/runtime';
import { AtifExporter } from '@nemo-flow/exporter-atif';
import { atifTurn } from './atif-workload.js';

const gc = (globalThis as { gc?: () => void }).gc;
const dir = mkdtempSync(join(tmpdir(), 'nf-bench-atif-'));
const exporter = new AtifExporter({ dir, agentName: 'bench-agent', agentVersion: '1.0.0' });
rt.registerSubscriber('atif', exporter);
// Built before the clock starts, as the reference's process gets its turns parsed before its clock.
const turns = Array.from({ length: 1000 }, (_, i) => atifTurn(i));
gc?.();
const base = process.memoryUsage().heapUsed;
let peak = 0;
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
await rt.withScope(
  'bench-agent',
  rt.ScopeType.Agent,
  async () => {
    for (let turn = 0; turn < 1000; turn++) {
      const { request, response, calls } = turns[turn]!;
      await rt.llmCallExecute('openai.chat', request, () => response, { codec: 'openai-chat' });
      for (const c of calls) await rt.toolCallExecute(c.name, c.args, () => ({ ok: true, turn }), { toolCallId: c.id });
      if (gc && turn % 100 === 99) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
    }
  },
  { metadata: { session_id: 'bench' } },
);
await exporter.forceFlush();
if (gc) {
  gc();
  peak = Math.max(peak, process.memoryUsage().heapUsed - base);
}
const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = process.cpuUsage(c0);
const cpuMs = (cpu.user + cpu.system) / 1000;
await exporter.shutdown();
const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
const fileBytes = statSync(join(dir, file)).size;
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ elapsedMs, cpuMs, fileBytes, peakRetainedBytes: peak }));
