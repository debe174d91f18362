/**
 * The OpenTelemetry GenAI semantic-convention vocabulary: `chat {model}` (CLIENT) for LLM calls,
 * `execute_tool {tool}` for tools, `invoke_agent {name}` for agent scopes, other scopes by name;
 * `gen_ai.*` request/response/usage attributes, plus `nemo_flow.*` so nothing is lost. Content
 * (messages, tool arguments and results, scope input/output) only with `captureContent`.
 */
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { type LlmTransport, type MarkEvent, type ScopeEvent } from '@nemo-flow/runtime';
import { type NormalizedRequest, type NormalizedResponse } from '@nemo-flow/runtime/codecs';
import { unwrapView } from '@nemo-flow/runtime/exporter-kit';
import type { AttributeMapper, MapperOptions, SpanStart } from './mapper.js';
import { boundedStringify, boundedText } from './bounded-json.js';
import { annotatedRequestFormat, llmCostOf, llmModelName, llmRequestOf, llmResponseOf, llmTransportOf, namedProvider } from './llm-view.js';
import { inputMessages, outputMessages, systemInstructions, toolDefinitions } from './genai-messages.js';
import { addNemoFlowEndAttributes, addNemoFlowStartAttributes, nemoFlowMarkAttributes } from './nemo-flow-attributes.js';
import { DEFAULT_MAX_ATTRIBUTE_LENGTH } from './truncate.js';
import { genAiLatestByEnv } from './sdk-config.js';
import { mcpSpanStart } from './mcp-attributes.js';
import * as C from './semconv.js';

/** `gen_ai.provider.name` for each codec's wire format. */
const PROVIDER_BY_FORMAT: Record<string, string> = {
  'openai-chat': C.GEN_AI_PROVIDER_OPENAI,
  'openai-responses': C.GEN_AI_PROVIDER_OPENAI,
  'anthropic-messages': C.GEN_AI_PROVIDER_ANTHROPIC,
  gemini: C.GEN_AI_PROVIDER_GCP_GEMINI,
};

/** Normalized generation params → `gen_ai.request.*` (numbers only; `stop` and `n` apart). */
const PARAM_ATTRS: ReadonlyArray<readonly [string, string]> = [
  ['temperature', C.ATTR_GEN_AI_REQUEST_TEMPERATURE],
  ['max_tokens', C.ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ['top_p', C.ATTR_GEN_AI_REQUEST_TOP_P],
  ['top_k', C.ATTR_GEN_AI_REQUEST_TOP_K],
  ['frequency_penalty', C.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY],
  ['presence_penalty', C.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY],
  ['seed', C.ATTR_GEN_AI_REQUEST_SEED],
];

/** `gen_ai.provider.name` of a codec's wire format, when known. */
export function providerNameOf(format: string): string | undefined {
  return PROVIDER_BY_FORMAT[format];
}

/** Tool descriptions remembered from the tools offered to models (bounded: oldest forgotten first). */
const MAX_TOOL_DESCRIPTIONS = 1_000;

/** Distinct span names remembered per prefix at most (then forgotten all at once). */
const MAX_SPAN_NAMES = 1024;

/**
 * `${prefix} ${name}`, one string per distinct name: a tool or model name recurs on every call, and
 * a name built per span is a new string (a tree of its parts) that the encoder must flatten first.
 */
class SpanNames {
  private readonly names = new Map<string, string>();
  constructor(private readonly prefix: string) {}
  of(name: string): string {
    let n = this.names.get(name);
    if (n === undefined) {
      if (this.names.size >= MAX_SPAN_NAMES) this.names.clear();
      n = `${this.prefix} ${name}`;
      this.names.set(name, n);
    }
    return n;
  }
}

function metadataString(event: ScopeEvent, key: string): string | undefined {
  const m = event.metadata;
  if (typeof m !== 'object' || m === null) return undefined;
  const v = (m as Record<string, unknown>)[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export class GenAiMapper implements AttributeMapper {
  private readonly capture: boolean;
  private readonly maxLength: number;
  private readonly cacheWriteAttr: string;
  /** Descriptions of the tools models were offered, for `gen_ai.tool.description` on `execute_tool` spans. */
  private readonly toolDescriptions = new Map<string, string>();
  private readonly toolSpanNames = new SpanNames(C.GEN_AI_OPERATION_EXECUTE_TOOL);
  private readonly chatSpanNames = new SpanNames(C.GEN_AI_OPERATION_CHAT);

  constructor(options: MapperOptions & { semconvLatest?: boolean } = {}) {
    this.capture = options.captureContent ?? false;
    this.maxLength = options.maxAttributeLength ?? DEFAULT_MAX_ATTRIBUTE_LENGTH;
    // Pinned names by default; the newest ones when OTEL_SEMCONV_STABILITY_OPT_IN asks for them.
    const latest = options.semconvLatest ?? genAiLatestByEnv();
    this.cacheWriteAttr = latest ? C.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS : C.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS;
  }

  start(event: ScopeEvent): SpanStart {
    const attrs: Attributes = {};
    addNemoFlowStartAttributes(event, attrs, this.maxLength);
    switch (event.category) {
      case 'llm':
        return this.llmStart(event, attrs);
      case 'tool':
        return this.toolStart(event, attrs);
      case 'agent':
        return this.agentStart(event, attrs);
      case 'retriever':
        attrs[C.ATTR_GEN_AI_OPERATION_NAME] = C.GEN_AI_OPERATION_RETRIEVAL;
        break;
      case 'embedder':
        attrs[C.ATTR_GEN_AI_OPERATION_NAME] = C.GEN_AI_OPERATION_EMBEDDINGS;
        break;
    }
    this.captureScopeData(event, attrs, C.ATTR_NEMO_FLOW_INPUT);
    return { name: event.name, kind: SpanKind.INTERNAL, attributes: attrs };
  }

  end(event: ScopeEvent, start: ScopeEvent): Attributes | undefined {
    const attrs = addNemoFlowEndAttributes(event, start, undefined, this.maxLength);
    switch (event.category) {
      case 'llm':
        return this.llmEnd(event, start, attrs ?? {});
      case 'tool':
        return this.captureData(event, attrs, C.ATTR_GEN_AI_TOOL_CALL_RESULT);
      default:
        return this.captureData(event, attrs, C.ATTR_NEMO_FLOW_OUTPUT);
    }
  }

  mark(event: MarkEvent): Attributes | undefined {
    return nemoFlowMarkAttributes(event, this.maxLength, this.capture);
  }

  private llmStart(event: ScopeEvent, attrs: Attributes): SpanStart {
    const req = llmRequestOf(event);
    const model = llmModelName(event) ?? (typeof req?.model === 'string' ? req.model : undefined);
    attrs[C.ATTR_GEN_AI_OPERATION_NAME] = C.GEN_AI_OPERATION_CHAT;
    attrs[C.ATTR_NEMO_FLOW_NAME] = event.name; // the span is named after the model, not the call
    if (req) {
      const provider = PROVIDER_BY_FORMAT[req.provider_format];
      if (provider) attrs[C.ATTR_GEN_AI_PROVIDER_NAME] = provider;
      this.requestParams(req, attrs);
      this.learnTools(req);
    }
    if (model) attrs[C.ATTR_GEN_AI_REQUEST_MODEL] = model;
    if (event.attributes.includes('streaming') || req?.stream === true) attrs[C.ATTR_GEN_AI_REQUEST_STREAM] = true;
    const transport = llmTransportOf(event);
    if (transport) transportAttributes(transport, attrs);
    if (this.capture && req) {
      const system = systemInstructions(req);
      if (system) attrs[C.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = boundedStringify(system, this.maxLength);
      attrs[C.ATTR_GEN_AI_INPUT_MESSAGES] = boundedStringify(inputMessages(req), this.maxLength);
      const tools = toolDefinitions(req);
      if (tools) attrs[C.ATTR_GEN_AI_TOOL_DEFINITIONS] = boundedStringify(tools, this.maxLength);
    }
    return { name: model ? this.chatSpanNames.of(model) : C.GEN_AI_OPERATION_CHAT, kind: SpanKind.CLIENT, attributes: attrs };
  }

  private learnTools(req: NormalizedRequest): void {
    const tools = req.tools;
    if (!Array.isArray(tools)) return;
    for (const t of tools) {
      if (typeof t?.name !== 'string' || typeof t.description !== 'string' || t.description.length === 0) continue;
      const known = this.toolDescriptions;
      known.delete(t.name); // re-inserted last: the most recently offered survive
      if (known.size >= MAX_TOOL_DESCRIPTIONS) known.delete(known.keys().next().value!);
      known.set(t.name, t.description);
    }
  }

  private requestParams(req: NormalizedRequest, attrs: Attributes): void {
    const params = req.params;
    if (typeof params !== 'object' || params === null) return;
    // Fixed keys, not for-in: payloads are read-only proxies, and enumerating one is slow.
    for (let i = 0; i < PARAM_ATTRS.length; i++) {
      const [key, attr] = PARAM_ATTRS[i]!;
      const v = params[key];
      if (typeof v === 'number' && Number.isFinite(v)) attrs[attr] = v;
    }
    const stop = params.stop;
    if (Array.isArray(stop) && stop.length > 0) attrs[C.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop.filter((s) => typeof s === 'string');
    const n = params['n'];
    if (typeof n === 'number' && n !== 1) attrs[C.ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = n;
  }

  private llmEnd(event: ScopeEvent, start: ScopeEvent, attrs: Attributes): Attributes {
    const transport = llmTransportOf(event);
    if (transport) transportAttributes(transport, attrs);
    const cost = llmCostOf(event);
    // Only a priced call has a cost; an unpriced model gets no attribute rather than a false 0.
    if (cost?.priced) attrs[C.ATTR_NEMO_FLOW_LLM_COST_USD] = cost.total_usd;
    const res = llmResponseOf(event, start);
    if (!res) return attrs;
    // The response's format names who answered; it overrules a guess made from a plain request.
    const format = res.provider_format;
    if (format !== annotatedRequestFormat(start) && attrs[C.ATTR_GEN_AI_PROVIDER_NAME] === undefined) {
      const provider = PROVIDER_BY_FORMAT[format];
      if (provider) attrs[C.ATTR_GEN_AI_PROVIDER_NAME] = provider;
    }
    if (res.id) attrs[C.ATTR_GEN_AI_RESPONSE_ID] = res.id;
    if (res.model) attrs[C.ATTR_GEN_AI_RESPONSE_MODEL] = res.model;
    const reason = res.raw_finish_reason ?? res.finish_reason;
    if (reason) attrs[C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [reason];
    usageAttributes(res, attrs, this.cacheWriteAttr);
    if (this.capture) attrs[C.ATTR_GEN_AI_OUTPUT_MESSAGES] = boundedStringify(outputMessages(res), this.maxLength);
    return attrs;
  }

  private toolStart(event: ScopeEvent, attrs: Attributes): SpanStart {
    attrs[C.ATTR_GEN_AI_OPERATION_NAME] = C.GEN_AI_OPERATION_EXECUTE_TOOL;
    attrs[C.ATTR_GEN_AI_TOOL_NAME] = event.name;
    attrs[C.ATTR_GEN_AI_TOOL_TYPE] = C.GEN_AI_TOOL_TYPE_FUNCTION;
    const description = this.toolDescriptions.get(event.name);
    if (description !== undefined) attrs[C.ATTR_GEN_AI_TOOL_DESCRIPTION] = description;
    // Read behind the read-only view: a proxied read costs more than the rest of this function.
    const id = (unwrapView(event.category_profile) as { tool_call_id?: unknown } | null)?.tool_call_id;
    if (typeof id === 'string' && id.length > 0) attrs[C.ATTR_GEN_AI_TOOL_CALL_ID] = id;
    if (this.capture && event.data !== null && event.data !== undefined) {
      attrs[C.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = boundedText(event.data, this.maxLength);
    }
    const mcp = mcpSpanStart(event, attrs);
    if (mcp) return mcp;
    return { name: this.toolSpanNames.of(event.name), kind: SpanKind.INTERNAL, attributes: attrs };
  }

  private agentStart(event: ScopeEvent, attrs: Attributes): SpanStart {
    attrs[C.ATTR_GEN_AI_OPERATION_NAME] = C.GEN_AI_OPERATION_INVOKE_AGENT;
    attrs[C.ATTR_GEN_AI_AGENT_NAME] = event.name;
    const version = metadataString(event, 'agent_version');
    if (version) attrs[C.ATTR_GEN_AI_AGENT_VERSION] = version;
    const user = metadataString(event, 'user_id');
    if (user) attrs[C.ATTR_USER_ID] = user;
    this.captureScopeData(event, attrs, C.ATTR_NEMO_FLOW_INPUT);
    const session = metadataString(event, 'session_id');
    let inherited: Attributes | undefined;
    if (session) {
      attrs[C.ATTR_GEN_AI_CONVERSATION_ID] = session;
      // Every span of the run carries the conversation id, so a backend can find a chat's calls by it.
      inherited = { [C.ATTR_GEN_AI_CONVERSATION_ID]: session };
    }
    return { name: `${C.GEN_AI_OPERATION_INVOKE_AGENT} ${event.name}`, kind: SpanKind.INTERNAL, attributes: attrs, inherited };
  }

  private captureScopeData(event: ScopeEvent, attrs: Attributes, key: string): void {
    if (this.capture && event.data !== null && event.data !== undefined) attrs[key] = boundedText(event.data, this.maxLength);
  }

  /** End-side capture: adds `key` (creating `attrs` if needed) only when content capture is on. */
  private captureData(event: ScopeEvent, attrs: Attributes | undefined, key: string): Attributes | undefined {
    if (!this.capture || event.data === null || event.data === undefined) return attrs;
    attrs ??= {};
    attrs[key] = boundedText(event.data, this.maxLength);
    return attrs;
  }
}

/** Wire facts → `server.*`, `http.response.status_code`, time to first chunk (seconds), attempts. */
function transportAttributes(t: LlmTransport, attrs: Attributes): void {
  if (typeof t.server_address === 'string' && t.server_address.length > 0) attrs[C.ATTR_SERVER_ADDRESS] = t.server_address;
  // Named by the integration (a format many providers share): overrules what the format implies.
  const named = namedProvider(t);
  if (named) attrs[C.ATTR_GEN_AI_PROVIDER_NAME] = named;
  setCount(attrs, C.ATTR_SERVER_PORT, t.server_port);
  setCount(attrs, C.ATTR_HTTP_RESPONSE_STATUS_CODE, t.http_status);
  setCount(attrs, C.ATTR_NEMO_FLOW_LLM_ATTEMPTS, t.attempts);
  const ttfc = t.time_to_first_chunk_ms;
  if (typeof ttfc === 'number' && Number.isFinite(ttfc)) attrs[C.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = ttfc / 1000;
}

function usageAttributes(res: NormalizedResponse, attrs: Attributes, cacheWriteAttr: string): void {
  const u = res.usage;
  if (!u) return;
  setCount(attrs, C.ATTR_GEN_AI_USAGE_INPUT_TOKENS, u.input_tokens);
  setCount(attrs, C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, u.output_tokens);
  setCount(attrs, C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, u.cache_read_tokens);
  setCount(attrs, cacheWriteAttr, u.cache_write_tokens);
  setCount(attrs, C.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, u.reasoning_tokens);
}

function setCount(attrs: Attributes, key: string, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v)) attrs[key] = v;
}
