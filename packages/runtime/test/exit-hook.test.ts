/** Exit hooks only where a process emits events: elsewhere (Workers, browsers) adding one is a no-op, never a throw. */
import { strict as assert } from 'node:assert';
import { addExitHook, addSyncExitHook } from '@nemo-flow/runtime/exporter-kit';

/** Runs `fn` with `globalThis.process` replaced by `stand_in` (synchronously, then restores it). */
function withProcess<T>(standIn: unknown, fn: () => T): T {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
  Object.defineProperty(globalThis, 'process', { value: standIn, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    Object.defineProperty(globalThis, 'process', saved);
  }
}

describe('runtime: exit hooks without a process', () => {
  it('adding and removing hooks does nothing when there is no process', () => {
    const before = process.listenerCount('beforeExit');
    const removers = withProcess(undefined, () => [addExitHook(async () => undefined), addSyncExitHook(() => undefined)]);
    assert.equal(process.listenerCount('beforeExit'), before, 'no listener reached the real process');
    withProcess(undefined, () => {
      for (const remove of removers) remove();
    });
  });

  it('a process without events (a partial stand-in) is left alone', () => {
    const before = process.listenerCount('SIGTERM');
    const remove = withProcess({ env: {} }, () => addExitHook(async () => undefined));
    assert.equal(process.listenerCount('SIGTERM'), before);
    withProcess({ env: {} }, remove);
  });

  it('a runtime that rejects a signal listener does not make addExitHook throw', () => {
    const seen: string[] = [];
    const standIn = {
      on(event: string) {
        if (event.startsWith('SIG')) throw new Error(`signal ${event} not supported`);
        seen.push(event);
      },
      removeListener() {},
      listenerCount: () => 0,
    };
    const remove = withProcess(standIn, () => addExitHook(async () => undefined));
    assert.deepEqual(seen, ['beforeExit']);
    withProcess(standIn, remove);
  });
});
