/**
 * LLM span attributes: model, provider/system, invocation parameters, offered tools, flattened
 * input and output messages, token counts, and the raw request/response as `input.value` /
 * `output.value`. Reads the codec-normalized view (`llmRequestOf` / `llmResponseOf`, shared with
 * the OTel exporter); the raw provider payload only for the invocation parameters and the values.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ScopeEvent } from '@nemo-flow/runtime';
import type { CodecName, NormalizedRequest, NormalizedResponse, Usage } from '@nemo-flow/runtime/codecs';
import { ATTR_NEMO_FLOW_OUTPUT, llmCostOf, llmRequestOf, llmResponseOf, truncateString } from '@nemo-flow/exporter-otel';
import { jsonText, plainField } from './json.js';
import { addInputMessages, addOutputMessage, type MessageMask } from './messages.js';
import { addAnthropicInputMessages, addAnthropicOutputMessage, addAnthropicTools } from './anthropic.js';
import {
  LLMProvider,
  LLMSystem,
  LLM_FINISH_REASON,
  LLM_INPUT_MESSAGES,
  LLM_INVOCATION_PARAMETERS,
  LLM_MODEL_NAME,
  LLM_OUTPUT_MESSAGES,
  LLM_PROVIDER,
  LLM_REQUEST_MODEL_NAME,
  LLM_RESPONSE_MODEL_NAME,
  LLM_SYSTEM,
  LLM_TOKEN_COUNT_COMPLETION,
  LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING,
  LLM_TOKEN_COUNT_PROMPT,
  LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ,
  LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE,
  LLM_TOKEN_COUNT_TOTAL,
  MimeType,
  OUTPUT_MIME_TYPE,
  OUTPUT_VALUE,
  LLM_COST_COMPLETION,
  LLM_COST_COMPLETION_DETAILS_REASONING,
  LLM_COST_INPUT,
  LLM_COST_OUTPUT,
  LLM_COST_PROMPT,
  LLM_COST_PROMPT_DETAILS_CACHE_READ,
  LLM_COST_PROMPT_DETAILS_CACHE_WRITE,
  LLM_COST_TOTAL,
  toolSchemaKey,
} from './names.js';
import type { TraceConfig } from './trace-config.js';
import { addInputValue, addOutputValue } from './values.js';

/** The vendor each wire format implies (the AI SDK's format serves every vendor: none implied). */
const VENDOR_BY_FORMAT: Readonly<Partial<Record<CodecName, { provider: string; system: string }>>> = {
  'openai-chat': { provider: LLMProvider.OPENAI, system: LLMSystem.OPENAI },
  'openai-responses': { provider: LLMProvider.OPENAI, system: LLMSystem.OPENAI },
  'anthropic-messages': { provider: LLMProvider.ANTHROPIC, system: LLMSystem.ANTHROPIC },
  gemini: { provider: LLMProvider.GOOGLE, system: LLMSystem.VERTEXAI },
};

/**
 * OpenTelemetry's `gen_ai.provider.name` values (what an integration records as
 * `transport.provider_name`) in OpenInference's vocabulary; a name not listed is kept as given.
 */
const VENDOR_BY_OTEL_NAME: Readonly<Record<string, { provider: string; system?: string }>> = {
  openai: VENDOR_BY_FORMAT['openai-chat']!,
  anthropic: VENDOR_BY_FORMAT['anthropic-messages']!,
  'gcp.gemini': VENDOR_BY_FORMAT.gemini!,
  'gcp.vertex_ai': VENDOR_BY_FORMAT.gemini!,
  'gcp.gen_ai': VENDOR_BY_FORMAT.gemini!,
  'aws.bedrock': { provider: LLMProvider.AWS, system: LLMSystem.AMAZON },
  'azure.ai.openai': { provider: LLMProvider.AZURE, system: LLMSystem.OPENAI },
  'azure.ai.inference': { provider: LLMProvider.AZURE },
  mistral_ai: { provider: LLMProvider.MISTRALAI, system: LLMSystem.MISTRALAI },
  cohere: { provider: LLMProvider.COHERE, system: LLMSystem.COHERE },
  x_ai: { provider: LLMProvider.XAI },
};

/** The vendor an integration named on the event (`category_profile.transport.provider_name`). */
function namedVendor(event: ScopeEvent): { provider: string; system?: string } | undefined {
  const name = plainField(plainField(event.category_profile, 'transport'), 'provider_name');
  if (typeof name !== 'string' || name.length === 0) return undefined;
  return Object.hasOwn(VENDOR_BY_OTEL_NAME, name) ? VENDOR_BY_OTEL_NAME[name] : { provider: name };
}

function addVendor(attrs: Attributes, vendor: { provider: string; system?: string } | undefined): void {
  if (!vendor) return;
  attrs[LLM_PROVIDER] = vendor.provider;
  if (vendor.system) attrs[LLM_SYSTEM] = vendor.system;
}

/**
 * Request fields that are the conversation rather than parameters of the invocation: left out of
 * `llm.invocation_parameters`. The rest (system, instructions, tools too) stays, as the official
 * OpenAI and Anthropic instrumentations record the request minus its messages.
 */
const NOT_PARAMETERS = new Set(['messages', 'input', 'prompt', 'contents']);

/** Also left out when inputs are hidden: they are content (instructions, offered tools), not settings. */
const NOT_PARAMETERS_HIDDEN = new Set([...NOT_PARAMETERS, 'system', 'instructions', 'tools', 'functions', 'systemInstruction']);

/**
 * The same inside the `@google/genai` SDK's `config`, which holds the system instruction and tools
 * beside the parameters, and client-side options that are not request data.
 */
const NOT_CONFIG_PARAMETERS = new Set(['systemInstruction', 'tools', 'abortSignal', 'httpOptions']);

/** The SDK's `config` without what `NOT_CONFIG_PARAMETERS` names; undefined when nothing is left. */
function configParameters(config: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(config)) {
    if (NOT_CONFIG_PARAMETERS.has(key) || config[key] === undefined) continue;
    out[key] = config[key];
    any = true;
  }
  return any ? out : undefined;
}

/** The provider payload of an LLM start event (`data.content`), never its transport headers. */
export function requestContent(start: ScopeEvent): unknown {
  return plainField(start.data, 'content');
}

/** The normalized request of an LLM start event: the runtime's annotation (read plain), else decoded here. */
/** The provider format the runtime annotated a start event's request with (no decoding). */
export function requestFormatOf(start: ScopeEvent): CodecName | undefined {
  const a = plainField(start.category_profile, 'annotated_request');
  return typeof a === 'object' && a !== null ? (a as NormalizedRequest).provider_format : undefined;
}

export function requestOf(start: ScopeEvent): NormalizedRequest | undefined {
  const a = plainField(start.category_profile, 'annotated_request');
  return typeof a === 'object' && a !== null ? (a as NormalizedRequest) : llmRequestOf(start);
}

/** The normalized response of an LLM end event: the runtime's annotation (read plain), else decoded here. */
export function responseOf(end: ScopeEvent, start: ScopeEvent): NormalizedResponse | undefined {
  const a = plainField(end.category_profile, 'annotated_response');
  return typeof a === 'object' && a !== null ? (a as NormalizedResponse) : llmResponseOf(end, start);
}

/** The request's parameters in the provider's own names (what a playground replays), model included. */
function invocationParameters(content: unknown, req: NormalizedRequest | undefined, hideInputs: boolean): Record<string, unknown> | undefined {
  if (typeof content === 'object' && content !== null && !Array.isArray(content)) {
    const out: Record<string, unknown> = {};
    let any = false;
    const skip = hideInputs ? NOT_PARAMETERS_HIDDEN : NOT_PARAMETERS;
    for (const key of Object.keys(content)) {
      if (skip.has(key)) continue;
      let v = (content as Record<string, unknown>)[key];
      if (key === 'config' && req?.provider_format === 'gemini' && typeof v === 'object' && v !== null && !Array.isArray(v))
        v = configParameters(v as Record<string, unknown>);
      if (v === undefined) continue;
      out[key] = v;
      any = true;
    }
    return any ? out : undefined;
  }
  if (!req) return undefined;
  const out: Record<string, unknown> = { ...req.params };
  if (req.model) out['model'] = req.model;
  return out;
}

export interface LlmContext {
  config: TraceConfig;
  maxLength: number;
  inputMask: MessageMask;
  outputMask: MessageMask;
}

/** Attributes of an LLM start event; `req` is its normalized request when a codec could read it. */
export function addLlmStart(attrs: Attributes, start: ScopeEvent, req: NormalizedRequest | undefined, model: string | undefined, c: LlmContext): void {
  if (model) {
    // The requested model: `llm.model_name` until the answer names the one that served it; the
    // request name stays, so a failed call still says what was asked for.
    attrs[LLM_MODEL_NAME] = model;
    attrs[LLM_REQUEST_MODEL_NAME] = model;
  }
  // Named by the integration (a format many providers share) before what the format implies.
  addVendor(attrs, namedVendor(start) ?? (req ? VENDOR_BY_FORMAT[req.provider_format] : undefined));
  const content = requestContent(start);
  const params = invocationParameters(content, req, c.config.hideInputs);
  if (params) attrs[LLM_INVOCATION_PARAMETERS] = jsonText(params, c.maxLength);
  const cfg = c.config;
  const anthropic = req?.provider_format === 'anthropic-messages';
  if (req && !cfg.hideInputs) {
    if (!cfg.hideInputMessages && !(anthropic && addAnthropicInputMessages(attrs, LLM_INPUT_MESSAGES, content, c.inputMask))) {
      addInputMessages(attrs, LLM_INPUT_MESSAGES, req, c.inputMask);
    }
    const tools = req.tools;
    if (anthropic && addAnthropicTools(attrs, content, c.maxLength)) {
      // the raw definitions, as the official Anthropic instrumentation records them
    } else if (Array.isArray(tools)) {
      for (let i = 0; i < tools.length; i++) {
        const t = tools[i]!;
        // The Chat Completions function form: the one Phoenix (and its playground) reads for every provider.
        const fn: Record<string, unknown> = { name: t.name };
        if (t.description !== undefined) fn['description'] = t.description;
        if (t.parameters !== undefined) fn['parameters'] = t.parameters;
        attrs[toolSchemaKey(i)] = jsonText({ type: 'function', function: fn }, c.maxLength);
      }
    }
  }
  // Never the whole `{ headers, content }` envelope: headers carry credentials. A request a sanitize
  // guardrail replaced by a plain value is shown as that value.
  const shown = content !== undefined ? content : typeof start.data !== 'object' ? start.data : undefined;
  addInputValue(attrs, shown, cfg.hideInputs, c.maxLength);
}

/** Attributes of an LLM end event; `res` is its normalized response when a codec could read it. */
export function addLlmEnd(
  attrs: Attributes,
  end: ScopeEvent,
  res: NormalizedResponse | undefined,
  requestModel: string | undefined,
  c: LlmContext,
  requestFormat?: CodecName,
): void {
  const cfg = c.config;
  addCost(attrs, end);
  const named = namedVendor(end);
  addVendor(attrs, named);
  if (res) {
    // The response's format names who answered; it overrules a guess made from a plain request.
    if (!named && res.provider_format !== requestFormat) addVendor(attrs, VENDOR_BY_FORMAT[res.provider_format]);
    const model = typeof res.model === 'string' && res.model.length > 0 ? res.model : undefined;
    if (model) {
      // `llm.model_name` is the model that answered (the request name was set at the start).
      attrs[LLM_MODEL_NAME] = model;
      attrs[LLM_RESPONSE_MODEL_NAME] = model;
    }
    if (requestModel) attrs[LLM_REQUEST_MODEL_NAME] = requestModel;
    const reason = res.raw_finish_reason ?? res.finish_reason;
    if (reason) attrs[LLM_FINISH_REASON] = reason;
    const anthropic = res.provider_format === 'anthropic-messages';
    if (res.usage) addTokenCounts(attrs, res.usage, anthropic);
    if (!cfg.hideOutputs && !cfg.hideOutputMessages) {
      if (anthropic) addAnthropicOutputMessage(attrs, LLM_OUTPUT_MESSAGES, res, c.outputMask);
      else addOutputMessage(attrs, LLM_OUTPUT_MESSAGES, res, c.outputMask);
    }
    if (end.attributes.includes('streaming') && !cfg.hideOutputs) {
      // A stream's output is what streamed, as text (what the official instrumentations show); the
      // aggregated response stays under our own key.
      attrs[OUTPUT_VALUE] = truncateString(typeof res.text === 'string' ? res.text : '', c.maxLength);
      attrs[OUTPUT_MIME_TYPE] = MimeType.TEXT;
      if (end.data !== null && end.data !== undefined) attrs[ATTR_NEMO_FLOW_OUTPUT] = jsonText(end.data, c.maxLength);
      return;
    }
  }
  addOutputValue(attrs, end.data, cfg.hideOutputs, c.maxLength);
}

/** `llm.cost.*` in USD, as Phoenix reads them; nothing for an unpriced model (Phoenix then prices it itself). */
function addCost(attrs: Attributes, end: ScopeEvent): void {
  const c = llmCostOf(end);
  if (!c?.priced) return;
  const prompt = (c.input_usd ?? 0) + (c.cached_input_usd ?? 0) + (c.cache_write_usd ?? 0);
  const completion = (c.output_usd ?? 0) + (c.reasoning_usd ?? 0);
  attrs[LLM_COST_TOTAL] = c.total_usd;
  attrs[LLM_COST_PROMPT] = prompt;
  attrs[LLM_COST_COMPLETION] = completion;
  count(attrs, LLM_COST_INPUT, c.input_usd);
  count(attrs, LLM_COST_PROMPT_DETAILS_CACHE_READ, c.cached_input_usd);
  count(attrs, LLM_COST_PROMPT_DETAILS_CACHE_WRITE, c.cache_write_usd);
  count(attrs, LLM_COST_OUTPUT, c.output_usd);
  count(attrs, LLM_COST_COMPLETION_DETAILS_REASONING, c.reasoning_usd);
}

/** `skipZeroCache`: Anthropic always reports both cache counts; its instrumentation records only non-zero ones. */
function addTokenCounts(attrs: Attributes, u: Usage, skipZeroCache: boolean): void {
  count(attrs, LLM_TOKEN_COUNT_PROMPT, u.input_tokens);
  count(attrs, LLM_TOKEN_COUNT_COMPLETION, u.output_tokens);
  const total = u.total_tokens ?? (typeof u.input_tokens === 'number' && typeof u.output_tokens === 'number' ? u.input_tokens + u.output_tokens : undefined);
  count(attrs, LLM_TOKEN_COUNT_TOTAL, total);
  if (!(skipZeroCache && u.cache_read_tokens === 0)) count(attrs, LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ, u.cache_read_tokens);
  if (!(skipZeroCache && u.cache_write_tokens === 0)) count(attrs, LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE, u.cache_write_tokens);
  count(attrs, LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING, u.reasoning_tokens);
}

function count(attrs: Attributes, key: string, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v)) attrs[key] = v;
}
