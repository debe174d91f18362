/**
 * A deterministic simulator of Anthropic prompt caching, for replaying recorded workloads and for
 * tests. It follows the documented rules: the cache key of a breakpoint is the whole prefix up to
 * and including its block (tools, then system, then messages); at most four breakpoints; a prefix
 * shorter than the model's minimum is not cached; each breakpoint also finds entries ending at up
 * to 20 earlier block boundaries; entries live 5 minutes (or 1 hour with `ttl: "1h"`) and every
 * hit refreshes them; writes cost 1.25× (2× for 1 hour), reads 0.1×. It rejects what the API
 * rejects (more than four breakpoints, a mark on a thinking block or empty text, a 1-hour entry
 * after a 5-minute one).
 *
 * Not modelled: tokenization (chars/4), concurrent requests (each is processed in order), and the
 * invalidation of message caches by `tool_choice`, images or thinking settings.
 */
import { anthropicLayout } from './prompt-layout.js';
import { minCacheableTokens } from '@nemo-flow/runtime/models';
import { ANTHROPIC_1H_WRITE, ANTHROPIC_PRICES, CACHE_TTL_MS, type CachePrices } from './pricing.js';

export interface AnthropicCacheSimulatorOptions {
  /** Lifetime of a default (`5m`) entry in ms (default 300000). */
  ttlMs?: number;
  /** Lifetime of a `1h` entry in ms (default 3600000). */
  longTtlMs?: number;
  /** Block boundaries searched before each breakpoint, the breakpoint included (default 20). */
  lookbackBlocks?: number;
  /** Minimum cacheable tokens of a model (default: Anthropic's table, see `minCacheableTokens`). */
  minTokens?: (model: string | null) => number;
  /** Prices relative to an uncached input token (default write 1.25, read 0.1). */
  prices?: CachePrices;
}

/** What one request would have been billed, in Anthropic's usage fields plus totals. */
export interface SimulatedUsage {
  /** Uncached input tokens (Anthropic's `usage.input_tokens`). */
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** All input tokens of the request. */
  total_input_tokens: number;
  /** Input cost in units of one uncached input token. */
  cost: number;
  /** Breakpoints in the request, and how many were long enough to cache. */
  breakpoints: number;
  effective_breakpoints: number;
}

interface Entry {
  expires: number;
  ttlMs: number;
}

export class AnthropicCacheSimulator {
  readonly #entries = new Map<string, Entry>();
  readonly #ttl: number;
  readonly #longTtl: number;
  readonly #lookback: number;
  readonly #minTokens: (model: string | null) => number;
  readonly #prices: CachePrices;

  constructor(options: AnthropicCacheSimulatorOptions = {}) {
    this.#ttl = options.ttlMs ?? CACHE_TTL_MS;
    this.#longTtl = options.longTtlMs ?? 60 * 60_000;
    this.#lookback = options.lookbackBlocks ?? 20;
    this.#minTokens = options.minTokens ?? ((m) => minCacheableTokens(m));
    this.#prices = options.prices ?? ANTHROPIC_PRICES;
  }

  /** Forgets every cache entry. */
  reset(): void {
    this.#entries.clear();
  }

  /** Number of live entries at `atMs`. */
  size(atMs: number): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.expires > atMs) n++;
    return n;
  }

  /** Bills one request sent at `atMs` (epoch ms; requests must be processed in time order) and updates the cache. */
  process(content: unknown, atMs: number): SimulatedUsage {
    const layout = anthropicLayout(content);
    const blocks = layout.blocks;
    const marked: number[] = [];
    let sawShort = false;
    blocks.forEach((b, i) => {
      if (!b.mark) return;
      if (!b.markable) throw new TypeError(`cache_control is not allowed on ${b.path.join('.')} (thinking blocks and empty text cannot be marked)`);
      const long = b.mark.ttl === '1h';
      if (long && sawShort) throw new TypeError('a 1h cache_control must not come after a 5m one');
      if (!long) sawShort = true;
      marked.push(i);
    });
    if (marked.length > 4) throw new RangeError(`a request may have at most 4 cache_control breakpoints, got ${marked.length}`);
    const min = this.#minTokens(layout.model);
    const valid = marked.filter((i) => blocks[i]!.cumulativeTokens >= min);

    // Longest live prefix any breakpoint can see (itself or up to lookback-1 boundaries before it).
    let readIdx = -1;
    for (const b of valid) {
      for (let j = b; j >= 0 && j > b - this.#lookback; j--) {
        const e = this.#entries.get(blocks[j]!.prefixHash);
        if (e && e.expires > atMs) {
          if (readIdx < 0 || j > readIdx) readIdx = j;
          break;
        }
      }
    }
    const read = readIdx >= 0 ? blocks[readIdx]!.cumulativeTokens : 0;
    if (readIdx >= 0) {
      const e = this.#entries.get(blocks[readIdx]!.prefixHash)!;
      e.expires = atMs + e.ttlMs;
    }

    // Everything between the read point and the last valid breakpoint is written, at the TTL of
    // the breakpoint that covers it.
    let write = 0;
    let writeCost = 0;
    let covered = read;
    for (const i of valid) {
      const b = blocks[i]!;
      const ttlMs = b.mark!.ttl === '1h' ? this.#longTtl : this.#ttl;
      if (b.cumulativeTokens > covered) {
        const n = b.cumulativeTokens - covered;
        write += n;
        writeCost += n * (b.mark!.ttl === '1h' ? ANTHROPIC_1H_WRITE : this.#prices.write);
        covered = b.cumulativeTokens;
      }
      const prev = this.#entries.get(b.prefixHash);
      const expires = atMs + ttlMs;
      if (!prev || prev.expires < expires) this.#entries.set(b.prefixHash, { expires, ttlMs });
    }
    const uncached = layout.totalTokens - covered;
    this.#prune(atMs);
    return {
      input_tokens: uncached,
      cache_creation_input_tokens: write,
      cache_read_input_tokens: read,
      total_input_tokens: layout.totalTokens,
      cost: uncached + writeCost + read * this.#prices.read,
      breakpoints: marked.length,
      effective_breakpoints: valid.length,
    };
  }

  /** Drops expired entries once in a while so a long replay stays small. */
  #prune(atMs: number): void {
    if (this.#entries.size < 4096) return;
    for (const [k, e] of this.#entries) if (e.expires <= atMs) this.#entries.delete(k);
  }
}
