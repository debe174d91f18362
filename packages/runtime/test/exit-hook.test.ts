/**
 * Exit hooks only where a process emits events: elsewhere (Workers, browsers) adding one is a
 * no-op, never a throw. Run in a child process (from the build) so that no hook installed by
 * another test hides the first installation.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';

/** Runs `body` in a fresh Node with `addExitHook` / `addSyncExitHook` imported; returns what it printed. */
function child(body: string): unknown {
  const script = `
    import { addExitHook, addSyncExitHook } from '@nemo-flow/runtime/exporter-kit';
    const out = (v) => process.stdout.write(JSON.stringify(v));
    const realProcess = process;
    const withProcess = (standIn, fn) => {
      Object.defineProperty(globalThis, 'process', { value: standIn, configurable: true, writable: true });
      try { return fn(); } finally { Object.defineProperty(globalThis, 'process', { value: realProcess, configurable: true, writable: true }); }
    };
    ${body}
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('runtime: exit hooks without a process', function () {
  this.timeout(20_000);

  it('no process, or one without events: adding and removing hooks does nothing and never throws', () => {
    const got = child(`
      const before = process.listenerCount('beforeExit') + process.listenerCount('SIGTERM') + process.listenerCount('exit');
      for (const standIn of [undefined, { env: {} }]) {
        const removers = withProcess(standIn, () => [addExitHook(async () => undefined), addSyncExitHook(() => undefined)]);
        withProcess(standIn, () => removers.forEach((r) => r()));
      }
      out(process.listenerCount('beforeExit') + process.listenerCount('SIGTERM') + process.listenerCount('exit') - before);
    `);
    assert.equal(got, 0, 'no listener reached the real process');
  });

  it('a runtime that rejects a signal listener does not make addExitHook throw', () => {
    const got = child(`
      const seen = [];
      const standIn = {
        on(event) { if (event.startsWith('SIG')) throw new Error('signal ' + event + ' not supported'); seen.push(event); },
        removeListener() {},
        listenerCount: () => 0,
      };
      const remove = withProcess(standIn, () => addExitHook(async () => undefined));
      withProcess(standIn, remove);
      out(seen);
    `);
    assert.deepEqual(got, ['beforeExit']);
  });
});
