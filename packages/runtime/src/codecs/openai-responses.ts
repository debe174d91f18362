/**
 * OpenAI Responses (`POST /v1/responses`).
 *
 * Request: `input` (a string, or items: messages with `input_text` / `input_image` / `output_text`
 * parts, `function_call`, `function_call_output`, `reasoning`, and any other item kept verbatim),
 * `instructions`, flat function tools (`{type:'function', name, parameters}`), sampling params.
 * One input item decodes to one normalized message. Response: `output` items, `status` +
 * `incomplete_details`, `usage`. Stream: `response.*` server-sent events.
 */
import { ChunkReader } from './chunks.js';
import { responsesFinishReason } from './finish-reasons.js';
import { argumentsString, makeToolCall } from './parse-arguments.js';
import { encodeParams } from './params.js';
import {
  alignedBaseParts,
  assemble,
  effectiveParts,
  encodeParts,
  planMessages,
  type PartEncoder,
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
import { decodeOpenAIUsage, RESPONSES_USAGE } from './openai-usage.js';
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
  textSeparator,
  typeOf,
  type Obj,
} from './util.js';

const NAME = 'openai-responses' satisfies CodecName;

/** Part types that live inside a message's content (as opposed to top-level input items). */
const CONTENT_PART_TYPES = new Set([
  'input_text',
  'output_text',
  'text',
  'input_image',
  'input_file',
  'input_audio',
  'refusal',
  'summary_text',
  'reasoning_text',
]);

// ---------------------------------------------------------------------------------------------
// Request decode

function decodeRole(v: unknown): Role {
  switch (v) {
    case 'user':
    case 'assistant':
    case 'system':
    case 'developer':
      return v;
  }
  throw typeof v === 'string' ? new PathError('role', `unknown role "${v}"`) : expected('role', 'a role string', v);
}

function decodePart(p: unknown, j: number): ContentPart {
  if (!isObj(p)) throw expected(`[${j}]`, 'a content part object', p);
  switch (p.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      if (typeof p.text !== 'string') throw expected(`[${j}].text`, 'a string', p.text);
      return { type: 'text', text: p.text };
    case 'input_image':
      if (typeof p.image_url === 'string') return { type: 'image', url: p.image_url };
      break;
  }
  return { type: 'other', raw: p };
}

/** Text of a reasoning item: its full reasoning content when present, else its summary. */
function reasoningText(item: Obj): string {
  let text = '';
  for (const key of ['content', 'summary']) {
    const list = item[key];
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      if (isObj(p) && typeof p.text === 'string') text = text === '' ? p.text : `${text}\n${p.text}`;
    }
    if (text !== '') return text;
  }
  return text;
}

function isRole(v: unknown): v is Role {
  return v === 'user' || v === 'assistant' || v === 'system' || v === 'developer' || v === 'tool';
}

function decodeItem(it: unknown): NormalizedMessage {
  if (!isObj(it)) throw expected('', 'an input item object', it);
  const type = it.type;
  if (type === undefined || type === 'message') {
    const role = decodeRole(it.role);
    const msg: NormalizedMessage = { role, text: '' };
    const c = it.content;
    if (typeof c === 'string') msg.text = c;
    else if (Array.isArray(c)) {
      try {
        decodePartsInto(msg, c, decodePart, textSeparator(role));
      } catch (e) {
        rethrowAt(e, 'content');
      }
    } else throw expected('content', 'a string or an array of content parts', c);
    return msg;
  }
  switch (type) {
    case 'function_call': {
      if (typeof it.name !== 'string') throw expected('name', 'a string', it.name);
      const id = str(it.call_id) ?? str(it.id) ?? '';
      return { role: 'assistant', text: '', tool_calls: [makeToolCall(id, it.name, it.arguments)] };
    }
    case 'function_call_output': {
      if (typeof it.call_id !== 'string') throw expected('call_id', 'a string', it.call_id);
      const msg: NormalizedMessage = { role: 'tool', text: '', tool_call_id: it.call_id };
      const out = it.output;
      if (typeof out === 'string') msg.text = out;
      else if (Array.isArray(out)) {
        try {
          decodePartsInto(msg, out, decodePart, '\n');
        } catch (e) {
          rethrowAt(e, 'output');
        }
      } else if (out != null) throw expected('output', 'a string or an array of content parts', out);
      return msg;
    }
    case 'reasoning':
      return { role: 'assistant', text: '', parts: [{ type: 'reasoning', text: reasoningText(it) }] };
  }
  // Built-in tool calls, item references, future items: kept whole as an `other` part.
  const role: Role = isRole(it.role) ? it.role : typeof type === 'string' && type.endsWith('_output') ? 'tool' : 'assistant';
  const msg: NormalizedMessage = { role, text: '', parts: [{ type: 'other', raw: it }] };
  if (role === 'tool' && typeof it.call_id === 'string') msg.tool_call_id = it.call_id;
  return msg;
}

function decodeInput(v: unknown): NormalizedMessage[] {
  if (typeof v === 'string') return [{ role: 'user', text: v }];
  if (!Array.isArray(v)) throw expected('input', 'a string or an array of input items', v);
  const out = new Array<NormalizedMessage>(v.length);
  for (let i = 0; i < v.length; i++) {
    try {
      out[i] = decodeItem(v[i]);
    } catch (e) {
      rethrowAt(e, `input[${i}]`);
    }
  }
  return out;
}

function decodeTool(t: unknown): ToolDefinition {
  if (!isObj(t)) throw expected('', 'a tool object', t);
  const def = isObj(t.function) ? t.function : t; // tolerate the Chat-style nesting
  const name = def.name;
  if (typeof name !== 'string') {
    if (t.type === 'function') throw expected(def === t ? 'name' : 'function.name', 'a string', name);
    if (typeof t.type === 'string') return { name: t.type }; // a built-in tool, known by its type
    throw expected('type', 'a string', t.type);
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
  for (const k in content) {
    const v = content[k];
    if (v === undefined || v === null) {
      extra[k] = v;
      continue;
    }
    switch (k) {
      case 'input':
        req.messages = decodeInput(v);
        break;
      case 'instructions':
        if (typeof v === 'string') req.system = v;
        else extra[k] = v;
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
        if (!Array.isArray(v)) throw expected('tools', 'an array', v);
        req.tools = decodeToolList(v, decodeTool);
        break;
      case 'tool_choice':
        req.tool_choice = v;
        break;
      case 'temperature':
      case 'top_p':
        if (typeof v === 'number') params[k] = v;
        else extra[k] = v;
        break;
      case 'max_output_tokens':
        if (typeof v === 'number') params.max_tokens = v;
        else extra[k] = v;
        break;
      default:
        extra[k] = v;
    }
  }
  return req;
}

// ---------------------------------------------------------------------------------------------
// Request encode

type Kind = 'message' | 'function_call' | 'function_call_output' | 'reasoning' | 'other';

function itemKind(raw: Obj): Kind {
  const t = raw.type;
  if (t === undefined || t === 'message') return 'message';
  if (t === 'function_call' || t === 'function_call_output' || t === 'reasoning') return t;
  return 'other';
}

/** An `other` part holding a whole input item (not a content part). */
function isItemPart(p: ContentPart): p is { type: 'other'; raw: Obj } {
  return p.type === 'other' && isObj(p.raw) && typeof p.raw.type === 'string' && p.raw.type !== 'message' && !CONTENT_PART_TYPES.has(p.raw.type);
}

/** Which kind of input item a normalized message encodes to. */
function messageKind(m: NormalizedMessage): Kind {
  const parts = m.parts;
  const calls = m.tool_calls?.length ?? 0;
  if (!m.text && parts?.length === 1 && calls === 0) {
    if (isItemPart(parts[0])) return 'other';
    if (parts[0].type === 'reasoning' && m.role !== 'tool') return 'reasoning';
  }
  if (m.role === 'tool') return 'function_call_output';
  if (!m.text && !parts?.length && calls > 0) return 'function_call';
  return 'message';
}

const encodeInputPart: PartEncoder = (p, tpl) => {
  switch (p.type) {
    case 'text':
      return tpl ? { ...tpl, text: p.text } : { type: 'input_text', text: p.text };
    case 'image': {
      const url = imageUrlOf(p);
      if (url === undefined) return undefined;
      return tpl ? { ...tpl, image_url: url } : { type: 'input_image', image_url: url, detail: 'auto' };
    }
    case 'reasoning':
      return undefined; // reasoning travels as its own item
    case 'other':
      return p.raw;
  }
};

const encodeOutputPart: PartEncoder = (p, tpl) =>
  p.type === 'text' ? (tpl ? { ...tpl, text: p.text } : { type: 'output_text', text: p.text, annotations: [] }) : encodeInputPart(p, tpl);

/** Message content (or function output): a string when the original was one (or fresh and plain). */
function encodeBody(m: NormalizedMessage, b: NormalizedMessage | undefined, raw: unknown, output: boolean): unknown {
  const src = b && Array.isArray(raw) ? raw : undefined;
  let parts = effectiveParts(m, b, textSeparator(m.role));
  if (parts && !src && parts.every((p) => p.type === 'reasoning')) parts = undefined;
  if (!parts) {
    if (!src) return m.text ?? '';
    parts = m.text ? [{ type: 'text', text: m.text }] : [];
  }
  return encodeParts(parts, alignedBaseParts(b, src), src, output ? encodeOutputPart : encodeInputPart);
}

function encodeCall(c: ToolCall, tpl: Obj | undefined): unknown {
  const args = argumentsString(c);
  return tpl ? { ...tpl, call_id: c.id, name: c.name, arguments: args } : { type: 'function_call', call_id: c.id, name: c.name, arguments: args };
}

function reasoningItem(text: string, tpl: Obj | undefined): unknown {
  if (tpl && Array.isArray(tpl.content) && isObj(tpl.content[0])) return { ...tpl, content: [{ ...tpl.content[0], text }] };
  const first = tpl && Array.isArray(tpl.summary) && isObj(tpl.summary[0]) ? tpl.summary[0] : undefined;
  const summary = [first ? { ...first, text } : { type: 'summary_text', text }];
  return tpl ? { ...tpl, summary } : { type: 'reasoning', summary };
}

/** Encodes one normalized message into one or more input items, appended to `out`. */
function encodeItem(m: NormalizedMessage, b: NormalizedMessage | undefined, raw: unknown, out: unknown[]): void {
  const orig = b && isObj(raw) ? raw : undefined;
  if (orig && deepEqual(m, b)) {
    out.push(orig);
    return;
  }
  const kind = messageKind(m);
  const tpl = orig && itemKind(orig) === kind ? orig : undefined; // only an item of the same kind is a template
  const base = tpl ? b : undefined;
  switch (kind) {
    // 'other' and 'reasoning' are messages of exactly one part (see messageKind).
    case 'other':
      out.push((m.parts![0] as { raw: unknown }).raw);
      return;
    case 'reasoning':
      out.push(reasoningItem((m.parts![0] as { text: string }).text, tpl));
      return;
    case 'function_call_output': {
      const o: Obj = tpl ? { ...tpl } : { type: 'function_call_output' };
      o.call_id = m.tool_call_id ?? '';
      if (!base || m.text !== base.text || !deepEqual(m.parts, base.parts)) o.output = encodeBody(m, base, tpl?.output, false);
      out.push(o);
      return;
    }
    case 'function_call': {
      const calls = m.tool_calls ?? [];
      const baseCalls = base?.tool_calls;
      for (let q = 0; q < calls.length; q++) {
        const t = q === 0 && baseCalls?.length === 1 ? tpl : undefined;
        out.push(t && deepEqual(calls[q], baseCalls?.[0]) ? t : encodeCall(calls[q], t));
      }
      return;
    }
    case 'message': {
      if (m.parts) for (const p of m.parts) if (p.type === 'reasoning') out.push(reasoningItem(p.text, undefined));
      const calls = m.tool_calls?.length ? m.tool_calls : undefined;
      const o: Obj = tpl ? { ...tpl } : {};
      if (!base || m.role !== base.role) o.role = m.role;
      if (!base || m.text !== base.text || !deepEqual(m.parts, base.parts)) {
        o.content = encodeBody(m, base, tpl?.content, m.role === 'assistant');
      }
      const empty = o.content === '' || (Array.isArray(o.content) && o.content.length === 0);
      if (!calls || !empty || tpl) out.push(o);
      if (calls) for (const c of calls) out.push(encodeCall(c, undefined));
      return;
    }
  }
}

function encodeInput(next: readonly NormalizedMessage[], base: NormalizedRequest | undefined, raw: unknown): unknown {
  for (let i = 0; i < next.length; i++) if (!isObj(next[i])) throw expected(`messages[${i}]`, 'a message object', next[i]);
  if (base && typeof raw === 'string') {
    const m = next[0];
    if (next.length === 1 && m.role === 'user' && !m.parts && !m.tool_calls?.length && !m.name) return m.text === raw ? raw : m.text;
  }
  if (!base || !Array.isArray(raw)) {
    if (next.length === 0 && (raw === undefined || !base)) return undefined;
    const out: unknown[] = [];
    for (const m of next) encodeItem(m, undefined, undefined, out);
    return out;
  }
  const plan = planMessages(base.messages, undefined, next);
  if (plan.head === raw.length && plan.headMsgs === next.length) return raw;
  const out = raw.slice(0, plan.head);
  for (let j = 0; j < plan.pairs.length; j++) {
    const k = plan.pairs[j];
    encodeItem(next[plan.headMsgs + j], k >= 0 ? base.messages[k] : undefined, k >= 0 ? raw[k] : undefined, out);
  }
  for (let g = raw.length - plan.tail; g < raw.length; g++) out.push(raw[g]);
  return out;
}

function encodeTool(def: ToolDefinition, tpl: Obj | undefined): unknown {
  if (tpl && tpl.type !== 'function' && typeof tpl.name !== 'string') return tpl; // built-in tool: nothing to edit
  const o: Obj = tpl ? { ...tpl } : { type: 'function' };
  o.name = def.name;
  setOrDelete(o, 'description', def.description);
  o.parameters = def.parameters ?? (tpl ? tpl.parameters : { type: 'object', properties: {} });
  if (!tpl) o.strict = false; // the API would otherwise assume strict mode, which rejects most hand-written schemas
  return o;
}

function encodeRequest(norm: NormalizedRequest, original: unknown): unknown {
  const t = encodeTemplate(norm, original, NAME, decodeRequest);
  const { same, orig, base } = t;
  const values: Obj = { model: undefined, instructions: undefined, input: undefined };
  encodeParams(values, norm.params, base?.params, orig, {
    max_tokens: 'max_output_tokens',
    stop: null,
    seed: null,
    top_k: null,
    presence_penalty: null,
    frequency_penalty: null,
  });
  values.model = norm.model;
  values.instructions = norm.system;
  values.input = encodeInput(norm.messages ?? [], base, orig?.input);
  if (norm.tools) values.tools = encodeToolList(norm.tools, t, encodeTool);
  values.tool_choice = norm.tool_choice;
  values.stream = norm.stream;
  return assemble(orig, values, same && isObj(norm.extra) ? norm.extra : {});
}

// ---------------------------------------------------------------------------------------------
// Response decode

const decodeUsage = (u: Obj): Usage => decodeOpenAIUsage(u, RESPONSES_USAGE);

/** Everything but the output text, reasoning and tool calls. Never throws on an object. */
function summarizeResponse(response: unknown): NormalizedResponse {
  const res = responseHead(response, NAME);
  const r = response as Obj; // an object: responseHead throws otherwise
  if (typeof r.status === 'string') {
    const reason = isObj(r.incomplete_details) ? str(r.incomplete_details.reason) : undefined;
    const fr = responsesFinishReason(r.status, reason, hasFunctionCall(r.output));
    if (fr) {
      res.finish_reason = fr;
      res.raw_finish_reason = r.status === 'incomplete' && reason ? reason : r.status;
    }
  }
  if (isObj(r.error)) {
    res.finish_reason = 'error';
    res.raw_finish_reason = str(r.error.code) ?? str(r.error.type) ?? 'error';
  }
  if (isObj(r.usage)) res.usage = decodeUsage(r.usage);
  return res;
}

/** True when the output has a function call (the finish reason says so), without decoding it. */
function hasFunctionCall(output: unknown): boolean {
  if (!Array.isArray(output)) return false;
  for (const it of output) if (isObj(it) && it.type === 'function_call') return true;
  return false;
}

/** Best effort: reads whatever is there, never throws on an object. */
function decodeResponse(r: unknown): NormalizedResponse {
  const res = summarizeResponse(r);
  const o = r as Obj;
  let text = '';
  let reasoning = '';
  if (Array.isArray(o.output)) {
    for (const it of o.output) {
      if (!isObj(it)) continue;
      switch (it.type) {
        case 'message':
          if (Array.isArray(it.content)) {
            for (const p of it.content) if (isObj(p) && p.type === 'output_text' && typeof p.text === 'string') text += p.text;
          }
          break;
        case 'reasoning': {
          const t = reasoningText(it);
          if (t) reasoning = reasoning ? `${reasoning}\n${t}` : t;
          break;
        }
        case 'function_call':
          res.tool_calls.push(makeToolCall(str(it.call_id) ?? str(it.id) ?? '', str(it.name) ?? '', it.arguments));
          break;
      }
    }
  }
  if (text === '' && typeof o.output_text === 'string') text = o.output_text; // SDK convenience field
  res.text = text;
  if (reasoning) res.reasoning = reasoning;
  return res;
}

// ---------------------------------------------------------------------------------------------
// Streaming

interface ItemState {
  item: Obj;
  text: string;
  args: string;
  argsDone: string | undefined;
  summary: string;
  summaryIndex: number;
  reasoning: string;
  done: Obj | undefined;
}

class ResponsesAccumulator implements StreamAccumulator {
  private readonly reader = new ChunkReader();
  private readonly sink = (e: unknown): void => this.onEvent(e);
  private readonly items = new Map<number, ItemState>();
  private readonly byId = new Map<string, ItemState>();
  private response: Obj | undefined;
  private complete = false;
  private error: Obj | undefined;

  push(chunk: unknown): void {
    try {
      this.reader.feed(chunk, this.sink);
    } catch {
      // a malformed chunk never breaks the caller's stream
    }
  }

  private state(e: Obj): ItemState | undefined {
    const index = num(e.output_index);
    let s = index !== undefined ? this.items.get(index) : undefined;
    if (!s && typeof e.item_id === 'string') s = this.byId.get(e.item_id);
    if (!s && isObj(e.item)) {
      s = { item: e.item, text: '', args: '', argsDone: undefined, summary: '', summaryIndex: 0, reasoning: '', done: undefined };
      this.items.set(index ?? this.items.size, s);
      if (typeof e.item.id === 'string') this.byId.set(e.item.id, s);
    }
    return s;
  }

  private onEvent(e: unknown): void {
    if (!isObj(e)) return;
    const type = e.type;
    if (typeof type !== 'string') {
      if (e.object === 'response') {
        this.response = e; // a client that yields the final response object
        this.complete = true;
      }
      return;
    }
    switch (type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        if (isObj(e.response)) this.response = e.response;
        return;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        if (isObj(e.response)) {
          this.response = e.response;
          this.complete = true;
        }
        return;
      case 'response.output_item.added':
        this.state(e);
        return;
      case 'response.output_item.done': {
        const s = this.state(e);
        if (s && isObj(e.item)) s.done = e.item;
        return;
      }
      case 'error':
        this.error = e;
        return;
    }
    const s = this.state(e);
    if (!s) return;
    const delta = typeof e.delta === 'string' ? e.delta : undefined;
    switch (type) {
      case 'response.output_text.delta':
        if (delta) s.text += delta;
        return;
      case 'response.function_call_arguments.delta':
        if (delta) s.args += delta;
        return;
      case 'response.function_call_arguments.done':
        if (typeof e.arguments === 'string') s.argsDone = e.arguments;
        return;
      case 'response.reasoning_summary_text.delta': {
        const i = num(e.summary_index) ?? 0;
        if (s.summary !== '' && i !== s.summaryIndex) s.summary += '\n';
        s.summaryIndex = i;
        if (delta) s.summary += delta;
        return;
      }
      case 'response.reasoning_text.delta':
        if (delta) s.reasoning += delta;
        return;
    }
  }

  /** An output item rebuilt from the stream when no `done` event delivered it. */
  private static item(s: ItemState): unknown {
    if (s.done) return s.done;
    switch (s.item.type) {
      case 'message':
        return { ...s.item, content: [{ type: 'output_text', text: s.text }] };
      case 'function_call':
        return { ...s.item, arguments: s.argsDone ?? (s.args || s.item.arguments) };
      case 'reasoning':
        return {
          ...s.item,
          summary: s.summary ? [{ type: 'summary_text', text: s.summary }] : s.item.summary,
          content: s.reasoning ? [{ type: 'reasoning_text', text: s.reasoning }] : s.item.content,
        };
      default:
        return s.item;
    }
  }

  finish(): NormalizedResponse {
    try {
      this.reader.end(this.sink);
    } catch {
      // ignore a broken trailing fragment
    }
    const r = this.response;
    let res: NormalizedResponse;
    if (this.complete && r && Array.isArray(r.output) && r.output.length > 0) res = decodeResponse(r);
    else {
      const indexes = [...this.items.keys()].sort((a, b) => a - b);
      const output = indexes.map((i) => ResponsesAccumulator.item(this.items.get(i) as ItemState));
      res = decodeResponse({ ...(r ?? {}), output });
    }
    if (this.error && res.finish_reason === undefined) {
      res.finish_reason = 'error';
      res.raw_finish_reason = str(this.error.code) ?? 'error';
    }
    return res;
  }
}

// ---------------------------------------------------------------------------------------------

/** Codec for OpenAI Responses payloads. Stateless; one instance can serve every call. */
export class OpenAIResponsesCodec extends ProviderCodec {
  constructor() {
    super(NAME, { decodeRequest, encodeRequest, decodeResponse, summarizeResponse, createAccumulator: () => new ResponsesAccumulator() });
  }
}
