/**
 * W3C trace and span ids (32 and 16 lowercase hex digits, never all zero) from a pooled buffer of
 * cryptographic randomness, hex-encoded once per refill: an id is one string slice.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let hex = '';
let offset = POOL_BYTES * 2; // in hex digits: empty until the first refill

/** The invalid (all-zero) id of each length. */
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

function randomHex(digits: number, invalid: string): string {
  for (;;) {
    if (offset + digits > hex.length) {
      randomFillSync(pool);
      hex = pool.toString('hex');
      offset = 0;
    }
    const id = hex.slice(offset, offset + digits);
    offset += digits;
    if (id !== invalid) return id;
  }
}

export function randomTraceId(): string {
  return randomHex(32, ZERO_TRACE_ID);
}

export function randomSpanId(): string {
  return randomHex(16, ZERO_SPAN_ID);
}
