/**
 * Anthropic Messages (`POST /v1/messages`).
 *
 * Request: top-level `system` (string or text blocks), `messages` of user/assistant turns whose
 * content is a string or blocks (`text`, `image`, `thinking`, `tool_use`, `tool_result`, and any
 * other block kept verbatim), `tools` (`input_schema`), `stop_sequences`, sampling params.
 * A user turn's `tool_result` blocks become one `tool` message each (in order), followed by one
 * user message for its remaining blocks; an assistant turn is one message whose `tool_use` blocks
 * are its tool calls. Response: content blocks, `stop_reason`, `usage` with cache fields.
 * Stream: `message_start`, `content_block_*`, `message_delta`, `message_stop`.
 */
import { anthropicFinishReason } from './finish-reasons.js';
import { ChunkReader } from './chunks.js';
import { argumentsObject, makeToolCall } from './parse-arguments.js';
import { decodeStop, encodeParams } from './params.js';
import {
  alignedBaseParts,
  assemble,
  effectiveParts,
  encodeKeyed,
  encodeParts,
  decodeToolList,
  decodeTurnBlocks,
  encodeTemplate,
  encodeToolList,
  encodeTurns,
  foldSystemMessages,
  responseHead,
  type TurnFormat,
  type TurnPiece,
} from './reuse.js';
import {
  type CodecName,
  type ContentPart,
  type GenerationParams,
  type NormalizedMessage,
  type NormalizedRequest,
  type NormalizedResponse,
  type StreamAccumulator,
  type ToolCall,
  type ToolDefinition,
  type Usage,
} from './types.js';
import { ProviderCodec } from './codec-base.js';
import {
  decodePartsInto,
  deepEqual,
  expected,
  isObj,
  num,
  PathError,
  rethrowAt,
  setOrDelete,
  splitDataUrl,
  str,
  textOfBlocks,
  textSeparator,
  typeOf,
  type Obj,
} from './util.js';

const NAME = 'anthropic-messages' satisfies CodecName;

/**
 * Where a baseline normalized message came from (collected only when encoding): its provider
 * message, and the raw blocks behind its tool result, parts and tool calls.
 */
interface Source {
  msg: Obj;
  /** The `tool_result` block of a tool message. */
  block?: Obj;
  /** All raw blocks of a non-tool message, in order (undefined when the content was a string). */
  blocks?: unknown[];
  /** The raw block behind each part. */
  parts?: unknown[];
  /** The raw `tool_use` block behind each tool call. */
  calls?: unknown[];
}

interface Collect {
  srcs: Source[];
  /** Number of normalized messages each provider message decoded to. */
  sizes: number[];
}

// ---------------------------------------------------------------------------------------------
// Request decode

function decodeBlock(b: unknown, j: number): ContentPart {
  if (!isObj(b)) throw expected(`[${j}]`, 'a content block object', b);
  switch (b.type) {
    case 'text':
      if (typeof b.text !== 'string') throw expected(`[${j}].text`, 'a string', b.text);
      return { type: 'text', text: b.text };
    case 'image': {
      const src = b.source;
      if (isObj(src)) {
        if (src.type === 'base64' && typeof src.data === 'string') {
          const part: ContentPart = { type: 'image', data: src.data };
          if (typeof src.media_type === 'string') part.media_type = src.media_type;
          return part;
        }
        if (src.type === 'url' && typeof src.url === 'string') return { type: 'image', url: src.url };
      }
      break;
    }
    case 'thinking':
      if (typeof b.thinking === 'string') return { type: 'reasoning', text: b.thinking };
      break;
  }
  return { type: 'other', raw: b };
}

function decodeToolResult(b: Obj, j: number): NormalizedMessage {
  const id = b.tool_use_id;
  if (typeof id !== 'string') throw expected(`[${j}].tool_use_id`, 'a string', id);
  const msg: NormalizedMessage = { role: 'tool', text: '', tool_call_id: id };
  const c = b.content;
  if (typeof c === 'string') msg.text = c;
  else if (Array.isArray(c)) {
    try {
      decodePartsInto(msg, c, decodeBlock, '\n');
    } catch (e) {
      rethrowAt(e, `[${j}].content`);
    }
  } else if (c != null) throw expected(`[${j}].content`, 'a string or an array of content blocks', c);
  return msg;
}

/** Decodes one provider message into `out`; returns how many normalized messages it produced. */
function decodeMessage(m: unknown, out: NormalizedMessage[], col: Collect | undefined): number {
  if (!isObj(m)) throw expected('', 'a message object', m);
  const role = m.role;
  if (role !== 'user' && role !== 'assistant') {
    if (typeof role !== 'string') throw expected('role', 'a role string', role);
    throw new PathError('role', `unknown role "${role}" (messages are user or assistant turns; system text goes in the top-level system field)`);
  }
  const c = m.content;
  if (typeof c === 'string') {
    out.push({ role, text: c });
    col?.srcs.push({ msg: m });
    return 1;
  }
  if (!Array.isArray(c)) throw expected('content', 'a string or an array of content blocks', c);
  return decodeTurnBlocks(m, role, c, 'content', out, col?.srcs, (b, j) => {
    if (!isObj(b)) throw expected(`[${j}]`, 'a content block object', b);
    if (role === 'user' && b.type === 'tool_result') return { raw: b, result: decodeToolResult(b, j), source: { block: b } };
    if (role === 'assistant' && b.type === 'tool_use') {
      if (typeof b.name !== 'string') throw expected(`[${j}].name`, 'a string', b.name);
      return { raw: b, call: makeToolCall(str(b.id) ?? '', b.name, b.input) };
    }
    return { raw: b, part: decodeBlock(b, j) };
  });
}

function decodeMessages(v: unknown, col: Collect | undefined): NormalizedMessage[] {
  if (!Array.isArray(v)) throw expected('messages', 'an array', v);
  const out: NormalizedMessage[] = [];
  for (let i = 0; i < v.length; i++) {
    try {
      const n = decodeMessage(v[i], out, col);
      col?.sizes.push(n);
    } catch (e) {
      rethrowAt(e, `messages[${i}]`);
    }
  }
  return out;
}

function decodeTool(t: unknown): ToolDefinition {
  if (!isObj(t)) throw expected('', 'a tool object', t);
  if (typeof t.name !== 'string') throw expected('name', 'a string', t.name);
  const out: ToolDefinition = { name: t.name };
  if (typeof t.description === 'string') out.description = t.description;
  if (isObj(t.input_schema)) out.parameters = t.input_schema;
  return out;
}

function decodeRequest(content: unknown, col?: Collect): NormalizedRequest {
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
        req.messages = decodeMessages(v, col);
        break;
      case 'system':
        if (typeof v === 'string') req.system = v;
        else if (Array.isArray(v)) req.system = textOfBlocks(v, '\n');
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
        if (Array.isArray(v)) req.tools = decodeToolList(v, decodeTool);
        else if (v === null) extra[k] = v;
        else throw expected('tools', 'an array', v);
        break;
      case 'tool_choice':
        req.tool_choice = v;
        break;
      case 'max_tokens':
      case 'temperature':
      case 'top_p':
      case 'top_k':
        if (typeof v === 'number') params[k] = v;
        else extra[k] = v;
        break;
      case 'stop_sequences': {
        const stop = decodeStop(v);
        if (stop && Array.isArray(v)) params.stop = stop;
        else extra[k] = v;
        break;
      }
      default:
        extra[k] = v;
    }
  }
  if (!sawMessages) throw new PathError('messages', 'missing (a Messages request needs a messages array)');
  return req;
}

// ---------------------------------------------------------------------------------------------
// Request encode

function encodeBlock(p: ContentPart, tpl: Obj | undefined): unknown {
  switch (p.type) {
    case 'text':
      return tpl ? { ...tpl, text: p.text } : { type: 'text', text: p.text };
    case 'image': {
      let source: Obj;
      if (p.data !== undefined) source = { type: 'base64', media_type: p.media_type ?? 'image/png', data: p.data };
      else if (p.url !== undefined) {
        const inline = splitDataUrl(p.url);
        source = inline ? { type: 'base64', ...inline } : { type: 'url', url: p.url };
      } else return undefined;
      return tpl ? { ...tpl, source } : { type: 'image', source };
    }
    case 'reasoning':
      // thinking needs the provider's signature: only an edited original block can be sent back
      return tpl ? { ...tpl, thinking: p.text } : undefined;
    case 'other':
      return p.raw;
  }
}

function encodeToolUse(c: ToolCall, tpl: Obj | undefined): unknown {
  const input = argumentsObject(c);
  return tpl ? { ...tpl, id: c.id, name: c.name, input } : { type: 'tool_use', id: c.id, name: c.name, input };
}

const callId = (c: ToolCall): string => c.id;

/** Content of a tool_result block. */
function encodeResultContent(m: NormalizedMessage, b: NormalizedMessage | undefined, raw: unknown): unknown {
  const src = b && Array.isArray(raw) ? raw : undefined;
  let parts = effectiveParts(m, b, '\n');
  if (!parts) {
    if (!src) return m.text === '' && b && raw === undefined ? undefined : (m.text ?? '');
    parts = m.text ? [{ type: 'text', text: m.text }] : [];
  }
  return encodeParts(parts, alignedBaseParts(b, src), src, encodeBlock);
}

/** How Anthropic writes turns. */
const TURNS: TurnFormat = { contentKey: 'content', userRole: 'user', textBlock: (text) => ({ type: 'text', text }) };

function encodePiece(m: NormalizedMessage, b: NormalizedMessage | undefined, src: Source | undefined): TurnPiece {
  if (m.role === 'tool') {
    const blk = b?.role === 'tool' ? src?.block : undefined;
    if (blk && deepEqual(m, b)) return { role: 'user', content: [blk], tpl: src?.msg, tool: true };
    const base = blk ? b : undefined;
    const o: Obj = blk ? { ...blk } : { type: 'tool_result' };
    o.tool_use_id = m.tool_call_id ?? '';
    if (!base || m.text !== base.text || !deepEqual(m.parts, base.parts)) setOrDelete(o, 'content', encodeResultContent(m, base, blk?.content));
    return { role: 'user', content: [o], tpl: blk ? src?.msg : undefined, tool: true };
  }
  const role = m.role === 'assistant' ? 'assistant' : 'user';
  const s = b && src && !src.block && b.role === m.role ? src : undefined;
  if (s && deepEqual(m, b)) return { role, content: s.blocks ?? (s.msg.content as string), tpl: s.msg, tool: false };
  const base = s ? b : undefined;
  if (!m.parts && !m.tool_calls?.length && (!s || s.blocks === undefined)) {
    return { role, content: m.text ?? '', tpl: s?.msg, tool: false };
  }
  const srcParts = s?.parts;
  const parts = effectiveParts(m, base, textSeparator(m.role)) ?? (m.text ? [{ type: 'text', text: m.text }] : []);
  const content = encodeParts(parts, alignedBaseParts(base, srcParts), srcParts, encodeBlock);
  if (m.tool_calls?.length) {
    for (const c of encodeKeyed(m.tool_calls, base?.tool_calls, s?.calls, callId, encodeToolUse)) content.push(c);
  }
  return { role, content, tpl: s?.msg, tool: false };
}

/**
 * The `system` field. Unchanged text keeps the original value; text appended to original blocks
 * becomes one more block, so the originals keep their cache breakpoints.
 */
function encodeSystem(text: string | undefined, baseText: string | undefined, raw: unknown): unknown {
  if (text === undefined) return undefined;
  if (raw !== undefined && text === baseText) return raw;
  if (Array.isArray(raw)) {
    if (baseText && text.startsWith(baseText)) {
      let rest = text.slice(baseText.length);
      if (rest.startsWith('\n')) rest = rest.slice(1);
      return [...raw, { type: 'text', text: rest }];
    }
    const first = raw.find((blk) => isObj(blk) && blk.type === 'text');
    return [isObj(first) ? { ...first, text } : { type: 'text', text }];
  }
  return text === '' ? undefined : text;
}

function withDefinition(o: Obj, def: ToolDefinition): Obj {
  o.name = def.name;
  setOrDelete(o, 'description', def.description);
  return o;
}

function encodeTool(def: ToolDefinition, tpl: Obj | undefined): unknown {
  if (!tpl) return { ...withDefinition({}, def), input_schema: def.parameters ?? { type: 'object', properties: {} } };
  const o = withDefinition({ ...tpl }, def);
  if (def.parameters !== undefined || 'input_schema' in tpl) o.input_schema = def.parameters ?? tpl.input_schema;
  return o;
}

function encodeRequest(norm: NormalizedRequest, original: unknown): unknown {
  let col: Collect | undefined;
  const t = encodeTemplate(norm, original, NAME, (o) => decodeRequest(o, (col = { srcs: [], sizes: [] })));
  const { same, orig, base } = t;
  if (!base) col = undefined;
  const values: Obj = { model: undefined, system: undefined, messages: undefined };
  encodeParams(values, norm.params, base?.params, orig, {
    stop: 'stop_sequences',
    seed: null,
    presence_penalty: null,
    frequency_penalty: null,
  });
  values.model = norm.model;
  // System/developer messages (added by a middleware, or from another format) fold into `system`.
  const { system, messages } = foldSystemMessages(norm.system, norm.messages ?? []);
  values.system = encodeSystem(system, base?.system, orig?.system);
  values.messages = encodeTurns(messages, base?.messages, col, Array.isArray(orig?.messages) ? orig.messages : undefined, encodePiece, TURNS);
  if (norm.tools) values.tools = encodeToolList(norm.tools, t, encodeTool);
  values.tool_choice = norm.tool_choice;
  values.stream = norm.stream;
  return assemble(orig, values, same && isObj(norm.extra) ? norm.extra : {});
}

// ---------------------------------------------------------------------------------------------
// Response decode

/**
 * Anthropic reports uncached input apart from cache reads and writes; the normalized
 * `input_tokens` counts all input tokens, as OpenAI's `prompt_tokens` does.
 */
function decodeUsage(u: Obj): Usage {
  const usage: Usage = {};
  const read = num(u.cache_read_input_tokens);
  const write = num(u.cache_creation_input_tokens);
  const uncached = num(u.input_tokens);
  const input = uncached !== undefined ? uncached + (read ?? 0) + (write ?? 0) : undefined;
  if (input !== undefined) usage.input_tokens = input;
  const output = num(u.output_tokens);
  if (output !== undefined) usage.output_tokens = output;
  if (input !== undefined && output !== undefined) usage.total_tokens = input + output;
  if (read !== undefined) usage.cache_read_tokens = read;
  if (write !== undefined) usage.cache_write_tokens = write;
  return usage;
}

/** Everything but the content blocks: id, model, stop reason, usage, error. Never throws on an object. */
function summarizeResponse(response: unknown): NormalizedResponse {
  const res = responseHead(response, NAME);
  const r = response as Obj; // an object: responseHead throws otherwise
  if (typeof r.stop_reason === 'string') {
    res.finish_reason = anthropicFinishReason(r.stop_reason);
    res.raw_finish_reason = r.stop_reason;
  }
  if (isObj(r.usage)) res.usage = decodeUsage(r.usage);
  if (r.type === 'error' || isObj(r.error)) {
    res.finish_reason = 'error';
    res.raw_finish_reason = (isObj(r.error) ? str(r.error.type) : undefined) ?? 'error';
  }
  return res;
}

/** Best effort: reads whatever is there, never throws on an object. */
function decodeResponse(r: unknown): NormalizedResponse {
  const res = summarizeResponse(r);
  const content = (r as Obj).content;
  let text = '';
  let reasoning = '';
  if (Array.isArray(content)) {
    for (const b of content) {
      if (!isObj(b)) continue;
      switch (b.type) {
        case 'text':
          if (typeof b.text === 'string') text += b.text;
          break;
        case 'thinking':
          if (typeof b.thinking === 'string' && b.thinking !== '') reasoning = reasoning ? `${reasoning}\n${b.thinking}` : b.thinking;
          break;
        case 'tool_use':
          res.tool_calls.push(makeToolCall(str(b.id) ?? '', str(b.name) ?? '', b.input));
          break;
      }
    }
  }
  res.text = text;
  if (reasoning) res.reasoning = reasoning;
  return res;
}

// ---------------------------------------------------------------------------------------------
// Streaming

interface BlockState {
  block: Obj;
  text: string;
  thinking: string;
  json: string;
}

class AnthropicAccumulator implements StreamAccumulator {
  private readonly reader = new ChunkReader();
  private readonly sink = (e: unknown): void => this.onEvent(e);
  private message: Obj | undefined;
  private readonly blocks = new Map<number, BlockState>();
  private usage: Obj = {};
  private stopReason: unknown;
  private error: Obj | undefined;
  private final: Obj | undefined;

  push(chunk: unknown): void {
    try {
      this.reader.feed(chunk, this.sink);
    } catch {
      // a malformed chunk never breaks the caller's stream
    }
  }

  private mergeUsage(u: unknown): void {
    if (!isObj(u)) return;
    for (const k in u) if (u[k] !== null && u[k] !== undefined) this.usage[k] = u[k]; // later counts are cumulative
  }

  private onEvent(e: unknown): void {
    if (!isObj(e)) return;
    switch (e.type) {
      case 'message_start':
        if (isObj(e.message)) {
          this.message = e.message;
          this.mergeUsage(e.message.usage);
        }
        return;
      case 'content_block_start': {
        const i = num(e.index);
        if (i !== undefined && isObj(e.content_block)) {
          const b = e.content_block;
          this.blocks.set(i, { block: b, text: str(b.text) ?? '', thinking: str(b.thinking) ?? '', json: '' });
        }
        return;
      }
      case 'content_block_delta': {
        const i = num(e.index);
        const d = e.delta;
        if (i === undefined || !isObj(d)) return;
        let s = this.blocks.get(i);
        if (!s) {
          s = {
            block: { type: d.type === 'input_json_delta' ? 'tool_use' : d.type === 'thinking_delta' ? 'thinking' : 'text' },
            text: '',
            thinking: '',
            json: '',
          };
          this.blocks.set(i, s);
        }
        if (d.type === 'text_delta' && typeof d.text === 'string') s.text += d.text;
        else if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') s.json += d.partial_json;
        else if (d.type === 'thinking_delta' && typeof d.thinking === 'string') s.thinking += d.thinking;
        return;
      }
      case 'message_delta':
        if (isObj(e.delta) && e.delta.stop_reason != null) this.stopReason = e.delta.stop_reason;
        this.mergeUsage(e.usage);
        return;
      case 'error':
        this.error = isObj(e.error) ? e.error : e;
        return;
      case 'message':
        this.final = e; // a client that yields the final message
        return;
    }
  }

  finish(): NormalizedResponse {
    try {
      this.reader.end(this.sink);
    } catch {
      // ignore a broken trailing fragment
    }
    if (this.final) return decodeResponse(this.final);
    const content: unknown[] = [];
    for (const i of [...this.blocks.keys()].sort((a, b) => a - b)) {
      const s = this.blocks.get(i) as BlockState;
      switch (s.block.type) {
        case 'text':
          content.push({ type: 'text', text: s.text });
          break;
        case 'thinking':
          content.push({ type: 'thinking', thinking: s.thinking });
          break;
        case 'tool_use':
          // the input arrives as JSON fragments; none means the start block's input is complete
          content.push({ ...s.block, input: s.json !== '' ? s.json : s.block.input });
          break;
        default:
          content.push(s.block);
      }
    }
    const msg: Obj = { ...(this.message ?? {}), content, usage: this.usage };
    if (this.stopReason !== undefined) msg.stop_reason = this.stopReason;
    if (this.error) msg.error = this.error;
    return decodeResponse(msg);
  }
}

// ---------------------------------------------------------------------------------------------

/** Codec for Anthropic Messages payloads. Stateless; one instance can serve every call. */
export class AnthropicMessagesCodec extends ProviderCodec {
  constructor() {
    super(NAME, { decodeRequest, encodeRequest, decodeResponse, summarizeResponse, createAccumulator: () => new AnthropicAccumulator() });
  }
}
