/**
 * `NemoFlowCallbackHandler`: LangChain.js callbacks → NeMo Flow scopes and manual LLM/tool calls.
 * Nesting comes from LangChain's run ids, never from async context, so parallel tool calls and
 * LangGraph branches land under the right parent even when the framework loses the context.
 */
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type { ChainValues } from '@langchain/core/utils/types';
import type { DocumentInterface } from '@langchain/core/documents';
import type { AgentAction, AgentFinish } from '@langchain/core/agents';
import {
  LlmHandle,
  ScopeHandle,
  ScopeStack,
  ScopeType,
  ToolHandle,
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
import { nowMicros, reportFailure } from '@nemo-flow/runtime/exporter-kit';
import { toChatCompletion, toChatMessage } from './messages.js';
import { WRAPPED_MODEL_KEY, managedTools } from './managed.js';

/** Options of `NemoFlowCallbackHandler`. */
export interface NemoFlowCallbackHandlerOptions {
  /** Name of the agent scope opened for a top-level run (default: the run's own name). */
  agentName?: string;
  /** Session id of top-level runs (default: LangGraph's `configurable.thread_id`). */
  sessionId?: string;
  /** User id recorded on top-level runs. */
  userId?: string;
  /** `false`: no chain inputs/outputs, prompts, completions, tool arguments or results on the events (names and usage stay). Default `true`. */
  captureContent?: boolean;
}

type Kind = 'scope' | 'pass' | 'llm' | 'tool' | 'wrapped-llm' | 'managed-tool';

interface Run {
  kind: Kind;
  /** Where children of this run attach (a `pass` run: its parent's scope). */
  handle: ScopeHandle | undefined;
  /** Epoch microseconds of the first streamed token (LLM runs). */
  firstToken?: number;
}

const HIDDEN_TAG = 'langsmith:hidden';

function lastId(s: Serialized | undefined): string | undefined {
  const id = (s as { id?: unknown } | undefined)?.id;
  return Array.isArray(id) && typeof id[id.length - 1] === 'string' ? (id[id.length - 1] as string) : undefined;
}

function isMessage(v: unknown): v is BaseMessage {
  return typeof v === 'object' && v !== null && typeof (v as { _getType?: unknown })._getType === 'function' && 'content' in v;
}

/** Chain inputs/outputs with LangChain messages shown as chat messages (one level deep: cheap). */
function plain(v: unknown): unknown {
  if (isMessage(v)) return toChatMessage(v);
  if (Array.isArray(v)) return v.some(isMessage) ? v.map((x) => (isMessage(x) ? toChatMessage(x) : x)) : v;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    let out: Record<string, unknown> | undefined;
    for (const [k, x] of Object.entries(v)) {
      const p = isMessage(x) || (Array.isArray(x) && x.some(isMessage)) ? plain(x) : x;
      if (p !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = p;
    }
    return out ?? v;
  }
  return v;
}

function parseToolInput(input: string): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch {
    return { input };
  }
}

/**
 * A LangChain.js callback handler that records every chain, chat model / LLM, tool and retriever run
 * as NeMo Flow events: top-level runs as agent scopes (session from LangGraph's thread id), chains and
 * graph nodes as function scopes, model runs as LLM calls (OpenAI chat format, token usage, time to
 * first token), tool runs as tool calls (with the tool call id), retrievers as retriever scopes.
 */
export class NemoFlowCallbackHandler extends BaseCallbackHandler {
  name = 'nemo_flow';
  private readonly runs = new Map<string, Run>();
  private readonly options: NemoFlowCallbackHandlerOptions;

  constructor(options: NemoFlowCallbackHandlerOptions = {}) {
    // Awaited in line: the handler is synchronous and must see the caller's async context for top-level runs.
    super({ _awaitHandler: true });
    if (options === null || typeof options !== 'object') throw new TypeError(`NemoFlowCallbackHandler: options must be an object, got ${String(options)}`);
    // `copy()` (LangChain's) passes the handler itself: keep its options.
    this.options = options instanceof NemoFlowCallbackHandler ? options.options : options;
  }

  /** Number of runs started and not ended yet (for tests and leak checks). */
  get openRuns(): number {
    return this.runs.size;
  }

  /** @internal The scope a child of `parentRunId` attaches to (the current scope when unknown). */
  parentFor(parentRunId: string | undefined): ScopeHandle {
    return (parentRunId !== undefined ? this.runs.get(parentRunId)?.handle : undefined) ?? getHandle();
  }

  /** @internal The wrapped chat model tells the handler which call it opened for a run. */
  adoptLlm(runId: string, handle: LlmHandle): void {
    const run = this.runs.get(runId);
    if (run && run.kind === 'wrapped-llm') run.handle = handle;
  }

  private get content(): boolean {
    return this.options.captureContent !== false;
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      reportFailure(`langchain:${what}`, `NemoFlowCallbackHandler.${what} failed: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  }

  /** Opens a scope with an explicit parent on a stack of its own, so it can end in any order. */
  private open(runId: string, name: string, type: ScopeType, parent: ScopeHandle, input: unknown, metadata: Record<string, unknown> | undefined): void {
    const handle = runWithScopeStack(new ScopeStack(parent), () => pushScope(name, type, { parent, input: this.content ? input : undefined, metadata }));
    this.runs.set(runId, { kind: 'scope', handle });
  }

  private close(runId: string, output: unknown, error?: unknown): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.runs.delete(runId);
    if (run.kind !== 'scope' || !run.handle?.isOpen) return;
    popScope(run.handle, error === undefined ? { output: this.content ? output : undefined } : { error });
  }

  override handleChainStart(
    chain: Serialized,
    inputs: ChainValues,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Record<string, unknown>,
    _runType?: string,
    runName?: string,
  ): void {
    this.guard('handleChainStart', () => {
      const parentRun = parentRunId !== undefined ? this.runs.get(parentRunId) : undefined;
      const parent = parentRun?.handle ?? getHandle();
      const name = runName ?? lastId(chain) ?? 'chain';
      if (!parentRun) {
        const session = this.options.sessionId ?? (metadata?.['thread_id'] as string | undefined);
        const meta: Record<string, unknown> = {};
        if (session !== undefined) meta['session_id'] = String(session);
        if (this.options.userId !== undefined) meta['user_id'] = this.options.userId;
        this.open(runId, this.options.agentName ?? name, ScopeType.Agent, parent, plain(inputs), meta);
        return;
      }
      if (tags?.includes(HIDDEN_TAG)) {
        this.runs.set(runId, { kind: 'pass', handle: parentRun.handle });
        return;
      }
      const node = metadata?.['langgraph_node'];
      const meta = node !== undefined && node === name ? { langgraph_node: node, langgraph_step: metadata?.['langgraph_step'] } : undefined;
      this.open(runId, name, ScopeType.Function, parent, plain(inputs), meta);
    });
  }

  override handleChainEnd(outputs: ChainValues, runId: string): void {
    this.guard('handleChainEnd', () => this.close(runId, plain(outputs)));
  }

  override handleChainError(err: Error, runId: string): void {
    this.guard('handleChainError', () => this.close(runId, undefined, err));
  }

  override handleChatModelStart(
    llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.guard('handleChatModelStart', () => {
      const parent = this.parentFor(parentRunId);
      if (metadata?.[WRAPPED_MODEL_KEY] === true) {
        // The wrapper runs this call through the middleware pipeline and records it itself, under
        // `parent` (its `parentFor(runId)`) until it hands over its call with `adoptLlm`.
        this.runs.set(runId, { kind: 'wrapped-llm', handle: parent });
        return;
      }
      const params = (extraParams?.['invocation_params'] ?? {}) as Record<string, unknown>;
      const model = (params['model'] ?? params['modelName'] ?? metadata?.['ls_model_name']) as string | undefined;
      const content: Record<string, unknown> = { ...params, model, messages: (messages[0] ?? []).map(toChatMessage) };
      this.startLlm(runId, runName ?? lastId(llm) ?? 'chat_model', parent, content, model, params['stream'] === true || params['streaming'] === true);
    });
  }

  override handleLLMStart(
    llm: Serialized,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.guard('handleLLMStart', () => {
      const params = (extraParams?.['invocation_params'] ?? {}) as Record<string, unknown>;
      const model = (params['model'] ?? params['modelName'] ?? metadata?.['ls_model_name']) as string | undefined;
      // A completion model: its prompts read as user turns.
      const content = { ...params, model, messages: prompts.map((p) => ({ role: 'user', content: p })) };
      this.startLlm(
        runId,
        runName ?? lastId(llm) ?? 'llm',
        this.parentFor(parentRunId),
        content,
        model,
        params['stream'] === true || params['streaming'] === true,
      );
    });
  }

  private startLlm(runId: string, name: string, parent: ScopeHandle, content: Record<string, unknown>, model: string | undefined, streaming: boolean): void {
    const handle = llmCall(
      name,
      { headers: {}, content },
      { parent, codec: 'openai-chat', modelName: model, attributes: streaming ? ['streaming'] : undefined, captureContent: this.options.captureContent },
    );
    this.runs.set(runId, { kind: 'llm', handle });
  }

  override handleLLMNewToken(_token: string, _idx: unknown, runId: string): void {
    const run = this.runs.get(runId);
    if (run && run.firstToken === undefined) run.firstToken = nowMicros();
  }

  private endLlm(runId: string, output: LLMResult | undefined, error?: unknown): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.runs.delete(runId);
    const h = run.handle;
    if (!(h instanceof LlmHandle)) return;
    if (run.firstToken !== undefined) h.recordTransport({ time_to_first_chunk_ms: Math.max(0, (run.firstToken - h.startMicros) / 1000) });
    if (run.kind !== 'llm' || !h.isOpen) return; // a wrapped model's call ends itself
    if (error !== undefined) llmCallError(h, error);
    else llmCallEnd(h, toChatCompletion(output!, h.modelName));
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    this.guard('handleLLMEnd', () => this.endLlm(runId, output));
  }

  override handleLLMError(err: Error, runId: string): void {
    this.guard('handleLLMError', () => this.endLlm(runId, undefined, err));
  }

  override handleToolStart(
    tool: Serialized,
    input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    this.guard('handleToolStart', () => {
      const name = runName ?? (tool as { name?: string }).name ?? lastId(tool) ?? 'tool';
      const current = getHandle();
      if (current instanceof ToolHandle && managedTools.has(current) && current.name === name) {
        // Inside wrapTool's managed call: that call is this run.
        this.runs.set(runId, { kind: 'managed-tool', handle: current });
        return;
      }
      const handle = toolCall(name, this.content ? parseToolInput(input) : null, { parent: this.parentFor(parentRunId), toolCallId });
      this.runs.set(runId, { kind: 'tool', handle });
    });
  }

  private endTool(runId: string, output: unknown, error?: unknown): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.runs.delete(runId);
    if (run.kind !== 'tool' || !(run.handle instanceof ToolHandle) || !run.handle.isOpen) return;
    if (error !== undefined) toolCallError(run.handle, error);
    else toolCallEnd(run.handle, !this.content ? null : isMessage(output) ? output.content : output);
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.guard('handleToolEnd', () => this.endTool(runId, output));
  }

  override handleToolError(err: Error, runId: string): void {
    this.guard('handleToolError', () => this.endTool(runId, undefined, err));
  }

  override handleRetrieverStart(
    retriever: Serialized,
    query: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    name?: string,
  ): void {
    this.guard('handleRetrieverStart', () =>
      this.open(runId, name ?? lastId(retriever) ?? 'retriever', ScopeType.Retriever, this.parentFor(parentRunId), { query }, undefined),
    );
  }

  override handleRetrieverEnd(documents: DocumentInterface[], runId: string): void {
    this.guard('handleRetrieverEnd', () =>
      this.close(runId, { documents: documents.map((d) => ({ id: d.id, page_content: d.pageContent, metadata: d.metadata })) }),
    );
  }

  override handleRetrieverError(err: Error, runId: string): void {
    this.guard('handleRetrieverError', () => this.close(runId, undefined, err));
  }

  override handleAgentAction(action: AgentAction, runId: string): void {
    this.guard('handleAgentAction', () =>
      mark('agent_action', {
        parent: this.parentFor(runId),
        data: this.content ? { tool: action.tool, tool_input: action.toolInput, log: action.log } : { tool: action.tool },
      }),
    );
  }

  override handleAgentEnd(action: AgentFinish, runId: string): void {
    this.guard('handleAgentEnd', () => mark('agent_finish', { parent: this.parentFor(runId), data: this.content ? action.returnValues : null }));
  }
}
