/**
 * The Vercel AI SDK's provider-neutral language-model format (`@ai-sdk/provider`
 * LanguageModelV4, also V3): call options (`prompt`, `tools`, `toolChoice`, settings) ⇄ the
 * normalized request; generate results and stream parts → the normalized response. One codec
 * for every provider an AI SDK app uses, since the SDK speaks this format to all of them.
 *
 * Mapping: `system` messages stay in `messages` (the SDK puts them there); a `tool` message
 * becomes one normalized `tool` message per tool result (`tool_call_id`, `name`); an assistant's
 * `tool-call` parts become `tool_calls`, `reasoning` parts `reasoning` parts, images (`file`
 * parts with an image media type) `image` parts; anything else is an `other` part kept verbatim.
 */
import { ProviderCodec } from './codec-base.js';
import { makeToolCall } from './parse-arguments.js';
import { decodeStop, encodeParams, type ParamKeys } from './params.js';
import { alignedBaseParts, assemble, decodeToolList, effectiveParts, encodeKeyed, encodeParts, encodeTemplate, encodeToolList, planMessages } from './reuse.js';
import type {
  ContentPart,
  FinishReason,
  GenerationParams,
  NormalizedMessage,
  NormalizedRequest,
  NormalizedResponse,
  StreamAccumulator,
  ToolCall,
  ToolDefinition,
  Usage,
} from './types.js';
import { CodecError } from './types.js';
import { arr, deepEqual, expected, isObj, num, PathError, rethrowAt, setParts, str, textSeparator, typeOf, type Obj } from './util.js';

const CODEC = 'ai-sdk' as const;

/** Normalized param → call-option key. */
const PARAM_KEYS: ParamKeys = {
  max_tokens: 'maxOutputTokens',
  temperature: 'temperature',
  top_p: 'topP',
  top_k: 'topK',
  stop: 'stopSequences',
  presence_penalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty',
  seed: 'seed',
};
const PARAM_OF: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(PARAM_KEYS).map(([k, v]) => [v as string, k]));
const MODELLED = new Set(['prompt', 'tools', 'toolChoice', 'model', ...Object.keys(PARAM_OF)]);

// ---------------------------------------------------------------------------------------------
// Requests

/** The text of a tool result's output (`text`/`error-text` values as-is, JSON values serialized). */
function outputText(output: unknown): string {
  if (!isObj(output)) return '';
  const v = output.value;
  if (typeof v === 'string') return v;
  if (output.type === 'execution-denied') return typeof output.reason === 'string' ? output.reason : 'execution denied';
  if (output.type === 'content' && Array.isArray(v)) {
    return v.map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : '')).join('');
  }
  return v === undefined ? '' : JSON.stringify(v);
}

/** A file part's data as a URL or base64 string (binary data is not copied into events). */
function fileSource(data: unknown, mediaType: string | undefined): { url?: string; data?: string; media_type?: string } {
  const out: { url?: string; data?: string; media_type?: string } = {};
  if (mediaType !== undefined) out.media_type = mediaType;
  if (typeof data === 'string') {
    if (/^(https?|data):/.test(data)) out.url = data;
    else out.data = data;
  } else if (data instanceof URL) out.url = data.href;
  else if (isObj(data) && typeof data.url === 'string') out.url = data.url;
  else if (isObj(data) && typeof data.data === 'string') out.data = data.data;
  return out;
}

function decodePart(p: unknown, j: number, role: string): ContentPart {
  if (!isObj(p) || typeof p.type !== 'string') throw expected(`content[${j}]`, 'a content part object with a type', p);
  switch (p.type) {
    case 'text':
      if (typeof p.text !== 'string') throw expected(`content[${j}].text`, 'a string', p.text);
      return { type: 'text', text: p.text };
    case 'reasoning':
      if (role === 'assistant' && typeof p.text === 'string') return { type: 'reasoning', text: p.text };
      return { type: 'other', raw: p };
    case 'file': {
      const mt = str(p.mediaType);
      if (mt?.startsWith('image/')) return { type: 'image', ...fileSource(p.data, mt) };
      return { type: 'other', raw: p };
    }
    default:
      return { type: 'other', raw: p };
  }
}

/** One prompt message → its normalized messages (several for a `tool` message). */
function decodeMessage(m: unknown): NormalizedMessage[] {
  if (!isObj(m)) throw expected('', 'a message object', m);
  const role = m.role;
  if (role === 'system') {
    if (typeof m.content !== 'string') throw expected('content', 'a string', m.content);
    return [{ role: 'system', text: m.content }];
  }
  if (role !== 'user' && role !== 'assistant' && role !== 'tool')
    throw new PathError('role', `expected "system", "user", "assistant" or "tool", got ${JSON.stringify(role)}`);
  const content = m.content;
  if (typeof content === 'string') return [{ role, text: content }]; // lenient: a shorthand some callers build
  if (!Array.isArray(content)) throw expected('content', 'an array of parts', content);
  if (role === 'tool') {
    const out: NormalizedMessage[] = [];
    for (let j = 0; j < content.length; j++) {
      const p = content[j];
      if (isObj(p) && p.type === 'tool-result') {
        if (typeof p.toolCallId !== 'string') throw expected(`content[${j}].toolCallId`, 'a string', p.toolCallId);
        const msg: NormalizedMessage = { role: 'tool', text: outputText(p.output), tool_call_id: p.toolCallId };
        if (typeof p.toolName === 'string') msg.name = p.toolName;
        out.push(msg);
      } else {
        out.push({ role: 'tool', text: '', parts: [{ type: 'other', raw: p }] });
      }
    }
    return out.length > 0 ? out : [{ role: 'tool', text: '' }];
  }
  const msg: NormalizedMessage = { role, text: '' };
  const parts: ContentPart[] = [];
  const calls: ToolCall[] = [];
  for (let j = 0; j < content.length; j++) {
    const p = content[j];
    if (role === 'assistant' && isObj(p) && p.type === 'tool-call') {
      if (typeof p.toolCallId !== 'string') throw expected(`content[${j}].toolCallId`, 'a string', p.toolCallId);
      if (typeof p.toolName !== 'string') throw expected(`content[${j}].toolName`, 'a string', p.toolName);
      calls.push(makeToolCall(p.toolCallId, p.toolName, p.input));
      continue;
    }
    parts.push(decodePart(p, j, role));
  }
  setParts(msg, parts, textSeparator(role));
  if (calls.length > 0) msg.tool_calls = calls;
  return [msg];
}

function decodeTool(t: unknown): ToolDefinition {
  if (!isObj(t)) throw expected('', 'a tool object', t);
  if (typeof t.name !== 'string') throw expected('name', 'a string', t.name);
  const def: ToolDefinition = { name: t.name };
  if (typeof t.description === 'string') def.description = t.description;
  if (isObj(t.inputSchema)) def.parameters = t.inputSchema;
  else if (t.type === 'provider' && isObj(t.args)) def.parameters = t.args;
  return def;
}

function decodeParams(c: Obj): GenerationParams {
  const params: GenerationParams = {};
  for (const key in PARAM_OF) {
    const v = c[key];
    if (v === undefined) continue;
    const k = PARAM_OF[key]!;
    if (k === 'stop') {
      const s = decodeStop(v);
      if (s === undefined) throw expected(key, 'an array of strings', v);
      params.stop = s;
    } else {
      const n = num(v);
      if (n === undefined) throw expected(key, 'a number', v);
      params[k] = n;
    }
  }
  return params;
}

interface Decoded {
  req: NormalizedRequest;
  /** Normalized messages per prompt message. */
  sizes: number[];
}

function decodeFull(content: unknown): Decoded {
  if (!isObj(content)) throw expected('', 'call options with a prompt', content);
  const prompt = content.prompt;
  if (!Array.isArray(prompt)) throw expected('prompt', 'an array of messages', prompt);
  const messages: NormalizedMessage[] = [];
  const sizes = new Array<number>(prompt.length);
  for (let i = 0; i < prompt.length; i++) {
    let ms: NormalizedMessage[];
    try {
      ms = decodeMessage(prompt[i]);
    } catch (e) {
      rethrowAt(e, `prompt[${i}]`);
    }
    sizes[i] = ms.length;
    for (const m of ms) messages.push(m);
  }
  const req: NormalizedRequest = { provider_format: CODEC, messages, params: decodeParams(content), extra: {} };
  if (typeof content.model === 'string') req.model = content.model;
  if (content.tools !== undefined) {
    if (!Array.isArray(content.tools)) throw expected('tools', 'an array', content.tools);
    req.tools = decodeToolList(content.tools, decodeTool);
  }
  if (content.toolChoice !== undefined) req.tool_choice = content.toolChoice;
  for (const k in content) if (!MODELLED.has(k) && content[k] !== undefined) req.extra[k] = content[k];
  return { req, sizes };
}

function decodeRequest(content: unknown): NormalizedRequest {
  return decodeFull(content).req;
}

// Encoding ------------------------------------------------------------------------------------

function encodeContentPart(p: ContentPart, tpl: Obj | undefined): unknown {
  switch (p.type) {
    case 'text':
      return tpl ? { ...tpl, text: p.text } : { type: 'text', text: p.text };
    case 'reasoning':
      return tpl ? { ...tpl, text: p.text } : { type: 'reasoning', text: p.text };
    case 'image': {
      const data = p.url ?? p.data;
      if (data === undefined) return undefined;
      return { ...tpl, type: 'file', mediaType: p.media_type ?? 'image/*', data };
    }
    default:
      return undefined;
  }
}

function encodeToolCall(c: ToolCall, tpl: Obj | undefined): unknown {
  const input = c.raw_arguments !== undefined ? c.raw_arguments : c.arguments;
  return { ...tpl, type: 'tool-call', toolCallId: c.id, toolName: c.name, input };
}

/** The raw parts of `src` that are tool calls, in order. */
function rawToolCalls(src: readonly unknown[] | undefined): unknown[] | undefined {
  return src?.filter((p) => isObj(p) && p.type === 'tool-call');
}

function encodeMessage(m: NormalizedMessage, base: NormalizedMessage | undefined, tpl: Obj | undefined): Obj {
  if (m.role === 'system' || m.role === 'developer') return { ...tpl, role: 'system', content: m.text ?? '' };
  if (m.role === 'tool') {
    const raw = tpl && Array.isArray(tpl.content) ? tpl.content.find((p) => isObj(p) && p.toolCallId === m.tool_call_id) : undefined;
    const rawPart = isObj(raw) ? raw : undefined;
    if (m.parts && m.parts.length === 1 && m.parts[0].type === 'other') return { role: 'tool', content: [m.parts[0].raw] };
    const output = rawPart && base && base.text === m.text ? rawPart.output : { type: 'text', value: m.text ?? '' };
    return {
      role: 'tool',
      content: [{ ...rawPart, type: 'tool-result', toolCallId: m.tool_call_id ?? '', toolName: m.name ?? str(rawPart?.toolName) ?? '', output }],
    };
  }
  const role = m.role === 'assistant' ? 'assistant' : 'user';
  const rawContent = tpl && Array.isArray(tpl.content) ? tpl.content : undefined;
  const nonCalls = rawContent?.filter((p) => !(isObj(p) && p.type === 'tool-call'));
  const sep = textSeparator(m.role);
  const parts = effectiveParts(m, base, sep) ?? (m.text ? [{ type: 'text' as const, text: m.text }] : []);
  const content = encodeParts(parts, alignedBaseParts(base, nonCalls), nonCalls, encodeContentPart);
  if (role === 'assistant' && m.tool_calls && m.tool_calls.length > 0) {
    const rawCalls = rawToolCalls(rawContent);
    for (const c of encodeKeyed(m.tool_calls, base?.tool_calls, rawCalls, (t) => t.id, encodeToolCall)) content.push(c);
  }
  const out: Obj = { role, content };
  if (tpl && tpl.providerOptions !== undefined) out.providerOptions = tpl.providerOptions;
  return out;
}

/** Joins consecutive single-result tool messages back into one `tool` prompt message. */
function pushMessage(out: Obj[], m: Obj, join: boolean): void {
  const last = out[out.length - 1];
  if (join && m.role === 'tool' && last && last.role === 'tool' && Array.isArray(last.content) && Array.isArray(m.content)) {
    out[out.length - 1] = { ...last, content: [...last.content, ...m.content] };
  } else out.push(m);
}

function encodePrompt(messages: readonly NormalizedMessage[], base: Decoded | undefined, rawPrompt: readonly unknown[] | undefined): unknown[] {
  if (!base || !rawPrompt) {
    const out: Obj[] = [];
    for (const m of messages) pushMessage(out, encodeMessage(m, undefined, undefined), true);
    return out;
  }
  if (deepEqual(messages, base.req.messages)) return rawPrompt as unknown[];
  const plan = planMessages(base.req.messages, base.sizes, messages);
  // Which prompt message each baseline normalized message came from.
  const groupOf: number[] = [];
  base.sizes.forEach((n, g) => {
    for (let k = 0; k < n; k++) groupOf.push(g);
  });
  const out: Obj[] = rawPrompt.slice(0, plan.head) as Obj[];
  const mid1 = messages.length - plan.tailMsgs;
  for (let i = plan.headMsgs; i < mid1; i++) {
    const k = plan.pairs[i - plan.headMsgs];
    const b = k >= 0 ? base.req.messages[k] : undefined;
    const raw = k >= 0 ? rawPrompt[groupOf[k]] : undefined;
    // An unchanged message that was a whole prompt message is reused as it was.
    if (b && base.sizes[groupOf[k]] === 1 && deepEqual(messages[i], b) && isObj(raw)) {
      out.push(raw);
      continue;
    }
    pushMessage(out, encodeMessage(messages[i], b, isObj(raw) ? raw : undefined), true);
  }
  for (const raw of rawPrompt.slice(rawPrompt.length - plan.tail)) out.push(raw as Obj);
  return out;
}

function encodeToolDef(def: ToolDefinition, tpl: Obj | undefined): unknown {
  if (tpl && tpl.type === 'provider') return { ...tpl, name: def.name };
  const out: Obj = { ...tpl, type: 'function', name: def.name, inputSchema: def.parameters ?? { type: 'object', properties: {} } };
  if (def.description !== undefined) out.description = def.description;
  else delete out.description;
  return out;
}

function encodeRequest(norm: NormalizedRequest, original: unknown): unknown {
  let decoded: Decoded | undefined;
  const t = encodeTemplate(norm, original, CODEC, (o) => (decoded = decodeFull(o)).req);
  if (!Array.isArray(norm.messages)) throw expected('messages', 'an array of messages', norm.messages);
  norm.messages.forEach((m, i) => {
    if (!isObj(m)) throw expected(`messages[${i}]`, 'a message object', m);
  });
  const orig = t.orig;
  const values: Obj = {};
  values.prompt = encodePrompt(norm.messages, t.base ? decoded : undefined, t.base && Array.isArray(orig?.prompt) ? orig.prompt : undefined);
  if (norm.tools !== undefined) values.tools = encodeToolList(norm.tools, t, encodeToolDef);
  if (norm.tool_choice !== undefined) values.toolChoice = norm.tool_choice;
  if (norm.model !== undefined && orig && typeof orig.model === 'string') values.model = norm.model;
  encodeParams(values, norm.params, t.base?.params, orig, PARAM_KEYS);
  // Modelled keys the edit removed must not come back from the original.
  const extra: Obj = { ...norm.extra };
  return assemble(orig, values, extra);
}

// ---------------------------------------------------------------------------------------------
// Responses

/** The AI SDK's unified finish reason (V4/V3 `{ unified, raw }`, V2 a string). */
function finishReason(fr: unknown): { reason?: FinishReason; raw?: string } {
  const unified = isObj(fr) ? fr.unified : fr;
  const raw = isObj(fr) ? str(fr.raw) : undefined;
  const out: { reason?: FinishReason; raw?: string } = {};
  if (raw !== undefined) out.raw = raw;
  switch (unified) {
    case 'stop':
      out.reason = 'stop';
      break;
    case 'length':
      out.reason = 'length';
      break;
    case 'tool-calls':
      out.reason = 'tool_calls';
      break;
    case 'content-filter':
      out.reason = 'content_filter';
      break;
    case 'error':
      out.reason = 'error';
      break;
    case undefined:
      break;
    default:
      out.reason = 'other'; // interrupted, other, future reasons
  }
  if (out.raw === undefined && typeof unified === 'string') out.raw = unified;
  return out;
}

/** V4/V3 usage (`inputTokens: { total, noCache, cacheRead, cacheWrite }`) or V2's flat numbers. */
function usageOf(u: unknown): Usage | undefined {
  if (!isObj(u)) return undefined;
  const usage: Usage = {};
  const inT = u.inputTokens;
  const outT = u.outputTokens;
  if (isObj(inT)) {
    const total = num(inT.total);
    if (total !== undefined) usage.input_tokens = total;
    const read = num(inT.cacheRead);
    if (read !== undefined) usage.cache_read_tokens = read;
    const write = num(inT.cacheWrite);
    if (write !== undefined) usage.cache_write_tokens = write;
  } else if (num(inT) !== undefined) {
    usage.input_tokens = num(inT);
    if (num(u.cachedInputTokens) !== undefined) usage.cache_read_tokens = num(u.cachedInputTokens);
  }
  if (isObj(outT)) {
    const total = num(outT.total);
    if (total !== undefined) usage.output_tokens = total;
    const reasoning = num(outT.reasoning);
    if (reasoning !== undefined) usage.reasoning_tokens = reasoning;
  } else if (num(outT) !== undefined) {
    usage.output_tokens = num(outT);
    if (num(u.reasoningTokens) !== undefined) usage.reasoning_tokens = num(u.reasoningTokens);
  }
  const total = num(u.totalTokens);
  if (total !== undefined) usage.total_tokens = total;
  else if (usage.input_tokens !== undefined && usage.output_tokens !== undefined) usage.total_tokens = usage.input_tokens + usage.output_tokens;
  return Object.keys(usage).length > 0 ? usage : undefined;
}

function head(r: unknown): { res: NormalizedResponse; r: Obj } {
  if (!isObj(r)) throw new CodecError(`expected a response object (a generate result), got ${typeOf(r)}`, CODEC);
  const res: NormalizedResponse = { provider_format: CODEC, text: '', tool_calls: [] };
  const meta = isObj(r.response) ? r.response : undefined;
  if (meta && typeof meta.id === 'string') res.id = meta.id;
  if (meta && typeof meta.modelId === 'string') res.model = meta.modelId;
  const fr = finishReason(r.finishReason);
  if (fr.reason !== undefined) res.finish_reason = fr.reason;
  if (fr.raw !== undefined) res.raw_finish_reason = fr.raw;
  const usage = usageOf(r.usage);
  if (usage) res.usage = usage;
  return { res, r };
}

function summarizeResponse(response: unknown): NormalizedResponse {
  return head(response).res;
}

function decodeResponse(response: unknown): NormalizedResponse {
  const { res, r } = head(response);
  const content = arr(r.content); // best effort: anything but an array of parts reads as no content
  let reasoning: string | undefined;
  for (const p of content ?? []) {
    if (!isObj(p)) continue;
    if (p.type === 'text' && typeof p.text === 'string') res.text += p.text;
    else if (p.type === 'reasoning' && typeof p.text === 'string') reasoning = (reasoning ?? '') + p.text;
    else if (p.type === 'tool-call' && typeof p.toolCallId === 'string' && typeof p.toolName === 'string' && p.providerExecuted !== true) {
      res.tool_calls.push(makeToolCall(p.toolCallId, p.toolName, p.input));
    }
  }
  if (reasoning !== undefined) res.reasoning = reasoning;
  return res;
}

/** Accumulates `LanguageModelV4StreamPart`s (text/reasoning deltas, tool calls, metadata, finish). */
class AiSdkAccumulator implements StreamAccumulator {
  private readonly res: NormalizedResponse = { provider_format: CODEC, text: '', tool_calls: [] };
  private reasoning: string | undefined;

  push(chunk: unknown): void {
    if (!isObj(chunk)) return;
    const res = this.res;
    switch (chunk.type) {
      case 'text-delta':
        if (typeof chunk.delta === 'string') res.text += chunk.delta;
        break;
      case 'reasoning-delta':
        if (typeof chunk.delta === 'string') this.reasoning = (this.reasoning ?? '') + chunk.delta;
        break;
      case 'tool-call':
        if (typeof chunk.toolCallId === 'string' && typeof chunk.toolName === 'string' && chunk.providerExecuted !== true) {
          res.tool_calls.push(makeToolCall(chunk.toolCallId, chunk.toolName, chunk.input));
        }
        break;
      case 'response-metadata':
        if (typeof chunk.id === 'string') res.id = chunk.id;
        if (typeof chunk.modelId === 'string') res.model = chunk.modelId;
        break;
      case 'finish': {
        const fr = finishReason(chunk.finishReason);
        if (fr.reason !== undefined) res.finish_reason = fr.reason;
        if (fr.raw !== undefined) res.raw_finish_reason = fr.raw;
        const usage = usageOf(chunk.usage);
        if (usage) res.usage = usage;
        break;
      }
      default:
        break;
    }
  }

  finish(): NormalizedResponse {
    const out: NormalizedResponse = { ...this.res, tool_calls: this.res.tool_calls.slice() };
    if (this.reasoning !== undefined) out.reasoning = this.reasoning;
    return out;
  }
}

/** The AI SDK's provider-neutral format (`LanguageModelV4CallOptions`, generate results, stream parts). */
export class AiSdkCodec extends ProviderCodec {
  constructor() {
    super(CODEC, { decodeRequest, encodeRequest, decodeResponse, summarizeResponse, createAccumulator: () => new AiSdkAccumulator() });
  }
}
