/** Generation parameters: provider keys ⇄ `GenerationParams`. */
import type { GenerationParams } from './types.js';
import { deepEqual, type Obj } from './util.js';

/**
 * Normalized param key → provider key; `null` = the provider has no such parameter (dropped on
 * encode, e.g. `seed` for Anthropic). Keys not listed are written under their own name.
 */
export type ParamKeys = Readonly<Record<string, string | null>>;

/** Reads a `stop` value: a string or an array of strings. Undefined when it is neither. */
export function decodeStop(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return undefined;
  for (const s of v) if (typeof s !== 'string') return undefined;
  return v.slice() as string[]; // a copy: editing it must not edit the caller's request
}

/**
 * Writes `params` into `values` under provider keys. A value equal to its baseline reuses the
 * original's raw value, so a `stop: "END"` string stays a string.
 */
export function encodeParams(
  values: Obj,
  params: GenerationParams | undefined,
  base: GenerationParams | undefined,
  original: Obj | undefined,
  keys: ParamKeys,
): void {
  if (!params) return;
  for (const k in params) {
    const v = params[k];
    if (v === undefined) continue;
    const target = Object.hasOwn(keys, k) ? keys[k] : k;
    if (target === null) continue;
    const raw = original?.[target];
    values[target] = raw !== undefined && base && deepEqual(v, base[k]) ? raw : v;
  }
}
