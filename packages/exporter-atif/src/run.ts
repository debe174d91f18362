/**
 * The state of one agent run while it is open, and how it turns into a document.
 *
 * Steps are numbered when created. A step stays an object while something can still attach to
 * it (a tool result for one of its calls, a subagent it delegated to); once settled it is
 * validated and serialized, and only its JSON text is kept. At the end the document is
 * assembled from those texts, so no step is serialized twice and the whole trajectory never
 * exists as one object.
 */
import { HashSet53 } from './hash.js';
import { checkRoot, checkStep } from './validate.js';
import type {
  AtifAgent,
  AtifFinalMetrics,
  AtifJsonObject,
  AtifMetrics,
  AtifOutputVersion,
  AtifContent,
  AtifStep,
  AtifStepSource,
  AtifTrajectory,
  AtifViolation,
} from './types.js';

/** A step that can still receive observations. */
export interface OpenStep {
  step: AtifStep;
  /** Position in the run's step list (step_id - 1). */
  index: number;
  /** Things still to attach: unanswered tool calls, running subagents. */
  pending: number;
  /** The calls this step requested, in order. */
  calls: CallSlot[] | undefined;
}

/** One tool call requested by an agent step. */
export interface CallSlot {
  id: string;
  name: string;
  step: OpenStep;
  /** `open`: not answered; `running`: a tool event is executing it; `done`: answered. */
  state: 'open' | 'running' | 'done';
}

/** A conversation seen in this run's LLM requests, remembered as message hashes. */
export interface Thread {
  /** Hashes of the last request's messages. */
  hashes: number[];
}

/** A finished trajectory, as JSON text chunks that concatenate to the document. */
export interface CompletedTrajectory {
  sessionId: string;
  trajectoryId: string;
  /** The run's scope name. */
  runName: string;
  /** Where the sink should write it (reserved when the run started). */
  fileName: string;
  chunks: string[];
  violations: AtifViolation[];
  partial: boolean;
  /** Set on subagent trajectories written as their own file (v1.6). */
  parentSessionId?: string;
}

interface Totals {
  prompt: number;
  completion: number;
  cached: number;
  cost: number;
  hasPrompt: boolean;
  hasCompletion: boolean;
  hasCached: boolean;
  hasCost: boolean;
}

function emptyTotals(): Totals {
  return { prompt: 0, completion: 0, cached: 0, cost: 0, hasPrompt: false, hasCompletion: false, hasCached: false, hasCost: false };
}

/** Characters of settled step text joined into one block. */
const BLOCK_CHARS = 1 << 16;

export class Run {
  /** Steps in order: open ones as objects, settled ones as JSON text ('' once merged into `blocks`). */
  readonly slots: (string | OpenStep)[] = [];
  /** JSON text of the first `merged` steps, each followed by ",\n": flat blocks, then `pending`. */
  private readonly blocks: string[] = [];
  private pending: string[] = [];
  private pendingChars = 0;
  private merged = 0;
  /** Tool calls requested in this run, by id (the newest request wins on a reused id). */
  readonly calls = new Map<string, CallSlot>();
  /** Conversations by the hash of their first non-system message (bounded). */
  readonly threads = new Map<number, Thread>();
  /** Hashes of messages and responses already represented (so re-sent history is not repeated). */
  readonly seen = new HashSet53();
  /** Hashes of every tool call id requested in this run. */
  readonly callIds = new HashSet53();
  readonly children = new Set<Run>();
  /** v1.7: finished subagent trajectories, serialized, to embed. */
  readonly embedded: string[] = [];
  readonly violations: AtifViolation[] = [];
  readonly toolDefs = new Map<string, AtifJsonObject>();
  readonly models: string[] = [];
  lastLlmStep: OpenStep | undefined;
  private readonly own = emptyTotals();
  /** Totals including finished subagents. */
  private readonly all = emptyTotals();
  private subagentCount = 0;
  ended = false;

  constructor(
    readonly uuid: string,
    readonly name: string,
    readonly sessionId: string,
    readonly fileName: string,
    readonly version: AtifOutputVersion,
    readonly validate: boolean,
    readonly parent: Run | undefined,
    readonly agent: { name: string; version: string; extra?: AtifJsonObject },
    readonly rootExtra: AtifJsonObject,
  ) {}

  get v17(): boolean {
    return this.version === 'ATIF-v1.7';
  }

  nextSubagentNumber(): number {
    return ++this.subagentCount;
  }

  /** A new step numbered as the next one; fill in its optional fields, then `add` it. */
  begin(source: AtifStepSource, message: AtifContent, timestamp: string | undefined): AtifStep {
    return { step_id: this.slots.length + 1, timestamp, source, message };
  }

  /** Appends a step from `begin`; it settles at once unless `pending` > 0. */
  add(step: AtifStep, pending = 0): OpenStep {
    const index = this.slots.length;
    step.step_id = index + 1;
    const open: OpenStep = { step, index, pending, calls: undefined };
    this.slots.push(open);
    if (pending === 0) this.finalize(open);
    return open;
  }

  /** One fewer thing to wait for; serializes the step when nothing is left. */
  release(open: OpenStep): void {
    if (--open.pending <= 0) this.finalize(open);
  }

  finalize(open: OpenStep): void {
    if (this.slots[open.index] !== open) return;
    if (this.lastLlmStep === open) this.lastLlmStep = undefined;
    if (this.validate) checkStep(open.step, open.index, this.version, `$.steps[${open.index}]`, this.violations);
    this.slots[open.index] = JSON.stringify(open.step);
    if (open.calls) for (const c of open.calls) if (this.calls.get(c.id) === c) this.calls.delete(c.id);
    this.merge();
  }

  /**
   * Moves the settled steps at the front into flat text blocks. `JSON.stringify` returns a tree of
   * small string pieces, each with its own header: joined, the texts take about the file's size.
   */
  private merge(): void {
    const slots = this.slots;
    let i = this.merged;
    for (let s = slots[i]; i < slots.length && typeof s === 'string'; s = slots[++i]) {
      this.pending.push(s, ',\n');
      this.pendingChars += s.length + 2;
      slots[i] = '';
    }
    this.merged = i;
    if (this.pendingChars >= BLOCK_CHARS) this.seal();
  }

  private seal(): void {
    if (this.pending.length === 0) return;
    this.blocks.push(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }

  count(metrics: AtifMetrics | undefined): void {
    if (!metrics) return;
    addTotals(this.own, metrics.prompt_tokens, metrics.completion_tokens, metrics.cached_tokens, metrics.cost_usd);
    addTotals(this.all, metrics.prompt_tokens, metrics.completion_tokens, metrics.cached_tokens, metrics.cost_usd);
  }

  /** Adds a finished subagent's totals (including its own subagents) to this run's overall totals. */
  absorb(child: Run): void {
    const t = child.all;
    addTotals(
      this.all,
      t.hasPrompt ? t.prompt : undefined,
      t.hasCompletion ? t.completion : undefined,
      t.hasCached ? t.cached : undefined,
      t.hasCost ? t.cost : undefined,
    );
  }

  /** Serializes what is still open and assembles the document. */
  complete(partial: boolean, notes: string[]): CompletedTrajectory {
    for (const s of this.slots) if (typeof s !== 'string') this.finalize(s);
    this.merge();
    this.seal();
    const root = this.rootObject(notes);
    const head = JSON.stringify(root.head);
    const tail = JSON.stringify(root.tail);
    if (this.validate) {
      // Root rules on a stand-in with one valid step; step rules already ran per step.
      const probe = { ...root.head, ...root.tail, steps: [{ step_id: 1, source: 'system', message: '' }] };
      checkRoot(probe, '$', this.version, this.violations);
      if (this.slots.length === 0) this.violations.push({ path: '$.steps', message: 'must contain at least one step' });
    }
    const chunks: string[] = [head.slice(0, -1), ',"steps":[\n', ...this.blocks];
    // Every step in the blocks is followed by ",\n"; the last one by "\n".
    if (this.blocks.length > 0) chunks[chunks.length - 1] = `${chunks[chunks.length - 1]!.slice(0, -2)}\n`;
    chunks.push(']');
    if (tail.length > 2) chunks.push(',', tail.slice(1, -1));
    if (this.embedded.length > 0) {
      chunks.push(',"subagent_trajectories":[\n');
      for (let i = 0; i < this.embedded.length; i++) chunks.push(this.embedded[i]!, i + 1 < this.embedded.length ? ',\n' : '\n');
      chunks.push(']');
    }
    chunks.push('}\n');
    const done: CompletedTrajectory = {
      sessionId: this.sessionId,
      trajectoryId: this.uuid,
      runName: this.name,
      fileName: this.fileName,
      chunks,
      violations: this.violations,
      partial,
    };
    if (this.parent) done.parentSessionId = this.parent.sessionId;
    return done;
  }

  private rootObject(notes: string[]): { head: Partial<AtifTrajectory>; tail: Partial<AtifTrajectory> } {
    const agent: AtifAgent = { name: this.agent.name, version: this.agent.version };
    if (this.models.length > 0) agent.model_name = this.models[0]!;
    if (this.toolDefs.size > 0) agent.tool_definitions = [...this.toolDefs.values()];
    const agentExtra: AtifJsonObject = { ...(this.agent.extra ?? {}) };
    if (this.models.length > 1) agentExtra['models'] = [...this.models];
    if (Object.keys(agentExtra).length > 0) agent.extra = agentExtra;

    const head: Partial<AtifTrajectory> = { schema_version: this.version, session_id: this.sessionId };
    if (this.v17) head.trajectory_id = this.uuid;
    head.agent = agent;

    const tail: Partial<AtifTrajectory> = {};
    if (notes.length > 0) tail.notes = notes.join(' ');
    const fm: AtifFinalMetrics = {};
    const t = this.own;
    if (t.hasPrompt) fm.total_prompt_tokens = t.prompt;
    if (t.hasCompletion) fm.total_completion_tokens = t.completion;
    if (t.hasCached) fm.total_cached_tokens = t.cached;
    if (t.hasCost) fm.total_cost_usd = t.cost;
    fm.total_steps = this.slots.length;
    if (this.subagentCount > 0) {
      const a = this.all;
      const inc: AtifJsonObject = {};
      if (a.hasPrompt) inc['total_prompt_tokens'] = a.prompt;
      if (a.hasCompletion) inc['total_completion_tokens'] = a.completion;
      if (a.hasCached) inc['total_cached_tokens'] = a.cached;
      if (a.hasCost) inc['total_cost_usd'] = a.cost;
      fm.extra = { including_subagents: inc, subagents: this.subagentCount };
    }
    tail.final_metrics = fm;
    tail.extra = this.rootExtra;
    return { head, tail };
  }
}

function addTotals(t: Totals, prompt?: number, completion?: number, cached?: number, cost?: number): void {
  if (prompt !== undefined) {
    t.prompt += prompt;
    t.hasPrompt = true;
  }
  if (completion !== undefined) {
    t.completion += completion;
    t.hasCompletion = true;
  }
  if (cached !== undefined) {
    t.cached += cached;
    t.hasCached = true;
  }
  if (cost !== undefined) {
    t.cost += cost;
    t.hasCost = true;
  }
}
