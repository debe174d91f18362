/**
 * UUIDv7 (RFC 9562): 48-bit millisecond timestamp, then random bits. A 12-bit sub-millisecond
 * counter in `rand_a` keeps ids generated in the same millisecond ordered. The timestamp part is
 * formatted once per millisecond; random bits come from a pooled buffer, hex-encoded per refill.
 */
import { randomFillSync } from 'node:crypto';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** `7xxx` for each counter value. */
const VERSION_SEQ: string[] = Array.from({ length: 4096 }, (_, i) => (0x7000 | i).toString(16));
const VARIANT = ['8', '9', 'a', 'b'];
const POOL_BYTES = 8 * 1024;
const pool = Buffer.alloc(POOL_BYTES);
let poolHex = '';
let poolOffset = POOL_BYTES * 2; // in hex characters

let lastMs = -1;
let seq = 0;
let prefixMs = -1;
let prefix = '';

function timePrefix(ms: number): string {
  if (ms !== prefixMs) {
    prefixMs = ms;
    const hi = Math.floor(ms / 0x100000000);
    const lo = ms >>> 0;
    prefix = HEX[(hi >>> 8) & 0xff]! + HEX[hi & 0xff]! + HEX[lo >>> 24]! + HEX[(lo >>> 16) & 0xff]! + '-' + HEX[(lo >>> 8) & 0xff]! + HEX[lo & 0xff]! + '-';
  }
  return prefix;
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
  return timePrefix(ms) + VERSION_SEQ[seq]! + '-' + VARIANT[poolHex.charCodeAt(o) & 3]! + poolHex.slice(o + 1, o + 4) + '-' + poolHex.slice(o + 4, o + 16);
}
