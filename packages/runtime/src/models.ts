/**
 * @nemo-flow/runtime/models — facts about provider models that more than one package reads: the
 * prompt-cache price multiples per provider and the minimum cacheable prompt length per Claude model
 * (the adaptive layer plans caching with them; cost accounting reads them too), and the model price
 * table with the cost of a call (`llmCost`, `setModelPrices`; see pricing.ts).
 *
 * Anthropic model families and their minimum cacheable prompt length: a shorter prefix is not
 * cached even when marked. Model ids come in several spellings, all of which map to one family:
 * `claude-3-5-sonnet-20241022` (version first), `claude-sonnet-4-5-20250929` (tier first),
 * aliases without a date, `-latest`, Bedrock (`anthropic.claude-3-5-sonnet-20241022-v2:0`) and
 * Vertex (`claude-3-5-sonnet-v2@20241022`). The date is never read as a version number.
 *
 * @module @nemo-flow/runtime/models
 */

export type ClaudeTier = 'opus' | 'sonnet' | 'haiku';

export interface ClaudeFamily {
  tier: ClaudeTier;
  major: number;
  minor: number;
}

/** Minimum cacheable tokens per family (Anthropic's published table). */
const MINIMUMS: Record<ClaudeTier, ReadonlyArray<readonly [major: number, minor: number, tokens: number]>> = {
  opus: [
    [3, 0, 1024],
    [4, 0, 1024],
    [4, 1, 1024],
    [4, 5, 4096],
    [4, 6, 4096],
  ],
  sonnet: [
    [3, 5, 1024],
    [3, 7, 1024],
    [4, 0, 1024],
    [4, 5, 1024],
    [4, 6, 2048],
  ],
  haiku: [
    [3, 0, 2048],
    [3, 5, 2048],
    [4, 5, 4096],
  ],
};

/** Used for models that are not Claude models (e.g. a proxy's own name): the largest published minimum. */
export const UNKNOWN_MODEL_MIN_TOKENS = 4096;

/** The family of a Claude model id, or undefined when it is not one. */
export function claudeFamily(model: string): ClaudeFamily | undefined {
  let id = model.toLowerCase();
  const at = id.indexOf('claude');
  if (at < 0) return undefined;
  id = id
    .slice(at) // provider prefixes: "anthropic.", "us.anthropic.", "bedrock/"
    .replace(/@.*$/, '') // Vertex date suffix
    .replace(/-v\d+(:\d+)?$/, '') // Bedrock version suffix
    .replace(/-(\d{8}|latest)(?=-|$)/g, ''); // dates and -latest
  const tokens = id.split(/[-_.]/);
  const tier = tokens.find((t): t is ClaudeTier => t === 'opus' || t === 'sonnet' || t === 'haiku');
  if (!tier) return undefined;
  // Version digits are one or two digits long; anything longer is a date we failed to strip.
  const nums = tokens.filter((t) => /^\d{1,2}$/.test(t)).map(Number);
  if (nums.length === 0) return undefined;
  return { tier, major: nums[0]!, minor: nums[1] ?? 0 };
}

/**
 * Minimum cacheable tokens for `model`. A family newer than the table uses the newest known entry
 * of its tier at or below its version (e.g. a future `sonnet-4-7` is treated like Sonnet 4.6);
 * `overrides` (model id prefix → tokens, longest prefix wins) take precedence.
 */
export function minCacheableTokens(model: string | null | undefined, overrides?: Readonly<Record<string, number>>): number {
  if (typeof model !== 'string') return UNKNOWN_MODEL_MIN_TOKENS;
  if (overrides) {
    let best: string | undefined;
    for (const prefix of Object.keys(overrides)) if (model.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
    if (best !== undefined) return overrides[best]!;
  }
  const fam = claudeFamily(model);
  if (!fam) return UNKNOWN_MODEL_MIN_TOKENS;
  const table = MINIMUMS[fam.tier];
  let pick = table[0]!;
  for (const row of table) if (row[0] < fam.major || (row[0] === fam.major && row[1] <= fam.minor)) pick = row;
  return pick[2];
}

/** Prompt-cache prices as multiples of the base input-token price. */
export interface CachePrices {
  /** Cost of a cached write, relative to an uncached input token. */
  write: number;
  /** Cost of a cache read, relative to an uncached input token. */
  read: number;
}

/** Anthropic: a 5-minute cache write costs 1.25×, a read 0.1×. */
export const ANTHROPIC_PRICES: Readonly<CachePrices> = Object.freeze({ write: 1.25, read: 0.1 });
/** Anthropic: a 1-hour cache write costs 2×. */
export const ANTHROPIC_1H_WRITE = 2;
/**
 * OpenAI caches automatically (no write surcharge); its read discount depends on the model (0.5×
 * for the GPT-4o family, 0.25× or 0.1× for newer ones), so callers may override it.
 */
export const OPENAI_DEFAULT_PRICES: Readonly<CachePrices> = Object.freeze({ write: 1, read: 0.5 });

/** The provider's cache lifetime without use (Anthropic's default TTL; OpenAI evicts after 5–10 idle minutes). */
export const CACHE_TTL_MS = 5 * 60_000;

export { BUILTIN_PRICES, PRICE_TABLE_DATE, PRICE_TABLE_SOURCE, setModelPrices, userModelPrices, modelPrice, llmCost, cachePricesOf } from './pricing.js';
export type { ModelPrice, LlmCost } from './pricing.js';
