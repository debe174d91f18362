/** Summary statistics of a sample (computed from the retained window, so they are exact). */

export interface Summary {
  count: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  /** Median. */
  p50: number;
  p90: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 1) return sorted[0]!;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The summary of `values`, or undefined when there are none. */
export function summarize(values: readonly number[]): Summary | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / n;
  let sq = 0;
  for (const v of sorted) sq += (v - mean) ** 2;
  return {
    count: n,
    mean,
    stddev: n > 1 ? Math.sqrt(sq / (n - 1)) : 0,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
  };
}
