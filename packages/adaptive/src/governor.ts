/**
 * The adaptive cache governor: an LLM request intercept that adds prompt-cache annotations and
 * nothing else. Anthropic Messages requests get `cache_control` breakpoints (see
 * anthropic-planner.ts); OpenAI Chat and Responses requests get a `prompt_cache_key` derived from
 * the stable prefix, so requests that share it are routed to the same cache. A caller's own
 * `cache_control` or `prompt_cache_key` is kept. Any failure leaves the request exactly as it was
 * and is reported once.
 */
import type { LlmRequestIntercept } from '@nemo-flow/runtime';
import type { CodecName } from '@nemo-flow/runtime/codecs';
import { detectCodec } from '@nemo-flow/runtime/codecs';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';
import type { AdaptiveCore } from './core.js';
import { predictCall } from './learners.js';
import { shapeOf } from './prompt-layout.js';
import { MAX_BREAKPOINTS, planAnthropicCache } from './anthropic-planner.js';
import { ANTHROPIC_PRICES, crossRunBreakEven } from './pricing.js';
import { prefixId, reuseEstimator, stableBoundary } from './stability.js';
import { isPlainObject as isObj } from '@nemo-flow/runtime/exporter-kit';

export interface CacheGovernorOptions {
  /** Middleware priority (default 900: after intercepts that edit content, so it plans the final prompt). */
  priority?: number;
  /** Plan `cache_control` for Anthropic Messages (default true). */
  anthropic?: boolean;
  /** Set `prompt_cache_key` for OpenAI Chat and Responses (default true). */
  openai?: boolean;
  /** Runs of a request shape (or calls at a position) needed before learned figures replace the defaults (default 2). */
  minObservations?: number;
  /** Lowest reuse probability for a cross-run breakpoint, 0–1 (default 0: the price break-even, ≈0.22, applies). */
  minStability?: number;
  /** Before anything is learned: `structural` caches the ends of system and tools; `none` only the conversation (default structural). */
  coldStart?: 'structural' | 'none';
  /** Keep a breakpoint on the growing conversation (default true). */
  conversation?: boolean;
  /** Breakpoints per request, the caller's included (1–4, default 4). */
  maxBreakpoints?: number;
  /** Block boundaries Anthropic searches back from a breakpoint (default 20). */
  lookbackBlocks?: number;
  /** Model id prefix → minimum cacheable tokens, for models the built-in table does not know. */
  minTokens?: Record<string, number>;
}

export type ResolvedGovernorOptions = Required<Omit<CacheGovernorOptions, 'priority'>> & { priority: number };

export const GOVERNOR_DEFAULTS: ResolvedGovernorOptions = {
  priority: 900,
  anthropic: true,
  openai: true,
  minObservations: 2,
  minStability: 0,
  coldStart: 'structural',
  conversation: true,
  maxBreakpoints: MAX_BREAKPOINTS,
  lookbackBlocks: 20,
  minTokens: {},
};

type Obj = Record<string, unknown>;

export function createCacheGovernor(core: AdaptiveCore, o: ResolvedGovernorOptions): LlmRequestIntercept {
  const anthropic = (content: Obj) => {
    const now = core.now();
    const site = core.site();
    const layout = core.layout(content, 'anthropic-messages')!;
    const pred = site.model ? predictCall(site.model, site.position) : undefined;
    const q = pred && pred.basis === 'position' && pred.samples >= o.minObservations ? pred.continueWithinTtlProbability : undefined;
    const isCached = (h: string): boolean => core.mirror.isLive(h, now);
    const plan = planAnthropicCache(content, {
      layout,
      minTokensByModel: o.minTokens,
      maxBreakpoints: o.maxBreakpoints,
      lookbackBlocks: o.lookbackBlocks,
      reuse: reuseEstimator(site.model, shapeOf(layout), o.minObservations),
      minStability: o.minStability,
      continueProbability: q,
      isCached,
      conversation: o.conversation,
      coldStart: o.coldStart,
      maxPrefixMessages: core.maxPrefixMessages,
    });
    // Remember what this request writes or reads, so later calls know it is cached.
    const marks = layout.blocks.map((b, i) => ({ b, i })).filter(({ b, i }) => b.mark || plan.breakpoints.some((bp) => bp.block === i));
    let last = -1;
    for (const { b, i } of marks) {
      if (b.cumulativeTokens < plan.minTokens) continue;
      core.mirror.touch(b.prefixHash, now);
      last = i;
    }
    for (let i = last - 1; i >= 0 && i > last - o.lookbackBlocks; i--) {
      const h = layout.blocks[i]!.prefixHash;
      if (isCached(h)) {
        core.mirror.touch(h, now); // the provider's read refreshes it
        break;
      }
    }
    if (!plan.changed) return undefined;
    core.rememberLayout(plan.content as object, layout);
    return plan.content;
  };

  const openai = (content: Obj, format: CodecName) => {
    if (content.prompt_cache_key !== undefined) return undefined;
    const layout = core.layout(content, format);
    if (!layout) return undefined;
    const site = core.site();
    const b = stableBoundary(layout, {
      reuse: reuseEstimator(site.model, shapeOf(layout), o.minObservations),
      // OpenAI has no write surcharge; the key follows the prefix a worthwhile share of runs repeat,
      // the same bar Anthropic's prices set.
      threshold: Math.max(o.minStability, crossRunBreakEven(ANTHROPIC_PRICES)),
      coldStart: o.coldStart,
      maxPrefixMessages: core.maxPrefixMessages,
    });
    if (!b) return undefined;
    const out = { ...content, prompt_cache_key: prefixId(b.prefixHash) };
    core.rememberLayout(out, layout);
    return out;
  };

  return (ctx) => {
    try {
      const content = ctx.request.content;
      if (!isObj(content)) return undefined;
      const format = ctx.annotated?.provider_format ?? detectCodec(content)?.name;
      let next: unknown;
      if (format === 'anthropic-messages' && o.anthropic) next = anthropic(content);
      else if ((format === 'openai-chat' || format === 'openai-responses') && o.openai) next = openai(content, format);
      return next === undefined ? undefined : { request: { headers: ctx.request.headers, content: next } };
    } catch (err) {
      reportFailure('adaptive:cache_governor', 'the adaptive cache governor failed; the request was sent exactly as it was', err);
      return undefined;
    }
  };
}
