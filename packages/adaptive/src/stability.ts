/**
 * Turning learned prefix stability into decisions: the probability that a later request reuses
 * the prefix ending at a boundary, and the deepest boundary worth treating as the stable prefix
 * (used for OpenAI's `prompt_cache_key` and the router's `prefix_id`).
 */
import type { AgentModel } from './learners.js';
import type { Boundary, PromptLayout } from './prompt-layout.js';
import { boundariesOf } from './prompt-layout.js';

/**
 * Reuse probability of a boundary for requests of `shape`: the share of retained runs that sent
 * the same prefix, times the share of runs that followed the previous one within the cache
 * lifetime. Undefined until `minObservations` runs of the shape were seen.
 */
export function reuseEstimator(model: AgentModel | undefined, shape: string, minObservations: number): (b: Boundary) => number | undefined {
  const s = model?.shapes.get(shape);
  if (!s || s.runs < minObservations) return () => undefined;
  return (b) => ((s.support.get(b.prefixHash) ?? 0) / s.runs) * s.ttlReuse;
}

export interface StableBoundaryOptions {
  reuse: (b: Boundary) => number | undefined;
  /** Lowest reuse probability that counts as stable. */
  threshold: number;
  /** With nothing learned, `structural` takes the end of system (else of tools, else of the first message). */
  coldStart: 'structural' | 'none';
  maxPrefixMessages: number;
}

/** The deepest boundary whose prefix is reused often enough, or the structural default. */
export function stableBoundary(layout: PromptLayout, o: StableBoundaryOptions): Boundary | undefined {
  const bounds = boundariesOf(layout, o.maxPrefixMessages);
  const scored = bounds.map((b) => ({ b, p: o.reuse(b) }));
  if (scored.some((s) => s.p !== undefined)) {
    let best: Boundary | undefined;
    for (const s of scored) if (s.p !== undefined && s.p >= o.threshold) best = s.b;
    return best;
  }
  if (o.coldStart === 'none') return undefined;
  return bounds.findLast((b) => b.kind === 'system') ?? bounds.find((b) => b.kind === 'tools') ?? bounds.find((b) => b.kind === 'message');
}

/** The id sent as `prompt_cache_key` / `prefix_id` for a prefix fingerprint. */
export function prefixId(prefixHash: string): string {
  return `nf-${prefixHash}`;
}
