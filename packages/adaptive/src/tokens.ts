/**
 * Token counting for the adaptive layer. The runtime ships no tokenizer (zero dependencies), so
 * every count here is the same deterministic approximation: one token per four characters,
 * rounded up. The planner, the learners and the cache simulator all use it, so their numbers are
 * consistent with each other even where they differ from a provider's real tokenizer.
 */

/** Characters per estimated token. */
export const CHARS_PER_TOKEN = 4;

/** Estimated tokens of `text`: `ceil(text.length / 4)` (0 for the empty string). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
