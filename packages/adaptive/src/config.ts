/**
 * The `adaptive` component's configuration: how its JSON maps to `AdaptiveOptions`, with a
 * diagnostic for every unknown field, wrong type, bad value and out-of-range threshold. The same
 * reader serves validation (findings kept) and activation (findings dropped), so both agree.
 *
 * ```json
 * { "kind": "adaptive", "config": {
 *     "state":            { "max_runs_per_agent": 100, "max_agents": 1000, "import_file": "adaptive-state.json" },
 *     "telemetry":        { "learners": ["call_stats", "tool_concurrency", "prefix_stability"], "max_positions": 64, "max_prefix_messages": 8, "max_open_runs": 1000 },
 *     "cache_governor":   { "anthropic": true, "openai": true, "min_observations": 2, "min_stability": 0, "cold_start": "structural",
 *                           "conversation": true, "max_breakpoints": 4, "lookback_blocks": 20, "min_tokens": {}, "mirror_size": 4096,
 *                           "openai_cached_input_price": 0.5, "priority": 900 },
 *     "hints":            { "header": null, "body_path": "nvext.agent_hints", "latency_sensitivity": 1.0, "fields": [...], "min_observations": 1, "priority": 910 },
 *     "tool_parallelism": { "mode": "observe_only", "min_observations": 2, "mark": true, "priority": 890 } } }
 * ```
 * Sections take `true` (defaults), `false` (off) or an object (`"enabled": false` turns it off).
 * `hints` is off unless the section is present.
 */
import { FieldReader, isPlainObject as isObject, jsonType, type Findings } from '@nemo-flow/runtime/plugins';
import type { AdaptiveOptions } from './adaptive.js';
import type { CacheGovernorOptions } from './governor.js';
import { HEADER_NAME, HINT_FIELDS, parseBodyPath, type HintField, type HintsOptions } from './hints.js';
import { LEARNER_NAMES, type LearnerName } from './learners.js';
import type { ToolParallelismOptions } from './tool-guidance.js';

export const ADAPTIVE_SECTIONS = ['state', 'telemetry', 'cache_governor', 'hints', 'tool_parallelism'] as const;

export interface AdaptiveSettings {
  options: AdaptiveOptions;
  /** Register the telemetry subscriber (off only with `telemetry.enabled: false`). */
  telemetry: boolean;
  /** A snapshot to import at activation (resolved against the configuration's cwd by the caller). */
  importFile: string | undefined;
}

/** A section's reader, or undefined when it is absent or off (`false` / `enabled: false`). */
function section(root: FieldReader, name: string, onByDefault: boolean): FieldReader | undefined {
  const raw = root.raw(name);
  if (raw === undefined) return onByDefault ? new FieldReader(root.findings, {}, name) : undefined;
  if (raw === false) return undefined;
  if (raw !== true && !isObject(raw)) {
    root.findings.report({ code: 'INVALID_TYPE', field: name, message: `expected true, false or an object of ${name} settings, got ${jsonType(raw)}` });
    return undefined;
  }
  const r = new FieldReader(root.findings, raw === true ? {} : raw, name);
  if (r.boolean('enabled') === false) {
    r.known(...Object.keys(r.obj)); // a disabled section is not checked further
    return undefined;
  }
  return r;
}

function names<T extends string>(r: FieldReader, key: string, allowed: readonly T[]): T[] | undefined {
  const list = r.stringArray(key);
  if (!list) return undefined;
  const out: T[] = [];
  list.forEach((v, i) => {
    if ((allowed as readonly string[]).includes(v)) out.push(v as T);
    else
      r.findings.unsupportedValue(
        `${r.field(key)}[${i}]`,
        `${JSON.stringify(v)} is not supported; expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
      );
  });
  return out;
}

/** `null` or a string, for settings that can be switched off with null. */
function nullableString(r: FieldReader, key: string): string | null | undefined {
  if (r.raw(key) === null) return null;
  return r.string(key);
}

function readState(root: FieldReader, o: AdaptiveOptions): string | undefined {
  const raw = root.raw('state');
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    root.findings.report({ code: 'INVALID_TYPE', field: 'state', message: `expected an object of state settings, got ${jsonType(raw)}` });
    return undefined;
  }
  const r = new FieldReader(root.findings, raw, 'state');
  o.maxRunsPerAgent = r.number('max_runs_per_agent', { integer: true, min: 1, max: 1_000_000 });
  o.maxAgents = r.number('max_agents', { integer: true, min: 1, max: 1_000_000 });
  const file = r.string('import_file');
  r.done();
  return file;
}

function readTelemetry(root: FieldReader, o: AdaptiveOptions): boolean {
  const r = section(root, 'telemetry', true);
  if (!r) return false;
  o.learners = names<LearnerName>(r, 'learners', LEARNER_NAMES);
  o.maxPositions = r.number('max_positions', { integer: true, min: 1, max: 1024 });
  o.maxPrefixMessages = r.number('max_prefix_messages', { integer: true, min: 0, max: 256 });
  o.maxOpenRuns = r.number('max_open_runs', { integer: true, min: 1, max: 1_000_000 });
  r.done();
  return true;
}

function readGovernor(root: FieldReader, o: AdaptiveOptions): void {
  const r = section(root, 'cache_governor', true);
  if (!r) {
    o.cacheGovernor = false;
    return;
  }
  const g: CacheGovernorOptions = {
    priority: r.number('priority'),
    anthropic: r.boolean('anthropic'),
    openai: r.boolean('openai'),
    minObservations: r.number('min_observations', { integer: true, min: 1, max: 100_000 }),
    minStability: r.number('min_stability', { min: 0, max: 1 }),
    coldStart: r.oneOf('cold_start', ['structural', 'none'] as const),
    conversation: r.boolean('conversation'),
    maxBreakpoints: r.number('max_breakpoints', { integer: true, min: 1, max: 4 }),
    lookbackBlocks: r.number('lookback_blocks', { integer: true, min: 1, max: 1000 }),
  };
  const minTokens = r.object('min_tokens');
  if (minTokens) {
    const table: Record<string, number> = {};
    for (const k of Object.keys(minTokens.obj)) {
      const n = minTokens.number(k, { integer: true, min: 1, max: 1_000_000 });
      if (n !== undefined) table[k] = n;
    }
    g.minTokens = table;
  }
  o.mirrorSize = r.number('mirror_size', { integer: true, min: 16, max: 10_000_000 });
  o.openaiCachedInputPrice = r.number('openai_cached_input_price', { min: 0, max: 1 });
  r.done();
  o.cacheGovernor = g;
}

function readHints(root: FieldReader, o: AdaptiveOptions): void {
  const r = section(root, 'hints', false);
  if (!r) return;
  const h: HintsOptions = { priority: r.number('priority') };
  const header = nullableString(r, 'header');
  if (typeof header === 'string' && !HEADER_NAME.test(header)) {
    r.findings.report({ code: 'INVALID_VALUE', field: r.field('header'), message: `${JSON.stringify(header)} is not a valid HTTP header name` });
  } else if (header !== undefined) h.header = header;
  const bodyPath = nullableString(r, 'body_path');
  if (typeof bodyPath === 'string') {
    try {
      parseBodyPath(bodyPath);
      h.bodyPath = bodyPath;
    } catch (err) {
      r.findings.report({ code: 'INVALID_VALUE', field: r.field('body_path'), message: (err as Error).message });
    }
  } else if (bodyPath === null) h.bodyPath = null;
  if (header === null && bodyPath === null) {
    r.findings.report({ code: 'INVALID_VALUE', field: r.field('body_path'), message: 'hints need somewhere to go: set "header", "body_path", or both' });
  }
  h.latencySensitivity = r.number('latency_sensitivity', { min: 0, max: 1_000_000 });
  h.fields = names<HintField>(r, 'fields', HINT_FIELDS);
  h.minObservations = r.number('min_observations', { integer: true, min: 1, max: 100_000 });
  r.done();
  o.hints = h;
}

function readToolParallelism(root: FieldReader, o: AdaptiveOptions): void {
  const r = section(root, 'tool_parallelism', true);
  if (!r) {
    o.toolParallelism = false;
    return;
  }
  // Only observation is offered: the runtime never changes how tools are scheduled.
  r.oneOf('mode', ['observe_only'] as const);
  const t: ToolParallelismOptions = {
    priority: r.number('priority'),
    minObservations: r.number('min_observations', { integer: true, min: 1, max: 100_000 }),
    mark: r.boolean('mark'),
  };
  r.done();
  o.toolParallelism = t;
}

/** Reads the component's `config` object, reporting problems to `findings`. */
export function readAdaptiveConfig(config: Readonly<Record<string, unknown>>, findings: Findings): AdaptiveSettings {
  const root = new FieldReader(findings, config, '');
  const options: AdaptiveOptions = {};
  const importFile = readState(root, options);
  const telemetry = readTelemetry(root, options);
  readGovernor(root, options);
  readHints(root, options);
  readToolParallelism(root, options);
  root.done();
  if (!telemetry && (options.cacheGovernor !== false || options.hints !== undefined)) {
    findings.report({
      level: 'warn',
      code: 'INVALID_VALUE',
      field: 'telemetry.enabled',
      message: 'telemetry is off, so nothing is learned: the cache governor uses its structural defaults and hints carry no predictions',
    });
  }
  const learners = options.learners;
  if (learners && options.cacheGovernor !== false && !learners.includes('prefix_stability')) {
    findings.report({
      level: 'warn',
      code: 'INVALID_VALUE',
      field: 'telemetry.learners',
      message: 'without the "prefix_stability" learner the cache governor uses its structural defaults only',
    });
  }
  if (learners && options.hints !== undefined && !learners.includes('call_stats')) {
    findings.report({
      level: 'warn',
      code: 'INVALID_VALUE',
      field: 'telemetry.learners',
      message: 'without the "call_stats" learner hints carry no predictions',
    });
  }
  return { options, telemetry, importFile };
}
