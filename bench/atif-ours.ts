/**
 * One agent run of 1,000 LLM calls × 10 tool calls, exported to ATIF by our exporter, in its own
 * process; prints JSON: elapsed ms, file bytes, peak retained heap growth. With `--expose-gc`
 * (the memory run) the heap is sampled after a forced GC every 100 turns and the time is not
 * reported; without it (the timed runs) nothing forces a GC.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rt from '@nemo-flow/runtime';
import { AtifExporter, validateTrajectory } from '@nemo-flow/exporter-atif';
import { atifTurn, type Turn } from './atif-workload.js';

const gc = (globalThis as { gc?: () => void }).gc;
const dir = mkdtempSync(join(tmpdir(), 'nf-bench-atif-'));
const exporter = new AtifExporter({ dir, agentName: 'bench-agent', agentVersion: '1.0.0' });
rt.registerSubscriber('atif', exporter);
// Built before the clock starts and parsed from JSON, as the reference's process gets its turns
// (flat strings, as an app's parsed responses are: template strings would be flattened on first read).
// (In a function: its temporaries, the workload's JSON text, must not stay in this frame's registers.)
const loadTurns = (): Turn[] => JSON.parse(JSON.stringify(Array.from({ length: 1000 }, (_, i) => atifTurn(i)))) as Turn[];
const turns = loadTurns();
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
// Checked after the clock: one valid trajectory holding every call.
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
if (files.length !== 1) throw new Error(`expected one trajectory file, got ${files.join(', ') || 'none'}`);
const fileBytes = statSync(join(dir, files[0]!)).size;
const doc = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as { steps: Array<{ tool_calls?: unknown[]; observation?: { results: unknown[] } }> };
const violations = validateTrajectory(doc);
if (violations.length > 0) throw new Error(`invalid trajectory: ${JSON.stringify(violations.slice(0, 3))}`);
const calls = doc.steps.reduce((n, s) => n + (s.tool_calls?.length ?? 0), 0);
const results = doc.steps.reduce((n, s) => n + (s.observation?.results.length ?? 0), 0);
if (calls !== 10_000 || results !== 10_000) throw new Error(`expected 10,000 tool calls with results, got ${calls} calls, ${results} results`);
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ elapsedMs, cpuMs, fileBytes, peakRetainedBytes: peak }));
