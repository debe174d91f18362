/**
 * Where finished runs are kept. The default store is in memory and bounded: the last N runs per
 * agent (oldest evicted) and at most M agents (least recently updated evicted), so a long-lived
 * service never grows without limit. Learned state is derived from the retained runs, so it always
 * describes the recent window and needs no separate bookkeeping.
 *
 * Adding a run is idempotent (keyed by run id) and order-independent (runs are kept sorted by start
 * time), so merging snapshots from several workers neither loses nor double-counts a run.
 */
import type { RunRecord } from './records.js';

/** The storage interface of the adaptive layer (synchronous: it is read on the request path). */
export interface AdaptiveStore {
  /**
   * Adds a finished run; returns false when a run with that id is already there. (A run older than
   * every retained one may be evicted at once when the agent is at its bound.)
   */
  addRun(run: RunRecord): boolean;
  /** The retained runs of an agent, oldest first. */
  runs(agentId: string): readonly RunRecord[];
  /** Agents with retained runs. */
  agents(): string[];
  /** Changes whenever the agent's runs change (lets learners cache what they derive). */
  version(agentId: string): number;
  /** Forgets everything. */
  clear(): void;
}

export interface InMemoryStoreOptions {
  /** Runs kept per agent (default 100). */
  maxRunsPerAgent?: number;
  /** Agents kept (default 1000). */
  maxAgents?: number;
}

interface AgentRuns {
  runs: RunRecord[];
  ids: Set<string>;
  version: number;
}

let versions = 0;

export class InMemoryAdaptiveStore implements AdaptiveStore {
  readonly maxRunsPerAgent: number;
  readonly maxAgents: number;
  readonly #agents = new Map<string, AgentRuns>();

  constructor(options: InMemoryStoreOptions = {}) {
    this.maxRunsPerAgent = positiveInt(options.maxRunsPerAgent, 100, 'maxRunsPerAgent');
    this.maxAgents = positiveInt(options.maxAgents, 1000, 'maxAgents');
  }

  addRun(run: RunRecord): boolean {
    let a = this.#agents.get(run.agentId);
    if (a?.ids.has(run.runId)) return false;
    if (a)
      this.#agents.delete(run.agentId); // re-inserted below: most recently updated last
    else a = { runs: [], ids: new Set(), version: 0 };
    this.#agents.set(run.agentId, a);
    // Insert in start order; imports may bring runs older than the ones held.
    let i = a.runs.length;
    while (i > 0 && a.runs[i - 1]!.startMs > run.startMs) i--;
    a.runs.splice(i, 0, run);
    a.ids.add(run.runId);
    while (a.runs.length > this.maxRunsPerAgent) a.ids.delete(a.runs.shift()!.runId);
    a.version = ++versions;
    while (this.#agents.size > this.maxAgents) this.#agents.delete(this.#agents.keys().next().value!);
    return true;
  }

  runs(agentId: string): readonly RunRecord[] {
    return this.#agents.get(agentId)?.runs ?? [];
  }

  agents(): string[] {
    return [...this.#agents.keys()];
  }

  version(agentId: string): number {
    return this.#agents.get(agentId)?.version ?? 0;
  }

  clear(): void {
    this.#agents.clear();
    versions++;
  }
}

function positiveInt(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`InMemoryAdaptiveStore: ${what} must be a positive integer, got ${String(v)}`);
  return v;
}
