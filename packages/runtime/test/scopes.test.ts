import { strict as assert } from 'node:assert';
import {
  ScopeType,
  createScopeStack,
  getHandle,
  mark,
  popScope,
  pushScope,
  runWithScopeStack,
  toolCallExecute,
  withScope,
  LifecycleError,
} from '@nemo-flow/runtime';
import { uuidv7 } from '@nemo-flow/runtime/exporter-kit';
import type { ScopeEvent } from '@nemo-flow/runtime';
import { capture, collectFailures, tick } from './helpers.js';

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339_US = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('scopes', () => {
  it('pushScope/popScope emit start and end sharing a uuid, with the event contract fields', () => {
    const c = capture();
    const h = pushScope('run', ScopeType.Agent, { input: { q: 'hi' }, metadata: { session_id: 's1' }, attributes: ['z', 'a', 'z'] });
    popScope(h, { output: { answer: 42 } });
    c.stop();
    const [start, end] = c.scopes();
    assert.equal(start!.uuid, h.uuid);
    assert.equal(end!.uuid, h.uuid);
    assert.match(h.uuid, UUID7);
    assert.match(start!.timestamp, RFC3339_US);
    assert.equal(start!.atof_version, '0.1');
    assert.equal(start!.kind, 'scope');
    assert.equal(start!.category, 'agent');
    assert.equal(start!.scope_category, 'start');
    assert.deepEqual(start!.attributes, ['a', 'z']);
    assert.deepEqual(start!.data, { q: 'hi' });
    assert.deepEqual(end!.data, { answer: 42 });
    assert.deepEqual(end!.metadata, { session_id: 's1' });
    assert.equal(end!.status, 'ok');
    assert.equal(start!.status, undefined);
    assert.equal(start!.parent_uuid, h.parentUuid);
    assert.ok(h.parent?.isRoot, 'top-level scopes point at the implicit root');
  });

  it('popping a scope that is not on top is a clear error and pops nothing', () => {
    const outer = pushScope('outer', ScopeType.Function);
    const inner = pushScope('inner', ScopeType.Function);
    assert.throws(
      () => popScope(outer),
      (e: unknown) => e instanceof LifecycleError && /not on top of its stack \(the top is "inner"\)/.test((e as Error).message),
    );
    popScope(inner);
    popScope(outer);
    assert.throws(() => popScope(outer), /already ended/);
  });

  it('withScope returns the value, passes a usable handle, and pops on return, throw and rejection', async () => {
    const c = capture();
    const before = getHandle();
    const v = await withScope('w', ScopeType.Function, (h) => {
      assert.equal(getHandle(), h);
      mark('inside', { parent: h });
      return 7;
    });
    assert.equal(v, 7);
    assert.equal(getHandle(), before);
    await assert.rejects(
      withScope('t', ScopeType.Function, () => {
        throw new TypeError('sync boom');
      }),
      TypeError,
    );
    await assert.rejects(
      withScope('r', ScopeType.Function, async () => {
        await tick();
        throw new RangeError('async boom');
      }),
      RangeError,
    );
    assert.equal(getHandle(), before);
    c.stop();
    const ends = c.scopes().filter((e) => e.scope_category === 'end');
    assert.deepEqual(
      ends.map((e) => [e.name, e.status, e.error?.type]),
      [
        ['w', 'ok', undefined],
        ['t', 'error', 'TypeError'],
        ['r', 'error', 'RangeError'],
      ],
    );
    assert.equal(ends[0]!.data, 7);
  });

  it('isolates hundreds of concurrent runs across interleaved awaits, timers and streams', async () => {
    const c = capture();
    const N = 300;
    const runs = Array.from({ length: N }, (_, i) =>
      withScope(`run-${i}`, ScopeType.Agent, async (run) => {
        for (let step = 0; step < 3; step++) {
          await new Promise((r) => setTimeout(r, (i * 7 + step) % 5));
          await tick();
          mark(`m-${i}-${step}`);
          await toolCallExecute(`tool-${i}`, { i }, async () => {
            await Promise.resolve();
            return getHandle().parent === run;
          });
          async function* gen() {
            for (let k = 0; k < 2; k++) {
              await tick();
              yield k;
            }
          }
          for await (const _ of gen()) mark(`s-${i}-${step}`);
        }
        return run.uuid;
      }),
    );
    const uuids = await Promise.all(runs);
    c.stop();
    const runStarts = c.scopes().filter((e) => e.category === 'agent' && e.scope_category === 'start');
    assert.equal(new Set(runStarts.map((e) => e.uuid)).size, N);
    let checked = 0;
    for (const e of c.events) {
      const m = /^(?:m|s|tool)-(\d+)/.exec(e.name);
      if (!m) continue;
      const i = Number(m[1]);
      assert.equal(e.parent_uuid, uuids[i], `${e.name} landed under the wrong run`);
      checked++;
    }
    assert.equal(checked, N * 3 * (1 + 2 + 2)); // per step: a mark, tool start+end, two stream marks
    // tool callbacks saw themselves inside the tool call inside their own run
    const toolEnds = c.scopes().filter((e) => e.category === 'tool' && e.scope_category === 'end');
    assert.ok(toolEnds.every((e) => e.data === true));
  });

  it('createScopeStack + runWithScopeStack give frameworks an isolated stack with its own root', async () => {
    const s1 = createScopeStack();
    const s2 = createScopeStack();
    const r1 = runWithScopeStack(s1, () => pushScope('a', ScopeType.Function));
    const r2 = runWithScopeStack(s2, () => pushScope('b', ScopeType.Function));
    assert.notEqual(r1.parentUuid, r2.parentUuid);
    assert.equal(
      runWithScopeStack(s1, () => getHandle()),
      r1,
    );
    assert.equal(
      runWithScopeStack(s2, () => getHandle()),
      r2,
    );
    runWithScopeStack(s1, () => popScope(r1));
    runWithScopeStack(s2, () => popScope(r2));
  });

  it('explicit parents and timestamps are honored; a bad scope type or timestamp is a clear error', () => {
    const c = capture();
    const p = pushScope('p', ScopeType.Function, { timestamp: 1_700_000_000_000_123 });
    mark('m', { parent: p, data: { x: 1 }, timestamp: 1_700_000_000_000_456 });
    popScope(p, { timestamp: 1_700_000_000_000_789 });
    c.stop();
    assert.deepEqual(
      c.events.map((e) => e.timestamp),
      ['2023-11-14T22:13:20.000123Z', '2023-11-14T22:13:20.000456Z', '2023-11-14T22:13:20.000789Z'],
    );
    assert.equal(c.events[1]!.parent_uuid, p.uuid);
    assert.throws(() => pushScope('x', 'nope' as ScopeType), /type must be one of .*, got "nope"/);
    assert.throws(() => pushScope('x', ScopeType.Agent, { timestamp: 1.5 }), /timestamp must be a non-negative safe integer/);
    assert.throws(() => mark(''), /name must be a non-empty string/);
  });

  it('withScope ends scopes pushed inside and never popped, and reports them', async () => {
    const f = collectFailures();
    const c = capture();
    await withScope('outer', ScopeType.Function, () => {
      pushScope('leaked', ScopeType.Function);
    });
    c.stop();
    f.restore();
    assert.match(f.failures[0]!.message, /scope "leaked" was not popped before withScope\("outer"\) returned/);
    const ends = c.scopes().filter((e) => e.scope_category === 'end');
    assert.deepEqual(
      ends.map((e) => [e.name, e.status, e.error?.type]),
      [
        ['leaked', 'error', 'NotEnded'],
        ['outer', 'ok', undefined],
      ],
    );
  });

  it('end events of scopes record errors given to popScope', () => {
    const c = capture();
    const h = pushScope('p', ScopeType.Function);
    popScope(h, { error: new SyntaxError('bad') });
    c.stop();
    const end = c.events[1] as ScopeEvent;
    assert.deepEqual(end.error, { type: 'SyntaxError', message: 'bad' });
  });

  it('uuidv7 carries its millisecond and orders ids of the same and of later milliseconds', () => {
    // A few ms ahead of the ids made so far (uuidv7 never goes back in time).
    const ms = Date.now() + 5;
    const ids = [uuidv7(ms), uuidv7(ms), uuidv7(ms), uuidv7(ms + 1), uuidv7(ms + 2)];
    const prefix = (t: number): string => {
      const hex = t.toString(16).padStart(12, '0');
      return `${hex.slice(0, 8)}-${hex.slice(8)}`;
    };
    for (const id of ids) assert.match(id, UUID7);
    assert.deepEqual(
      ids.map((id) => id.slice(0, 13)),
      [ms, ms, ms, ms + 1, ms + 2].map(prefix),
    );
    assert.deepEqual(
      ids.map((id) => id.slice(15, 18)),
      ['000', '001', '002', '000', '000'],
    );
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });
});
