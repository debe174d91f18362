/**
 * LLM span attributes: model, provider/system, invocation parameters, offered tools, flattened
 * input and output messages, token counts, and the raw request/response as `input.value` /
 * `output.value`. Reads the codec-normalized view (`llmRequestOf` / `llmResponseOf`, shared with
 * the OTel exporter); the raw provider payload only for the invocation parameters and the values.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ScopeEvent } from '@nemo-flow/runtime';
import type { CodecName, NormalizedRequest, NormalizedResponse, Usage } from '@nemo-flow/runtime/codecs';
import { llmRequestOf, llmResponseOf } from '@nemo-flow/exporter-otel';
import { jsonText, plainField } from './json.js';
import { addInputMessages, addOutputMessage, type MessageMask } from './messages.js';
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
  toolSchemaKey,
} from './names.js';
import type { TraceConfig } from './trace-config.js';
import { addInputValue, addOutputValue } from './values.js';

const VENDOR_BY_FORMAT: Readonly<Record<CodecName, { provider: string; system: string }>> = {
  'openai-chat': { provider: LLMProvider.OPENAI, system: LLMSystem.OPENAI },
  'openai-responses': { provider: LLMProvider.OPENAI, system: LLMSystem.OPENAI },
  'anthropic-messages': { provider: LLMProvider.ANTHROPIC, system: LLMSystem.ANTHROPIC },
  gemini: { provider: LLMProvider.GOOGLE, system: LLMSystem.VERTEXAI },
};

/**
 * Request fields that are the conversation or the tool list rather than parameters of the
 * invocation: left out of `llm.invocation_parameters` (they have attributes of their own).
 */
const NOT_PARAMETERS = new Set(['messages', 'input', 'instructions', 'system', 'tools', 'functions', 'prompt', 'contents', 'systemInstruction']);

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
function invocationParameters(content: unknown, req: NormalizedRequest | undefined): Record<string, unknown> | undefined {
  if (typeof content === 'object' && content !== null && !Array.isArray(content)) {
    const out: Record<string, unknown> = {};
    let any = false;
    for (const key of Object.keys(content)) {
      if (NOT_PARAMETERS.has(key)) continue;
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
  if (model) attrs[LLM_MODEL_NAME] = model;
  const vendor = req ? VENDOR_BY_FORMAT[req.provider_format] : undefined;
  if (vendor) {
    attrs[LLM_PROVIDER] = vendor.provider;
    attrs[LLM_SYSTEM] = vendor.system;
  }
  const content = requestContent(start);
  const params = invocationParameters(content, req);
  if (params) attrs[LLM_INVOCATION_PARAMETERS] = jsonText(params, c.maxLength);
  const cfg = c.config;
  if (req && !cfg.hideInputs) {
    if (!cfg.hideInputMessages) addInputMessages(attrs, LLM_INPUT_MESSAGES, req, c.inputMask);
    const tools = req.tools;
    if (Array.isArray(tools)) {
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
  if (res) {
    // The response's format names who answered; it overrules a guess made from a plain request.
    const vendor = res.provider_format !== requestFormat ? VENDOR_BY_FORMAT[res.provider_format] : undefined;
    if (vendor) {
      attrs[LLM_PROVIDER] = vendor.provider;
      attrs[LLM_SYSTEM] = vendor.system;
    }
    const model = typeof res.model === 'string' && res.model.length > 0 ? res.model : undefined;
    if (model) {
      // `llm.model_name` is the model that answered; request/response names only when they differ.
      attrs[LLM_MODEL_NAME] = model;
      if (requestModel && requestModel !== model) {
        attrs[LLM_REQUEST_MODEL_NAME] = requestModel;
        attrs[LLM_RESPONSE_MODEL_NAME] = model;
      }
    }
    const reason = res.raw_finish_reason ?? res.finish_reason;
    if (reason) attrs[LLM_FINISH_REASON] = reason;
    if (res.usage) addTokenCounts(attrs, res.usage);
    if (!cfg.hideOutputs && !cfg.hideOutputMessages) addOutputMessage(attrs, LLM_OUTPUT_MESSAGES, res, c.outputMask);
  }
  addOutputValue(attrs, end.data, cfg.hideOutputs, c.maxLength);
}

function addTokenCounts(attrs: Attributes, u: Usage): void {
  count(attrs, LLM_TOKEN_COUNT_PROMPT, u.input_tokens);
  count(attrs, LLM_TOKEN_COUNT_COMPLETION, u.output_tokens);
  const total = u.total_tokens ?? (typeof u.input_tokens === 'number' && typeof u.output_tokens === 'number' ? u.input_tokens + u.output_tokens : undefined);
  count(attrs, LLM_TOKEN_COUNT_TOTAL, total);
  count(attrs, LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ, u.cache_read_tokens);
  count(attrs, LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE, u.cache_write_tokens);
  count(attrs, LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING, u.reasoning_tokens);
}

function count(attrs: Attributes, key: string, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v)) attrs[key] = v;
}
