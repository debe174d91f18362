/**
 * Wall-clock time with microsecond resolution, and its RFC 3339 form.
 * `Date.now()` has only millisecond resolution, so the clock is anchored once and advanced with
 * the monotonic `performance.now()`.
 */
// The global `performance` (Node, Bun, Deno, Workers, browsers): node:perf_hooks is not everywhere.

const origin = performance.timeOrigin;

/** Now, as microseconds since the Unix epoch (integer). */
export function nowMicros(): number {
  return Math.round((origin + performance.now()) * 1000);
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `2026-11-24T03:06:37.428899Z` for a microsecond timestamp. The prefix up to the second is
 * cached: calls a few milliseconds apart (an LLM call over HTTP) still share it, where a
 * millisecond prefix would cost a `toISOString` per event.
 */
export function formatMicros(micros: number): string {
  const second = Math.floor(micros / 1e6);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20); // "2026-11-24T03:06:37."
  }
  const frac = micros - second * 1e6;
  return cachedPrefix + (frac >= 100_000 ? '' : '000000'.slice(String(frac).length)) + frac + 'Z';
}

/**
 * Parses an RFC 3339 timestamp (any sub-second precision, `Z` or an offset) to epoch
 * microseconds. Returns `NaN` when the string is not a timestamp.
 */
export function parseTimestampMicros(ts: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i.exec(ts);
  if (!m) return Number.NaN;
  const seconds = Date.parse(m[1] + (m[3]!.toUpperCase() === 'Z' ? 'Z' : m[3]));
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return seconds * 1000 + Number(frac);
}
