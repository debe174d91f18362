/**
 * Counts execution intercepts that settled without calling the original (`next`): deliberate for
 * a cache, a bug when the intercept forgot to call it. `diagnostics()` shows the counts.
 */
import type { Entry } from './types.js';

const skips = new Map<string, number>();
/** Distinct intercepts remembered (a long-lived service stays bounded). */
const MAX_NAMES = 1000;

/** @internal */
export function countInterceptSkip(e: Entry): void {
  const key = `${e.family}:${e.name}`;
  const n = skips.get(key);
  if (n !== undefined) skips.set(key, n + 1);
  else if (skips.size < MAX_NAMES) skips.set(key, 1);
}

/** @internal Counts by `family:name`. */
export function interceptSkips(): Record<string, number> {
  return Object.fromEntries(skips);
}

/** @internal */
export function resetInterceptSkips(): void {
  skips.clear();
}
