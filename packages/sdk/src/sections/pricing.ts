/**
 * `observability.pricing` → model prices added to (or overriding) the built-in table of
 * `@nemo-flow/runtime/models`: `{ "<model id prefix>": { "input": 0.15, "cached_input": 0.075,
 * "cache_write": 0.1875, "output": 0.6, "reasoning": 0.6 } }`, USD per million tokens.
 */
import type { FieldReader } from '@nemo-flow/runtime/plugins';
import type { ModelPrice } from '@nemo-flow/runtime/models';

const FIELDS = [
  ['input', 'input'],
  ['cached_input', 'cachedInput'],
  ['cache_write', 'cacheWrite'],
  ['output', 'output'],
  ['reasoning', 'reasoning'],
] as const;

/** Reads the section; bad entries are reported (and skipped), naming the field. */
export function readPricing(root: FieldReader): Record<string, ModelPrice> | undefined {
  const r = root.object('pricing');
  if (!r) return undefined;
  const out: Record<string, ModelPrice> = {};
  for (const model of Object.keys(r.obj)) {
    if (model.startsWith('$')) continue;
    const p = r.object(model);
    if (!p) continue;
    const price: Record<string, number> = {};
    for (const [key, prop] of FIELDS) {
      const v = p.number(key, { min: 0 });
      if (v !== undefined) price[prop] = v;
    }
    p.done();
    if (price.input === undefined || price.output === undefined) {
      p.findings.report({
        code: 'MISSING_FIELD',
        field: p.path,
        message: 'expected { "input": number, "output": number } (USD per million tokens; optional cached_input, cache_write, reasoning)',
      });
      continue;
    }
    out[model] = price as unknown as ModelPrice;
  }
  r.done();
  return out;
}
