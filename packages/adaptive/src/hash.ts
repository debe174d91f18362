/**
 * Content fingerprints: canonical JSON (sorted keys) and short SHA-256 digests. Fingerprints let
 * the learners compare prompts across runs without keeping prompt text.
 */
import { createHash } from 'node:crypto';

/** 64 bits of SHA-256 as 16 hex characters: short enough to store per boundary, wide enough not to collide in practice. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The fingerprint of a prefix extended by one block: order-sensitive, so equal chains mean equal prefixes. */
export function chain(prefix: string, block: string): string {
  return digest(`${prefix}\u0000${block}`);
}

/**
 * JSON with object keys sorted, so equal values always give equal text whatever their key order.
 * `skip` names keys left out at the top level (e.g. `cache_control`, which does not change what a
 * provider caches). Cycles become `"[Circular]"`; functions and undefined are dropped as JSON does.
 */
export function canonicalJson(value: unknown, skip?: ReadonlySet<string>): string {
  return write(value, skip, new Set<object>());
}

function write(value: unknown, skip: ReadonlySet<string> | undefined, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object':
      break;
    default:
      return 'null';
  }
  const obj = value as object;
  if (seen.has(obj)) return '"[Circular]"';
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return `[${obj.map((v) => write(v, undefined, seen)).join(',')}]`;
    const rec = obj as Record<string, unknown>;
    const keys = Object.keys(rec).sort();
    const parts: string[] = [];
    for (const k of keys) {
      if (skip?.has(k)) continue;
      const v = rec[k];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      parts.push(`${JSON.stringify(k)}:${write(v, undefined, seen)}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}
