/**
 * UUIDv7 (RFC 9562): 48-bit millisecond timestamp, then random bits. A 12-bit sub-millisecond
 * counter in `rand_a` keeps ids generated in the same millisecond ordered. The timestamp digits are
 * written once per millisecond; random bits come from a pooled buffer, hex-encoded per refill.
 */
import { randomFillSync } from 'node:crypto';

/** Char codes of the 16 hex digits. */
const HEX_CODES: number[] = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const VARIANT_CODES = Array.from('89ab', (c) => c.charCodeAt(0));
const POOL_BYTES = 8 * 1024;
const pool = Buffer.alloc(POOL_BYTES);
let poolHex = '';
let poolOffset = POOL_BYTES * 2; // in hex characters

let lastMs = -1;
let seq = 0;
let prefixMs = -1;
/**
 * The id's characters, rewritten in place for each id: the timestamp digits once per millisecond.
 * One `String.fromCharCode` makes a flat string; joining parts made a tree of ~9 small strings that
 * every reader (map hashing, the OTLP encoder, JSON) first had to flatten.
 */
const chars: number[] = Array.from('00000000-0000-7000-8000-000000000000', (c) => c.charCodeAt(0));

function writeTime(ms: number): void {
  if (ms === prefixMs) return;
  prefixMs = ms;
  // 48 bits, 12 hex digits: positions 0-7, then 9-12 (after the first dash).
  let v = ms;
  for (let d = 11; d >= 0; d--) {
    const digit = v % 16;
    v = Math.floor(v / 16);
    chars[d < 8 ? d : d + 1] = HEX_CODES[digit]!;
  }
}

/** A new UUIDv7 string. `nowMs` (default `Date.now()`) lets callers reuse a clock reading. */
export function uuidv7(nowMs: number = Date.now()): string {
  let ms = nowMs;
  if (ms <= lastMs) {
    ms = lastMs;
    if (++seq > 0xfff) {
      // Counter exhausted within one millisecond: borrow the next millisecond (stays monotonic).
      lastMs = ++ms;
      seq = 0;
    }
  } else {
    lastMs = ms;
    seq = 0;
  }
  if (poolOffset + 16 > poolHex.length) {
    randomFillSync(pool);
    poolHex = pool.toString('hex');
    poolOffset = 0;
  }
  const o = poolOffset;
  poolOffset += 16;
  writeTime(ms);
  const c = chars;
  c[15] = HEX_CODES[seq >>> 8]!;
  c[16] = HEX_CODES[(seq >>> 4) & 15]!;
  c[17] = HEX_CODES[seq & 15]!;
  c[19] = VARIANT_CODES[poolHex.charCodeAt(o) & 3]!;
  c[20] = poolHex.charCodeAt(o + 1);
  c[21] = poolHex.charCodeAt(o + 2);
  c[22] = poolHex.charCodeAt(o + 3);
  for (let k = 0; k < 12; k++) c[24 + k] = poolHex.charCodeAt(o + 4 + k);
  return String.fromCharCode.apply(null, c);
}
