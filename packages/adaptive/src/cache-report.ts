/**
 * Cache telemetry: from the usage the provider reported (Anthropic cache read/creation tokens,
 * OpenAI cached tokens, normalized by the codecs), how much input came from the cache and what
 * that saved, per call, per run and per agent. Savings are in base-input-token equivalents: reads
 * at their discount minus the write surcharge.
 */
import type { CodecName } from '@nemo-flow/runtime/codecs';
import type { LlmCallRecord, RunRecord } from './records.js';
import { ANTHROPIC_PRICES, OPENAI_DEFAULT_PRICES, savedTokens, type CachePrices } from './pricing.js';

export interface CacheUsageStats {
  /** LLM calls counted (those that reported input tokens). */
  calls: number;
  /** All input tokens, cached ones included. */
  inputTokens: number;
  /** Input tokens served from the cache. */
  cacheReadTokens: number;
  /** Input tokens written to the cache. */
  cacheWriteTokens: number;
  /** cacheReadTokens / inputTokens (0 without input). */
  hitRatio: number;
  /** Input tokens saved, in base-price equivalents (negative when writes cost more than reads saved). */
  savedTokens: number;
  /** savedTokens / inputTokens: the share of the uncached input cost saved. */
  savedRatio: number;
}

/** Prices of a provider format; OpenAI's read discount depends on the model, hence the option. */
export function pricesFor(format: CodecName | null, openaiReadPrice = OPENAI_DEFAULT_PRICES.read): CachePrices {
  return format === 'anthropic-messages' ? ANTHROPIC_PRICES : { write: 1, read: openaiReadPrice };
}

function finish(calls: number, input: number, read: number, write: number, saved: number): CacheUsageStats {
  return {
    calls,
    inputTokens: input,
    cacheReadTokens: read,
    cacheWriteTokens: write,
    hitRatio: input > 0 ? read / input : 0,
    savedTokens: saved,
    savedRatio: input > 0 ? saved / input : 0,
  };
}

/** Cache figures of one LLM call (zeros when the provider reported no usage). */
export function callCacheStats(call: LlmCallRecord, openaiReadPrice?: number): CacheUsageStats {
  if (call.inputTokens === undefined) return finish(0, 0, 0, 0, 0);
  const read = call.cacheReadTokens ?? 0;
  const write = call.cacheWriteTokens ?? 0;
  return finish(1, call.inputTokens, read, write, savedTokens(read, write, pricesFor(call.format, openaiReadPrice)));
}

/** Adds up per-call figures. */
export function sumCacheStats(list: Iterable<CacheUsageStats>): CacheUsageStats {
  let calls = 0;
  let input = 0;
  let read = 0;
  let write = 0;
  let saved = 0;
  for (const s of list) {
    calls += s.calls;
    input += s.inputTokens;
    read += s.cacheReadTokens;
    write += s.cacheWriteTokens;
    saved += s.savedTokens;
  }
  return finish(calls, input, read, write, saved);
}

/** Cache figures of one run. */
export function runCacheStats(run: RunRecord, openaiReadPrice?: number): CacheUsageStats {
  return sumCacheStats(run.calls.filter((c): c is LlmCallRecord => c.kind === 'llm').map((c) => callCacheStats(c, openaiReadPrice)));
}
