/**
 * A trace processor for the OpenAI Agents SDK: each SDK span becomes a NeMo Flow scope or call,
 * parented by the SDK's own span ids. Agent spans → agent scopes; response/generation spans → LLM
 * calls (Responses / Chat codecs); function spans → tool calls; guardrail spans → guardrail scopes;
 * handoff spans → a `handoff` mark, and the agent handed to runs as a subagent of the one that
 * handed off (its scope stays open until the subagent ends).
 */
import {
  ScopeType,
  createScopeStack,
  getHandle,
  llmCall,
  llmCallEnd,
  llmCallError,
  mark,
  popScope,
  pushScope,
  runWithScopeStack,
  toolCall,
  toolCallEnd,
  toolCallError,
} from '@nemo-flow/runtime';
import type { ScopeHandle, ToolHandle } from '@nemo-flow/runtime';
import { parseTimestampMicros, reportFailure } from '@nemo-flow/runtime/exporter-kit';
import type { Span, SpanData, Trace, TracingProcessor } from '@openai/agents';
import { dropEntry, getEntry, putEntry, scopeOf, wrappedModelCall, type SpanEntry } from './registry.js';
import { toResponsesItem } from './payload.js';

export interface NemoFlowTracingProcessorOptions {
  /**
   * Parent of a trace's top-level agent scopes. Default: the NeMo Flow scope current where the
   * run started (the SDK keeps the caller's async context), else the root.
   */
  parent?: ScopeHandle;
}

interface AgentState {
  /** Handed-off agents still running as subagents of this one. */
  children: number;
  /** The SDK ended the agent span; the scope ends once its subagents have. */
  ended?: { output: unknown; error: unknown };
  /** Function calls of this agent's latest model response, for linking tool spans to call ids. */
  calls: { id: string; name: string; args: string }[];
}

interface TraceState {
  groupId: string | null;
  metadata: Record<string, unknown> | undefined;
  /** Handoffs whose target agent has not started yet: target name → the agent that handed off. */
  handoffs: Map<string, SpanEntry>;
  spans: Set<string>;
}

type AnySpan = Span<SpanData>;

function micros(iso: string | null): number | undefined {
  if (!iso) return undefined;
  const t = parseTimestampMicros(iso);
  return Number.isNaN(t) ? undefined : t;
}

function errorOf(span: AnySpan): Error | undefined {
  const e = span.error;
  if (!e) return undefined;
  const err = new Error(e.data ? `${e.message} ${JSON.stringify(e.data)}` : e.message);
  err.name = 'AgentsSpanError';
  return err;
}

type GenerationData = Extract<SpanData, { type: 'generation' }>;

/** The completion of a generation span: the SDK's Chat Completions model records the whole completion as `output[0]`, other models a message. */
function chatCompletionOf(data: GenerationData): Record<string, unknown> {
  const first = data.output?.[0];
  if (first && Array.isArray(first['choices'])) return first;
  const usage = data.usage;
  const calls = first?.['tool_calls'];
  return {
    object: 'chat.completion',
    model: data.model,
    choices: [
      { index: 0, message: first ?? { role: 'assistant', content: null }, finish_reason: Array.isArray(calls) && calls.length ? 'tool_calls' : 'stop' },
    ],
    ...(usage
      ? {
          usage: {
            prompt_tokens: usage.input_tokens ?? 0,
            completion_tokens: usage.output_tokens ?? 0,
            total_tokens: (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0),
          },
        }
      : {}),
  };
}

/** A completion's tool calls as Responses `function_call` items. */
function chatCallsOf(completion: Record<string, unknown>): unknown[] {
  const message = (completion['choices'] as { message?: Record<string, unknown> }[] | undefined)?.[0]?.message;
  const calls = (Array.isArray(message?.['tool_calls']) ? message['tool_calls'] : []) as { id?: string; function?: { name?: string; arguments?: string } }[];
  return calls.map((t) => ({ type: 'function_call', call_id: t.id, name: t.function?.name, arguments: t.function?.arguments }));
}

/** Opens a scope on a stack of its own, so scopes of concurrent spans can end in any order. */
function openScope(
  name: string,
  type: ScopeType,
  parent: ScopeHandle | undefined,
  input: unknown,
  metadata: unknown,
  timestamp: number | undefined,
): ScopeHandle {
  return runWithScopeStack(createScopeStack(), () => pushScope(name, type, { ...(parent ? { parent } : {}), input, metadata, timestamp }));
}

export class NemoFlowTracingProcessor implements TracingProcessor {
  private readonly traces = new Map<string, TraceState>();
  private readonly agents = new WeakMap<SpanEntry, AgentState>();

  constructor(private readonly options: NemoFlowTracingProcessorOptions = {}) {}

  async onTraceStart(trace: Trace): Promise<void> {
    this.traces.set(trace.traceId, { groupId: trace.groupId, metadata: trace.metadata, handoffs: new Map(), spans: new Set() });
  }

  async onTraceEnd(trace: Trace): Promise<void> {
    const state = this.traces.get(trace.traceId);
    this.traces.delete(trace.traceId);
    if (!state) return;
    // Whatever the SDK left open (an agent waiting for a handoff that never ran) ends with the trace.
    for (const id of [...state.spans].reverse()) {
      const entry = getEntry(id);
      if (entry) this.guard('trace-end', () => this.closeAgent(entry, true));
      dropEntry(id);
    }
  }

  async onSpanStart(span: AnySpan): Promise<void> {
    this.guard('span-start', () => this.spanStarted(span));
  }

  async onSpanEnd(span: AnySpan): Promise<void> {
    this.guard('span-end', () => this.spanEnded(span));
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}

  /** A processor must never break the agent run: failures are reported, the run goes on. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      reportFailure(`openai-agents:${what}`, `@nemo-flow/openai-agents: ${what} failed`, err);
    }
  }

  private spanStarted(span: AnySpan): void {
    const trace = this.traces.get(span.traceId);
    const data = span.spanData;
    const parent = getEntry(span.parentId);
    const entry: SpanEntry = { spanId: span.spanId, traceId: span.traceId, type: data.type, parent };
    putEntry(entry);
    trace?.spans.add(span.spanId);
    const at = micros(span.startedAt);
    switch (data.type) {
      case 'agent': {
        const from = trace?.handoffs.get(data.name);
        if (from) {
          trace!.handoffs.delete(data.name);
          (entry as { parent: SpanEntry | undefined }).parent = from;
        }
        const parentScope = scopeOf(entry.parent) ?? this.options.parent ?? getHandle();
        const metadata: Record<string, unknown> = { openai_agents: { trace_id: span.traceId, span_id: span.spanId } };
        // The SDK's group id (conversation) is the session of the top-level agent; subagents get their own.
        if (trace?.groupId && !from) metadata['session_id'] = trace.groupId;
        entry.handle = openScope(data.name, ScopeType.Agent, parentScope, null, metadata, at);
        this.agents.set(entry, { children: 0, calls: [] });
        return;
      }
      case 'guardrail':
        entry.handle = openScope(data.name, ScopeType.Guardrail, scopeOf(parent) ?? getHandle(), null, null, at);
        return;
      case 'response':
      case 'generation':
        // A wrapped model records the call itself (with middleware): nothing to add here.
        if (wrappedModelCall.getStore()) entry.owned = true;
        return;
      case 'function': {
        // Opened at the end, once the SDK has filled in the arguments, unless a child needs it first.
        let handle: ToolHandle | undefined;
        entry.open = () => {
          if (entry.owned) return undefined;
          if (!handle) handle = this.openTool(entry, span, at);
          entry.handle = handle;
          return handle;
        };
        return;
      }
      default:
        return; // task, turn, custom…: no scope of their own; children attach to the nearest one
    }
  }

  private spanEnded(span: AnySpan): void {
    const entry = getEntry(span.spanId);
    if (!entry) return;
    const data = span.spanData;
    const at = micros(span.endedAt);
    const error = errorOf(span);
    switch (data.type) {
      case 'agent':
        // The SDK fills in the agent's handoffs and tools while it runs: they are the scope's output.
        this.agents.get(entry)!.ended = { output: { handoffs: data.handoffs ?? [], tools: data.tools ?? [], output_type: data.output_type ?? null }, error };
        this.closeAgent(entry, false);
        return;
      case 'guardrail':
        if (entry.handle) {
          const tripped = data.triggered
            ? Object.assign(new Error(`guardrail "${data.name}" tripwire triggered`), { name: 'GuardrailTripwireTriggered' })
            : error;
          popScope(entry.handle, { output: { triggered: data.triggered }, timestamp: at, ...(tripped ? { error: tripped } : {}) });
        }
        break;
      case 'handoff': {
        const from = this.agentEntryOf(getEntry(span.parentId));
        const trace = this.traces.get(span.traceId);
        // The agent handing off stays open (counted as a running child) until its subagent ends.
        if (from && data.to_agent && trace && !trace.handoffs.has(data.to_agent)) {
          trace.handoffs.set(data.to_agent, from);
          this.agents.get(from)!.children++;
        }
        mark('handoff', { parent: scopeOf(from) ?? getHandle(), data: { from_agent: data.from_agent, to_agent: data.to_agent }, timestamp: at });
        break;
      }
      case 'response':
        if (!entry.owned) this.recordResponse(entry, span as Span<Extract<SpanData, { type: 'response' }>>, error);
        else this.noteCalls(entry, data._response?.['output']);
        break;
      case 'generation':
        if (!entry.owned) this.recordGeneration(entry, span as Span<Extract<SpanData, { type: 'generation' }>>, error);
        else this.noteCalls(entry, chatCallsOf(chatCompletionOf(data)));
        break;
      case 'function': {
        if (entry.owned) break;
        const handle = entry.open!() as ToolHandle;
        if (error) toolCallError(handle, Object.assign(error, { message: `${error.message}${data.output ? `: ${data.output}` : ''}` }), { timestamp: at });
        else toolCallEnd(handle, data.output, { timestamp: at });
        break;
      }
      default:
        break;
    }
    this.forget(entry);
  }

  private forget(entry: SpanEntry): void {
    dropEntry(entry.spanId);
    this.traces.get(entry.traceId)?.spans.delete(entry.spanId);
  }

  /** Ends an agent scope whose span ended and whose subagents all ended; then its parent, likewise. */
  private closeAgent(entry: SpanEntry, force: boolean): void {
    const state = this.agents.get(entry);
    if (!state || !entry.handle) return;
    if (!force && (!state.ended || state.children > 0)) return;
    const handle = entry.handle;
    entry.handle = undefined;
    this.agents.delete(entry);
    this.forget(entry);
    const err = state.ended?.error;
    popScope(handle, { output: state.ended?.output ?? null, ...(err ? { error: err } : {}) });
    const parent = entry.parent;
    const parentState = parent && this.agents.get(parent);
    if (parent && parentState && parentState.children > 0) {
      parentState.children--;
      this.closeAgent(parent, false);
    }
  }

  /** The nearest agent span at or above `entry` (handoffs sit under the agent's turn span). */
  private agentEntryOf(entry: SpanEntry | undefined): SpanEntry | undefined {
    for (let e = entry; e; e = e.parent) if (this.agents.has(e)) return e;
    return undefined;
  }

  private agentOf(entry: SpanEntry): AgentState | undefined {
    for (let e = entry.parent; e; e = e.parent) {
      const s = this.agents.get(e);
      if (s) return s;
    }
    return undefined;
  }

  private openTool(entry: SpanEntry, span: AnySpan, at: number | undefined): ToolHandle {
    const data = span.spanData as Extract<SpanData, { type: 'function' }>;
    let args: unknown = data.input;
    try {
      args = data.input ? JSON.parse(data.input) : {};
    } catch {
      // not JSON: keep the raw string
    }
    // The span does not carry the call id: take it from the agent's latest model response.
    const calls = this.agentOf(entry)?.calls;
    let toolCallId: string | undefined;
    if (calls) {
      const i = calls.findIndex((c) => c.name === data.name && c.args === data.input);
      const j = i >= 0 ? i : calls.findIndex((c) => c.name === data.name);
      if (j >= 0) toolCallId = calls.splice(j, 1)[0]!.id;
    }
    return toolCall(data.name, args, { parent: scopeOf(entry.parent) ?? getHandle(), ...(toolCallId ? { toolCallId } : {}), timestamp: at });
  }

  private recordResponse(entry: SpanEntry, span: Span<Extract<SpanData, { type: 'response' }>>, error: Error | undefined): void {
    const data = span.spanData;
    const response = data._response;
    const rawInput = data._input;
    const input = typeof rawInput === 'string' ? rawInput : (rawInput ?? []).map(toResponsesItem);
    const model = typeof response?.['model'] === 'string' ? response['model'] : undefined;
    const content = { ...(model ? { model } : {}), input };
    const handle = llmCall(
      model ?? 'openai.responses',
      { headers: {}, content },
      { parent: scopeOf(entry.parent) ?? getHandle(), codec: 'openai-responses', timestamp: micros(span.startedAt) },
    );
    const at = micros(span.endedAt);
    if (error || !response) {
      llmCallError(handle, error ?? new Error('no response recorded on the span (tracing without data)'), { timestamp: at });
      return;
    }
    llmCallEnd(handle, response, { timestamp: at });
    this.noteCalls(entry, response['output']);
  }

  private recordGeneration(entry: SpanEntry, span: Span<Extract<SpanData, { type: 'generation' }>>, error: Error | undefined): void {
    const data = span.spanData;
    const content = { ...(data.model ? { model: data.model } : {}), messages: data.input ?? [] };
    const handle = llmCall(
      data.model ?? 'openai.chat',
      { headers: {}, content },
      { parent: scopeOf(entry.parent) ?? getHandle(), codec: 'openai-chat', timestamp: micros(span.startedAt) },
    );
    const at = micros(span.endedAt);
    if (error) {
      llmCallError(handle, error, { timestamp: at });
      return;
    }
    const completion = chatCompletionOf(data);
    llmCallEnd(handle, completion, { timestamp: at });
    this.noteCalls(entry, chatCallsOf(completion));
  }

  private noteCalls(entry: SpanEntry, output: unknown): void {
    const state = this.agentOf(entry);
    if (!state || !Array.isArray(output)) return;
    state.calls = output
      .filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null && o.type === 'function_call')
      .map((o) => ({ id: String(o['call_id']), name: String(o['name']), args: String(o['arguments']) }));
  }
}
