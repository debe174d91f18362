/**
 * The instrumented `create` methods. Each SDK call is one runtime call: `chat.completions.create`
 * and `responses.create` (and the helpers built on them: `parse`, `stream()`, `runTools`) an LLM
 * call through the full middleware pipeline; `embeddings.create` an embedder scope. The real SDK
 * method runs inside, with the request as middleware left it.
 */
import { ScopeType, llmCallExecute, llmStreamCallExecute, withScope } from '@nemo-flow/runtime';
import type { LlmCallOptions, ScopeHandle } from '@nemo-flow/runtime';
import type { CodecName } from '@nemo-flow/runtime/codecs';
import type OpenAI from 'openai';
import type { APIPromise } from 'openai';
import type { Stream } from 'openai/core/streaming';
import { sdkPromise, type Outcome, type ResponseProps } from './sdk-promise.js';
import { callerStream, sourceOf } from './stream.js';
import { countAttempts, record, serverOf, statusOf } from './transport.js';

/** Options of `instrumentOpenAI`. */
export interface InstrumentOpenAIOptions {
  /**
   * Name of the calls' events and spans. Default: `openai.chat.completions`, `openai.responses` and
   * `openai.embeddings` by API.
   */
  name?: string;
  /** Parent scope of every call. Default: the current scope of the caller's async context. */
  parent?: ScopeHandle;
  /** Attribute strings added to every call's events. */
  attributes?: readonly string[];
  /** Metadata recorded on every call's events. */
  metadata?: unknown;
  /**
   * `false`: events carry no prompts, completions, tool calls or embedding inputs — only model,
   * parameters, ids, finish reasons, token usage and transport facts. Default `true`.
   */
  captureContent?: boolean;
}

/** A resource method's original implementation. */
export type Create = (this: unknown, body: unknown, options?: unknown) => APIPromise<unknown>;

/** What differs between the instrumented APIs. */
export interface Api {
  path: string;
  defaultName: string;
  codec?: CodecName;
}

export const CHAT: Api = { path: '/chat/completions', defaultName: 'openai.chat.completions', codec: 'openai-chat' };
export const RESPONSES: Api = { path: '/responses', defaultName: 'openai.responses', codec: 'openai-responses' };
export const EMBEDDINGS: Api = { path: '/embeddings', defaultName: 'openai.embeddings' };

/**
 * Runs the real SDK call, handing its response props to `keep`; a failure's HTTP status is recorded
 * on the runtime call (the callback runs inside it; `countAttempts` records the attempts).
 */
function realCall(original: Create, resource: unknown, body: unknown, options: unknown, keep: (props: ResponseProps) => void): Promise<unknown> {
  // Plain promise chains, not an async frame: each await of the SDK's promise costs extra promises
  // (and promise hooks) on every call.
  let sdk: APIPromise<unknown>;
  try {
    sdk = original.call(resource, body, options);
  } catch (err) {
    return Promise.reject(failed(err));
  }
  return sdk
    ._thenUnwrap((data, props) => {
      keep(props);
      return data;
    })
    .then(undefined, (err: unknown) => {
      throw failed(err);
    });
}

/** Records a failure's HTTP status on the runtime call; returns the error. */
function failed(err: unknown): unknown {
  const status = statusOf(err);
  if (status !== undefined) record({ http_status: status });
  return err;
}

function isStreaming(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
}

/** `chat.completions.create` / `responses.create`, instrumented. */
export function llmCreate(api: Api, original: Create, client: OpenAI, options: InstrumentOpenAIOptions | undefined): Create {
  countAttempts(client);
  return function (this: unknown, body: unknown, requestOptions?: unknown): APIPromise<unknown> {
    const transport = serverOf(client);
    const callOptions: LlmCallOptions = {
      codec: api.codec,
      parent: options?.parent,
      attributes: options?.attributes,
      metadata: options?.metadata,
      transport,
      captureContent: options?.captureContent,
    };
    const name = options?.name ?? api.defaultName;
    const request = { headers: {}, content: body };
    let props: ResponseProps | undefined;
    const keep = (p: ResponseProps): void => {
      props = p;
      record({ http_status: p.response.status });
    };
    let outcome: Promise<Outcome>;
    const streamed = isStreaming(body);
    if (!streamed) {
      outcome = llmCallExecute(name, request, (r) => realCall(original, this, r.content, requestOptions, keep), callOptions).then((data) => ({
        data,
        props,
      }));
    } else {
      let controller: AbortController | undefined;
      outcome = llmStreamCallExecute(
        name,
        request,
        (r) =>
          realCall(original, this, r.content, requestOptions, keep).then((s) => {
            controller = (s as Stream<unknown>).controller;
            return sourceOf(s as Stream<unknown>);
          }),
        callOptions,
      ).then((llm) => ({
        data: callerStream(llm, controller ?? new AbortController(), client),
        props,
        onRaw: () => void llm.return().catch(() => undefined),
      }));
    }
    return sdkPromise(client, api.path, body, streamed, outcome);
  };
}

/** Embedding token usage and shape, without the vectors. */
function embeddingSummary(res: unknown): Record<string, unknown> {
  const r = (typeof res === 'object' && res !== null ? res : {}) as {
    model?: unknown;
    data?: unknown;
    usage?: { prompt_tokens?: unknown; total_tokens?: unknown };
  };
  const out: Record<string, unknown> = {};
  if (typeof r.model === 'string') out.model = r.model;
  if (Array.isArray(r.data)) out.embeddings = r.data.length;
  if (r.usage) out.usage = { input_tokens: r.usage.prompt_tokens, total_tokens: r.usage.total_tokens };
  return out;
}

function modelOnly(body: unknown): { model?: unknown } {
  return { model: (body as { model?: unknown } | null)?.model };
}

/** `embeddings.create`, instrumented: an embedder scope whose end carries the token usage. */
export function embeddingsCreate(original: Create, client: OpenAI, options: InstrumentOpenAIOptions | undefined): Create {
  return function (this: unknown, body: unknown, requestOptions?: unknown): APIPromise<unknown> {
    let props: ResponseProps | undefined;
    let data: unknown;
    const outcome = withScope(
      options?.name ?? EMBEDDINGS.defaultName,
      ScopeType.Embedder,
      async () => {
        data = await original.call(this, body, requestOptions)._thenUnwrap((d, p) => {
          props = p;
          return d;
        });
        return embeddingSummary(data);
      },
      {
        input: options?.captureContent === false ? modelOnly(body) : body,
        parent: options?.parent,
        attributes: options?.attributes,
        metadata: options?.metadata,
      },
    ).then(() => ({ data, props }));
    return sdkPromise(client, EMBEDDINGS.path, body, false, outcome);
  };
}
