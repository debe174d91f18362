/**
 * The Anthropic half of the adaptive cache governor: decides where `cache_control` breakpoints
 * pay off and adds them without touching content.
 *
 * Breakpoints, in order of priority (at most four in all, the caller's included):
 * 1. `conversation` — the last block of the prompt, when another call of the same run is likely
 *    to follow within the cache lifetime: the next call re-sends this whole prompt and reads it
 *    back at 0.1× instead of 1×, paying 1.25× only for what was added since the previous call.
 * 2. `lookback` — the end of the prefix the previous call wrote, when the new tail is 20 or more
 *    blocks past it (Anthropic only searches 20 block boundaries back from a breakpoint).
 * 3. `stable-prefix` — the deepest boundary (end of tools, of system, or of an early message)
 *    that learned runs share often enough to pay: probability p of reuse with
 *    p·0.9 > (1−p)·0.25. `stable-tier` adds a shallower boundary that is clearly more stable.
 *    Without observations, the structural defaults are the ends of system and of tools.
 * Every breakpoint must end a prefix at least as long as the model's minimum, must not come
 * before a caller's 1-hour breakpoint, and is never put on a block the caller already marked.
 */
import { anthropicLayout, boundariesOf, type Boundary, type PromptBlock, type PromptLayout } from './prompt-layout.js';
import { minCacheableTokens } from '@nemo-flow/runtime/models';
import { ANTHROPIC_PRICES, continuationBreakEven, crossRunBreakEven, type CachePrices } from './pricing.js';

/** Anthropic's limit of `cache_control` blocks per request. */
export const MAX_BREAKPOINTS = 4;

export type BreakpointReason = 'conversation' | 'lookback' | 'stable-prefix' | 'stable-tier' | 'system' | 'tools';

export interface PlannedBreakpoint {
  /** Index of the block in the prompt layout. */
  block: number;
  /** Where the marker went in the payload, e.g. `['messages', 4, 'content', 0]`. */
  path: readonly (string | number)[];
  reason: BreakpointReason;
  /** Estimated tokens of the prefix this breakpoint caches. */
  prefixTokens: number;
  prefixHash: string;
}

export interface AnthropicPlanOptions {
  /** The payload's layout, when the caller already computed it (must be `anthropicLayout(content)`). */
  layout?: PromptLayout;
  /** Minimum cacheable tokens (default: by model family, see `minCacheableTokens`). */
  minTokens?: number;
  /** Model id prefix → minimum tokens, for models the table does not know. */
  minTokensByModel?: Readonly<Record<string, number>>;
  /** Breakpoints allowed in the request, the caller's included (1–4, default 4). */
  maxBreakpoints?: number;
  /** Block boundaries the provider searches before a breakpoint (default 20). */
  lookbackBlocks?: number;
  prices?: CachePrices;
  /**
   * Probability (0–1) that a later request shares the prefix ending at `boundary`, from learned
   * runs; undefined when nothing was learned about it.
   */
  reuse?: (boundary: Boundary) => number | undefined;
  /** Lowest reuse probability for a cross-run breakpoint (never below the price break-even). */
  minStability?: number;
  /** Probability that another call of this run follows within the cache lifetime (default 0.5). */
  continueProbability?: number;
  /** Whether a prefix is in the cache now (what the governor marked recently). */
  isCached?: (prefixHash: string) => boolean;
  /** Mark the conversation tail (default true). */
  conversation?: boolean;
  /** Without observations: `structural` marks the ends of system and tools; `none` marks nothing there (default structural). */
  coldStart?: 'structural' | 'none';
  /** Early messages whose ends count as cross-run boundaries (default 8). */
  maxPrefixMessages?: number;
}

export interface AnthropicPlan {
  /** The payload to send: a new object when breakpoints were added, else the one given. */
  content: unknown;
  changed: boolean;
  /** Breakpoints the planner added, in prompt order. */
  breakpoints: PlannedBreakpoint[];
  /** Breakpoints the caller had set. */
  existing: number;
  minTokens: number;
  layout: PromptLayout;
}

/** The prior probability of a next call when nothing was learned: agent runs usually take several calls. */
export const DEFAULT_CONTINUE_PROBABILITY = 0.5;

/** The last markable block at or before `index` inside the same section (and message). */
function markableAt(blocks: readonly PromptBlock[], index: number): number {
  const at = blocks[index]!;
  for (let i = index; i >= 0; i--) {
    const b = blocks[i]!;
    if (b.section !== at.section || b.message !== at.message) return -1;
    if (b.markable) return i;
  }
  return -1;
}

/** Plans breakpoints for an Anthropic Messages payload. Pure: never modifies `content`. Throws on a payload it cannot read. */
export function planAnthropicCache(content: unknown, options: AnthropicPlanOptions = {}): AnthropicPlan {
  const layout = options.layout ?? anthropicLayout(content);
  const blocks = layout.blocks;
  const prices = options.prices ?? ANTHROPIC_PRICES;
  const minTokens = options.minTokens ?? minCacheableTokens(layout.model, options.minTokensByModel);
  const existing = blocks.filter((b) => b.mark).length;
  const limit = Math.min(MAX_BREAKPOINTS, Math.max(0, Math.floor(options.maxBreakpoints ?? MAX_BREAKPOINTS)));
  const unchanged: AnthropicPlan = { content, changed: false, breakpoints: [], existing, minTokens, layout };
  const budget = limit - existing;
  if (budget <= 0 || blocks.length === 0) return unchanged;

  // A 5-minute entry may not precede a 1-hour one: stay after the caller's last 1-hour breakpoint.
  let floor = -1;
  blocks.forEach((b, i) => {
    if (b.mark?.ttl === '1h') floor = i;
  });
  const chosen = new Map<number, BreakpointReason>();
  const consider = (index: number, reason: BreakpointReason): void => {
    if (index < 0 || chosen.size >= budget) return;
    const i = markableAt(blocks, index);
    if (i < 0 || i <= floor || chosen.has(i)) return;
    const b = blocks[i]!;
    if (b.mark || b.cumulativeTokens < minTokens) return;
    chosen.set(i, reason);
  };

  // 1. The conversation tail.
  let tail = -1;
  if (options.conversation !== false) {
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i]!;
      if (b.section !== 'messages') break;
      if (b.markable) {
        tail = i;
        break;
      }
    }
    const q = options.continueProbability ?? DEFAULT_CONTINUE_PROBABILITY;
    if (tail >= 0 && q >= continuationBreakEven(prices)) consider(tail, 'conversation');
    else tail = -1;
  }

  // 2. The previous call's write point, when it is beyond the provider's lookback from the tail.
  const isCached = options.isCached;
  if (tail >= 0 && isCached) {
    const lookback = options.lookbackBlocks ?? 20;
    for (let i = tail - 1; i >= 0; i--) {
      if (isCached(blocks[i]!.prefixHash)) {
        if (tail - i >= lookback) consider(i, 'lookback');
        break;
      }
    }
  }

  // 3. Boundaries shared across runs.
  const boundaries = boundariesOf(layout, options.maxPrefixMessages ?? 8);
  const threshold = Math.max(options.minStability ?? 0, crossRunBreakEven(prices));
  const scored = boundaries.map((b) => ({ b, p: isCached?.(b.prefixHash) ? 1 : options.reuse?.(b) }));
  if (scored.some((s) => s.p !== undefined)) {
    const stable = scored.filter((s): s is { b: Boundary; p: number } => s.p !== undefined && s.p >= threshold);
    const deepest = stable[stable.length - 1];
    if (deepest) {
      consider(deepest.b.block, 'stable-prefix');
      const tiers = stable.filter((s) => s !== deepest && s.p >= deepest.p + 0.1).sort((x, y) => y.p - x.p);
      for (const t of tiers) consider(t.b.block, 'stable-tier');
    }
  } else if ((options.coldStart ?? 'structural') === 'structural') {
    const system = boundaries.findLast((b) => b.kind === 'system');
    const tools = boundaries.find((b) => b.kind === 'tools');
    if (system) consider(system.block, 'system');
    if (tools) consider(tools.block, 'tools');
  }

  if (chosen.size === 0) return unchanged;
  const breakpoints = [...chosen.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, reason]) => ({ block: i, path: blocks[i]!.path, reason, prefixTokens: blocks[i]!.cumulativeTokens, prefixHash: blocks[i]!.prefixHash }));
  return {
    content: withMarks(
      content as Record<string, unknown>,
      breakpoints.map((bp) => blocks[bp.block]!),
    ),
    changed: true,
    breakpoints,
    existing,
    minTokens,
    layout,
  };
}

type Container = Record<string | number, unknown>;

/**
 * A copy of `content` with `cache_control: {type: "ephemeral"}` on the given blocks. Only the
 * objects and arrays on the way to a marked block are copied; the caller's payload is untouched.
 * A bare string that gets a marker becomes one text block with the same text.
 */
export function withMarks(content: Record<string, unknown>, targets: readonly PromptBlock[]): Record<string, unknown> {
  const root: Container = { ...content };
  const copies = new Set<unknown>([root]);
  const own = (parent: Container, key: string | number): Container => {
    const v = parent[key];
    if (copies.has(v)) return v as Container;
    const c = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Container;
    parent[key] = c;
    copies.add(c);
    return c;
  };
  for (const t of targets) {
    let cur = root;
    for (let k = 0; k < t.path.length - 1; k++) cur = own(cur, t.path[k]!);
    const last = t.path[t.path.length - 1]!;
    if (t.bare) cur[last] = [{ type: 'text', text: cur[last], cache_control: { type: 'ephemeral' } }];
    else own(cur, last).cache_control = { type: 'ephemeral' };
  }
  return root as Record<string, unknown>;
}
