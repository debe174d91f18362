/**
 * Process exit with spans still queued: a child process (its own exporter, the receiver here)
 * proves the opt-in hook delivers them on `beforeExit` and on SIGTERM, and that without the hook
 * they are lost (so the test can fail).
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { renderTree, spanNamed, startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';

const CHILD = fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url));

function runChild(
  mode: string,
  endpoint: string,
): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--conditions=nemo-flow-src', '--import', 'tsx', CHILD, mode, endpoint], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

function lineFrom(child: ChildProcess, want: string): Promise<void> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(want)) resolve();
    });
  });
}

describe('exporter-otel: process exit', function () {
  this.timeout(30_000);
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('flushes queued spans on beforeExit when a short script ends', async () => {
    const { exited } = runChild('beforeExit', receiver.url);
    const r = await exited;
    assert.equal(r.code, 0, r.stderr);
    const spans = await receiver.waitForSpans(2);
    assert.deepEqual(renderTree(spans).split('\n'), ['invoke_agent short-run', '  execute_tool lookup']);
    assert.equal(spans[0]!.resource['service.name'], 'exit-beforeExit');
  });

  it('loses them without the hook (control)', async () => {
    const r = await runChild('no-hook', receiver.url).exited;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(receiver.requests().length, 0);
  });

  it('on SIGTERM flushes, ends the open run as incomplete, and still exits by the signal', async () => {
    const { child, exited } = runChild('sigterm', receiver.url);
    await lineFrom(child, 'ready');
    child.kill('SIGTERM');
    const r = await exited;
    assert.equal(r.signal, 'SIGTERM', `exit code ${r.code}: ${r.stderr}`);
    const spans = await receiver.waitForSpans(3);
    assert.equal(spanNamed(spans, 'invoke_agent long-run').attributes['nemo_flow.incomplete'], true);
    spanNamed(spans, 'execute_tool lookup');
  });
});
