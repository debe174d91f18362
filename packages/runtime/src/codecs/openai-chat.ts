/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`), also spoken by most OpenAI-compatible
 * servers (vLLM, NIM, LiteLLM, ...).
 *
 * Request: `messages` (system/developer/user/assistant/tool, string or part-array content,
 * `tool_calls` with JSON-string arguments, `tool_call_id`), `tools` (`{type:'function', function}`),
 * `tool_choice`, sampling params. Response: `choices[0].message`, `finish_reason`, `usage`.
 * Stream: `chat.completion.chunk` deltas, tool-call argument fragments keyed by `index`, and an
 * optional final chunk carrying only `usage`.
 */
import { chatFinishReason } from './finish-reasons.js';
import { ChunkReader } from './chunks.js';
import { argumentsString, makeToolCall } from './parse-arguments.js';
import { decodeStop, encodeParams } from './params.js';
import {
  alignedBaseParts,
  assemble,
  effectiveParts,
  encodeKeyed,
  encodeParts,
  planMessages,
  decodeToolList,
  encodeTemplate,
  encodeToolList,
  responseHead,
} from './reuse.js';
import {
  type CodecName,
  type ContentPart,
  type GenerationParams,
  type NormalizedMessage,
  type NormalizedRequest,
  type NormalizedResponse,
  type Role,
  type StreamAccumulator,
  type ToolCall,
  type ToolDefinition,
  type Usage,
} from './types.js';
import { decodeOpenAIUsage, CHAT_USAGE } from './openai-usage.js';
import { ProviderCodec } from './codec-base.js';
import {
  decodePartsInto,
  deepEqual,
  expected,
  imageUrlOf,
  isObj,
  num,
  PathError,
  rethrowAt,
  setOrDelete,
  str,
  textOfBlocks,
  textSeparator,
  typeOf,
  type Obj,
} from './util.js';

const NAME = 'openai-chat' satisfies CodecName;

// ---------------------------------------------------------------------------------------------
// Request decode

function decodeRole(v: unknown): Role {
  switch (v) {
    case 'system':
    case 'developer':
    case 'user':
    case 'assistant':
    case 'tool':
      return v;
    case 'function':
      return 'tool'; // legacy function-result message
  }
  throw typeof v === 'string' ? new PathError('role', `unknown role "${v}"`) : expected('role', 'a role string', v);
}

function decodePart(p: unknown, j: number): ContentPart {
  if (!isObj(p)) throw expected(`[${j}]`, 'a content part object', p);
  switch (p.type) {
    case 'text':
      if (typeof p.text !== 'string') throw expected(`[${j}].text`, 'a string', p.text);
      return { type: 'text', text: p.text };
    case 'image_url': {
      const iu = p.image_url;
      const url = isObj(iu) ? iu.url : iu;
      if (typeof url === 'string') return { type: 'image', url };
      break;
    }
  }
  return { type: 'other', raw: p };
}

function decodeToolCall(tc: unknown, q: number): ToolCall {
  if (!isObj(tc)) throw expected(`[${q}]`, 'a tool call object', tc);
  const id = typeof tc.id === 'string' ? tc.id : '';
  const fn = tc.function;
  if (isObj(fn)) {
    if (typeof fn.name !== 'string') throw expected(`[${q}].function.name`, 'a string', fn.name);
    return makeToolCall(id, fn.name, fn.arguments);
  }
  const custom = tc.custom;
  if (isObj(custom) && typeof custom.name === 'string') return makeToolCall(id, custom.name, custom.input);
  throw expected(`[${q}].function`, 'an object', fn);
}

function decodeMessage(m: unknown): NormalizedMessage {
  if (!isObj(m)) throw expected('', 'a message object', m);
  const role = decodeRole(m.role);
  const msg: NormalizedMessage = { role, text: '' };
  const c = m.content;
  if (typeof c === 'string') msg.text = c;
  else if (Array.isArray(c)) {
    try {
      decodePartsInto(msg, c, decodePart, textSeparator(role));
    } catch (e) {
      rethrowAt(e, 'content');
    }
  } else if (c != null) throw expected('content', 'a string, an array of content parts or null', c);
  const tcs = m.tool_calls;
  if (tcs != null) {
    if (!Array.isArray(tcs)) throw expected('tool_calls', 'an array', tcs);
    if (tcs.length > 0) {
      const calls = new Array<ToolCall>(tcs.length);
      try {
        for (let q = 0; q < tcs.length; q++) calls[q] = decodeToolCall(tcs[q], q);
      } catch (e) {
        rethrowAt(e, 'tool_calls');
      }
      msg.tool_calls = calls;
    }
  }
  if (typeof m.tool_call_id === 'string') msg.tool_call_id = m.tool_call_id;
  if (typeof m.name === 'string') msg.name = m.name;
  return msg;
}

function decodeMessages(v: unknown): NormalizedMessage[] {
  if (!Array.isArray(v)) throw expected('messages', 'an array', v);
  const out = new Array<NormalizedMessage>(v.length);
  for (let i = 0; i < v.length; i++) {
    try {
      out[i] = decodeMessage(v[i]);
    } catch (e) {
      rethrowAt(e, `messages[${i}]`);
    }
  }
  return out;
}

function decodeTool(t: unknown): ToolDefinition {
  if (!isObj(t)) throw expected('', 'a tool object', t);
  let def: Obj = t;
  let at = '';
  if (isObj(t.function)) {
    def = t.function;
    at = 'function.';
  } else if (isObj(t.custom)) {
    def = t.custom;
    at = 'custom.';
  }
  const name = def.name;
  if (typeof name !== 'string') {
    if (def === t && t.type === 'function') throw expected('function', 'an object', t.function);
    if (def === t && typeof t.type === 'string') return { name: t.type }; // a built-in tool, known by its type
    throw expected(`${at}name`, 'a string', name);
  }
  const out: ToolDefinition = { name };
  if (typeof def.description === 'string') out.description = def.description;
  if (isObj(def.parameters)) out.parameters = def.parameters;
  return out;
}

function decodeRequest(content: unknown): NormalizedRequest {
  if (!isObj(content)) throw new PathError('', `expected a request object, got ${typeOf(content)}`);
  const params: GenerationParams = {};
  const extra: Obj = {};
  const req: NormalizedRequest = { provider_format: NAME, messages: [], params, extra };
  let sawMessages = false;
  for (const k in content) {
    const v = content[k];
    if (v === undefined) {
      extra[k] = v;
      continue;
    }
    switch (k) {
      case 'messages':
        sawMessages = true;
        req.messages = decodeMessages(v);
        break;
      case 'model':
        if (typeof v === 'string') req.model = v;
        else extra[k] = v;
        break;
      case 'stream':
        if (typeof v === 'boolean') req.stream = v;
        else extra[k] = v;
        break;
      case 'tools':
        if (Array.isArray(v)) req.tools = decodeToolList(v, decodeTool);
        else if (v === null) extra[k] = v;
        else throw expected('tools', 'an array', v);
        break;
      case 'tool_choice':
        req.tool_choice = v;
        break;
      case 'temperature':
      case 'top_p':
      case 'top_k':
      case 'presence_penalty':
      case 'frequency_penalty':
      case 'seed':
        if (typeof v === 'number') params[k] = v;
        else extra[k] = v;
        break;
      case 'max_completion_tokens':
        if (typeof v === 'number') params.max_tokens = v;
        else extra[k] = v;
        break;
      case 'max_tokens':
        // the newer max_completion_tokens wins when both are sent
        if (typeof v === 'number' && typeof content.max_completion_tokens !== 'number') params.max_tokens = v;
        else extra[k] = v;
        break;
      case 'stop': {
        const stop = decodeStop(v);
        if (stop) params.stop = stop;
        else extra[k] = v;
        break;
      }
      default:
        extra[k] = v;
    }
  }
  if (!sawMessages) throw new PathError('messages', 'missing (a chat request needs a messages array)');
  return req;
}

// ---------------------------------------------------------------------------------------------
// Request encode

function encodePart(p: ContentPart, tpl: Obj | undefined): unknown {
  switch (p.type) {
    case 'text':
      return tpl ? { ...tpl, text: p.text } : { type: 'text', text: p.text };
    case 'image': {
      const url = imageUrlOf(p);
      if (url === undefined) return undefined;
      if (tpl) return { ...tpl, image_url: isObj(tpl.image_url) ? { ...tpl.image_url, url } : { url } };
      return { type: 'image_url', image_url: { url } };
    }
    case 'reasoning':
      return undefined; // Chat Completions has no reasoning input part
    case 'other':
      return p.raw;
  }
}

/** Message content for `m`; `raw` is the template message's content (undefined when fresh). */
function encodeContent(m: NormalizedMessage, b: NormalizedMessage | undefined, raw: unknown): unknown {
  const src = b && Array.isArray(raw) ? raw : undefined;
  let parts = effectiveParts(m, b, textSeparator(m.role));
  if (!parts) {
    if (!src) {
      // keep `null` / absent content of an assistant message that only calls tools
      if (m.text === '' && (raw === null || (b && raw === undefined))) return raw;
      if (m.text === '' && !b && m.role === 'assistant' && m.tool_calls?.length) return null;
      return m.text ?? '';
    }
    parts = m.text ? [{ type: 'text', text: m.text }] : [];
  }
  return encodeParts(parts, alignedBaseParts(b, src), src, encodePart);
}

function encodeToolCall(c: ToolCall, tpl: Obj | undefined): unknown {
  const args = argumentsString(c);
  if (tpl && isObj(tpl.custom)) return { ...tpl, id: c.id, custom: { ...tpl.custom, name: c.name, input: args } };
  if (tpl) {
    const fn = isObj(tpl.function) ? { ...tpl.function, name: c.name, arguments: args } : { name: c.name, arguments: args };
    return { ...tpl, id: c.id, function: fn };
  }
  return { id: c.id, type: 'function', function: { name: c.name, arguments: args } };
}

const callId = (c: ToolCall): string => c.id;

function encodeMessage(m: NormalizedMessage, b: NormalizedMessage | undefined, raw: unknown): unknown {
  const tpl = b && isObj(raw) ? raw : undefined;
  if (tpl && deepEqual(m, b)) return tpl;
  const base = tpl ? b : undefined;
  const out: Obj = tpl ? { ...tpl } : {};
  if (!base || m.role !== base.role) {
    out.role = m.role === 'tool' && tpl?.role === 'function' && !m.tool_call_id ? 'function' : m.role;
  }
  if (!base || m.text !== base.text || !deepEqual(m.parts, base.parts)) {
    setOrDelete(out, 'content', encodeContent(m, base, tpl?.content));
  }
  if (!base || !deepEqual(m.tool_calls, base.tool_calls)) {
    const rawCalls = tpl && Array.isArray(tpl.tool_calls) ? tpl.tool_calls : undefined;
    setOrDelete(out, 'tool_calls', m.tool_calls?.length ? encodeKeyed(m.tool_calls, base?.tool_calls, rawCalls, callId, encodeToolCall) : undefined);
  }
  if (!base || m.tool_call_id !== base.tool_call_id) setOrDelete(out, 'tool_call_id', m.tool_call_id);
  if (!base || m.name !== base.name) setOrDelete(out, 'name', m.name);
  return out;
}

function encodeMessages(next: readonly NormalizedMessage[], base: NormalizedRequest | undefined, raw: unknown): unknown[] {
  for (let i = 0; i < next.length; i++) if (!isObj(next[i])) throw expected(`messages[${i}]`, 'a message object', next[i]);
  if (!base || !Array.isArray(raw)) return next.map((m) => encodeMessage(m, undefined, undefined));
  const plan = planMessages(base.messages, undefined, next);
  if (plan.head === raw.length && plan.headMsgs === next.length) return raw;
  const out = raw.slice(0, plan.head);
  for (let j = 0; j < plan.pairs.length; j++) {
    const k = plan.pairs[j];
    out.push(encodeMessage(next[plan.headMsgs + j], k >= 0 ? base.messages[k] : undefined, k >= 0 ? raw[k] : undefined));
  }
  for (let g = raw.length - plan.tail; g < raw.length; g++) out.push(raw[g]);
  return out;
}

function withDefinition(o: Obj, def: ToolDefinition): Obj {
  o.name = def.name;
  setOrDelete(o, 'description', def.description);
  setOrDelete(o, 'parameters', def.parameters);
  return o;
}

function encodeTool(def: ToolDefinition, tpl: Obj | undefined): unknown {
  if (!tpl) return { type: 'function', function: withDefinition({}, def) };
  if (isObj(tpl.function)) return { ...tpl, function: withDefinition({ ...tpl.function }, def) };
  if (isObj(tpl.custom)) {
    const custom: Obj = { ...tpl.custom, name: def.name };
    setOrDelete(custom, 'description', def.description);
    return { ...tpl, custom };
  }
  if (typeof tpl.name === 'string') return withDefinition({ ...tpl }, def);
  return tpl; // a built-in tool has nothing a ToolDefinition can edit
}

function encodeRequest(norm: NormalizedRequest, original: unknown): unknown {
  const t = encodeTemplate(norm, original, NAME, decodeRequest);
  const { same, orig, base } = t;
  const values: Obj = { model: undefined, messages: undefined };
  const maxKey = orig && typeof orig.max_completion_tokens === 'number' ? 'max_completion_tokens' : 'max_tokens';
  encodeParams(values, norm.params, base?.params, orig, { max_tokens: maxKey });
  values.model = norm.model;
  let messages = encodeMessages(norm.messages ?? [], base, orig?.messages);
  if (norm.system) messages = [{ role: 'system', content: norm.system }, ...messages]; // Chat has no top-level system
  values.messages = messages;
  if (norm.tools) values.tools = encodeToolList(norm.tools, t, encodeTool);
  values.tool_choice = norm.tool_choice;
  values.stream = norm.stream;
  return assemble(orig, values, same && isObj(norm.extra) ? norm.extra : {});
}

// ---------------------------------------------------------------------------------------------
// Response decode

const decodeUsage = (u: Obj): Usage => decodeOpenAIUsage(u, CHAT_USAGE);

function responseToolCall(tc: unknown): ToolCall | undefined {
  if (!isObj(tc)) return undefined;
  const id = str(tc.id) ?? '';
  if (isObj(tc.function)) return makeToolCall(id, str(tc.function.name) ?? '', tc.function.arguments);
  if (isObj(tc.custom)) return makeToolCall(id, str(tc.custom.name) ?? '', tc.custom.input);
  return undefined;
}

/** Everything but the message: id, model, finish reason, usage, error. Never throws on an object. */
function summarizeResponse(response: unknown): NormalizedResponse {
  const res = responseHead(response, NAME);
  const r = response as Obj; // an object: responseHead throws otherwise
  const choice = Array.isArray(r.choices) ? r.choices[0] : undefined;
  if (isObj(choice)) {
    const fr = choice.finish_reason;
    if (typeof fr === 'string') {
      res.finish_reason = chatFinishReason(fr);
      res.raw_finish_reason = fr;
    }
  }
  if (isObj(r.usage)) res.usage = decodeUsage(r.usage);
  if (isObj(r.error)) {
    res.finish_reason = 'error';
    res.raw_finish_reason = str(r.error.type) ?? str(r.error.code) ?? 'error';
  }
  return res;
}

/** Best effort: reads whatever is there, never throws on an object. */
function decodeResponse(r: unknown): NormalizedResponse {
  const res = summarizeResponse(r);
  const choice = Array.isArray((r as Obj).choices) ? ((r as Obj).choices as unknown[])[0] : undefined;
  const msg = isObj(choice) ? choice.message : undefined;
  if (isObj(msg)) {
    const c = msg.content;
    if (typeof c === 'string') res.text = c;
    else if (Array.isArray(c)) res.text = textOfBlocks(c, '');
    const reasoning = str(msg.reasoning_content) ?? str(msg.reasoning);
    if (reasoning) res.reasoning = reasoning;
    if (Array.isArray(msg.tool_calls)) {
      for (const tc of msg.tool_calls) {
        const call = responseToolCall(tc);
        if (call) res.tool_calls.push(call);
      }
    }
    const fc = msg.function_call; // legacy single function call
    if (isObj(fc)) res.tool_calls.push(makeToolCall('', str(fc.name) ?? '', fc.arguments));
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Streaming

interface CallState {
  id: string;
  name: string;
  args: string;
}

class ChatAccumulator implements StreamAccumulator {
  private readonly reader = new ChunkReader();
  private readonly sink = (e: unknown): void => this.onEvent(e);
  private id: string | undefined;
  private model: string | undefined;
  private text = '';
  private reasoning = '';
  private readonly calls = new Map<number, CallState>();
  private lastCall: CallState | undefined;
  private finishReason: string | undefined;
  private usage: Obj | undefined;
  private error: Obj | undefined;
  private final: Obj | undefined;

  push(chunk: unknown): void {
    try {
      this.reader.feed(chunk, this.sink);
    } catch {
      // a malformed chunk never breaks the caller's stream
    }
  }

  private onEvent(e: unknown): void {
    if (!isObj(e)) return;
    if (this.id === undefined && typeof e.id === 'string' && e.id !== '') this.id = e.id;
    if (this.model === undefined && typeof e.model === 'string' && e.model !== '') this.model = e.model;
    if (isObj(e.usage)) this.usage = e.usage;
    if (isObj(e.error)) this.error = e.error;
    if (e.object === 'chat.completion') {
      this.final = e; // a client that yields the aggregated completion
      return;
    }
    const choices = e.choices;
    if (!Array.isArray(choices)) return;
    for (const c of choices) {
      if (!isObj(c) || (c.index !== undefined && c.index !== 0)) continue;
      const d = c.delta;
      if (isObj(d)) {
        if (typeof d.content === 'string') this.text += d.content;
        const r = typeof d.reasoning_content === 'string' ? d.reasoning_content : d.reasoning;
        if (typeof r === 'string') this.reasoning += r;
        if (Array.isArray(d.tool_calls)) for (const tc of d.tool_calls) this.onToolCall(tc);
      }
      if (typeof c.finish_reason === 'string') this.finishReason = c.finish_reason;
    }
  }

  private onToolCall(tc: unknown): void {
    if (!isObj(tc)) return;
    const index = num(tc.index);
    const id = typeof tc.id === 'string' && tc.id !== '' ? tc.id : undefined;
    let state: CallState | undefined;
    if (index !== undefined) state = this.calls.get(index);
    else if (!id || id === this.lastCall?.id) state = this.lastCall; // providers that omit `index`
    if (!state) {
      state = { id: '', name: '', args: '' };
      this.calls.set(index ?? this.calls.size, state);
    }
    this.lastCall = state;
    if (id) state.id = id;
    const fn = tc.function;
    if (isObj(fn)) {
      if (typeof fn.name === 'string' && state.name === '') state.name = fn.name;
      if (typeof fn.arguments === 'string') state.args += fn.arguments;
    }
  }

  finish(): NormalizedResponse {
    try {
      this.reader.end(this.sink);
    } catch {
      // ignore a broken trailing fragment
    }
    if (this.final) {
      const res = decodeResponse(this.final);
      if (!res.usage && this.usage) res.usage = decodeUsage(this.usage);
      return res;
    }
    const res: NormalizedResponse = { provider_format: NAME, text: this.text, tool_calls: [] };
    if (this.id !== undefined) res.id = this.id;
    if (this.model !== undefined) res.model = this.model;
    if (this.reasoning) res.reasoning = this.reasoning;
    const indexes = [...this.calls.keys()].sort((a, b) => a - b);
    for (const i of indexes) {
      const s = this.calls.get(i) as CallState;
      res.tool_calls.push(makeToolCall(s.id, s.name, s.args));
    }
    if (this.finishReason !== undefined) {
      res.finish_reason = chatFinishReason(this.finishReason);
      res.raw_finish_reason = this.finishReason;
    }
    if (this.usage) res.usage = decodeUsage(this.usage);
    if (this.error) {
      res.finish_reason = 'error';
      res.raw_finish_reason = str(this.error.type) ?? str(this.error.code) ?? 'error';
    }
    return res;
  }
}

// ---------------------------------------------------------------------------------------------

/** Codec for OpenAI Chat Completions payloads. Stateless; one instance can serve every call. */
export class OpenAIChatCodec extends ProviderCodec {
  constructor() {
    super(NAME, { decodeRequest, encodeRequest, decodeResponse, summarizeResponse, createAccumulator: () => new ChatAccumulator() });
  }
}
