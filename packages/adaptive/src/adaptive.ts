/**
 * The adaptive layer as one object: a telemetry subscriber that records agent runs into a
 * bounded store, learners derived from the retained runs, and the request-path parts (cache
 * governor, router hints, tool-parallelism mark) that use what was learned. Created by the
 * `adaptive` plugin component, or directly with `new Adaptive(options).install()`.
 */
import type { LifecycleEvent, Subscriber } from '@nemo-flow/runtime';
import type { LlmRequestIntercept } from '@nemo-flow/runtime';
import { registerSubscriber, deregisterSubscriber } from '@nemo-flow/runtime';
import { registerLlmRequestIntercept, deregisterLlmRequestIntercept } from '@nemo-flow/runtime';
import { getHandle, type ScopeHandle } from '@nemo-flow/runtime';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';
import type { AdaptiveCore, CallSite } from './core.js';
import { agentIdOf, RunRecorder } from './recorder.js';
import { InMemoryAdaptiveStore, type AdaptiveStore } from './store.js';
import { isRunRecord, type AdaptiveSnapshot, type ImportResult, type LlmCallRecord, type RunRecord } from './records.js';
import {
  learn,
  LEARNER_NAMES,
  predictCall,
  toolGuidance,
  type AgentModel,
  type CallPrediction,
  type LearnerName,
  type PositionStats,
  type ToolParallelismGuidance,
} from './learners.js';
import { CacheMirror } from './mirror.js';
import { layoutOf, type PromptLayout } from './prompt-layout.js';
import { CACHE_TTL_MS, OPENAI_DEFAULT_PRICES } from './pricing.js';
import { createCacheGovernor, GOVERNOR_DEFAULTS, type CacheGovernorOptions, type ResolvedGovernorOptions } from './governor.js';
import { createHintsIntercept, resolveHints, type HintsOptions, type ResolvedHintsOptions } from './hints.js';
import { createToolGuidanceMarker, type ToolParallelismOptions } from './tool-guidance.js';
import { callCacheStats, runCacheStats, sumCacheStats, type CacheUsageStats } from './cache-report.js';

export interface AdaptiveOptions {
  /** Where finished runs are kept (default: an `InMemoryAdaptiveStore` with the two bounds below). */
  store?: AdaptiveStore;
  /** Runs kept per agent by the default store (default 100). */
  maxRunsPerAgent?: number;
  /** Agents kept by the default store (default 1000). */
  maxAgents?: number;
  /** Learners to run (default all: `call_stats`, `tool_concurrency`, `prefix_stability`). */
  learners?: readonly LearnerName[];
  /** Call positions tracked separately; later ones share the last bucket (default 64). */
  maxPositions?: number;
  /** Early messages whose ends count as prefix boundaries (default 8). */
  maxPrefixMessages?: number;
  /** Agent runs open at once before the oldest is dropped (default 1000). */
  maxOpenRuns?: number;
  /** The prompt-cache governor: on by default; `false` turns it off. */
  cacheGovernor?: boolean | CacheGovernorOptions;
  /** Router hints: off by default; `true` sends them at `nvext.agent_hints`. */
  hints?: boolean | HintsOptions;
  /** Tool-parallelism guidance: on by default (observe-only). */
  toolParallelism?: boolean | ToolParallelismOptions;
  /** Governor memory of cached prefixes (entries, default 4096). */
  mirrorSize?: number;
  /** OpenAI's cached-input price relative to uncached input, for savings figures (default 0.5). */
  openaiCachedInputPrice?: number;
  /** Clock in epoch ms (default `Date.now`); replays pass a virtual clock. */
  now?: () => number;
}

/** Cache figures of one agent. */
export interface AgentCacheReport extends CacheUsageStats {
  agentId: string;
  runs: number;
}

export interface CacheReport {
  total: CacheUsageStats;
  agents: AgentCacheReport[];
}

/** A JSON view of the prefix stability learned for one request shape. */
export interface ShapeReport {
  shape: string;
  runs: number;
  ttlReuse: number;
  /** The most shared prefixes: fingerprint, runs sharing it, share of runs. */
  prefixes: Array<{ prefixHash: string; runs: number; share: number }>;
}

/** Derived models kept (least recently derived dropped first); more agents only cost re-derivation. */
const MAX_CACHED_MODELS = 1024;

type RunListener = (run: RunRecord, cache: CacheUsageStats) => void;

const posInt = (v: number | undefined, dflt: number, what: string, min = 1): number => {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min) throw new RangeError(`Adaptive: ${what} must be an integer >= ${min}, got ${String(v)}`);
  return v;
};

export class Adaptive {
  readonly store: AdaptiveStore;
  /** The telemetry subscriber (register it under any name, or use `install()`). */
  readonly subscriber: Subscriber;
  /** LLM request intercepts; undefined when the part is off. */
  readonly cacheGovernor: LlmRequestIntercept | undefined;
  readonly hints: LlmRequestIntercept | undefined;
  readonly toolParallelismMarker: LlmRequestIntercept | undefined;
  /** Priorities the intercepts are installed at. */
  readonly priorities: { cacheGovernor: number; hints: number; toolParallelism: number };

  readonly #recorder: RunRecorder;
  readonly #learners: ReadonlySet<LearnerName>;
  readonly #maxPositions: number;
  readonly #toolMin: number;
  readonly #openaiRead: number;
  readonly #now: () => number;
  readonly #models = new Map<string, AgentModel>();
  readonly #layouts = new WeakMap<object, PromptLayout>();
  readonly #listeners = new Set<RunListener>();
  readonly #core: AdaptiveCore;
  #installed: string | undefined;

  constructor(options: AdaptiveOptions = {}) {
    this.store = options.store ?? new InMemoryAdaptiveStore({ maxRunsPerAgent: options.maxRunsPerAgent, maxAgents: options.maxAgents });
    const learners = options.learners ?? LEARNER_NAMES;
    for (const l of learners)
      if (!LEARNER_NAMES.includes(l)) throw new TypeError(`Adaptive: unknown learner ${JSON.stringify(l)}; expected ${LEARNER_NAMES.join(', ')}`);
    this.#learners = new Set(learners);
    this.#maxPositions = posInt(options.maxPositions, 64, 'maxPositions');
    const maxPrefixMessages = posInt(options.maxPrefixMessages, 8, 'maxPrefixMessages', 0);
    this.#now = options.now ?? Date.now;
    const read = options.openaiCachedInputPrice ?? OPENAI_DEFAULT_PRICES.read;
    if (!(read >= 0 && read <= 1)) throw new RangeError(`Adaptive: openaiCachedInputPrice must be between 0 and 1, got ${String(read)}`);
    this.#openaiRead = read;
    const mirror = new CacheMirror(posInt(options.mirrorSize, 4096, 'mirrorSize'), CACHE_TTL_MS);
    this.#recorder = new RunRecorder({
      maxPrefixMessages,
      maxOpenRuns: posInt(options.maxOpenRuns, 1000, 'maxOpenRuns'),
      onRun: (run) => this.#onRun(run),
      layoutFor: (content) => this.#layouts.get(content),
    });
    this.#core = {
      now: () => this.#now(),
      site: () => this.#site(),
      mirror,
      layout: (content, format) => this.#layouts.get(content) ?? layoutOf(content, format),
      rememberLayout: (content, layout) => this.#layouts.set(content, layout),
      maxPrefixMessages,
    };
    this.subscriber = (e: LifecycleEvent) => this.#recorder.onEvent(e);

    const gov = options.cacheGovernor === false ? undefined : resolveGovernor(options.cacheGovernor === true ? {} : (options.cacheGovernor ?? {}));
    this.cacheGovernor = gov ? createCacheGovernor(this.#core, gov) : undefined;
    const hints: ResolvedHintsOptions | undefined =
      options.hints === undefined || options.hints === false ? undefined : resolveHints(options.hints === true ? {} : options.hints);
    this.hints = hints ? createHintsIntercept(this.#core, hints) : undefined;
    const tp = options.toolParallelism === false ? undefined : options.toolParallelism === true ? {} : (options.toolParallelism ?? {});
    this.#toolMin = posInt(tp?.minObservations, 2, 'toolParallelism.minObservations');
    this.toolParallelismMarker = tp && tp.mark !== false ? createToolGuidanceMarker(this.#core, this.#toolMin) : undefined;
    this.priorities = { cacheGovernor: gov?.priority ?? GOVERNOR_DEFAULTS.priority, hints: hints?.priority ?? 910, toolParallelism: tp?.priority ?? 890 };
  }

  /**
   * Registers the subscriber and the enabled intercepts globally, named `<prefix>:telemetry`,
   * `<prefix>:cache_governor`, `<prefix>:hints`, `<prefix>:tool_parallelism`. (The plugin component
   * registers them through its plugin context instead.)
   */
  install(prefix = 'adaptive'): this {
    if (this.#installed !== undefined) throw new TypeError(`Adaptive: already installed as "${this.#installed}"`);
    registerSubscriber(`${prefix}:telemetry`, this.subscriber);
    if (this.cacheGovernor) registerLlmRequestIntercept(`${prefix}:cache_governor`, this.priorities.cacheGovernor, this.cacheGovernor);
    if (this.hints) registerLlmRequestIntercept(`${prefix}:hints`, this.priorities.hints, this.hints);
    if (this.toolParallelismMarker) registerLlmRequestIntercept(`${prefix}:tool_parallelism`, this.priorities.toolParallelism, this.toolParallelismMarker);
    this.#installed = prefix;
    return this;
  }

  /** Removes what `install()` registered. */
  uninstall(): void {
    const prefix = this.#installed;
    if (prefix === undefined) return;
    deregisterSubscriber(`${prefix}:telemetry`);
    deregisterLlmRequestIntercept(`${prefix}:cache_governor`);
    deregisterLlmRequestIntercept(`${prefix}:hints`);
    deregisterLlmRequestIntercept(`${prefix}:tool_parallelism`);
    this.#installed = undefined;
  }

  /** What the retained runs of `agentId` teach (derived on demand, cached until the runs change). */
  model(agentId: string): AgentModel {
    const version = this.store.version(agentId);
    const cached = this.#models.get(agentId);
    if (cached && cached.version === version) return cached;
    const m = learn(agentId, version, this.store.runs(agentId), { learners: this.#learners, maxPositions: this.#maxPositions, ttlMs: CACHE_TTL_MS });
    this.#models.delete(agentId);
    this.#models.set(agentId, m);
    if (this.#models.size > MAX_CACHED_MODELS) this.#models.delete(this.#models.keys().next().value!);
    return m;
  }

  /** Predictions for the call at `position` (1-based) of a run of `agentId`; undefined before any run. */
  predict(agentId: string, position: number): CallPrediction | undefined {
    return predictCall(this.model(agentId), position);
  }

  /** Per-position statistics of `agentId` (index i is position i+1). */
  positionStats(agentId: string): PositionStats[] {
    return this.model(agentId).positions;
  }

  /** Which tools of `agentId` were seen running concurrently without failing. */
  toolParallelism(agentId: string): ToolParallelismGuidance {
    return toolGuidance(this.model(agentId), this.#toolMin);
  }

  /** The prompt prefixes `agentId`'s runs share, per request shape. */
  prefixStability(agentId: string, top = 16): ShapeReport[] {
    return [...this.model(agentId).shapes.values()].map((s) => ({
      shape: s.shape,
      runs: s.runs,
      ttlReuse: s.ttlReuse,
      prefixes: [...s.support.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([prefixHash, runs]) => ({ prefixHash, runs, share: runs / s.runs })),
    }));
  }

  /** Cache figures (hit tokens, hit ratio, estimated savings) per agent and in total, over retained runs. */
  cacheReport(agentId?: string): CacheReport {
    const ids = agentId === undefined ? this.store.agents() : [agentId];
    const agents = ids.map((id) => {
      const runs = this.store.runs(id);
      return { agentId: id, runs: runs.length, ...sumCacheStats(runs.map((r) => runCacheStats(r, this.#openaiRead))) };
    });
    return { total: sumCacheStats(agents), agents };
  }

  /** Cache figures of one run, or of one LLM call. */
  runCacheStats(run: RunRecord): CacheUsageStats {
    return runCacheStats(run, this.#openaiRead);
  }

  callCacheStats(call: LlmCallRecord): CacheUsageStats {
    return callCacheStats(call, this.#openaiRead);
  }

  /** Retained runs of `agentId`, oldest first. */
  runs(agentId: string): readonly RunRecord[] {
    return this.store.runs(agentId);
  }

  /** Calls `listener` with each finished run and its cache figures. Returns a function that removes it. */
  onRun(listener: RunListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Learned state as a JSON document (the retained runs: fingerprints and numbers, no prompt text). */
  exportState(): AdaptiveSnapshot {
    const agents: AdaptiveSnapshot['agents'] = {};
    for (const id of this.store.agents()) agents[id] = { runs: this.store.runs(id).map((r) => structuredClone(r)) };
    return { format: 'nemo-flow.adaptive', version: 1, exportedAt: new Date(this.#now()).toISOString(), agents };
  }

  /**
   * Merges a snapshot (e.g. from another worker) into the store. Runs already present are skipped,
   * so importing the same snapshot twice, or snapshots that overlap, counts each run once.
   * Throws a TypeError when `snapshot` is not an adaptive snapshot; malformed runs are skipped and counted.
   */
  importState(snapshot: unknown): ImportResult {
    const s = snapshot as Partial<AdaptiveSnapshot> | null;
    if (!s || typeof s !== 'object' || s.format !== 'nemo-flow.adaptive' || s.version !== 1 || typeof s.agents !== 'object' || s.agents === null) {
      throw new TypeError('importState: expected an adaptive snapshot { format: "nemo-flow.adaptive", version: 1, agents }');
    }
    const result: ImportResult = { imported: 0, duplicates: 0, invalid: 0 };
    for (const [id, entry] of Object.entries(s.agents)) {
      const runs = (entry as { runs?: unknown } | null)?.runs;
      if (!Array.isArray(runs)) {
        result.invalid++;
        continue;
      }
      for (const r of runs) {
        if (!isRunRecord(r) || r.agentId !== id) result.invalid++;
        else if (this.store.addRun(structuredClone(r))) result.imported++;
        else result.duplicates++;
      }
    }
    return result;
  }

  #onRun(run: RunRecord): void {
    this.store.addRun(run);
    if (this.#listeners.size === 0) return;
    const stats = runCacheStats(run, this.#openaiRead);
    for (const l of this.#listeners) {
      try {
        l(run, stats);
      } catch (err) {
        reportFailure('adaptive:onRun', 'an adaptive onRun listener threw', err);
      }
    }
  }

  #site(): CallSite {
    let h: ScopeHandle | null = getHandle();
    while (h && !h.isRoot && h.scopeType !== 'agent') h = h.parent;
    if (!h || h.isRoot) return { agentId: undefined, agentScope: undefined, position: 1, model: undefined };
    const agentId = agentIdOf(h.metadata, h.name);
    return { agentId, agentScope: h, position: this.#recorder.nextPosition(h.uuid), model: this.model(agentId) };
  }
}

function resolveGovernor(o: CacheGovernorOptions): ResolvedGovernorOptions {
  const r: ResolvedGovernorOptions = { ...GOVERNOR_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  if (!Number.isFinite(r.priority)) throw new RangeError('Adaptive: cacheGovernor.priority must be a finite number');
  posInt(r.minObservations, 2, 'cacheGovernor.minObservations');
  if (!(r.minStability >= 0 && r.minStability <= 1))
    throw new RangeError(`Adaptive: cacheGovernor.minStability must be between 0 and 1, got ${String(r.minStability)}`);
  if (!Number.isInteger(r.maxBreakpoints) || r.maxBreakpoints < 1 || r.maxBreakpoints > 4)
    throw new RangeError(`Adaptive: cacheGovernor.maxBreakpoints must be 1–4, got ${String(r.maxBreakpoints)}`);
  posInt(r.lookbackBlocks, 20, 'cacheGovernor.lookbackBlocks');
  if (r.coldStart !== 'structural' && r.coldStart !== 'none') throw new TypeError(`Adaptive: cacheGovernor.coldStart must be "structural" or "none"`);
  return r;
}
