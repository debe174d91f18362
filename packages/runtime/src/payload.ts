/**
 * Payload handling. The runtime never walks or copies payloads on the hot path: events carry the
 * caller's values by reference, behind a read-only view. Whoever serializes (a file, a span
 * attribute) calls `toJsonSafe` / `stringifySafe`, which convert what JSON cannot hold:
 *
 * | value                         | becomes                                   |
 * |-------------------------------|-------------------------------------------|
 * | circular reference            | `"[Circular]"`                            |
 * | BigInt                        | its decimal string                        |
 * | function, symbol, undefined   | dropped from objects, `null` in arrays    |
 * | NaN, ±Infinity                | `null` (as JSON.stringify does)           |
 * | Date                          | ISO string (its `toJSON`)                 |
 * | object with `toJSON`          | the result of `toJSON()`                  |
 * | Map / Set                     | object of entries / array of values       |
 * | Error                         | `{ name, message }`                       |
 * | typed arrays, ArrayBuffer     | `"[Uint8Array 1024 bytes]"`               |
 * | other class instances         | their own enumerable properties           |
 * | getter that throws            | `"[unreadable: <message>]"`               |
 * | revoked Proxy                 | `"[unreadable: <message>]"`               |
 * | nesting deeper than 1,000     | `"[too deep]"`                            |
 *
 * The caller's objects are never modified, and nothing here throws: what cannot be read is
 * marked where it was, so the rest of the value (the line, the run) is always written.
 */
import type { Json } from './types.js';
import { readonlyView, unwrapView } from './readonly.js';

/** Nesting below this depth is replaced by `"[too deep]"` (keeps the walk and JSON.stringify off the stack limit). */
export const MAX_PAYLOAD_DEPTH = 1000;
const TOO_DEEP = '[too deep]';

/** Converts any value into a JSON-compatible value (see the table above). Never throws. */
export function toJsonSafe(value: unknown): Json {
  value = unwrapView(value);
  try {
    if (isPlainJson(value, 0)) return value as Json;
  } catch {
    // a getter or proxy trap threw: the conversion below marks it
  }
  return convert(value, new Set<object>(), 0) ?? null;
}

/** `JSON.stringify(toJsonSafe(value))`, with a fast path for values that are already plain JSON. Never throws. */
export function stringifySafe(value: unknown, space?: number): string {
  if (value === undefined) return 'null';
  value = unwrapView(value);
  try {
    if (isPlainJson(value, 0)) return JSON.stringify(value, null, space);
  } catch {
    // fall through to the safe conversion
  }
  return JSON.stringify(convert(value, new Set<object>(), 0) ?? null, null, space);
}

const MAX_QUICK_DEPTH = 64;

/** True when `value` is made only of JSON primitives, arrays and plain objects, without cycles (bounded depth). May throw (getters, proxies). */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_QUICK_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in value) {
        if (!isPlainJson((value as Record<string, unknown>)[k], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** `"[unreadable: …]"` for a part that threw when read; never throws itself. */
function unreadable(err: unknown): string {
  let msg: string;
  try {
    msg = err instanceof Error ? String(err.message) : typeof err === 'string' ? err : typeof err;
  } catch {
    msg = 'unknown error';
  }
  return `[unreadable: ${msg}]`;
}

function convert(value: unknown, seen: Set<object>, depth: number): Json | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const obj = value as object | null;
  if (obj === null) return null;
  if (depth >= MAX_PAYLOAD_DEPTH) return TOO_DEEP;
  if (seen.has(obj)) return '[Circular]';
  seen.add(obj);
  try {
    return convertObject(obj, seen, depth + 1);
  } catch (err) {
    // a revoked proxy, a throwing trap or iterator: mark the whole object, keep its siblings
    return unreadable(err);
  } finally {
    seen.delete(obj);
  }
}

/** One element or property, converted on its own: a throwing read marks only that slot. */
function convertSlot(read: () => unknown, seen: Set<object>, depth: number): Json | undefined {
  let v: unknown;
  try {
    v = read();
  } catch (err) {
    return unreadable(err);
  }
  return convert(v, seen, depth);
}

function convertObject(obj: object, seen: Set<object>, depth: number): Json {
  if (Array.isArray(obj)) {
    const out: Json[] = [];
    const arr = obj as unknown[];
    for (let i = 0; i < arr.length; i++) out.push(convertSlot(() => arr[i], seen, depth) ?? null);
    return out;
  }
  if (obj instanceof Error) {
    return { name: convertSlot(() => String(obj.name), seen, depth) ?? null, message: convertSlot(() => String(obj.message), seen, depth) ?? null };
  }
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    try {
      return convert((obj as { toJSON(): unknown }).toJSON(), seen, depth) ?? null;
    } catch {
      return '[toJSON threw]';
    }
  }
  if (obj instanceof Map) {
    const out: Record<string, Json> = {};
    for (const [k, v] of obj) {
      let key: string;
      try {
        key = String(k);
      } catch {
        key = '[unreadable key]';
      }
      const c = convert(v, seen, depth);
      if (c !== undefined) out[key] = c;
    }
    return out;
  }
  if (obj instanceof Set) return [...obj].map((v) => convert(v, seen, depth) ?? null);
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
    return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
  }
  const out: Record<string, Json> = {};
  for (const k of Object.keys(obj)) {
    const c = convertSlot(() => (obj as Record<string, unknown>)[k], seen, depth);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/** The event as a plain object with its payloads taken from behind their read-only views. */
function plainEvent(event: object): Record<string, unknown> {
  const e = event as { data?: unknown; metadata?: unknown; category_profile?: unknown; error?: { stack?: unknown } };
  const plain: Record<string, unknown> = {
    ...event,
    data: unwrapView(e.data),
    metadata: unwrapView(e.metadata),
    category_profile: unwrapView(e.category_profile),
  };
  // The stack is not enumerable (event comparisons stay stable) but files keep it: viewers show it.
  const stack = e.error?.stack;
  if (typeof stack === 'string') plain.error = { ...e.error, stack };
  return plain;
}

/**
 * One event as a JSON line (no trailing newline). Payloads are serialized from the objects behind
 * their read-only views, with the conversions above for what JSON cannot hold. Never throws.
 */
export function serializeEvent(event: object): string {
  const plain = plainEvent(event);
  try {
    return JSON.stringify(plain);
  } catch {
    return JSON.stringify(toJsonSafe(plain));
  }
}

/** @internal The `toJSON` of live events: what `serializeEvent` writes, as a value, so plain `JSON.stringify(event)` never throws. */
export function eventToJson(event: object): Json {
  return toJsonSafe(plainEvent(event));
}

/**
 * A private mutable copy of a payload, for sanitize guardrails: plain objects and arrays (and
 * Map, Set, Date) are copied, cycles kept; class instances and functions are shared as they are.
 * Past `MAX_PAYLOAD_DEPTH`, or where a part cannot be read, the part is kept behind a read-only
 * view, so a write to it throws instead of reaching the caller's value. Never throws.
 */
export function mutableCopy<T>(value: T): T {
  const v = unwrapView(value);
  return (topCopy(v) ?? copyPart(v, new Map<object, unknown>(), 0)) as T;
}

/**
 * `copyPart` of a top-level plain object or array, with the cycle map made only when a part is an
 * object: the common payload (tool arguments of primitives) costs no map. `undefined` for other
 * values, or when reading failed (then `copyPart` does it all).
 */
function topCopy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return undefined;
  let seen: Map<object, unknown> | undefined;
  try {
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === 'object' && x !== null) out.push(copyPart(x, (seen ??= new Map<object, unknown>([[v, out]])), 1));
        else out.push(x);
      }
      return out;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype) return undefined;
    const src = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(src)) {
      let x: unknown;
      try {
        x = src[k];
      } catch (err) {
        x = unreadable(err);
      }
      out[k] = typeof x === 'object' && x !== null ? copyPart(x, (seen ??= new Map<object, unknown>([[v, out]])), 1) : x;
    }
    return out;
  } catch {
    return undefined;
  }
}

function copyPart(v: unknown, seen: Map<object, unknown>, depth: number): unknown {
  if (typeof v !== 'object' || v === null) return v;
  v = unwrapView(v);
  const obj = v as object;
  const known = seen.get(obj);
  if (known !== undefined) return known;
  if (depth >= MAX_PAYLOAD_DEPTH) return readonlyView(obj);
  try {
    if (Array.isArray(obj)) {
      const out: unknown[] = [];
      seen.set(obj, out);
      for (let i = 0; i < obj.length; i++) out.push(copyPart(obj[i], seen, depth + 1));
      return out;
    }
    const proto = Object.getPrototypeOf(obj) as object | null;
    if (proto === Object.prototype || proto === null) {
      const out: Record<string, unknown> = proto === null ? (Object.create(null) as Record<string, unknown>) : {};
      seen.set(obj, out);
      for (const k of Object.keys(obj)) {
        let part: unknown;
        try {
          part = (obj as Record<string, unknown>)[k];
        } catch (err) {
          part = unreadable(err);
        }
        out[k] = copyPart(part, seen, depth + 1);
      }
      return out;
    }
    if (obj instanceof Map) {
      const out = new Map<unknown, unknown>();
      seen.set(obj, out);
      for (const [k, x] of obj) out.set(k, copyPart(x, seen, depth + 1));
      return out;
    }
    if (obj instanceof Set) {
      const out = new Set<unknown>();
      seen.set(obj, out);
      for (const x of obj) out.add(copyPart(x, seen, depth + 1));
      return out;
    }
    if (obj instanceof Date) return new Date(obj.getTime());
    return obj;
  } catch {
    return readonlyView(obj);
  }
}
