/**
 * Lifecycle events → ATIF trajectories. One `TrajectoryBuilder` follows any number of
 * concurrent runs: a top-level agent scope opens a run, everything below it (until a nested
 * agent scope, which opens a subagent run) maps to that run's steps, and the run's end event
 * completes it. The exporter and the offline converter both feed events through this class.
 *
 * Mapping (see the README for the table):
 *   LLM start  → system/user steps for instructions and messages new since the previous call
 *   LLM end    → agent step: text, reasoning, tool_calls, metrics
 *   tool       → observation result on the agent step whose tool_calls requested it, or its own
 *                agent step with a synthesized call when no LLM turn requested it
 *   mark       → system step; errors (failed scopes, failed or rejected LLM calls) → system step
 *   agent scope inside a run → subagent trajectory, referenced from the parent's observation
 *
 * Per event the work is a few map lookups and the step it touches; a step is serialized once,
 * when nothing more can attach to it.
 */
import type { LlmCost } from '@nemo-flow/runtime/models';
import { formatMicros, parseTimestampMicros, toJsonSafe, unwrapView } from '@nemo-flow/runtime/exporter-kit';
import type { LifecycleEvent, MarkEvent, ScopeEvent } from '@nemo-flow/runtime';
import type { CodecName, NormalizedMessage, NormalizedRequest } from '@nemo-flow/runtime/codecs';
import { hash53 } from './hash.js';
import { readRequest, readResponse } from './llm.js';
import {
  argumentsOf,
  errorJson,
  errorText,
  fingerprint,
  hasContent,
  isPlainObject,
  messageContent,
  metricsOf,
  resultText,
  toolCallOf,
  toolDefinitionOf,
  type ModelPricing,
} from './mapping.js';
import { Run, type CallSlot, type CompletedTrajectory, type OpenStep, type Thread } from './run.js';
import type { AtifJsonObject, AtifObservationResult, AtifOutputVersion, AtifSubagentRef, AtifToolCall } from './types.js';

export interface BuilderOptions {
  /** `ATIF-v1.6` (default): subagents in their own files. `ATIF-v1.7`: subagents embedded. */
  schemaVersion?: AtifOutputVersion;
  /** `agent.name` of top-level trajectories (default: the agent scope's name). */
  agentName?: string;
  /** `agent.version` (default: the scope's `agent_version` metadata, else `"unknown"`). */
  agentVersion?: string;
  /** Session id for runs whose metadata has none (default: the run's uuid). */
  sessionId?: string;
  /** Check every step and root against the ATIF rules (default true). */
  validate?: boolean;
  /** Prices per model name, used for `cost_usd` when neither the provider nor the event reports a cost. */
  pricing?: Record<string, ModelPricing>;
}

/** What the builder needs from whoever stores trajectories. */
export interface TrajectorySink {
  /** A file name for a run about to start (called for every run written as its own file). */
  reserveName(vars: { session_id: string; run_id: string; agent_name: string; trajectory_id: string }): string;
  /** A run finished (or was closed as partial). */
  complete(trajectory: CompletedTrajectory): void;
}

/** Most conversations a run remembers for telling new messages from repeated ones. */
const MAX_THREADS = 16;

/** An open scope or call inside a run. One class (one shape) for every kind keeps lookups fast. */
class Rec {
  // tool calls
  step: OpenStep | undefined = undefined;
  callId = '';
  slot: CallSlot | undefined = undefined;
  /** Subagents started inside this tool call, referenced from its result. */
  refs: AtifSubagentRef[] | undefined = undefined;
  // LLM calls
  request: NormalizedRequest | undefined = undefined;
  thread: Thread | undefined = undefined;
  streaming = false;

  constructor(
    readonly kind: 'agent' | 'tool' | 'llm' | 'scope',
    readonly uuid: string,
    readonly name: string,
    /** The innermost agent run this belongs to (for an agent: its own run). */
    readonly run: Run,
    readonly parent: Rec | undefined,
  ) {}
}

/** Where a subagent is referenced from in its parent run. */
interface SubagentLink {
  ref: AtifSubagentRef;
  /** The delegation step waiting for the subagent (when it was not started inside a tool call). */
  step: OpenStep | undefined;
}

export class TrajectoryBuilder {
  private readonly recs = new Map<string, Rec>();
  private readonly links = new WeakMap<Run, SubagentLink>();
  private readonly topLevel = new Set<Run>();
  private readonly version: AtifOutputVersion;
  private readonly validate: boolean;

  constructor(
    private readonly sink: TrajectorySink,
    private readonly options: BuilderOptions = {},
  ) {
    this.version = options.schemaVersion ?? 'ATIF-v1.6';
    if (this.version !== 'ATIF-v1.6' && this.version !== 'ATIF-v1.7')
      throw new TypeError(`ATIF schemaVersion must be 'ATIF-v1.6' or 'ATIF-v1.7', got ${String(this.version)}`);
    this.validate = options.validate ?? true;
  }

  /** Runs still open (top-level). */
  get openRuns(): number {
    return this.topLevel.size;
  }

  /** Scopes and calls being tracked (all open runs). */
  get trackedScopes(): number {
    return this.recs.size;
  }

  push(event: LifecycleEvent): void {
    const e = plainPayloads(event);
    if (e.kind === 'scope') {
      if (e.scope_category === 'start') this.onStart(e);
      else if (e.scope_category === 'end') this.onEnd(e);
    } else if (e.kind === 'mark') {
      this.onMark(e);
    }
  }

  /** Completes every open run as partial, with `note` saying why. */
  closeAll(note: string): void {
    for (const run of [...this.topLevel]) this.finish(run, undefined, true, note);
  }

  // ---- dispatch ------------------------------------------------------------------------------

  private onStart(e: ScopeEvent): void {
    const parent = e.parent_uuid !== null ? this.recs.get(e.parent_uuid) : undefined;
    if (e.category === 'agent') return this.startAgent(e, parent);
    if (!parent) return; // outside any agent run: not part of a trajectory
    const run = parent.run;
    const kind = e.category === 'tool' ? 'tool' : e.category === 'llm' ? 'llm' : 'scope';
    const rec = new Rec(kind, e.uuid, e.name, run, parent);
    if (kind === 'tool') this.startTool(e, rec);
    else if (kind === 'llm') this.startLlm(e, rec);
    this.recs.set(e.uuid, rec);
  }

  private onEnd(e: ScopeEvent): void {
    const rec = this.recs.get(e.uuid);
    if (!rec) return;
    this.recs.delete(e.uuid);
    if (rec.kind === 'agent') return this.finish(rec.run, e, false, undefined);
    if (rec.kind === 'tool') this.endTool(rec, e);
    else if (rec.kind === 'llm') this.endLlm(rec, e);
    else if (e.status === 'error') {
      const s = rec.run.begin('system', errorText(e.error, `${e.category} "${e.name}"`), timeOf(e));
      s.extra = { error: errorJson(e.error), scope: { name: e.name, category: e.category, uuid: e.uuid } };
      rec.run.add(s);
    }
  }

  private onMark(e: MarkEvent): void {
    const parent = e.parent_uuid !== null ? this.recs.get(e.parent_uuid) : undefined;
    if (!parent) return;
    const mark: AtifJsonObject = { name: e.name };
    if (e.data !== null && e.data !== undefined) mark['data'] = toJsonSafe(e.data);
    if (e.metadata !== null && e.metadata !== undefined) mark['metadata'] = toJsonSafe(e.metadata);
    const s = parent.run.begin('system', typeof e.data === 'string' ? e.data : e.name, timeOf(e));
    s.extra = { mark };
    parent.run.add(s);
  }

  // ---- agent runs ----------------------------------------------------------------------------

  private startAgent(e: ScopeEvent, parent: Rec | undefined): void {
    const meta = isPlainObject(e.metadata) ? e.metadata : {};
    const parentRun = parent?.run;
    const nth = parentRun?.nextSubagentNumber() ?? 0;
    const rawSession = meta['session_id'];
    const metaSession = typeof rawSession === 'string' || typeof rawSession === 'number' ? String(rawSession) : '';
    let sessionId: string;
    if (metaSession !== '') sessionId = metaSession;
    else if (!parentRun) sessionId = this.options.sessionId || e.uuid;
    else if (this.version === 'ATIF-v1.7')
      sessionId = parentRun.sessionId; // run-scoped id, shared with embedded subagents
    else sessionId = `${parentRun.sessionId}--${e.name}-${nth}`;

    const agentName = (!parentRun && this.options.agentName) || e.name;
    const metaVersion = meta['agent_version'];
    const version =
      typeof metaVersion === 'string'
        ? metaVersion
        : ((!parentRun ? this.options.agentVersion : undefined) ?? parentRun?.agent.version ?? this.options.agentVersion ?? 'unknown');
    const agentExtra: AtifJsonObject = { framework: 'nemo-flow' };
    if (meta['user_id'] !== undefined) agentExtra['user_id'] = toJsonSafe(meta['user_id']);
    if (Array.isArray(meta['tags'])) agentExtra['tags'] = toJsonSafe(meta['tags']);

    const embedded = parentRun !== undefined && this.version === 'ATIF-v1.7';
    const fileName = embedded ? '' : this.sink.reserveName({ session_id: sessionId, run_id: e.uuid, agent_name: agentName, trajectory_id: e.uuid });
    const runInfo: AtifJsonObject = { uuid: e.uuid, name: e.name };
    if (e.data !== null && e.data !== undefined) runInfo['input'] = toJsonSafe(e.data);
    if (e.metadata !== null && e.metadata !== undefined) runInfo['metadata'] = toJsonSafe(e.metadata);
    const startedAt = timeOf(e);
    if (startedAt) runInfo['started_at'] = startedAt;
    const rootExtra: AtifJsonObject = { run: runInfo };
    if (parentRun) rootExtra['parent'] = { session_id: parentRun.sessionId, trajectory_id: parentRun.uuid };

    const run = new Run(
      e.uuid,
      e.name,
      sessionId,
      fileName,
      this.version,
      this.validate,
      parentRun,
      { name: agentName, version, extra: agentExtra },
      rootExtra,
    );
    if (parentRun && parent) {
      parentRun.children.add(run);
      this.links.set(run, this.linkSubagent(e, run, parent));
    } else {
      this.topLevel.add(run);
    }
    this.recs.set(e.uuid, new Rec('agent', e.uuid, e.name, run, parent));
  }

  /** References a subagent from the tool call it runs in, or from a new system step. */
  private linkSubagent(e: ScopeEvent, sub: Run, parent: Rec): SubagentLink {
    const ref: AtifSubagentRef =
      this.version === 'ATIF-v1.7' ? { trajectory_id: sub.uuid, session_id: sub.sessionId } : { session_id: sub.sessionId, trajectory_path: sub.fileName };
    for (let r: Rec | undefined = parent; r && r.run === parent.run && r.kind !== 'agent'; r = r.parent) {
      if (r.kind === 'tool') {
        (r.refs ??= []).push(ref);
        return { ref, step: undefined };
      }
    }
    const run = parent.run;
    const s = run.begin('system', `Delegated to subagent "${e.name}"`, timeOf(e));
    s.observation = { results: [{ subagent_trajectory_ref: [ref] }] };
    s.extra = { subagent: { name: e.name, uuid: e.uuid, session_id: sub.sessionId } };
    return { ref, step: run.add(s, 1) };
  }

  /** Completes a run: closes what is still open in it, assembles it, hands it on. */
  private finish(run: Run, end: ScopeEvent | undefined, partial: boolean, note: string | undefined): void {
    if (run.ended) return;
    for (const child of [...run.children]) this.finish(child, undefined, true, `The parent run "${run.name}" ended before this subagent.`);
    // Calls that never ended: say so instead of leaving a step without its result. (Rare: a scan
    // of every open scope here is cheaper than indexing each run's scopes on every event.)
    for (const [uuid, rec] of this.recs) {
      if (rec.run !== run || rec.kind === 'agent') continue;
      this.recs.delete(uuid);
      if (rec.kind === 'tool') this.closeTool(rec, 'No result: the tool call had not finished when the run ended.', undefined);
      else if (rec.kind === 'llm') {
        const s = run.begin('system', `LLM call "${rec.name}" had not finished when the run ended.`, undefined);
        s.extra = { llm_call: { name: rec.name, uuid: rec.uuid } };
        run.add(s);
      }
    }
    const notes: string[] = [];
    if (partial) notes.push('Partial trajectory:');
    if (note) notes.push(note);
    const runInfo = run.rootExtra['run'] as AtifJsonObject;
    if (end) {
      const endedAt = timeOf(end);
      if (endedAt) runInfo['ended_at'] = endedAt;
      if (end.data !== null && end.data !== undefined) runInfo['output'] = toJsonSafe(end.data);
      if (end.status) runInfo['status'] = end.status;
      if (end.status === 'error') {
        runInfo['error'] = errorJson(end.error);
        const s = run.begin('system', errorText(end.error, `Agent run "${run.name}"`), endedAt);
        s.extra = { error: errorJson(end.error) };
        run.add(s);
        notes.push('The run ended with an error.');
      }
    }
    if (partial) run.rootExtra['partial'] = true;
    if (run.slots.length === 0)
      run.add(run.begin('system', `Agent run "${run.name}" recorded no LLM calls, tool calls or marks.`, end ? timeOf(end) : undefined));
    run.ended = true;
    this.recs.delete(run.uuid);
    this.topLevel.delete(run);
    const done = run.complete(partial, notes);
    const parent = run.parent;
    if (!parent) return this.sink.complete(done);

    parent.children.delete(run);
    parent.absorb(run);
    const link = this.links.get(run);
    if (this.version === 'ATIF-v1.7') {
      parent.embedded.push(done.chunks.join('').trimEnd());
      const at = `$.subagent_trajectories[${parent.embedded.length - 1}]`;
      for (const v of done.violations) parent.violations.push({ path: at + v.path.slice(1), message: v.message });
    } else {
      this.sink.complete(done);
      // The sink may have renamed the file (.invalid.json); keep the reference pointing at it.
      if (link?.ref.trajectory_path !== undefined) link.ref.trajectory_path = done.fileName;
    }
    if (link?.step && parent.slots[link.step.index] === link.step) {
      const result = link.step.step.observation?.results[0];
      if (result && end && end.data !== null && end.data !== undefined) result.content = resultText(end.data);
      parent.release(link.step);
    }
  }

  // ---- tools ---------------------------------------------------------------------------------

  private startTool(e: ScopeEvent, rec: Rec): void {
    const run = rec.run;
    const profile = e.category_profile as { tool_call_id?: unknown } | null;
    const rawId = profile?.tool_call_id;
    const id = typeof rawId === 'string' && rawId !== '' ? rawId : undefined;
    const slot = id !== undefined ? run.calls.get(id) : findByName(run.lastLlmStep, e.name);
    if (slot && slot.state === 'open') {
      slot.state = 'running';
      rec.step = slot.step;
      rec.callId = slot.id;
      rec.slot = slot;
      return;
    }
    // No LLM turn asked for this call: it becomes an agent step with a synthesized tool call.
    const callId = id ?? e.uuid;
    const s = run.begin('agent', '', timeOf(e));
    s.tool_calls = [{ tool_call_id: callId, function_name: e.name, arguments: argumentsOf(e.data) }];
    if (run.v17) s.llm_call_count = 0;
    s.extra = { tool_call_without_llm_turn: true, tool: { name: e.name, uuid: e.uuid } };
    rec.step = run.add(s, 1);
    rec.callId = callId;
  }

  private endTool(rec: Rec, e: ScopeEvent): void {
    if (e.status === 'error') this.closeTool(rec, errorText(e.error, `tool "${rec.name}"`), errorJson(e.error));
    else this.closeTool(rec, resultText(e.data), undefined);
  }

  private closeTool(rec: Rec, content: string, error: AtifJsonObject | undefined): void {
    const open = rec.step;
    const run = rec.run;
    if (!open || run.slots[open.index] !== open) return; // already settled (run closing)
    const result: AtifObservationResult = { source_call_id: rec.callId, content };
    if (rec.refs) result.subagent_trajectory_ref = rec.refs;
    const obs = open.step.observation;
    if (obs) obs.results.push(result);
    else open.step.observation = { results: [result] };
    if (error) {
      const extra = (open.step.extra ??= {});
      const errors = (extra['errors'] ??= []) as AtifJsonObject[];
      error['tool_call_id'] = rec.callId;
      error['tool'] = rec.name;
      errors.push(error);
    }
    if (rec.slot) rec.slot.state = 'done';
    run.release(open);
  }

  // ---- LLM calls -----------------------------------------------------------------------------

  private startLlm(e: ScopeEvent, rec: Rec): void {
    const run = rec.run;
    rec.streaming = e.attributes?.includes('streaming') === true;
    const request = readRequest(e);
    if (!request) return;
    rec.request = request;
    const tools = request.tools;
    if (tools) {
      for (let i = 0; i < tools.length; i++) {
        const t = tools[i]!;
        if (t && typeof t.name === 'string' && !run.toolDefs.has(t.name)) run.toolDefs.set(t.name, toolDefinitionOf(t));
      }
    }
    rec.thread = this.newInput(run, request, e);
  }

  /** Emits steps for what the request adds to its conversation; returns the conversation. */
  private newInput(run: Run, req: NormalizedRequest, e: ScopeEvent): Thread {
    const msgs = req.messages;
    let first = 0;
    while (first < msgs.length && isSystemRole(msgs[first]!)) first++;
    const key = first < msgs.length ? hashOf(msgs[first]!) : 0;
    let thread = run.threads.get(key);
    if (!thread) {
      if (run.threads.size >= MAX_THREADS) run.threads.delete(run.threads.keys().next().value as number);
      thread = { hashes: [] };
      run.threads.set(key, thread);
    }
    const ts = timeOf(e);
    const llm = { name: e.name, uuid: e.uuid };
    const seen = run.seen;

    // Instructions: a system step when they differ from every instruction seen in this run.
    if (typeof req.system === 'string' && req.system.trim() !== '') {
      const h = hash53(`system\u001f${req.system}`);
      if (!seen.has(h)) {
        seen.add(h);
        const s = run.begin('system', req.system, ts);
        s.extra = { from: 'llm_request', llm_call: llm };
        run.add(s);
      }
    }

    const prev = thread.hashes;
    const n = prev.length;
    let p = 0;
    if (n > 0) {
      // Conversations grow by appending: check a few anchors instead of every message.
      if (msgs.length >= n && hashOf(msgs[0]!) === prev[0] && hashOf(msgs[n - 1]!) === prev[n - 1] && hashOf(msgs[n >> 1]!) === prev[n >> 1]) p = n;
      else {
        const lim = Math.min(n, msgs.length);
        while (p < lim && hashOf(msgs[p]!) === prev[p]) p++;
      }
    }
    const hashes = p === n ? prev : prev.slice(0, p);
    for (let i = p; i < msgs.length; i++) hashes.push(i === first ? key : hashOf(msgs[i]!));
    thread.hashes = hashes;

    // Everything up to the last assistant message of the new part is history the app supplied.
    let lastAssistant = -1;
    for (let i = msgs.length - 1; i >= p; i--) {
      if (msgs[i]!.role === 'assistant') {
        lastAssistant = i;
        break;
      }
    }
    for (let i = p; i < msgs.length; i++) {
      const m = msgs[i]!;
      const h = hashes[i]!;
      const copied = i < lastAssistant;
      const system = isSystemRole(m);
      // Re-sent history (a moved window, a parallel conversation, repeated instructions) was recorded already.
      if ((copied || system || m.role === 'assistant') && seen.has(h)) continue;
      seen.add(h);
      if (m.role === 'assistant') {
        if (!(i === n && n > 0) && !isEcho(run, m)) this.copiedAgentStep(run, m, ts, llm);
      } else if (m.role === 'tool') {
        this.toolMessage(run, m, ts, llm);
      } else if (hasContent(m)) {
        const s = run.begin(system ? 'system' : 'user', messageContent(m), ts);
        if (copied) s.is_copied_context = true;
        s.extra = { from: 'llm_request', llm_call: llm };
        run.add(s);
      }
    }
    return thread;
  }

  /** An assistant message the app put in the conversation itself (history, not a recorded call). */
  private copiedAgentStep(run: Run, m: NormalizedMessage, ts: string | undefined, llm: AtifJsonObject): void {
    const s = run.begin('agent', messageContent(m), ts);
    const reasoning = reasoningOf(m);
    if (reasoning !== undefined) s.reasoning_content = reasoning;
    if (m.tool_calls && m.tool_calls.length > 0) s.tool_calls = dedupeCalls(m.tool_calls.map((c) => toolCallOf(c, run.v17).call));
    s.is_copied_context = true;
    s.extra = { from: 'llm_request', llm_call: llm };
    this.addWithCalls(run, s);
  }

  /** A tool result message in a request: answers an open call, or is recorded on its own. */
  private toolMessage(run: Run, m: NormalizedMessage, ts: string | undefined, llm: AtifJsonObject): void {
    const id = m.tool_call_id;
    const slot = id !== undefined ? run.calls.get(id) : undefined;
    if (slot) {
      if (slot.state !== 'open') return; // a tool event reports it
      slot.state = 'done';
      const result: AtifObservationResult = { source_call_id: slot.id, content: messageContent(m) };
      const obs = slot.step.step.observation;
      if (obs) obs.results.push(result);
      else slot.step.step.observation = { results: [result] };
      run.release(slot.step);
      return;
    }
    if (id !== undefined && run.callIds.has(callKey(id))) return; // answered and recorded already
    const s = run.begin('system', id !== undefined ? `Tool result for call "${id}"` : 'Tool result', ts);
    s.observation = { results: [{ content: messageContent(m) }] };
    s.extra = id !== undefined ? { from: 'llm_request', llm_call: llm, tool_call_id: id } : { from: 'llm_request', llm_call: llm };
    run.add(s);
  }

  private endLlm(rec: Rec, e: ScopeEvent): void {
    const run = rec.run;
    const llm: AtifJsonObject = rec.streaming ? { name: rec.name, uuid: rec.uuid, streaming: true } : { name: rec.name, uuid: rec.uuid };
    if (e.status === 'error') {
      const s = run.begin('system', errorText(e.error, `LLM call "${rec.name}"`), timeOf(e));
      s.extra = { error: errorJson(e.error), llm_call: llm };
      run.add(s);
      return;
    }
    const req = rec.request;
    const resp = readResponse(e, req?.provider_format as CodecName | undefined);
    const profile = e.category_profile as { model_name?: unknown } | null;
    const model = resp?.model ?? (typeof profile?.model_name === 'string' ? profile.model_name : undefined) ?? req?.model;
    const s = run.begin('agent', resp ? resp.text : typeof e.data === 'string' ? e.data : '', timeOf(e));
    if (model) {
      s.model_name = model;
      if (!run.models.includes(model)) run.models.push(model);
    }
    const effort = reasoningEffort(req);
    if (effort !== undefined) s.reasoning_effort = effort;
    if (resp?.reasoning) s.reasoning_content = resp.reasoning;
    const extra: AtifJsonObject = { llm_call: llm };
    if (resp) {
      const n = resp.tool_calls.length;
      if (n > 0) {
        const calls: AtifToolCall[] = new Array<AtifToolCall>(n);
        let raw: AtifJsonObject | undefined;
        for (let i = 0; i < n; i++) {
          const t = toolCallOf(resp.tool_calls[i]!, run.v17);
          calls[i] = t.call;
          if (t.raw !== undefined && !run.v17) (raw ??= {})[t.call.tool_call_id] = t.raw;
        }
        s.tool_calls = n > 1 ? dedupeCalls(calls) : calls;
        if (raw) extra['raw_arguments'] = raw;
      }
      if (resp.finish_reason) extra['finish_reason'] = resp.finish_reason;
      if (resp.id) extra['response_id'] = resp.id;
      if (resp.provider_format) extra['provider_format'] = resp.provider_format;
    } else if (e.data !== null && e.data !== undefined && typeof e.data !== 'string') {
      // Unknown provider shape: keep the response, but never as the message.
      extra['response'] = toJsonSafe(e.data);
    }
    const metrics = metricsOf(resp, e.data, e.metadata, model, this.options.pricing, costOfEvent(e));
    if (metrics) {
      s.metrics = metrics;
      run.count(metrics);
    }
    if (run.v17) s.llm_call_count = 1;
    s.extra = extra;
    const open = this.addWithCalls(run, s);
    if (open.calls) run.lastLlmStep = open;
    if (resp) {
      const seen = run.seen;
      seen.add(hashOf({ role: 'assistant', text: resp.text, tool_calls: resp.tool_calls }));
      if (resp.text !== '') seen.add(hash53(`assistant-text\u001f${resp.text}`));
      if (resp.reasoning) seen.add(hash53(`assistant-reasoning\u001f${resp.reasoning}`));
    }
  }

  /** Adds an agent step; its tool calls become open slots that tool events or tool messages answer. */
  private addWithCalls(run: Run, s: ReturnType<Run['begin']>): OpenStep {
    const calls = s.tool_calls;
    if (!calls || calls.length === 0) return run.add(s);
    const open = run.add(s, calls.length);
    const slots: CallSlot[] = new Array<CallSlot>(calls.length);
    for (let i = 0; i < calls.length; i++) {
      const slot: CallSlot = { id: calls[i]!.tool_call_id, name: calls[i]!.function_name, step: open, state: 'open' };
      slots[i] = slot;
      run.callIds.add(callKey(slot.id));
      const older = run.calls.get(slot.id);
      // A reused id: the newest request wins; the older step stops waiting for it.
      if (older && older.state !== 'done') {
        older.state = 'done';
        run.release(older.step);
      }
      run.calls.set(slot.id, slot);
    }
    open.calls = slots;
    return open;
  }
}

// ---- helpers -----------------------------------------------------------------------------------

/**
 * The event's time as an ISO 8601 string with microseconds and `Z`. The runtime already writes
 * that form (used as is); other forms (nanoseconds, offsets) are normalized.
 */
function timeOf(e: LifecycleEvent): string | undefined {
  const ts = e.timestamp;
  if (typeof ts !== 'string') return undefined;
  if (ts.length === 27 && ts.charCodeAt(26) === 90 && ts.charCodeAt(19) === 46 && ts.charCodeAt(10) === 84) return ts;
  const us = parseTimestampMicros(ts);
  return Number.isFinite(us) ? formatMicros(us) : undefined;
}

/** A tool call id, remembered as a hash. */
function callKey(id: string): number {
  return hash53(id, 0x5eed);
}

function hashOf(m: NormalizedMessage): number {
  return hash53(fingerprint(m));
}

function isSystemRole(m: NormalizedMessage): boolean {
  return m.role === 'system' || m.role === 'developer';
}

/** An assistant message repeating a response this run recorded (its calls, text or reasoning). */
function isEcho(run: Run, m: NormalizedMessage): boolean {
  if (m.tool_calls && m.tool_calls.length > 0) return m.tool_calls.every((c) => run.callIds.has(callKey(c.id)));
  if (m.text !== '') return run.seen.has(hash53(`assistant-text\u001f${m.text}`));
  const reasoning = reasoningOf(m);
  return reasoning !== undefined && run.seen.has(hash53(`assistant-reasoning\u001f${reasoning}`));
}

/** The reasoning parts of a message, joined. */
function reasoningOf(m: NormalizedMessage): string | undefined {
  if (!m.parts) return undefined;
  let out: string | undefined;
  for (const p of m.parts) if (p.type === 'reasoning') out = out === undefined ? p.text : `${out}\n${p.text}`;
  return out;
}

function findByName(step: OpenStep | undefined, name: string): CallSlot | undefined {
  return step?.calls?.find((c) => c.state === 'open' && c.name === name);
}

/** Providers occasionally repeat an id within one response; ATIF requires unique ids per step. */
function dedupeCalls(calls: AtifToolCall[]): AtifToolCall[] {
  const seen = new Set<string>();
  for (const c of calls) {
    let id = c.tool_call_id;
    for (let k = 2; seen.has(id); k++) id = `${c.tool_call_id}#${k}`;
    c.tool_call_id = id;
    seen.add(id);
  }
  return calls;
}

function reasoningEffort(req: NormalizedRequest | undefined): string | number | undefined {
  if (!req) return undefined;
  const direct = req.params?.['reasoning_effort'] ?? req.extra?.['reasoning_effort'];
  if (typeof direct === 'string' || typeof direct === 'number') return direct;
  const reasoning = req.extra?.['reasoning'] ?? req.params?.['reasoning'];
  const effort = isPlainObject(reasoning) ? reasoning['effort'] : undefined;
  if (typeof effort === 'string' || typeof effort === 'number') return effort;
  const thinking = req.extra?.['thinking'];
  const budget = isPlainObject(thinking) ? thinking['budget_tokens'] : undefined;
  return typeof budget === 'number' ? budget : undefined;
}

/**
 * The event with its payloads read from behind the runtime's read-only views: the builder reads
 * every request and response field, and each proxied read costs a trap. The builder never writes
 * to payloads, and `toJsonSafe` copies what it keeps only when it is not plain JSON. The copy
 * lists the fields the builder reads, in one order for every kind (one hidden class; a spread of
 * the frozen event costs several times as much).
 */
function plainPayloads(event: LifecycleEvent): LifecycleEvent {
  const s = event as ScopeEvent;
  return {
    kind: s.kind,
    atof_version: s.atof_version,
    uuid: s.uuid,
    parent_uuid: s.parent_uuid,
    timestamp: s.timestamp,
    name: s.name,
    data: unwrapView(s.data),
    data_schema: null,
    metadata: unwrapView(s.metadata),
    scope_category: s.scope_category,
    attributes: s.attributes,
    category: s.category,
    category_profile: unwrapView(s.category_profile),
    status: s.status,
    error: s.error,
  } as LifecycleEvent;
}

/** `category_profile.cost` of an LLM end event: the runtime's price-table cost. */
function costOfEvent(e: ScopeEvent): LlmCost | undefined {
  const c = (e.category_profile as { cost?: unknown } | null)?.cost;
  return c !== null && typeof c === 'object' && typeof (c as LlmCost).total_usd === 'number' ? (c as LlmCost) : undefined;
}
