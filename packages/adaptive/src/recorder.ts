/**
 * The telemetry subscriber: turns the lifecycle stream into run records. A run is an agent scope
 * from start to end; LLM and tool calls anywhere inside it (under nested function scopes too)
 * belong to the nearest enclosing agent scope. Each LLM call keeps its real position within its
 * own run, its timings, token usage and the fingerprints of its prompt's leading boundaries
 * (computed from the provider payload; the prompt text itself is not kept).
 *
 * Memory is bounded: open runs and open scopes are capped (the oldest are dropped and reported),
 * and finished runs go to the store, which has its own bound.
 */
import type { LifecycleEvent, ScopeEvent } from '@nemo-flow/runtime';
import type { CodecName, NormalizedResponse, Usage } from '@nemo-flow/runtime/codecs';
import { detectResponseCodec } from '@nemo-flow/runtime/codecs';
import { eventTimeMicros } from '@nemo-flow/runtime/exporter-kit';
import { unwrapView } from '@nemo-flow/runtime/exporter-kit';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';
import { boundariesOf, layoutOf, shapeOf, type PromptLayout } from './prompt-layout.js';
import type { CallRecord, LlmCallRecord, RunRecord, ToolCallRecord } from './records.js';
import { isPlainObject as isObj } from '@nemo-flow/runtime/exporter-kit';

export interface RecorderOptions {
  /** Early messages whose ends are fingerprinted (default 8). */
  maxPrefixMessages: number;
  /** Runs open at once (default 1000); beyond it the oldest open run is dropped. */
  maxOpenRuns: number;
  /** Receives each finished run. */
  onRun(run: RunRecord): void;
  /** Layouts already computed for a payload (the governor's), to avoid fingerprinting twice. */
  layoutFor?(content: object): PromptLayout | undefined;
}

interface OpenRun {
  record: RunRecord;
  llmStarted: number;
}

interface PendingCall {
  run: OpenRun;
  call: CallRecord;
}

type Obj = Record<string, unknown>;

/** The agent id of an agent scope: `metadata.agent_id` when it is a non-empty string, else the scope name. */
export function agentIdOf(metadata: unknown, name: string): string {
  const id = isObj(metadata) ? metadata.agent_id : undefined;
  return typeof id === 'string' && id.length > 0 ? id : name;
}

const ms = (e: LifecycleEvent): number => eventTimeMicros(e) / 1000;

export class RunRecorder {
  readonly #o: RecorderOptions;
  /** Agent scope uuid → open run. */
  readonly #runs = new Map<string, OpenRun>();
  /** Open scope or call uuid → uuid of the agent scope it belongs to. */
  readonly #scopes = new Map<string, string>();
  readonly #pending = new Map<string, PendingCall>();

  constructor(options: RecorderOptions) {
    this.#o = options;
  }

  /** The position the next LLM call of the run of this agent scope will have (1 when the run is unknown). */
  nextPosition(agentScopeUuid: string): number {
    return (this.#runs.get(agentScopeUuid)?.llmStarted ?? 0) + 1;
  }

  /** Runs currently open. */
  get openRuns(): number {
    return this.#runs.size;
  }

  /** The subscriber callback. Never throws. */
  onEvent(e: LifecycleEvent): void {
    if (e.kind !== 'scope') return;
    try {
      if (e.scope_category === 'start') this.#start(e);
      else this.#end(e);
    } catch (err) {
      reportFailure('adaptive:telemetry', 'the adaptive telemetry subscriber failed on an event; that event was not learned from', err);
    }
  }

  #start(e: ScopeEvent): void {
    if (e.category === 'agent') {
      const record: RunRecord = { runId: e.uuid, agentId: agentIdOf(unwrapView(e.metadata), e.name), startMs: ms(e), endMs: ms(e), status: 'ok', calls: [] };
      this.#runs.set(e.uuid, { record, llmStarted: 0 });
      this.#track(e.uuid, e.uuid);
      if (this.#runs.size > this.#o.maxOpenRuns) {
        const oldest = this.#runs.keys().next().value!;
        this.#runs.delete(oldest);
        reportFailure(
          'adaptive:open-runs',
          `more than ${this.#o.maxOpenRuns} agent runs were open at once; the oldest is no longer recorded (raise telemetry.max_open_runs, or end agent scopes)`,
          new RangeError('too many open runs'),
        );
      }
      return;
    }
    const runId = e.parent_uuid === null ? undefined : this.#scopes.get(e.parent_uuid);
    if (runId === undefined) return;
    this.#track(e.uuid, runId);
    const run = this.#runs.get(runId);
    if (!run) return;
    if (e.category === 'llm') {
      const call = this.#llmCall(e, ++run.llmStarted);
      run.record.calls.push(call);
      this.#pending.set(e.uuid, { run, call });
    } else if (e.category === 'tool') {
      const call: ToolCallRecord = { kind: 'tool', name: e.name, startMs: ms(e), endMs: ms(e), status: 'ok' };
      run.record.calls.push(call);
      this.#pending.set(e.uuid, { run, call });
    }
  }

  #track(uuid: string, runId: string): void {
    this.#scopes.set(uuid, runId);
    // Scopes that never end must not grow the map without limit.
    const cap = this.#o.maxOpenRuns * 256;
    while (this.#scopes.size > cap) {
      const k = this.#scopes.keys().next().value!;
      this.#scopes.delete(k);
      this.#pending.delete(k);
    }
  }

  #llmCall(e: ScopeEvent, position: number): LlmCallRecord {
    const profile = unwrapView(e.category_profile) as Obj | null;
    const annotated = isObj(profile) && isObj(profile.annotated_request) ? profile.annotated_request : undefined;
    const model = isObj(profile) && typeof profile.model_name === 'string' ? profile.model_name : null;
    const request = unwrapView(e.data);
    const content = isObj(request) ? request.content : undefined;
    let layout: PromptLayout | undefined;
    try {
      layout = (isObj(content) ? this.#o.layoutFor?.(content) : undefined) ?? layoutOf(content, annotated?.provider_format as CodecName | undefined);
    } catch {
      layout = undefined; // a payload no codec reads: the call is still timed, just not fingerprinted
    }
    const bounds = layout ? boundariesOf(layout, this.#o.maxPrefixMessages) : [];
    return {
      kind: 'llm',
      name: e.name,
      position,
      startMs: ms(e),
      endMs: ms(e),
      status: 'ok',
      model: model ?? layout?.model ?? null,
      format: layout?.format ?? null,
      shape: layout ? shapeOf(layout) : null,
      promptTokens: layout?.totalTokens ?? 0,
      prefix: bounds.map((b) => b.prefixHash),
      prefixTokens: bounds.map((b) => b.tokens),
    };
  }

  #end(e: ScopeEvent): void {
    if (e.category === 'agent') {
      this.#scopes.delete(e.uuid);
      const run = this.#runs.get(e.uuid);
      if (!run) return;
      this.#runs.delete(e.uuid);
      this.#finish(run, e);
      return;
    }
    this.#scopes.delete(e.uuid);
    const p = this.#pending.get(e.uuid);
    if (!p) return;
    this.#pending.delete(e.uuid);
    p.call.endMs = ms(e);
    p.call.status = e.status === 'error' ? 'error' : 'ok';
    if (p.call.kind === 'llm') applyUsage(p.call, usageOf(e));
  }

  #finish(run: OpenRun, e: ScopeEvent): void {
    const r = run.record;
    r.endMs = ms(e);
    r.status = e.status === 'error' ? 'error' : 'ok';
    // Calls still open when the run ended did not complete.
    for (const [uuid, p] of this.#pending) {
      if (p.run !== run) continue;
      this.#pending.delete(uuid);
      p.call.endMs = r.endMs;
      p.call.status = 'error';
    }
    r.calls.sort((a, b) => a.startMs - b.startMs);
    this.#o.onRun(r);
  }
}

function usageOf(e: ScopeEvent): Usage | undefined {
  if (e.status === 'error') return undefined;
  const profile = unwrapView(e.category_profile);
  const annotated = isObj(profile) ? (profile.annotated_response as NormalizedResponse | undefined) : undefined;
  if (isObj(annotated)) return annotated.usage;
  const data = unwrapView(e.data);
  try {
    return detectResponseCodec(data)?.decodeResponse(data).usage;
  } catch {
    return undefined;
  }
}

function applyUsage(call: LlmCallRecord, u: Usage | undefined): void {
  if (!u) return;
  const n = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  const input = n(u.input_tokens);
  const output = n(u.output_tokens);
  const read = n(u.cache_read_tokens);
  const write = n(u.cache_write_tokens);
  if (input !== undefined) call.inputTokens = input;
  if (output !== undefined) call.outputTokens = output;
  if (read !== undefined) call.cacheReadTokens = read;
  if (write !== undefined) call.cacheWriteTokens = write;
}
