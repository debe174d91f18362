/**
 * Prompt-cache prices as multiples of the base input-token price, and the break-even points the
 * planner derives from them. Anthropic: a 5-minute cache write costs 1.25×, a 1-hour write 2×, a
 * read 0.1×. OpenAI caches automatically (no write surcharge); its read discount depends on the
 * model (0.5× for the GPT-4o family, 0.25× or 0.1× for newer ones), so it is configurable.
 */

import type { CachePrices } from '@nemo-flow/runtime/models';

export type { CachePrices } from '@nemo-flow/runtime/models';
export { ANTHROPIC_PRICES, ANTHROPIC_1H_WRITE, OPENAI_DEFAULT_PRICES, CACHE_TTL_MS } from '@nemo-flow/runtime/models';

/**
 * Marking a prefix that later requests may or may not share pays when the chance `p` that it is
 * already cached satisfies p·(1−read) > (1−p)·(write−1): a hit saves the read discount, a miss
 * costs the write surcharge.
 */
export function crossRunBreakEven(p: CachePrices): number {
  const surcharge = p.write - 1;
  return surcharge <= 0 ? 0 : surcharge / (surcharge + (1 - p.read));
}

/**
 * Extending the cached prefix to the end of the conversation costs the write surcharge on the new
 * tokens now; it pays when the next call of the run (which re-sends them) comes with probability
 * q > (write−1)/(1−read).
 */
export function continuationBreakEven(p: CachePrices): number {
  const surcharge = p.write - 1;
  return surcharge <= 0 ? 0 : surcharge / (1 - p.read);
}

/** Base-input-token equivalents saved: reads at their discount minus the write surcharge. */
export function savedTokens(read: number, write: number, p: CachePrices): number {
  return read * (1 - p.read) - write * (p.write - 1);
}
