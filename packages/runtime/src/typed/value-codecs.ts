/**
 * Value codecs: how an application type crosses the JSON boundary of middleware and events.
 * Middleware and subscribers see `toJson`'s output; the callback and the caller see `T`.
 */
import type { Json } from '../types.js';

/** Converts a `T` to JSON and back. `fromJson` should throw a TypeError naming what is wrong. */
export interface ValueCodec<T, J extends Json = Json> {
  toJson(value: T): J;
  fromJson(json: J): T;
}

/** No conversion: the value already is JSON. */
export function passthroughCodec<T extends Json = Json>(): ValueCodec<T, T> {
  return { toJson: (v) => v, fromJson: (j) => j };
}

/** `Date` ⇄ ISO 8601 string. */
export const dateCodec: ValueCodec<Date, string> = {
  toJson: (d) => d.toISOString(),
  fromJson(j) {
    const d = typeof j === 'string' ? new Date(j) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw new TypeError(`dateCodec: expected an ISO 8601 date string, got ${JSON.stringify(j)}`);
    return d;
  },
};

/** `bigint` ⇄ decimal string (JSON numbers would lose precision). */
export const bigintCodec: ValueCodec<bigint, string> = {
  toJson: (b) => b.toString(),
  fromJson(j) {
    if (typeof j !== 'string' || !/^-?\d+$/.test(j)) throw new TypeError(`bigintCodec: expected a decimal integer string, got ${JSON.stringify(j)}`);
    return BigInt(j);
  },
};

const pass = passthroughCodec();

function arrayOf(what: string, j: Json): Json[] {
  if (!Array.isArray(j)) throw new TypeError(`${what}: expected an array, got ${j === null ? 'null' : typeof j}`);
  return j;
}

/** `T[]` ⇄ array, each item through `item`. */
export function arrayCodec<T>(item: ValueCodec<T>): ValueCodec<T[], Json[]> {
  return { toJson: (a) => a.map((v) => item.toJson(v)), fromJson: (j) => arrayOf('arrayCodec', j).map((v) => item.fromJson(v)) };
}

/** `Set` ⇄ array of its items (insertion order). */
export function setCodec<T = Json>(item: ValueCodec<T> = pass as ValueCodec<T>): ValueCodec<Set<T>, Json[]> {
  return { toJson: (s) => [...s].map((v) => item.toJson(v)), fromJson: (j) => new Set(arrayOf('setCodec', j).map((v) => item.fromJson(v))) };
}

/** `Map` ⇄ array of `[key, value]` pairs (keys need not be strings). */
export function mapCodec<K = Json, V = Json>(
  key: ValueCodec<K> = pass as ValueCodec<K>,
  value: ValueCodec<V> = pass as ValueCodec<V>,
): ValueCodec<Map<K, V>, Json[]> {
  return {
    toJson: (m) => [...m].map(([k, v]) => [key.toJson(k), value.toJson(v)]),
    fromJson: (j) =>
      new Map(
        arrayOf('mapCodec', j).map((pair) => {
          if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError(`mapCodec: expected [key, value] pairs, got ${JSON.stringify(pair)}`);
          return [key.fromJson(pair[0]!), value.fromJson(pair[1]!)] as [K, V];
        }),
      ),
  };
}

/**
 * An object whose listed fields need their own codec (`{ when: dateCodec }`); other fields pass
 * through as they are.
 */
export function objectCodec<T extends object>(fields: { [K in keyof T]?: ValueCodec<T[K]> }): ValueCodec<T, { [key: string]: Json }> {
  const entries = Object.entries(fields) as [string, ValueCodec<unknown>][];
  return {
    toJson(v) {
      const out: { [key: string]: Json } = { ...(v as { [key: string]: Json }) };
      for (const [k, c] of entries) if (k in out) out[k] = c.toJson((v as Record<string, unknown>)[k]);
      return out;
    },
    fromJson(j) {
      if (typeof j !== 'object' || j === null || Array.isArray(j))
        throw new TypeError(`objectCodec: expected an object, got ${j === null ? 'null' : Array.isArray(j) ? 'an array' : typeof j}`);
      const out: Record<string, unknown> = { ...j };
      for (const [k, c] of entries) if (k in out) out[k] = c.fromJson(j[k]!);
      return out as T;
    },
  };
}

/** A class with a `toJSON()` and a factory that rebuilds it (`Money.fromJSON`). */
export function classCodec<T extends { toJSON(): Json }>(fromJson: (json: Json) => T): ValueCodec<T> {
  return { toJson: (v) => v.toJSON(), fromJson };
}
