/**
 * The normalized request and response carried by LLM events, decoded lazily. What every exporter
 * reads (model, parameters, stream flag, tool choice; id, finish reason, usage) is decoded at
 * once from a cheap summary; the conversation and the response content the first time they are
 * read — by a subscriber or by serialization (`toJSON`). Exporters that need only the summary
 * never pay for the rest. State lives in a symbol field, not a `#private` one, because reads
 * arrive through read-only views.
 */
import type {
  CodecName,
  FinishReason,
  GenerationParams,
  NormalizedMessage,
  NormalizedRequest,
  NormalizedResponse,
  ToolCall,
  ToolDefinition,
  Usage,
} from '../codecs/types.js';
import { VIEWABLE } from '../readonly.js';

const FULL = Symbol('full');

const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/**
 * `decode` run on the first call only, its result (null for none) remembered in a closure: reads
 * arrive through read-only views, which must not write to the annotation.
 */
function decodeOnce<T>(decode: () => T | undefined): () => T | null {
  let full: T | null | undefined;
  return () => (full === undefined ? (full = decode() ?? null) : full);
}

/**
 * The top-level fields of a provider request with the ones whose decoding walks the conversation
 * emptied (`messages`, `input`, `contents`: codecs require them) or blanked (`tools`, `system`, ...: an
 * undefined field lands in the summary's `extra`, which is never read). A spread and eight `in`
 * checks cost a third of copying key by key.
 */
export function summaryFields(content: object): Record<string, unknown> {
  const s: Record<string, unknown> = { ...content };
  if ('messages' in s) s.messages = NO_ITEMS;
  if ('input' in s) s.input = NO_ITEMS;
  if ('contents' in s) s.contents = NO_ITEMS;
  if ('tools' in s) s.tools = undefined;
  if ('system' in s) s.system = undefined;
  if ('instructions' in s) s.instructions = undefined;
  if ('functions' in s) s.functions = undefined;
  if ('systemInstruction' in s) s.systemInstruction = undefined;
  return s;
}

export class LazyRequestAnnotation implements NormalizedRequest {
  provider_format: CodecName;
  model?: string;
  params: GenerationParams;
  stream?: boolean;
  tool_choice?: unknown;
  private readonly [FULL]: () => NormalizedRequest | null;

  /** `summary` is the decode of the top-level fields; `decode` decodes the whole request. */
  constructor(summary: NormalizedRequest, decode: () => NormalizedRequest | undefined) {
    this.provider_format = summary.provider_format;
    if (summary.model !== undefined) this.model = summary.model;
    this.params = summary.params;
    if (summary.stream !== undefined) this.stream = summary.stream;
    if (summary.tool_choice !== undefined) this.tool_choice = summary.tool_choice;
    this[FULL] = decodeOnce(decode);
  }

  private full(): NormalizedRequest | null {
    return this[FULL]();
  }

  get messages(): NormalizedMessage[] {
    return this.full()?.messages ?? [];
  }

  get tools(): ToolDefinition[] | undefined {
    return this.full()?.tools;
  }

  get system(): string | undefined {
    return this.full()?.system;
  }

  get extra(): Record<string, unknown> {
    return this.full()?.extra ?? {};
  }

  /** The complete normalized request (what files and JSON attributes record). */
  toJSON(): NormalizedRequest {
    return this.full() ?? { provider_format: this.provider_format, model: this.model, params: this.params, stream: this.stream, messages: [], extra: {} };
  }
}
// Subscribers see it behind a read-only view, like every payload.
(LazyRequestAnnotation.prototype as unknown as Record<symbol, boolean>)[VIEWABLE] = true;

/**
 * The normalized response carried by LLM end events, decoded lazily: id, model, finish reason and
 * usage from the codec's summary now; `text`, `reasoning` and `tool_calls` (whose arguments are
 * parsed JSON) the first time one of them is read.
 */
export class LazyResponseAnnotation implements NormalizedResponse {
  provider_format: CodecName;
  id?: string;
  model?: string;
  finish_reason?: FinishReason;
  raw_finish_reason?: string;
  usage?: Usage;
  private readonly [FULL]: () => NormalizedResponse | null;

  /** `summary` is the codec's `summarizeResponse`; `decode` decodes the whole response. */
  constructor(summary: NormalizedResponse, decode: () => NormalizedResponse | undefined) {
    this.provider_format = summary.provider_format;
    if (summary.id !== undefined) this.id = summary.id;
    if (summary.model !== undefined) this.model = summary.model;
    if (summary.finish_reason !== undefined) this.finish_reason = summary.finish_reason;
    if (summary.raw_finish_reason !== undefined) this.raw_finish_reason = summary.raw_finish_reason;
    if (summary.usage !== undefined) this.usage = summary.usage;
    this[FULL] = decodeOnce(decode);
  }

  get text(): string {
    return this[FULL]()?.text ?? '';
  }

  get reasoning(): string | undefined {
    return this[FULL]()?.reasoning;
  }

  get tool_calls(): ToolCall[] {
    return this[FULL]()?.tool_calls ?? [];
  }

  /** The complete normalized response (what files and JSON attributes record). */
  toJSON(): NormalizedResponse {
    return (
      this[FULL]() ?? {
        provider_format: this.provider_format,
        id: this.id,
        model: this.model,
        text: '',
        tool_calls: [],
        finish_reason: this.finish_reason,
        raw_finish_reason: this.raw_finish_reason,
        usage: this.usage,
      }
    );
  }
}
(LazyResponseAnnotation.prototype as unknown as Record<symbol, boolean>)[VIEWABLE] = true;
