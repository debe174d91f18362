import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AtofFileExporter,
  ScopeType,
  deregisterSubscriber,
  deregisterToolSanitizeRequestGuardrail,
  flushSubscribers,
  llmStreamCallExecute,
  mark,
  registerSubscriber,
  registerToolSanitizeRequestGuardrail,
  toolCallExecute,
  withScope,
} from '@nemo-flow/runtime';
import { toJsonSafe, stringifySafe, serializeEvent } from '@nemo-flow/runtime/exporter-kit';
import { capture, collectFailures } from './helpers.js';

describe('payloads', () => {
  it('toJsonSafe converts what JSON cannot hold, without touching the input', () => {
    const circ: Record<string, unknown> = { a: 1 };
    circ.self = circ;
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const input = {
      circ,
      big: 10n ** 20n,
      fn: () => 1,
      sym: Symbol('s'),
      undef: undefined,
      nan: Number.NaN,
      date: new Date('2026-01-02T03:04:05.000Z'),
      map: new Map([['k', 1]]),
      set: new Set([1, 2]),
      err: new RangeError('r'),
      bytes: new Uint8Array(4),
      point: new Point(1, 2),
      arr: [() => 1, 2n],
    };
    const out = toJsonSafe(input) as Record<string, unknown>;
    assert.deepEqual(out, {
      circ: { a: 1, self: '[Circular]' },
      big: '100000000000000000000',
      nan: null,
      date: '2026-01-02T03:04:05.000Z',
      map: { k: 1 },
      set: [1, 2],
      err: { name: 'RangeError', message: 'r' },
      bytes: '[Uint8Array 4 bytes]',
      point: { x: 1, y: 2 },
      arr: [null, '2'],
    });
    assert.equal(circ.self, circ);
    assert.equal(typeof input.big, 'bigint');
  });

  it('a tool call with unserializable args and result never crashes; files get the safe form', async () => {
    const lines: string[] = [];
    registerSubscriber('ser', (e) => void lines.push(serializeEvent(e)));
    const args: Record<string, unknown> = { n: 1n };
    args.me = args;
    const r = await toolCallExecute('weird', args, () => ({ f: () => 1, s: Symbol('x') }));
    deregisterSubscriber('ser');
    assert.equal(typeof r.f, 'function', 'the caller gets the real value');
    assert.deepEqual(JSON.parse(lines[0]!).data, { n: '1', me: '[Circular]' });
    assert.deepEqual(JSON.parse(lines[1]!).data, {});
    assert.equal(stringifySafe(undefined), 'null');
  });

  it('large payloads are passed by reference, not copied', async () => {
    const big = { blob: 'x'.repeat(1_000_000) };
    let seen: unknown;
    registerSubscriber('ref', (e) => {
      if (e.kind === 'scope' && e.scope_category === 'start') seen = e.data;
    });
    await toolCallExecute('big', big, () => 1);
    deregisterSubscriber('ref');
    assert.equal((seen as { blob: string }).blob, big.blob);
  });
});

/** A value nested `n` levels deep: `{ c: { c: ... } }`. */
function nested(n: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let at = root;
  for (let i = 0; i < n; i++) {
    const next: Record<string, unknown> = {};
    at.c = next;
    at = next;
  }
  return root;
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
  revoke();
  return proxy;
}

function throwingGetter(): object {
  return Object.defineProperty({ fine: 1 }, 'bad', {
    enumerable: true,
    get() {
      throw new Error('getter boom');
    },
  });
}

describe('payloads: the safe conversions are total', () => {
  it('deep nesting, throwing getters and revoked proxies are marked where they are; the rest is kept', () => {
    const deep = nested(20_000);
    const s = stringifySafe({ deep, ok: 1 });
    assert.ok(s.includes('"[too deep]"') && s.endsWith(',"ok":1}'));
    const value = { getter: throwingGetter(), revoked: revokedProxy(), list: [revokedProxy(), 2], ok: true };
    const out = toJsonSafe(value) as Record<string, unknown>;
    assert.deepEqual(out.getter, { fine: 1, bad: '[unreadable: getter boom]' });
    assert.match(out.revoked as string, /^\[unreadable: .*revoked/);
    assert.equal((out.list as unknown[])[1], 2);
    assert.equal(out.ok, true);
    assert.deepEqual(JSON.parse(stringifySafe(value)), out);
    const line = serializeEvent({ kind: 'mark', name: 'm', data: value, metadata: deep });
    const parsed = JSON.parse(line) as { data: unknown; name: string };
    assert.equal(parsed.name, 'm');
    assert.deepEqual(parsed.data, out);
  });

  it('the ATOF file gets every line, with the bad parts marked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-total-'));
    const exporter = new AtofFileExporter({ path: join(dir, 'events.jsonl') });
    registerSubscriber('total-file', exporter);
    const f = collectFailures();
    try {
      mark('deep', { data: nested(20_000) });
      mark('getter', { data: throwingGetter() });
      mark('revoked', { data: revokedProxy() });
      await toolCallExecute('tool', { p: revokedProxy() }, () => throwingGetter());
      await exporter.shutdown();
    } finally {
      deregisterSubscriber('total-file');
      f.restore();
    }
    const lines = readFileSync(exporter.path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; data: unknown });
    assert.deepEqual(
      lines.map((l) => l.name),
      ['deep', 'getter', 'revoked', 'tool', 'tool'],
    );
    assert.match(JSON.stringify(lines[0]!.data), /"\[too deep\]"/);
    assert.deepEqual(lines[1]!.data, { fine: 1, bad: '[unreadable: getter boom]' });
    assert.match(lines[2]!.data as string, /^\[unreadable: /);
    assert.match((lines[3]!.data as { p: string }).p, /^\[unreadable: /);
    assert.deepEqual(lines[4]!.data, { fine: 1, bad: '[unreadable: getter boom]' });
    assert.deepEqual(f.failures, [], 'nothing failed, nothing was dropped');
  });

  it('a callback returning a revoked proxy: the call still ends (one START/END pair); no synchronous throw', async () => {
    const c = capture();
    try {
      await assert.rejects(
        toolCallExecute('t', {}, () => revokedProxy()),
        TypeError,
      ); // a promise cannot resolve to it
      await assert.rejects(
        withScope('s', ScopeType.Agent, () => revokedProxy()),
        TypeError,
      );
    } finally {
      c.stop();
    }
    assert.deepEqual(c.names(), ['start:t', 'end:t', 'start:s', 'end:s']);
    assert.doesNotThrow(() => JSON.stringify(c.events));
  });

  it('plain JSON.stringify(event) works on circular and BigInt payloads (events have a safe toJSON)', async () => {
    const circ: Record<string, unknown> = { n: 10n };
    circ.self = circ;
    const lines: string[] = [];
    const keys: string[][] = [];
    registerSubscriber('naive', (e) => {
      lines.push(JSON.stringify(e));
      keys.push(Object.keys(e));
    });
    const f = collectFailures();
    try {
      mark('m', { data: circ, metadata: { big: 1n } });
      await toolCallExecute('t', circ, () => circ);
    } finally {
      deregisterSubscriber('naive');
      f.restore();
    }
    assert.deepEqual(f.failures, []);
    assert.equal(lines.length, 3);
    const m = JSON.parse(lines[0]!) as { data: unknown; metadata: unknown; kind: string };
    assert.deepEqual(m.data, { n: '10', self: '[Circular]' });
    assert.deepEqual(m.metadata, { big: '1' });
    assert.equal(m.kind, 'mark');
    assert.deepEqual(JSON.parse(lines[2]!).data, { n: '10', self: '[Circular]' });
    assert.ok(!keys[0]!.includes('toJSON'), 'toJSON is not an own key of the event');
  });
});

describe('non-Error thrown values', () => {
  const nullProto = (): unknown => Object.assign(Object.create(null) as object, { code: 7 });
  const cases: [string, () => unknown][] = [
    ['a null-prototype object', nullProto],
    ['an object holding a BigInt', () => ({ big: 10n })],
    ['a null-prototype object holding a BigInt', () => Object.assign(Object.create(null) as object, { big: 10n })],
    ['a Symbol', () => Symbol('thrown')],
  ];
  for (const [label, make] of cases) {
    it(`${label}: the caller gets exactly what was thrown; the END event carries a safe description`, async () => {
      const c = capture();
      const f = collectFailures();
      try {
        for (const withMiddleware of [false, true]) {
          if (withMiddleware) registerToolSanitizeRequestGuardrail('id', 0, (_n, v) => v);
          const thrown = make();
          await assert.rejects(
            toolCallExecute('t', {}, () => {
              throw thrown;
            }),
            (err: unknown) => err === thrown,
          );
          await assert.rejects(
            toolCallExecute('t', {}, async () => {
              throw thrown;
            }),
            (err: unknown) => err === thrown,
          );
          if (withMiddleware) deregisterToolSanitizeRequestGuardrail('id');
        }
        const thrown = make();
        await assert.rejects(
          withScope('s', ScopeType.Agent, () => {
            throw thrown;
          }),
          (err: unknown) => err === thrown,
        );
        await assert.rejects(
          withScope('s', ScopeType.Agent, async () => {
            throw thrown;
          }),
          (err: unknown) => err === thrown,
        );
      } finally {
        c.stop();
        f.restore();
      }
      const ends = c.scopes().filter((e) => e.scope_category === 'end');
      assert.equal(ends.length, 6);
      for (const e of ends) {
        assert.equal(e.status, 'error');
        assert.equal(typeof e.error!.message, 'string');
        assert.equal(typeof e.error!.type, 'string');
        assert.doesNotThrow(() => serializeEvent(e));
      }
      assert.deepEqual(f.failures, []);
    });
  }
});

describe('stream collectors', () => {
  it('an async collector that rejects is contained and reported; the stream and its END go on', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const c = capture();
    const f = collectFailures();
    const got: unknown[] = [];
    try {
      const stream = await llmStreamCallExecute('s', { headers: {}, content: { model: 'm', messages: [] } }, () => [1, 2, 3], {
        collector: async () => {
          throw new Error('collector boom');
        },
      });
      for await (const ch of stream) got.push(ch);
      await flushSubscribers();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('unhandledRejection', onUnhandled);
      c.stop();
      f.restore();
    }
    assert.deepEqual(got, [1, 2, 3]);
    assert.deepEqual(unhandled, []);
    const row = f.failures.find((x) => x.source === 'collector:s');
    assert.ok(row, 'the rejection is reported');
    assert.equal(row.count, 3);
    assert.equal(c.scopes().filter((e) => e.scope_category === 'end').length, 1);
  });
});

describe('the default failure reporter', () => {
  it('prints a failure whose error is a value String() cannot convert', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    registerSubscriber('odd-thrower', () => {
      throw Object.assign(Object.create(null) as object, { big: 1n });
    });
    try {
      mark('m');
      await new Promise((r) => setImmediate(r));
    } finally {
      deregisterSubscriber('odd-thrower');
      process.off('warning', onWarning);
    }
    assert.equal(warnings.filter((w) => w.includes('subscriber "odd-thrower" threw: {"big":"1"}')).length, 1);
  });
});
