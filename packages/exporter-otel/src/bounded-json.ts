/**
 * JSON serialization that stops at a length budget. `JSON.stringify` of a 200 MB tool result
 * would build the whole string just to cut it to a few kilobytes; this walker stops writing once
 * the budget is spent, so memory stays proportional to the limit, not to the payload.
 *
 * Non-JSON values follow the runtime's payload rules (`toJsonSafe`): cycles become
 * `"[Circular]"`, BigInt its decimal string, functions/symbols/undefined are dropped from objects
 * and `null` in arrays, non-finite numbers `null`, `toJSON()` is honoured, Map → object,
 * Set → array, Error → `{ name, message }`, binary data → a `"[Type N bytes]"` placeholder.
 */
import { TRUNCATION_MARKER } from './semconv.js';
import { truncateString } from './truncate.js';

class Budget {
  readonly parts: string[] = [];
  len = 0;
  full = false;
  constructor(readonly limit: number) {}

  write(s: string): void {
    if (this.full) return;
    this.parts.push(s);
    this.len += s.length;
    if (this.len > this.limit) this.full = true;
  }

  /** Writes a JSON string literal, cutting the raw string first so a huge one is never escaped whole. */
  writeString(s: string): void {
    if (this.full) return;
    const room = this.limit - this.len;
    this.write(JSON.stringify(s.length > room ? s.slice(0, room + 1) : s));
  }
}

/**
 * JSON text of `value`, at most `limit` characters plus the truncation marker. Never throws:
 * a value that cannot be read at all yields a placeholder string.
 */
export function boundedStringify(value: unknown, limit: number): string {
  const b = new Budget(limit);
  try {
    writeValue(b, value, new Set<object>(), false);
  } catch {
    return '"[unserializable]"';
  }
  if (b.parts.length === 0) return 'null';
  const text = b.parts.join('');
  return b.full ? truncateString(text, limit) : text;
}

/** Like `boundedStringify`, but a string value is returned as-is (cut), not as a JSON literal. */
export function boundedText(value: unknown, limit: number): string {
  if (typeof value === 'string') return truncateString(value, limit);
  return boundedStringify(value, limit);
}

export { TRUNCATION_MARKER };

/** Writes `value`; returns false when it is dropped (undefined, function, symbol). */
function writeValue(b: Budget, value: unknown, stack: Set<object>, inArray: boolean): boolean {
  switch (typeof value) {
    case 'string':
      b.writeString(value);
      return true;
    case 'number':
      b.write(Number.isFinite(value) ? String(value) : 'null');
      return true;
    case 'boolean':
      b.write(value ? 'true' : 'false');
      return true;
    case 'bigint':
      b.writeString(value.toString());
      return true;
    case 'undefined':
    case 'function':
    case 'symbol':
      if (inArray) b.write('null');
      return inArray;
  }
  if (value === null) {
    b.write('null');
    return true;
  }
  const obj = value as object;
  if (stack.has(obj)) {
    b.write('"[Circular]"');
    return true;
  }
  stack.add(obj);
  try {
    writeObject(b, obj, stack);
  } finally {
    stack.delete(obj);
  }
  return true;
}

function writeObject(b: Budget, obj: object, stack: Set<object>): void {
  if (Array.isArray(obj)) {
    writeArray(b, obj, stack);
    return;
  }
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    if (obj instanceof Error) {
      writeEntries(
        b,
        [
          ['name', obj.name],
          ['message', obj.message],
        ] as const,
        stack,
      );
      return;
    }
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      let converted: unknown;
      try {
        converted = toJSON.call(obj);
      } catch {
        converted = '[toJSON threw]';
      }
      writeValue(b, converted, stack, true);
      return;
    }
    if (obj instanceof Map) {
      // Through a plain object, so key order matches `toJsonSafe` (integer-like keys first).
      const entries: Record<string, unknown> = {};
      for (const [k, v] of obj) entries[String(k)] = v;
      writeOwnProperties(b, entries, stack);
      return;
    }
    if (obj instanceof Set) {
      writeArray(b, obj, stack);
      return;
    }
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
      b.writeString(`[${obj.constructor.name} ${obj.byteLength} bytes]`);
      return;
    }
  }
  writeOwnProperties(b, obj, stack);
}

function writeArray(b: Budget, items: Iterable<unknown>, stack: Set<object>): void {
  b.write('[');
  let first = true;
  for (const item of items) {
    if (b.full) return;
    if (!first) b.write(',');
    first = false;
    writeValue(b, item, stack, true);
  }
  b.write(']');
}

function writeEntries(b: Budget, entries: Iterable<readonly [unknown, unknown]>, stack: Set<object>): void {
  b.write('{');
  let first = true;
  for (const [key, v] of entries) {
    if (b.full) return;
    first = writeMember(b, String(key), v, first, stack);
  }
  b.write('}');
}

/** Own enumerable properties, without allocating an entries array (metadata takes this path on every span). */
function writeOwnProperties(b: Budget, obj: object, stack: Set<object>): void {
  b.write('{');
  let first = true;
  for (const key of Object.keys(obj)) {
    if (b.full) return;
    let v: unknown;
    try {
      v = (obj as Record<string, unknown>)[key];
    } catch {
      v = '[getter threw]';
    }
    first = writeMember(b, key, v, first, stack);
  }
  b.write('}');
}

/** Writes `"key":value` unless the value is dropped; returns the new `first` flag. */
function writeMember(b: Budget, key: string, v: unknown, first: boolean, stack: Set<object>): boolean {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return first;
  if (!first) b.write(',');
  b.writeString(key);
  b.write(':');
  writeValue(b, v, stack, false);
  return false;
}
