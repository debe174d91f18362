/**
 * Payload access and serialization on the hot path.
 *
 * Events hand payloads over as read-only views (proxies); every read through a view costs far
 * more than a plain read, and walking a payload through them dominated the cost of a span. So
 * payloads are read plain: `plainField(view, key)` reads one level down behind the view, and
 * `unwrap(view)` returns the object behind a view (the runtime's `unwrapView`, O(1)).
 *
 * `jsonText` serializes with the engine's `JSON.stringify` when a bounded pre-walk shows the value
 * is plain JSON that fits the attribute budget, and falls back to the OTel exporter's budgeted
 * writer otherwise (huge, cyclic or non-plain values), so memory stays proportional to the limit.
 */
import { types } from 'node:util';
import { unwrapView } from '@nemo-flow/runtime/exporter-kit';
import { boundedStringify } from '@nemo-flow/exporter-otel';

/** The plain value behind a read-only payload view (anything else as-is). */
export function unwrap(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !types.isProxy(value)) return value;
  return unwrapView(value);
}

/**
 * `obj[key]` read behind a view (no trap, and no new view around the value). Not through a
 * property descriptor: asking a proxy for one allocates and costs more than the trap.
 */
export function plainField(obj: unknown, key: string): unknown {
  const o = unwrapView(obj);
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

const MAX_DEPTH = 64;
/** Budget left in the current `fits` walk (module state: no closure per call). */
let left = 0;

/** True when `v` is plain JSON (finite structure, plain objects, no BigInt/toJSON) whose text stays within the budget. */
function fits(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
      left -= v.length + 2;
      return left >= 0;
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'function':
    case 'symbol':
      left -= 6;
      return left >= 0;
    case 'bigint':
      return false;
  }
  if (v === null) {
    left -= 4;
    return left >= 0;
  }
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(v)) {
    left -= 2;
    for (let i = 0; i < v.length; i++) if (!fits(v[i], depth + 1)) return false;
    return left >= 0;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  left -= 2;
  for (const k in v) {
    left -= k.length + 4;
    if (!fits((v as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return left >= 0;
}

/** JSON text of `value`, at most about `limit` characters (longer text is cut by the span bridge, with a marker). */
export function jsonText(value: unknown, limit: number): string {
  left = limit;
  try {
    if (fits(value, 0)) return JSON.stringify(value) ?? 'null';
  } catch {
    // a getter threw: the budgeted writer handles (and names) what cannot be read
  }
  return boundedStringify(value, limit);
}
