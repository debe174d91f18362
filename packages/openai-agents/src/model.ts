/**
 * Model wrappers: every Agents SDK model call runs through NeMo Flow's managed LLM pipeline, so
 * guardrails block before any request is sent and request intercepts change what is sent.
 */
import { llmCallExecute, llmStreamCallExecute, getHandle } from '@nemo-flow/runtime';
import type { ScopeHandle } from '@nemo-flow/runtime';
import { OpenAIResponsesCodec, type LlmCodec, type NormalizedResponse, type StreamAccumulator } from '@nemo-flow/runtime/codecs';
import { getCurrentSpan } from '@openai/agents';
import type { Model, ModelProvider, ModelRequest, ModelResponse, StreamEvent } from '@openai/agents';
import { getEntry, scopeOf, wrappedModelCall } from './registry.js';
import { requestPayload, responsesObject } from './payload.js';

export interface WrapModelOptions {
  /** Name of the LLM calls (default: `openai-agents.<model>`). */
  name?: string;
  /** Model name on events when the model does not say (the provider's model id). */
  modelName?: string;
}

const responses = new OpenAIResponsesCodec();

/** The Responses codec, reading the SDK's `ModelResponse` through the raw response it carries. */
function agentsCodec(model: string | undefined): LlmCodec {
  return {
    name: 'openai-responses',
    decode: (c) => responses.decode(c),
    encode: (n, o) => responses.encode(n, o),
    decodeResponse: (r) => responses.decodeResponse(responsesObject(r as ModelResponse, model)),
    summarizeResponse: (r) => (responses.summarizeResponse ?? responses.decodeResponse).call(responses, responsesObject(r as ModelResponse, model)),
    createAccumulator: (): StreamAccumulator => {
      let last: unknown;
      return {
        push(chunk: unknown) {
          const ev = chunk as StreamEvent;
          if (ev.type === 'model' && (ev.event as { type?: string } | undefined)?.type === 'response.completed')
            last = (ev.event as { response?: unknown }).response;
        },
        finish(): NormalizedResponse {
          return responses.decodeResponse(last ?? { object: 'response', output: [] });
        },
      };
    },
  };
}

/** The NeMo Flow scope of the SDK span current at the call (the agent running it), else the current scope. */
function parentScope(): ScopeHandle {
  return scopeOf(getEntry(getCurrentSpan()?.spanId)) ?? getHandle();
}

/** Runs `next()` of `source` inside the wrapped-call context, so the SDK's own span inside is not recorded twice. */
function owned<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      return {
        next: () => wrappedModelCall.run(true, () => it.next()),
        return: (v?: unknown) => wrappedModelCall.run(true, () => it.return?.(v) ?? Promise.resolve({ done: true as const, value: undefined as never })),
      };
    },
  };
}

/** Wraps an Agents SDK `Model` so its calls run through NeMo Flow's LLM middleware and are recorded once. */
export function wrapModel(model: Model, options: WrapModelOptions = {}): Model {
  if (typeof model !== 'object' || model === null || typeof model.getResponse !== 'function') {
    throw new TypeError(`wrapModel: model must be an Agents SDK Model (with getResponse), got ${model === null ? 'null' : typeof model}`);
  }
  const modelName = options.modelName ?? ((model as { model?: unknown })['model'] as string | undefined);
  const name = options.name ?? `openai-agents.${typeof modelName === 'string' ? modelName : 'model'}`;
  const codec = agentsCodec(typeof modelName === 'string' ? modelName : undefined);
  const wrapped: Model = {
    ...(model.supportsPromptModelSelection !== undefined ? { supportsPromptModelSelection: model.supportsPromptModelSelection } : {}),
    ...(model.getRetryAdvice ? { getRetryAdvice: model.getRetryAdvice.bind(model) } : {}),
    getResponse(request: ModelRequest): Promise<ModelResponse> {
      const payload = requestPayload(request, typeof modelName === 'string' ? modelName : undefined);
      return llmCallExecute(
        name,
        { headers: {}, content: payload.content },
        (r) => wrappedModelCall.run(true, () => model.getResponse(payload.toRequest(r.content))),
        { codec, parent: parentScope() },
      );
    },
    async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
      const payload = requestPayload(request, typeof modelName === 'string' ? modelName : undefined);
      const stream = await llmStreamCallExecute(
        name,
        { headers: {}, content: payload.content },
        (r) => owned(wrappedModelCall.run(true, () => model.getStreamedResponse(payload.toRequest(r.content)))),
        {
          codec,
          parent: parentScope(),
        },
      );
      for await (const ev of stream) yield ev as StreamEvent;
    },
  };
  return wrapped;
}

/** Wraps a `ModelProvider` (e.g. `new OpenAIProvider()`): every model it hands out is wrapped with `wrapModel`. */
export function wrapModelProvider(provider: ModelProvider, options: Omit<WrapModelOptions, 'modelName'> = {}): ModelProvider {
  if (typeof provider !== 'object' || provider === null || typeof provider.getModel !== 'function') {
    throw new TypeError(`wrapModelProvider: provider must be an Agents SDK ModelProvider (with getModel), got ${provider === null ? 'null' : typeof provider}`);
  }
  return {
    async getModel(modelName?: string): Promise<Model> {
      return wrapModel(await provider.getModel(modelName), { ...options, ...(modelName ? { modelName } : {}) });
    },
  };
}
