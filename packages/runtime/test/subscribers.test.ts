import { strict as assert } from 'node:assert';
import {
  ScopeType,
  deregisterSubscriber,
  flushSubscribers,
  mark,
  popScope,
  pushScope,
  registerSubscriber,
  withScope,
  LifecycleError,
  failureCounts,
} from '@nemo-flow/runtime';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';
import type { LifecycleEvent } from '@nemo-flow/runtime';
import { capture, collectFailures, tick } from './helpers.js';

describe('subscribers', () => {
  it('a duplicate name is a clear error; deregister returns whether it existed', () => {
    registerSubscriber('dup', () => {});
    assert.throws(
      () => registerSubscriber('dup', () => {}),
      (e: unknown) => e instanceof LifecycleError && /"dup" is already registered/.test((e as Error).message),
    );
    assert.equal(deregisterSubscriber('dup'), true);
    assert.equal(deregisterSubscriber('dup'), false);
  });

  it('a throwing or rejecting subscriber never reaches the app: reported once per subscriber, counted', async () => {
    const f = collectFailures();
    const good = capture();
    registerSubscriber('thrower', () => {
      throw new Error('sync fail');
    });
    registerSubscriber('rejecter', async () => {
      await tick();
      throw new Error('async fail');
    });
    try {
      for (let i = 0; i < 5; i++) mark('m');
      await flushSubscribers();
    } finally {
      deregisterSubscriber('thrower');
      deregisterSubscriber('rejecter');
      good.stop();
    }
    assert.equal(good.events.length, 5, 'other subscribers still get every event');
    const rows = f.failures.map((x) => x.source).sort();
    assert.deepEqual(rows, ['subscriber:rejecter', 'subscriber:thrower']);
    assert.equal(f.failures.find((x) => x.source === 'subscriber:thrower')!.count, 5);
    f.restore();
  });

  it('flushSubscribers awaits asynchronous subscribers', async () => {
    let done = 0;
    registerSubscriber('slow', async () => {
      await new Promise((r) => setTimeout(r, 5));
      done++;
    });
    mark('a');
    mark('b');
    await flushSubscribers();
    deregisterSubscriber('slow');
    assert.equal(done, 2);
  });

  it('one subscriber cannot mutate the event another sees', () => {
    const seen: unknown[] = [];
    const errors: unknown[] = [];
    registerSubscriber('mutator', (e) => {
      try {
        (e as { name: string }).name = 'hacked';
      } catch (err) {
        errors.push(err);
      }
      try {
        (e.data as { nested: { v: number } }).nested.v = 99;
      } catch (err) {
        errors.push(err);
      }
    });
    registerSubscriber('reader', (e) => void seen.push(JSON.parse(JSON.stringify(e))));
    const payload = { nested: { v: 1 } };
    mark('m', { data: payload });
    deregisterSubscriber('mutator');
    deregisterSubscriber('reader');
    // Writing a payload throws; writing the frozen envelope throws in strict code and is ignored otherwise.
    assert.ok(errors.some((e) => /read-only: cannot set "v"/.test(String(e))));
    assert.deepEqual((seen[0] as LifecycleEvent).data, { nested: { v: 1 } });
    assert.equal((seen[0] as LifecycleEvent).name, 'm');
    assert.equal(payload.nested.v, 1, "the caller's object is untouched");
  });

  it('scope-local subscribers see their scope (including its end) and nothing else, then disappear', async () => {
    const outside: string[] = [];
    const local: string[] = [];
    await withScope('a', ScopeType.Agent, async (a) => {
      registerSubscriber('local', (e) => void local.push(`${e.kind === 'mark' ? 'mark' : e.scope_category}:${e.name}`), { scope: a });
      assert.throws(() => registerSubscriber('local', () => {}, { scope: a }), /already registered on scope "a"/);
      mark('in-a');
      const child = pushScope('child', ScopeType.Function);
      mark('in-child');
      popScope(child);
    });
    await withScope('b', ScopeType.Agent, () => mark('in-b'));
    mark('outside');
    void outside;
    assert.deepEqual(local, ['mark:in-a', 'start:child', 'mark:in-child', 'end:child', 'end:a']);
  });
});

describe('failure reporting', () => {
  it('stays bounded: past the limit, new failing sources are counted together and reported once', () => {
    const f = collectFailures();
    try {
      for (let i = 0; i < 1500; i++) reportFailure(`source-${i}`, 'failed', new Error('x'));
      const rows = failureCounts();
      assert.equal(rows.length, 1001);
      const overflow = rows.find((r) => r.source === 'other-sources')!;
      assert.equal(overflow.count, 500);
      assert.equal(f.failures.length, 1001, 'each remembered source, and the overflow bucket, reported once');
    } finally {
      f.restore();
    }
  });
});

describe('subscribers registered or removed during a dispatch', () => {
  it('one rule for global and scope-local ones: a subscriber added during a dispatch gets events from the next one on', async () => {
    const f = collectFailures();
    const got: Record<string, string[]> = { global: [], local: [] };
    let chain = 0;
    await withScope('a', ScopeType.Agent, (a) => {
      registerSubscriber('adder', (e) => {
        if (e.kind !== 'mark' || e.name !== 'first') return;
        registerSubscriber('late-global', (x) => void got.global!.push(x.name));
        registerSubscriber('late-local', (x) => void got.local!.push(x.name), { scope: a });
      });
      // A scope-local subscriber that registers another on every event: the chain advances one link per event.
      const link = (n: number) => {
        let done = false;
        return (): void => {
          if (done || !a.isOpen || n >= 2000) return;
          done = true;
          chain = Math.max(chain, n + 1);
          registerSubscriber(`link-${n + 1}`, link(n + 1), { scope: a });
        };
      };
      registerSubscriber('link-0', link(0), { scope: a });
      mark('first');
      mark('second');
      deregisterSubscriber('adder');
      deregisterSubscriber('late-global');
    });
    f.restore();
    assert.deepEqual(f.failures, []);
    assert.deepEqual(got.global, ['second']);
    assert.deepEqual(got.local, ['second', 'a']);
    assert.equal(chain, 2, 'one link per dispatch (first, second), not a runaway chain');
  });

  it('a subscriber deregistered during a dispatch gets nothing more, global or scope-local', async () => {
    const got: string[] = [];
    await withScope('a', ScopeType.Agent, (a) => {
      registerSubscriber('remover', () => {
        deregisterSubscriber('victim-global');
        deregisterSubscriber('victim-local', { scope: a });
      });
      registerSubscriber('victim-global', (e) => void got.push(`g:${e.name}`));
      registerSubscriber('victim-local', (e) => void got.push(`l:${e.name}`), { scope: a });
      mark('m');
      deregisterSubscriber('remover');
    });
    assert.deepEqual(got, []);
  });

  it('dispatch depth is bounded: a subscriber that emits on every event is stopped and reported', () => {
    const f = collectFailures();
    let calls = 0;
    registerSubscriber('echo', (e) => {
      calls++;
      mark(`echo-of-${e.name}`);
    });
    try {
      mark('seed');
    } finally {
      deregisterSubscriber('echo');
      f.restore();
    }
    assert.equal(calls, 32);
    assert.equal(f.failures.length, 1);
    assert.equal(f.failures[0]!.source, 'dispatch-depth');
  });
});

describe('flushSubscribers bounds', () => {
  it('a subscriber whose promise never settles: flush returns after the timeout and reports it', async () => {
    const f = collectFailures();
    registerSubscriber('stuck', () => new Promise(() => {}));
    registerSubscriber('fine', async () => {});
    try {
      mark('m');
      const t0 = Date.now();
      await flushSubscribers({ timeoutMs: 50 });
      const took = Date.now() - t0;
      assert.ok(took >= 40 && took < 2000, `took ${took} ms`);
    } finally {
      deregisterSubscriber('stuck');
      deregisterSubscriber('fine');
      f.restore();
    }
    assert.deepEqual(
      f.failures.map((x) => x.source),
      ['flush:stuck'],
    );
    assert.match(f.failures[0]!.message, /subscriber "stuck" .* 50 ms/);
  });

  it('never waits for a deregistered subscriber, even one deregistered while the flush waits', async () => {
    const f = collectFailures();
    registerSubscriber('gone', () => new Promise(() => {}));
    mark('m');
    deregisterSubscriber('gone');
    await flushSubscribers({ timeoutMs: 60_000 }); // returns at once
    registerSubscriber('going', () => new Promise(() => {}));
    mark('m');
    const flushing = flushSubscribers({ timeoutMs: 60_000 });
    await tick();
    deregisterSubscriber('going');
    await flushing;
    f.restore();
    assert.deepEqual(f.failures, []);
  });

  it('an exporter whose forceFlush never settles is reported by name; the others are flushed', async () => {
    const f = collectFailures();
    let flushed = 0;
    registerSubscriber('hung-exporter', { onEvent() {}, forceFlush: () => new Promise<void>(() => {}), shutdown: async () => {} });
    registerSubscriber('good-exporter', { onEvent() {}, forceFlush: async () => void flushed++, shutdown: async () => {} });
    try {
      await flushSubscribers({ timeoutMs: 30 });
    } finally {
      deregisterSubscriber('hung-exporter');
      deregisterSubscriber('good-exporter');
      f.restore();
    }
    assert.equal(flushed, 1);
    assert.deepEqual(
      f.failures.map((x) => x.source),
      ['flush:hung-exporter'],
    );
  });
});
