/**
 * Provider-neutral shapes of LLM requests and responses, and the codec interface that maps a
 * provider's payload to and from them. Exporters read these; middleware edits them.
 */

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

/** One part of a message's content. */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; url?: string; data?: string; media_type?: string }
  | { type: 'reasoning'; text: string }
  /** Anything the codec does not model, kept verbatim. */
  | { type: 'other'; raw: unknown };

/** A tool call made by the assistant. */
export interface ToolCall {
  id: string;
  name: string;
  /** Parsed arguments. When the provider's string is not a JSON object this is `{}` and `raw_arguments` holds it. */
  arguments: Record<string, unknown>;
  /** The provider's argument string when it did not parse as a JSON object (invalid, truncated, or e.g. an array). */
  raw_arguments?: string;
}

export interface NormalizedMessage {
  role: Role;
  /** Plain text of the message (text parts joined). Empty string when there is none. */
  text: string;
  /** Structured content parts, when the message had more than one part or non-text parts. */
  parts?: ContentPart[];
  /** Tool calls made by an assistant message. */
  tool_calls?: ToolCall[];
  /** For tool-result messages: the tool call this answers. */
  tool_call_id?: string;
  /** Optional participant/tool name. */
  name?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the parameters. */
  parameters?: Record<string, unknown>;
}

export interface GenerationParams {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  [key: string]: unknown;
}

/** A provider request in provider-neutral form. */
export interface NormalizedRequest {
  /** Which codec produced this: `openai-chat` | `openai-responses` | `anthropic-messages` | `gemini` | `ai-sdk`. */
  provider_format: CodecName;
  model?: string;
  /**
   * Instructions given outside the message list, joined as text: Anthropic `system`, Responses
   * `instructions`, Gemini `systemInstruction`. Chat Completions system/developer messages stay in `messages`.
   */
  system?: string;
  messages: NormalizedMessage[];
  tools?: ToolDefinition[];
  tool_choice?: unknown;
  params: GenerationParams;
  stream?: boolean;
  /** Top-level fields of the provider payload the codec does not model, kept verbatim. */
  extra: Record<string, unknown>;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';

export interface Usage {
  /** All input tokens, cached ones included (for Anthropic: uncached + cache reads + cache writes). */
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  /** Input tokens served from the provider's prompt cache. */
  cache_read_tokens?: number;
  /** Input tokens written to the provider's prompt cache. */
  cache_write_tokens?: number;
  reasoning_tokens?: number;
}

/** A provider response in provider-neutral form. */
export interface NormalizedResponse {
  provider_format: CodecName;
  id?: string;
  model?: string;
  /** The assistant's text (joined). Empty string when there is none. */
  text: string;
  reasoning?: string;
  tool_calls: ToolCall[];
  finish_reason?: FinishReason;
  /** The provider's own finish/stop reason string. */
  raw_finish_reason?: string;
  usage?: Usage;
}

export type CodecName = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini' | 'ai-sdk';

/** Turns streamed chunks into one normalized response. */
export interface StreamAccumulator {
  push(chunk: unknown): void;
  finish(): NormalizedResponse;
}

/**
 * A codec for one provider's wire format. `decode`/`encode` work on the request `content`
 * (the provider payload, not the `{headers, content}` envelope).
 */
export interface LlmCodec {
  readonly name: CodecName;
  /** Provider payload → normalized request. Throws `CodecError` on a payload it cannot read. */
  decode(content: unknown): NormalizedRequest;
  /**
   * Normalized request (possibly edited) → provider payload. `original` is the payload it was
   * decoded from; fields the codec does not model are taken from it, so nothing is lost.
   */
  encode(normalized: NormalizedRequest, original: unknown): unknown;
  /** Provider response → normalized response. Throws `CodecError` on a payload it cannot read. */
  decodeResponse(response: unknown): NormalizedResponse;
  /**
   * Optional: the response without walking its content — id, model, finish reason, usage, with
   * `text` empty and `tool_calls` empty. The runtime decodes the content only when a subscriber
   * reads it. Throws `CodecError` like `decodeResponse`.
   */
  summarizeResponse?(response: unknown): NormalizedResponse;
  /** A fresh accumulator for this provider's streaming chunks. */
  createAccumulator(): StreamAccumulator;
}

/** A payload a codec could not read. `path` names the offending field, e.g. `messages[2].content`. */
export class CodecError extends Error {
  override name = 'CodecError';
  constructor(
    message: string,
    readonly codec: CodecName,
    readonly path?: string,
  ) {
    super(path ? `${codec}: ${path}: ${message}` : `${codec}: ${message}`);
  }
}
