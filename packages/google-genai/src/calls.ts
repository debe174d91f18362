/**
 * The instrumented `models.generateContent` and `models.generateContentStream`. Each SDK call is
 * one LLM call through the full middleware pipeline; the real SDK method runs inside it with the
 * parameters as middleware left them, and the caller gets what the SDK returned (the response
 * object, or an async generator of the SDK's chunks).
 */
import {
  llmCallExecute,
  llmStreamCallExecute,
  type LlmCallOptions,
  type LlmRequest,
  type LlmStream,
  type LlmStreamOptions,
  type ScopeHandle,
} from '@nemo-flow/runtime';
import type { GenerateContentParameters, GenerateContentResponse, Models } from '@google/genai';
import { serverOf } from './transport.js';

/** Options of `instrumentGoogleGenAI`. */
export interface InstrumentGoogleGenAIOptions {
  /** Name of the calls' events and spans. Default: `gemini.generateContent` and `gemini.generateContentStream`. */
  name?: string;
  /** Parent scope of every call. Default: the current scope of the caller's async context. */
  parent?: ScopeHandle;
  /** Attribute strings added to every call's events. */
  attributes?: readonly string[];
  /** Metadata recorded on every call's events. */
  metadata?: unknown;
  /**
   * Whether events carry the conversation: contents, system instruction, tool definitions and
   * arguments, response text. Default true. With false they carry the model, parameters, finish
   * reason, called function names and token usage only; middleware still sees everything.
   */
  captureContent?: boolean;
}

export type GenerateContent = Models['generateContent'];
export type GenerateContentStream = Models['generateContentStream'];

/** The options every call of one instrumented client shares. */
function callOptions(apiClient: unknown, options: InstrumentGoogleGenAIOptions | undefined): LlmCallOptions {
  return {
    codec: 'gemini',
    parent: options?.parent,
    attributes: options?.attributes,
    metadata: options?.metadata,
    transport: serverOf(apiClient),
    ...(options?.captureContent === false ? { captureContent: false } : {}),
  };
}

function newRequest(params: GenerateContentParameters): LlmRequest<GenerateContentParameters> {
  return { headers: {}, content: params };
}

/** `models.generateContent`, instrumented. */
export function instrumentedGenerateContent(original: GenerateContent, apiClient: unknown, options: InstrumentGoogleGenAIOptions | undefined): GenerateContent {
  const shared = callOptions(apiClient, options);
  const name = options?.name ?? 'gemini.generateContent';
  return function generateContent(params: GenerateContentParameters): Promise<GenerateContentResponse> {
    return llmCallExecute(name, newRequest(params), (r) => original(r.content), shared);
  };
}

/** `models.generateContentStream`, instrumented: resolves, once the stream is open, to an async generator of the SDK's chunks. */
export function instrumentedGenerateContentStream(
  original: GenerateContentStream,
  apiClient: unknown,
  options: InstrumentGoogleGenAIOptions | undefined,
): GenerateContentStream {
  const shared = callOptions(apiClient, options);
  const name = options?.name ?? 'gemini.generateContentStream';
  return async function generateContentStream(params: GenerateContentParameters): Promise<AsyncGenerator<GenerateContentResponse>> {
    const streamOptions: LlmStreamOptions<GenerateContentResponse> = shared;
    const llm = await llmStreamCallExecute(
      name,
      newRequest(params),
      async (r) => {
        // The SDK resolves once the response headers are in (an HTTP error rejects here); chunks
        // come while the caller iterates.
        return original(r.content);
      },
      streamOptions,
    );
    return chunks(llm);
  };
}

/** The caller's generator: `break`, `return()` and `throw()` reach the runtime stream, which ends the call once. */
async function* chunks(llm: LlmStream<GenerateContentResponse>): AsyncGenerator<GenerateContentResponse> {
  yield* llm;
}
