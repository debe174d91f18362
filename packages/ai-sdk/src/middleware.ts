/**
 * `nemoFlowMiddleware()`: a language-model middleware for the AI SDK's `wrapLanguageModel`. Every
 * `doGenerate` / `doStream` becomes a managed LLM call on the runtime, so guardrails can block it
 * before any request is sent, request intercepts rewrite the call options the provider receives,
 * execution intercepts retry, route or cache, and subscribers see the normalized request and
 * response (the runtime's `ai-sdk` codec) whatever the provider.
 */
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Middleware,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import { LlmHandle, getHandle, llmCallExecute, llmStreamCallExecute, type LlmStream } from '@nemo-flow/runtime';
import { nowMicros } from '@nemo-flow/runtime/exporter-kit';
import { providerNameOf } from './provider-name.js';

/**
 * The call options as the runtime sees them (the request's `content`): everything but the abort
 * signal (not data) and the per-call HTTP headers (the request's `headers`).
 */
export type AiSdkCallContent = Omit<LanguageModelV4CallOptions, 'abortSignal' | 'headers'>;

export interface NemoFlowMiddlewareOptions {
  /**
   * Name of the LLM calls (events, spans). Defaults to the model's provider id, e.g.
   * `openai.chat` or `anthropic.messages`. A function receives the model.
   */
  name?: string | ((model: LanguageModelV4) => string);
  /** Model name on events and spans. Defaults to the model's id, e.g. `gpt-4o-mini`. */
  modelName?: string | ((model: LanguageModelV4) => string);
  /** Recorded on every call's events. */
  metadata?: unknown;
  /** Attribute strings added to every call. */
  attributes?: readonly string[];
  /**
   * `false`: events carry no prompt or output (no payload, no messages, text or tool calls in the
   * annotations); model, parameters, ids, finish reason and token usage stay. Default `true`.
   */
  captureContent?: boolean;
}

function pick(v: string | ((m: LanguageModelV4) => string) | undefined, model: LanguageModelV4, fallback: string): string {
  if (typeof v === 'function') return v(model);
  return v ?? fallback;
}

function checkOptions(options: unknown): NemoFlowMiddlewareOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `nemoFlowMiddleware: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`,
    );
  }
  const o = options as NemoFlowMiddlewareOptions;
  for (const k of ['name', 'modelName'] as const) {
    const v = o[k];
    if (v !== undefined && typeof v !== 'string' && typeof v !== 'function')
      throw new TypeError(`nemoFlowMiddleware: options.${k} must be a string or a function of the model`);
  }
  if (o.attributes !== undefined && !Array.isArray(o.attributes)) throw new TypeError('nemoFlowMiddleware: options.attributes must be an array of strings');
  if (o.captureContent !== undefined && typeof o.captureContent !== 'boolean')
    throw new TypeError('nemoFlowMiddleware: options.captureContent must be a boolean');
  return o;
}

type Headers = Record<string, string | undefined>;

/** The managed request: headers and content split off the call options; the abort signal kept aside. */
function split(params: LanguageModelV4CallOptions): { request: { headers: Headers; content: AiSdkCallContent }; signal: AbortSignal | undefined } {
  const { abortSignal, headers, ...content } = params;
  return { request: { headers: headers ?? {}, content }, signal: abortSignal };
}

/** The call options for the provider from the (possibly rewritten) managed request. */
function join(request: { headers: Record<string, unknown>; content: AiSdkCallContent }, signal: AbortSignal | undefined): LanguageModelV4CallOptions {
  const options: LanguageModelV4CallOptions = { ...request.content, abortSignal: signal };
  if (Object.keys(request.headers).length > 0) options.headers = request.headers as Headers;
  return options;
}

/** Stream parts that carry model output (not `stream-start`, `response-metadata`, `raw`…). */
const CONTENT_PARTS = new Set(['text-delta', 'reasoning-delta', 'tool-input-start', 'tool-call', 'file', 'source']);

/**
 * Reads a provider stream as an async iterable. Stopping early cancels the provider stream at
 * once, even while a read is pending (an async generator would wait for that read to finish). A
 * stream that ends because the call was aborted ends with the abort reason. The time to the first
 * output part is recorded on `call`: providers send `stream-start` before any token arrives.
 */
function partsOf(
  stream: ReadableStream<LanguageModelV4StreamPart>,
  signal: AbortSignal | undefined,
  call: LlmHandle | undefined,
): AsyncIterableIterator<LanguageModelV4StreamPart> {
  const reader = stream.getReader();
  let closed = false;
  let first = call !== undefined;
  const it: AsyncIterableIterator<LanguageModelV4StreamPart> = {
    async next() {
      if (closed) return { done: true, value: undefined };
      const r = await reader.read();
      if (r.done) {
        closed = true;
        // Providers close their stream quietly on abort: the call ended because of the abort.
        if (signal?.aborted) throw signal.reason ?? new DOMException('aborted', 'AbortError');
      }
      if (r.done) return { done: true, value: undefined };
      if (first && CONTENT_PARTS.has(r.value.type)) {
        first = false;
        call!.recordTransport({ time_to_first_chunk_ms: (nowMicros() - call!.startMicros) / 1000 });
      }
      return { done: false, value: r.value };
    },
    async return() {
      if (!closed) {
        closed = true;
        await reader.cancel().catch(() => undefined);
      }
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

/** The managed stream as the `ReadableStream` the AI SDK expects; cancelling it ends the call. */
function readableOf(stream: LlmStream<LanguageModelV4StreamPart>): ReadableStream<LanguageModelV4StreamPart> {
  return new ReadableStream<LanguageModelV4StreamPart>({
    async pull(controller) {
      try {
        const r = await stream.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await stream.return();
    },
  });
}

/**
 * A language-model middleware putting every model call on the NeMo Flow runtime:
 *
 * ```ts
 * const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: nemoFlowMiddleware() });
 * ```
 *
 * What the AI SDK gets back is exactly what the provider returned (or what an execution
 * intercept produced); errors are the original ones, or a `GuardrailRejectedError`.
 */
export function nemoFlowMiddleware(options?: NemoFlowMiddlewareOptions): LanguageModelV4Middleware {
  const o = checkOptions(options);
  const callOptions = (model: LanguageModelV4) => {
    const provider = providerNameOf(model.provider, model.modelId);
    return {
      codec: 'ai-sdk' as const,
      modelName: pick(o.modelName, model, model.modelId),
      metadata: o.metadata,
      attributes: o.attributes,
      captureContent: o.captureContent,
      transport: provider === undefined ? undefined : { provider_name: provider },
    };
  };
  return {
    specificationVersion: 'v4',
    wrapGenerate({ params, model }): PromiseLike<LanguageModelV4GenerateResult> {
      const { request, signal } = split(params);
      return llmCallExecute(pick(o.name, model, model.provider), request, (req) => model.doGenerate(join(req, signal)), callOptions(model));
    },
    async wrapStream({ params, model }): Promise<LanguageModelV4StreamResult> {
      const { request, signal } = split(params);
      let rest: Omit<LanguageModelV4StreamResult, 'stream'> = {};
      const stream = await llmStreamCallExecute(
        pick(o.name, model, model.provider),
        request,
        async (req) => {
          const call = getHandle(); // the callback runs in the call's own scope
          const { stream: parts, ...meta } = await model.doStream(join(req, signal));
          rest = meta;
          return partsOf(parts, signal, call instanceof LlmHandle ? call : undefined);
        },
        callOptions(model),
      );
      return { ...rest, stream: readableOf(stream) };
    },
  };
}
