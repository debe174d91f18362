/**
 * Where there is no filesystem (Cloudflare Workers): the file outputs refuse at construction with
 * an error naming the alternative, and the alternatives deliver the same data — ATIF trajectories
 * as JSON strings to `onTrajectory`, ATOF events to a `WritableStream` or a callback — awaited by
 * `flushSubscribers()` / `flush()`.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AtofFileExporter,
  ScopeType,
  deregisterSubscriber,
  flushSubscribers,
  llmCallExecute,
  registerSubscriber,
  toolCallExecute,
  withScope,
} from '@nemo-flow/runtime';
import { AtofStreamExporter } from '@nemo-flow/runtime/exporter-kit';
import { AtifExporter, buildTrajectories, parseAtofJsonl, validateTrajectory, type TrajectoryInfo } from '@nemo-flow/exporter-atif';
import { collectFailures } from '../../../test/support/failures.js';

async function agentRun(session: string): Promise<void> {
  await withScope(
    'agent',
    ScopeType.Agent,
    async () => {
      const messages = [{ role: 'user', content: 'Find order 7.' }];
      await llmCallExecute(
        'openai.chat',
        { headers: {}, content: { model: 'gpt-4o', messages } },
        async () => ({
          id: 'c',
          object: 'chat.completion',
          model: 'gpt-4o',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Looking it up.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
        { codec: 'auto' },
      );
      await toolCallExecute('lookup', { q: 'order 7' }, async () => ({ status: 'shipped' }));
    },
    { metadata: { session_id: session } },
  );
}

/** Runs `fn` as if on Cloudflare Workers (the user agent their runtime reports). */
function onWorkers<T>(fn: () => T): T {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Cloudflare-Workers' }, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete (globalThis as { navigator?: unknown }).navigator;
  }
}

describe('outputs without a filesystem', () => {
  let failures: ReturnType<typeof collectFailures>;
  let dir: string;
  beforeEach(() => {
    failures = collectFailures();
    dir = mkdtempSync(join(tmpdir(), 'nf-memory-'));
  });
  afterEach(() => {
    failures.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('file outputs fail at construction with an error naming the alternative', () => {
    onWorkers(() => {
      assert.throws(
        () => new AtifExporter({ dir }),
        /AtifExporter: cannot write trajectories to .*Cloudflare Workers have no persistent filesystem\. Pass onTrajectory/,
      );
      assert.throws(
        () => new AtofFileExporter({ path: join(dir, 'e.jsonl') }),
        /AtofFileExporter: cannot write .*no persistent filesystem\. .*AtofStreamExporter/,
      );
      // The alternatives construct fine there.
      new AtifExporter({ onTrajectory: () => undefined, writeOnExit: false });
      new AtofStreamExporter({ output: () => undefined });
    });
    assert.throws(() => new AtifExporter({ onTrajectory: 'x' as never }), /onTrajectory must be a function/);
    assert.throws(() => new AtofStreamExporter({ output: 42 as never }), /output must be a WritableStream or a function/);
  });

  it('ATIF onTrajectory: a valid trajectory as a string, the upload awaited by flush, no file written', async () => {
    const got: { json: string; info: TrajectoryInfo }[] = [];
    let uploaded = 0;
    const atif = new AtifExporter({
      dir,
      writeOnExit: false,
      onTrajectory: async (json, info) => {
        await new Promise((r) => setTimeout(r, 20)); // an upload to storage
        got.push({ json, info });
        uploaded++;
      },
    }).register('atif-memory');
    try {
      await agentRun('s-1');
      const report = await flushSubscribers({ timeoutMs: 5000 });
      assert.equal(uploaded, 1, 'flush waited for the upload');
      assert.deepEqual(report.exporters['atif-memory'], { flushed: true, delivered: 1, lost: 0, pending: 0 });
      const { json, info } = got[0]!;
      assert.deepEqual(validateTrajectory(JSON.parse(json)), []);
      assert.equal(JSON.parse(json).session_id, 's-1');
      assert.deepEqual(
        { ...info, violations: info.violations.length },
        { fileName: 'trajectory-s-1.json', sessionId: 's-1', trajectoryId: info.trajectoryId, valid: true, violations: 0, partial: false },
      );
      assert.deepEqual(readdirSync(dir), [], 'no filesystem touched');
    } finally {
      await atif.shutdown();
    }
  });

  it('ATIF onTrajectory failing: reported and counted lost, the app unaffected', async () => {
    const atif = new AtifExporter({ writeOnExit: false, onTrajectory: () => Promise.reject(new Error('bucket down')) }).register('atif-failing');
    try {
      await agentRun('s-2');
      const report = await flushSubscribers({ timeoutMs: 5000 });
      assert.deepEqual(report.exporters['atif-failing'], { flushed: true, delivered: 0, lost: 1, pending: 0 });
      assert.ok(failures.failures.some((f) => f.source === 'exporter-atif:onTrajectory'));
    } finally {
      await atif.shutdown();
    }
  });

  it('ATOF to a WritableStream: every event, in order, and the trajectory built from them validates', async () => {
    const chunks: string[] = [];
    let closed = false;
    const stream = new WritableStream<string>({
      async write(chunk) {
        await new Promise((r) => setTimeout(r, 5));
        chunks.push(chunk);
      },
      close() {
        closed = true;
      },
    });
    const atof = new AtofStreamExporter({ output: stream });
    registerSubscriber('atof-stream', atof);
    try {
      await agentRun('s-3');
      const report = await flushSubscribers({ timeoutMs: 5000 });
      const { events, errors } = parseAtofJsonl(chunks.join(''));
      assert.deepEqual(errors, []);
      assert.equal(events.length, 6); // agent, llm, tool: start and end each
      assert.deepEqual(report.exporters['atof-stream'], { flushed: true, delivered: 6, lost: 0, pending: 0 });
      const built = buildTrajectories(events);
      assert.equal(built.length, 1);
      assert.deepEqual(validateTrajectory(built[0]!.trajectory), []);
    } finally {
      deregisterSubscriber('atof-stream');
      await atof.shutdown();
    }
    assert.ok(closed, 'shutdown closed the stream');
  });

  it('ATOF to a callback: batches of JSONL lines', async () => {
    const batches: string[] = [];
    const atof = new AtofStreamExporter({ output: (jsonl) => void batches.push(jsonl) });
    registerSubscriber('atof-callback', atof);
    try {
      await agentRun('s-4');
      await flushSubscribers({ timeoutMs: 5000 });
      assert.ok(batches.every((b) => b.endsWith('\n')));
      assert.equal(parseAtofJsonl(batches.join('')).events.length, 6);
      assert.equal(atof.stats.writtenLines, 6);
    } finally {
      deregisterSubscriber('atof-callback');
      await atof.shutdown();
    }
  });
});
