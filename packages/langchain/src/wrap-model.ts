/**
 * `wrapChatModel`: a LangChain chat model whose calls run through the runtime's LLM pipeline. The
 * request middleware sees is OpenAI Chat shaped (`{ model, messages, tools? }`), so LLM guardrails
 * block before any request is sent and request intercepts change the messages the model gets.
 */
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatGenerationChunk, ChatResult } from '@langchain/core/outputs';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { LlmHandle, getHandle, llmCallExecute, llmStreamCallExecute, type LlmRequest } from '@nemo-flow/runtime';
import { describeValue } from '@nemo-flow/runtime/exporter-kit';
import { findHandler, type AttachedHandler } from './find-handler.js';
import { WRAPPED_MODEL_KEY } from './managed.js';
import { fromChatMessage, toChatCompletion, toChatMessage, type ChatMessage } from './messages.js';

/** Models made by `wrapChatModel` (wrapping one again returns it as it is). */
const wrappedModels = new WeakSet<object>();

interface ChatContent {
  model: string | undefined;
  messages: ChatMessage[];
  tools?: unknown;
  [key: string]: unknown;
}

type Generate = (messages: BaseMessage[], options: Record<string, unknown>, runManager?: CallbackManagerForLLMRun) => Promise<ChatResult>;
type Stream = (messages: BaseMessage[], options: Record<string, unknown>, runManager?: CallbackManagerForLLMRun) => AsyncGenerator<ChatGenerationChunk>;

function modelNameOf(model: BaseChatModel): string | undefined {
  const m = model as unknown as { model?: unknown; modelName?: unknown };
  const v = m.model ?? m.modelName;
  return typeof v === 'string' ? v : undefined;
}

/** The messages to send: the originals unless an intercept replaced them. */
function messagesFor(request: LlmRequest<ChatContent>, sent: ChatContent, original: BaseMessage[]): BaseMessage[] {
  const now = request.content?.messages;
  return now === sent.messages || !Array.isArray(now) ? original : now.map(fromChatMessage);
}

/** A completion an execution intercept produced as the model's result. */
function chatResultOf(completion: unknown): ChatResult {
  const choice = (completion as { choices?: { message?: ChatMessage }[] } | null)?.choices?.[0];
  const message = fromChatMessage(choice?.message ?? { role: 'assistant', content: '' });
  return { generations: [{ text: typeof message.content === 'string' ? message.content : '', message }] };
}

/**
 * Wraps a chat model (ChatOpenAI, ChatAnthropic, …) so every call — `invoke`, `stream`, LangGraph
 * nodes, `bindTools` results — runs as a managed NeMo Flow LLM call: conditional guardrails can block
 * it before any request, request intercepts rewrite `{ model, messages, tools }`, execution
 * intercepts wrap or answer it, sanitizers shape what is recorded. With a `NemoFlowCallbackHandler`
 * attached too, the call is recorded once, under the run it belongs to. The original model is left
 * untouched; the wrapper inherits everything else from it.
 */
export function wrapChatModel<M extends BaseChatModel>(model: M): M {
  const m = model as unknown as { _generate?: unknown; _streamResponseChunks?: unknown; metadata?: Record<string, unknown>; withConfig?: unknown };
  if (model === null || typeof model !== 'object' || typeof m._generate !== 'function') {
    throw new TypeError(`wrapChatModel: model must be a LangChain chat model (a BaseChatModel), got ${describeValue(model)}`);
  }
  if (wrappedModels.has(model)) return model;
  const generate = m._generate as Generate;
  const stream = m._streamResponseChunks as Stream;
  const wrapped = Object.create(model) as M;
  const name = model.getName();
  const modelName = modelNameOf(model);
  const w = wrapped as unknown as { metadata: Record<string, unknown>; _generate: Generate; _streamResponseChunks: Stream };
  // Tells an attached handler that this model records its own calls.
  w.metadata = { ...(m.metadata ?? {}), [WRAPPED_MODEL_KEY]: true };
  // Models whose withConfig/bindTools build a new instance (ChatOpenAI does) stay wrapped.
  const withConfig = m.withConfig as (config: unknown) => unknown;
  (w as unknown as { withConfig: (config: unknown) => unknown }).withConfig = (config) => {
    const bound = withConfig.call(wrapped, config);
    return bound instanceof BaseChatModel ? wrapChatModel(bound) : bound;
  };
  // Event streaming (LangChain's v1 stream events) goes through `_streamResponseChunks` below too.
  (w as unknown as { _streamChatModelEvents: unknown })._streamChatModelEvents = BaseChatModel.prototype._streamChatModelEvents;
  wrappedModels.add(wrapped);

  const prepare = (messages: BaseMessage[], options: Record<string, unknown>, runManager: CallbackManagerForLLMRun | undefined) => {
    const attached: AttachedHandler | undefined = runManager ? findHandler(runManager) : undefined;
    const runId = runManager?.runId;
    const content: ChatContent = { model: modelName, messages: messages.map(toChatMessage) };
    if (options['tools'] !== undefined) content.tools = options['tools'];
    const adopt = (): void => {
      const h = getHandle();
      if (attached && runId && h instanceof LlmHandle) attached.handler.adoptLlm(runId, h);
    };
    const callOptions = { codec: 'openai-chat' as const, modelName, parent: attached && runId ? attached.handler.parentFor(runId) : undefined };
    return { content, adopt, callOptions };
  };

  w._generate = async (messages, options, runManager) => {
    const { content, adopt, callOptions } = prepare(messages, options, runManager);
    let real: ChatResult | undefined;
    let realCompletion: unknown;
    const completion = await llmCallExecute(
      name,
      { headers: {}, content },
      async (request) => {
        adopt();
        real = await generate.call(wrapped, messagesFor(request, content, messages), options, runManager);
        return (realCompletion = toChatCompletion(real, modelName ?? null));
      },
      callOptions,
    );
    return real !== undefined && completion === realCompletion ? real : chatResultOf(completion);
  };

  w._streamResponseChunks = async function* (messages, options, runManager) {
    const { content, adopt, callOptions } = prepare(messages, options, runManager);
    let all: ChatGenerationChunk | undefined;
    const chunks = await llmStreamCallExecute<ChatGenerationChunk, ChatContent>(
      name,
      { headers: {}, content },
      (request) => {
        adopt();
        return stream.call(wrapped, messagesFor(request, content, messages), options, runManager);
      },
      {
        ...callOptions,
        collector: (c) => {
          all = all ? all.concat(c) : c;
        },
        finalizer: () => toChatCompletion({ generations: all ? [all] : [] }, modelName ?? null),
      },
    );
    yield* chunks;
  };
  return wrapped;
}
