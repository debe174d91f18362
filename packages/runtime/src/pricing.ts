/**
 * Model prices and the cost of one LLM call. The built-in table lists current OpenAI, Anthropic and
 * Gemini models; applications add or override entries with `setModelPrices()` (the SDK's `pricing`
 * config section calls it). A model with no price costs nothing, and the cost says so
 * (`priced: false`) rather than pretending to be free.
 */
import type { Usage } from './codecs/types.js';

/** US dollars per million tokens. */
export interface ModelPrice {
  /** Uncached input tokens. */
  input: number;
  /** Input tokens read from the prompt cache (default: `input`). */
  cachedInput?: number;
  /** Input tokens written to the prompt cache (default: `input`; Anthropic charges 1.25× for a 5-minute write). */
  cacheWrite?: number;
  output: number;
  /** Reasoning tokens, when priced apart from output (default: `output`, as all three providers bill them today). */
  reasoning?: number;
}

/** When and where the built-in table was taken. */
export const PRICE_TABLE_DATE = '2025-08-01';
export const PRICE_TABLE_SOURCE =
  'public list prices (standard tier, Gemini: prompts up to 200k tokens) from openai.com/api/pricing, ' +
  'docs.anthropic.com/en/docs/about-claude/pricing and ai.google.dev/gemini-api/docs/pricing; ' +
  'entered by hand without network access on ' +
  PRICE_TABLE_DATE +
  " — check them against the providers' pages and override with setModelPrices() or the `pricing` config section";

const p = (input: number, cachedInput: number | undefined, output: number, cacheWrite?: number): ModelPrice =>
  Object.freeze({ input, ...(cachedInput !== undefined ? { cachedInput } : {}), ...(cacheWrite !== undefined ? { cacheWrite } : {}), output });
/** Anthropic: cache reads 0.1×, 5-minute cache writes 1.25× of the input price. */
const claude = (input: number, output: number): ModelPrice => p(input, round(input * 0.1), output, round(input * 1.25));

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/**
 * Keys are model id prefixes: `gpt-4o-mini` prices `gpt-4o-mini-2024-07-18` too; the longest
 * matching key wins (so `gpt-4o` does not price `gpt-4o-mini`).
 */
export const BUILTIN_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  // OpenAI (cached input is the automatic prompt-cache discount; no write surcharge).
  'gpt-5': p(1.25, 0.125, 10),
  'gpt-5-mini': p(0.25, 0.025, 2),
  'gpt-5-nano': p(0.05, 0.005, 0.4),
  'gpt-4.1': p(2, 0.5, 8),
  'gpt-4.1-mini': p(0.4, 0.1, 1.6),
  'gpt-4.1-nano': p(0.1, 0.025, 0.4),
  'gpt-4o': p(2.5, 1.25, 10),
  'gpt-4o-mini': p(0.15, 0.075, 0.6),
  'gpt-4-turbo': p(10, undefined, 30),
  'gpt-3.5-turbo': p(0.5, undefined, 1.5),
  o1: p(15, 7.5, 60),
  'o1-mini': p(1.1, 0.55, 4.4),
  o3: p(2, 0.5, 8),
  'o3-mini': p(1.1, 0.55, 4.4),
  'o4-mini': p(1.1, 0.275, 4.4),
  // Anthropic.
  'claude-opus-4-5': claude(5, 25),
  'claude-opus-4-1': claude(15, 75),
  'claude-opus-4': claude(15, 75),
  'claude-sonnet-4-5': claude(3, 15),
  'claude-sonnet-4': claude(3, 15),
  'claude-haiku-4-5': claude(1, 5),
  'claude-3-7-sonnet': claude(3, 15),
  'claude-3-5-sonnet': claude(3, 15),
  'claude-3-5-haiku': claude(0.8, 4),
  'claude-3-opus': claude(15, 75),
  'claude-3-haiku': p(0.25, 0.03, 1.25, 0.3),
  // Google Gemini (thinking tokens are billed as output).
  'gemini-2.5-pro': p(1.25, 0.31, 10),
  'gemini-2.5-flash': p(0.3, 0.075, 2.5),
  'gemini-2.5-flash-lite': p(0.1, 0.025, 0.4),
  'gemini-2.0-flash': p(0.1, 0.025, 0.4),
  'gemini-2.0-flash-lite': p(0.075, undefined, 0.3),
  'gemini-1.5-pro': p(1.25, 0.3125, 5),
  'gemini-1.5-flash': p(0.075, 0.01875, 0.3),
});

let userPrices: Record<string, ModelPrice> = {};

/**
 * Adds or overrides prices (model id prefix → per-million-token prices); entries given before stay
 * unless `replace` is true. Throws a TypeError naming the bad entry.
 */
export function setModelPrices(prices: Readonly<Record<string, ModelPrice>>, options: { replace?: boolean } = {}): void {
  if (prices === null || typeof prices !== 'object' || Array.isArray(prices))
    throw new TypeError(`setModelPrices: prices must be an object of model id → price, got ${typeof prices}`);
  const next: Record<string, ModelPrice> = options.replace ? {} : { ...userPrices };
  for (const [model, price] of Object.entries(prices)) next[model] = checkPrice(model, price);
  userPrices = next;
  lookups.clear();
}

/** The user's prices (from code or config), without the built-in ones. */
export function userModelPrices(): Readonly<Record<string, ModelPrice>> {
  return userPrices;
}

const FIELDS = ['input', 'cachedInput', 'cacheWrite', 'output', 'reasoning'] as const;

function checkPrice(model: string, price: unknown): ModelPrice {
  const where = `setModelPrices: price of "${model}"`;
  if (model === '') throw new TypeError('setModelPrices: a model id must be a non-empty string');
  if (price === null || typeof price !== 'object') throw new TypeError(`${where} must be an object like { input, output } (USD per million tokens)`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(price)) {
    if (!(FIELDS as readonly string[]).includes(k)) throw new TypeError(`${where}: unknown field "${k}" (expected ${FIELDS.join(', ')})`);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`${where}: ${k} must be a finite number ≥ 0 (USD per million tokens)`);
    out[k] = v;
  }
  if (out.input === undefined || out.output === undefined) throw new TypeError(`${where} needs both input and output (USD per million tokens)`);
  return Object.freeze(out as unknown as ModelPrice);
}

/** Strips routing prefixes and suffixes: `openai/gpt-4o`, `models/gemini-2.5-pro`, `us.anthropic.claude-…-v1:0`, `claude-…@20250514`. */
function canonical(model: string): string {
  let id = model.trim().toLowerCase();
  const slash = id.lastIndexOf('/');
  if (slash >= 0) id = id.slice(slash + 1);
  const claudeAt = id.indexOf('claude-');
  if (claudeAt > 0) id = id.slice(claudeAt);
  return id.replace(/@.*$/, '').replace(/-v\d+(:\d+)?$/, '');
}

function longestPrefix(table: Readonly<Record<string, ModelPrice>>, id: string): string | undefined {
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    const k = key.toLowerCase();
    if ((id === k || (id.startsWith(k) && /[-_.:]/.test(id[k.length]!))) && (best === undefined || key.length > best.length)) best = key;
  }
  return best;
}

/** A price lookup's answer (frozen: lookups are remembered and shared). */
type PriceLookup = { readonly key: string; readonly price: ModelPrice; readonly source: 'user' | 'builtin' };

/**
 * Lookups by model id, remembered until the prices change: an app calls a handful of models, and
 * a lookup scans the whole table. Bounded: cleared when it holds `MAX_LOOKUPS` ids.
 */
const lookups = new Map<string, PriceLookup | null>();
const MAX_LOOKUPS = 256;

/** The price of `model` and where it came from; user entries win over built-in ones. */
export function modelPrice(
  model: string | null | undefined,
): { readonly key: string; readonly price: ModelPrice; readonly source: 'user' | 'builtin' } | undefined {
  if (typeof model !== 'string' || model === '') return undefined;
  const known = lookups.get(model);
  if (known !== undefined) return known ?? undefined;
  const found = lookUp(model);
  if (found) Object.freeze(found); // shared by every later lookup of the same id
  if (lookups.size >= MAX_LOOKUPS) lookups.clear();
  lookups.set(model, found ?? null);
  return found;
}

function lookUp(model: string): PriceLookup | undefined {
  if (Object.hasOwn(userPrices, model)) return { key: model, price: userPrices[model]!, source: 'user' };
  const id = canonical(model);
  const user = longestPrefix(userPrices, id);
  if (user !== undefined) return { key: user, price: userPrices[user]!, source: 'user' };
  const builtin = longestPrefix(BUILTIN_PRICES, id);
  return builtin === undefined ? undefined : { key: builtin, price: BUILTIN_PRICES[builtin]!, source: 'builtin' };
}

/**
 * The cost of one LLM call as carried by its end event (`category_profile.cost`). Amounts in USD.
 * `input_usd` covers uncached input only; the parts add up to `total_usd`.
 */
export interface LlmCost {
  total_usd: number;
  /** False when the model has no price: every amount is 0 and `note` says why. */
  priced: boolean;
  input_usd?: number;
  cached_input_usd?: number;
  cache_write_usd?: number;
  /** Output tokens other than reasoning. */
  output_usd?: number;
  reasoning_usd?: number;
  /** The price-table key used, e.g. `gpt-4o-mini` for `gpt-4o-mini-2024-07-18`. */
  price_key?: string;
  price_source?: 'user' | 'builtin';
  note?: string;
}

const count = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);
const usd = (tokens: number, perM: number): number => (tokens * perM) / 1_000_000;

/**
 * The cost of a call with normalized `usage` (input counts cached reads and writes; output counts
 * reasoning — the codecs' contract for every provider). Undefined when there is no usage at all.
 */
export function llmCost(model: string | null | undefined, usage: Usage | null | undefined): LlmCost | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const found = modelPrice(model);
  if (!found)
    return {
      total_usd: 0,
      priced: false,
      note: `no price for model ${typeof model === 'string' && model ? `"${model}"` : '(unknown)'}; add one with setModelPrices() or the pricing config section`,
    };
  const { price } = found;
  const input = count(usage.input_tokens);
  const read = Math.min(count(usage.cache_read_tokens), input);
  const write = Math.min(count(usage.cache_write_tokens), input - read);
  const output = count(usage.output_tokens);
  const reasoning = Math.min(count(usage.reasoning_tokens), output);
  const c: LlmCost = {
    total_usd: 0,
    priced: true,
    input_usd: usd(input - read - write, price.input),
    cached_input_usd: usd(read, price.cachedInput ?? price.input),
    cache_write_usd: usd(write, price.cacheWrite ?? price.input),
    output_usd: usd(output - reasoning, price.output),
    reasoning_usd: usd(reasoning, price.reasoning ?? price.output),
    price_key: found.key,
    price_source: found.source,
  };
  c.total_usd = c.input_usd! + c.cached_input_usd! + c.cache_write_usd! + c.output_usd! + c.reasoning_usd!;
  return c;
}

/**
 * The prompt-cache price multiples of `model` from its price (cache read and write over uncached
 * input), for planners such as the adaptive layer; undefined when the model has no price.
 */
export function cachePricesOf(model: string | null | undefined): { read: number; write: number } | undefined {
  const found = modelPrice(model);
  if (!found || found.price.input <= 0) return undefined;
  const { input, cachedInput, cacheWrite } = found.price;
  // Rounded: the table holds dollar amounts, the multiples are meant to be exact (0.1, 1.25).
  return { read: round((cachedInput ?? input) / input), write: round((cacheWrite ?? input) / input) };
}
