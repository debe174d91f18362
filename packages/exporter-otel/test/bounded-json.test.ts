/** Bounded serialization: same output as the runtime's payload rules, cut at the budget without building the whole string. */
import { strict as assert } from 'node:assert';
import { stringifySafe } from '@nemo-flow/runtime/exporter-kit';
import { TRUNCATION_MARKER, boundedStringify, boundedText, truncateString } from '@nemo-flow/exporter-otel';

describe('exporter-otel: bounded JSON', () => {
  it('matches stringifySafe for values within the budget', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const values: unknown[] = [
      null,
      'text "quoted"\n',
      42,
      Number.NaN,
      true,
      [1, undefined, () => 1, Symbol('s')],
      { keep: 1, drop: undefined, fn: () => 1 },
      cyclic,
      10n,
      new Date(0),
      new Map<unknown, unknown>([
        ['k', 1],
        [2, [3]],
      ]),
      new Set([1, 'two']),
      new TypeError('bad'),
      new Uint8Array(16),
      new Point(1, 2),
      { nested: { deeper: [{ x: null }] } },
    ];
    for (const v of values) assert.equal(boundedStringify(v, 10_000), stringifySafe(v), `for value #${values.indexOf(v)}`);
  });

  it('cuts at the budget with the marker, without serializing what lies beyond', () => {
    let reads = 0;
    const big = Array.from({ length: 1000 }, (_, i) => ({
      get v() {
        reads++;
        return i;
      },
    }));
    const out = boundedStringify(big, 50);
    assert.equal(out.length, 50 + TRUNCATION_MARKER.length);
    assert.ok(out.startsWith('[{"v":0},{"v":1}'));
    assert.ok(reads < 20, `read ${reads} elements for a 50-character budget`);
  });

  it('boundedText keeps strings as they are (cut), serializes the rest', () => {
    assert.equal(boundedText('plain', 10), 'plain');
    assert.equal(boundedText('x'.repeat(20), 10), 'x'.repeat(10) + TRUNCATION_MARKER);
    assert.equal(boundedText({ a: 1 }, 10), '{"a":1}');
  });

  it('never splits a surrogate pair', () => {
    assert.equal(truncateString('ab😀cd', 3), 'ab' + TRUNCATION_MARKER);
  });
});
