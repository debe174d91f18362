import { strict as assert } from 'node:assert';
import { toolCallExecute, registerSubscriber, deregisterSubscriber } from '@nemo-flow/runtime';
import { toJsonSafe, stringifySafe, serializeEvent } from '@nemo-flow/runtime/exporter-kit';

describe('payloads', () => {
  it('toJsonSafe converts what JSON cannot hold, without touching the input', () => {
    const circ: Record<string, unknown> = { a: 1 };
    circ.self = circ;
    class Point {
      constructor(public x: number, public y: number) {}
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
