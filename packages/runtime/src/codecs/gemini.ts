/**
 * Google Gemini `generateContent` (`models/*:generateContent`, `:streamGenerateContent`).
 *
 * Request, in either of two shapes:
 * - the REST body: `contents`, `systemInstruction`, `tools`, `toolConfig`, `generationConfig`;
 * - the `@google/genai` SDK's parameters: `model`, `contents` (also a string, a part or a part
 *   list), and `config` holding `systemInstruction`, `tools`, `toolConfig` and the generation
 *   parameters side by side.
 * `contents` are user and model turns of `parts` (`text`, `thought` text, `inlineData`,
 * `fileData`, `functionCall`, `functionResponse`; any other part kept verbatim). A user turn's
 * `functionResponse` parts become one `tool` message each, followed by one user message for its
 * remaining parts; a model turn is one assistant message whose `functionCall` parts are its tool
 * calls. Gemini's function calls often carry no id: the function name stands in for it, in tool
 * calls and in tool results alike. Response: `candidates[0]`, `finishReason`, `usageMetadata`.
 * Stream: a sequence of partial responses (the SDK's chunks, or `?alt=sse` events).
 */
import { geminiFinishReason } from './finish-reasons.js';
import { ChunkReader } from './chunks.js';
import { argumentsObject, makeToolCall, parseJsonObject } from './parse-arguments.js';
import { decodeStop, encodeParams, type ParamKeys } from './params.js';
import {
  alignedBaseParts,
  assemble,
  decodeToolList,
  decodeTurnBlocks,
  effectiveParts,
  encodeKeyed,
  encodeParts,
  encodeTemplate,
  encodeTurns,
  foldSystemMessages,
  responseHead,
  type TurnFormat,
  type TurnPiece,
} from './reuse.js';
import type {
  CodecName,
  ContentPart,
  GenerationParams,
  NormalizedMessage,
  NormalizedRequest,
  NormalizedResponse,
  StreamAccumulator,
  ToolCall,
  ToolDefinition,
  Usage,
} from './types.js';
import { ProviderCodec } from './codec-base.js';
import { deepEqual, expected, hasOwn, isObj, num, PathError, rethrowAt, setOrDelete, splitDataUrl, str, textSeparator, typeOf, type Obj } from './util.js';

const NAME = 'gemini' satisfies CodecName;

/** Generation parameters: provider key → normalized key. */
const PARAMS: Readonly<Record<string, string>> = {
  temperature: 'temperature',
  topP: 'top_p',
  topK: 'top_k',
  maxOutputTokens: 'max_tokens',
  stopSequences: 'stop',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
  seed: 'seed',
};

/** Normalized key → provider key, for encoding. */
const PARAM_KEYS: ParamKeys = {
  top_p: 'topP',
  top_k: 'topK',
  max_tokens: 'maxOutputTokens',
  stop: 'stopSequences',
  presence_penalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty',
};

/** How Gemini writes turns. */
const TURNS: TurnFormat = { contentKey: 'parts', userRole: 'user', textBlock: (text) => ({ text }) };

/** Where a baseline normalized message came from (collected only when encoding). */
interface Source {
  /** The turn (a synthetic one when `contents` was a string or a part list). */
  msg: Obj;
  /** The `functionResponse` part of a tool message. */
  part?: Obj;
  /** All other raw parts of the turn, in order. */
  blocks?: unknown[];
  /** The raw part behind each content part. */
  parts?: unknown[];
  /** The raw `functionCall` part behind each tool call. */
  calls?: unknown[];
}

interface Collect {
  srcs: Source[];
  sizes: number[];
  /** The turns as decoded (strings and part lists wrapped into one user turn). */
  turns: unknown[];
}

// ---------------------------------------------------------------------------------------------
// Request decode

/** A part given as a plain string (the SDK accepts those) is a text part. */
function asPart(p: unknown): unknown {
  return typeof p === 'string' ? { text: p } : p;
}

function decodePart(raw: unknown, j: number): ContentPart {
  const p = asPart(raw);
  if (!isObj(p)) throw expected(`[${j}]`, 'a part object', raw);
  if (p.text !== undefined) {
    if (typeof p.text !== 'string') throw expected(`[${j}].text`, 'a string', p.text);
    return p.thought === true ? { type: 'reasoning', text: p.text } : { type: 'text', text: p.text };
  }
  const inline = p.inlineData;
  if (isObj(inline) && typeof inline.data === 'string' && typeof inline.mimeType === 'string' && inline.mimeType.startsWith('image/')) {
    return { type: 'image', data: inline.data, media_type: inline.mimeType };
  }
  const file = p.fileData;
  if (isObj(file) && typeof file.fileUri === 'string' && typeof file.mimeType === 'string' && file.mimeType.startsWith('image/')) {
    return { type: 'image', url: file.fileUri, media_type: file.mimeType };
  }
  return { type: 'other', raw };
}

/**
 * Tool results are JSON objects on the wire. The normalized text is the `output` string of a
 * `{ output }` result (the form Google documents), else the result's JSON.
 */
function resultText(response: unknown): string {
  if (response === undefined || response === null) return '';
  if (isObj(response) && typeof response.output === 'string') {
    let keys = 0;
    for (const _ in response) keys++;
    if (keys === 1) return response.output;
  }
  try {
    return JSON.stringify(response) ?? '';
  } catch {
    return '';
  }
}

function decodeFunctionResponse(fr: unknown, j: number): NormalizedMessage {
  if (!isObj(fr)) throw expected(`[${j}].functionResponse`, 'an object', fr);
  if (typeof fr.name !== 'string') throw expected(`[${j}].functionResponse.name`, 'a string', fr.name);
  return { role: 'tool', text: resultText(fr.response), tool_call_id: str(fr.id) ?? fr.name, name: fr.name };
}

/** Decodes one turn into `out`; returns how many normalized messages it produced. */
function decodeTurn(m: unknown, out: NormalizedMessage[], col: Collect | undefined): number {
  if (!isObj(m)) throw expected('', 'a content object', m);
  const r = m.role;
  let role: 'user' | 'assistant';
  if (r === 'model') role = 'assistant';
  else if (r === undefined || r === 'user' || r === 'function') role = 'user';
  else {
    if (typeof r !== 'string') throw expected('role', 'a role string', r);
    throw new PathError('role', `unknown role "${r}" (contents are user or model turns; system text goes in systemInstruction)`);
  }
  const raw = m.parts;
  if (raw !== undefined && !Array.isArray(raw)) throw expected('parts', 'an array of parts', raw);
  return decodeTurnBlocks(m, role, raw ?? [], 'parts', out, col?.srcs, (block, j) => {
    const p = asPart(block);
    if (isObj(p) && p.functionResponse !== undefined && role === 'user')
      return { raw: p, result: decodeFunctionResponse(p.functionResponse, j), source: { part: p } };
    if (isObj(p) && p.functionCall !== undefined && role === 'assistant') {
      const fc = p.functionCall;
      if (!isObj(fc)) throw expected(`[${j}].functionCall`, 'an object', fc);
      if (typeof fc.name !== 'string') throw expected(`[${j}].functionCall.name`, 'a string', fc.name);
      return { raw: p, call: makeToolCall(str(fc.id) ?? fc.name, fc.name, fc.args) };
    }
    return { raw: p, part: decodePart(p, j) };
  });
}

/** A Content (a turn) rather than a part: it has `parts` or a `role`. */
function isContent(v: unknown): boolean {
  return isObj(v) && (v.parts !== undefined || v.role !== undefined);
}

/**
 * The turns of `contents`: an array of Content as sent on the wire; the SDK also takes a string,
 * one Content, one part, or a list of parts and strings (one user turn).
 */
function turnsOf(v: unknown): unknown[] {
  if (typeof v === 'string') return [{ role: 'user', parts: [{ text: v }] }];
  if (Array.isArray(v)) {
    if (v.length === 0 || isContent(v[0])) return v;
    return [{ role: 'user', parts: v.map(asPart) }];
  }
  if (isContent(v)) return [v];
  if (isObj(v)) return [{ role: 'user', parts: [v] }];
  throw expected('contents', 'an array of contents, a content, a part or a string', v);
}

function decodeContents(v: unknown, col: Collect | undefined): NormalizedMessage[] {
  const turns = turnsOf(v);
  if (col) col.turns = turns;
  const out: NormalizedMessage[] = [];
  for (let i = 0; i < turns.length; i++) {
    try {
      const n = decodeTurn(turns[i], out, col);
      col?.sizes.push(n);
    } catch (e) {
      rethrowAt(e, turns === v ? `contents[${i}]` : 'contents');
    }
  }
  return out;
}

/** Text of a `systemInstruction` (a string, a part, parts, or a Content); undefined when none. */
function systemText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const parts = Array.isArray(v) ? v : isObj(v) && Array.isArray(v.parts) ? v.parts : isObj(v) ? [v] : undefined;
  if (!parts) return undefined;
  const texts: string[] = [];
  for (const p of parts) {
    const q = asPart(p);
    if (isObj(q) && typeof q.text === 'string') texts.push(q.text);
  }
  return texts.join('\n');
}

function decodeDeclaration(d: unknown): ToolDefinition {
  if (!isObj(d)) throw expected('', 'a function declaration object', d);
  if (typeof d.name !== 'string') throw expected('name', 'a string', d.name);
  const out: ToolDefinition = { name: d.name };
  if (typeof d.description === 'string') out.description = d.description;
  const schema = isObj(d.parametersJsonSchema) ? d.parametersJsonSchema : isObj(d.parameters) ? d.parameters : undefined;
  if (schema) out.parameters = schema;
  return out;
}

/** The function declarations of every tool, flattened; other tools (search, code execution…) are not tool definitions. */
function decodeTools(v: unknown[]): ToolDefinition[] {
  const out: ToolDefinition[] = [];
  for (let i = 0; i < v.length; i++) {
    const t = v[i];
    if (!isObj(t) || t.functionDeclarations === undefined) continue;
    if (!Array.isArray(t.functionDeclarations)) throw expected(`tools[${i}].functionDeclarations`, 'an array', t.functionDeclarations);
    try {
      for (const d of decodeToolList(t.functionDeclarations, decodeDeclaration, 'functionDeclarations')) out.push(d);
    } catch (e) {
      rethrowAt(e, `tools[${i}]`);
    }
  }
  return out;
}

/**
 * Reads a config object (REST `generationConfig` or the SDK's `config`): generation parameters
 * into `params`; with `nested` (the SDK's config) also system instruction, tools and tool config.
 * Returns the fields it does not model.
 */
function decodeConfig(c: Obj, req: NormalizedRequest, nested: boolean): Obj {
  const rest: Obj = {};
  for (const k in c) {
    const v = c[k];
    if (v !== undefined && hasOwn(PARAMS, k)) {
      const key = PARAMS[k];
      if (key === 'stop') {
        const stop = decodeStop(v);
        if (stop && Array.isArray(v)) {
          req.params.stop = stop;
          continue;
        }
      } else if (typeof v === 'number') {
        req.params[key] = v;
        continue;
      }
    } else if (nested && v !== undefined && decodeShared(k, v, req, 'config.')) continue;
    rest[k] = v;
  }
  return rest;
}

/** The fields REST puts at the top level and the SDK in `config`. True when `k` was one of them. */
function decodeShared(k: string, v: unknown, req: NormalizedRequest, at: string): boolean {
  switch (k) {
    case 'systemInstruction': {
      const text = systemText(v);
      if (text === undefined) return false;
      req.system = text;
      return true;
    }
    case 'tools':
      if (!Array.isArray(v)) throw expected(`${at}tools`, 'an array', v);
      try {
        req.tools = decodeTools(v);
      } catch (e) {
        if (at) rethrowAt(e, at.slice(0, -1));
        throw e;
      }
      return true;
    case 'toolConfig':
      req.tool_choice = v;
      return true;
  }
  return false;
}

function decodeRequest(content: unknown, col?: Collect): NormalizedRequest {
  if (!isObj(content)) throw new PathError('', `expected a request object, got ${typeOf(content)}`);
  const extra: Obj = {};
  const params: GenerationParams = {};
  const req: NormalizedRequest = { provider_format: NAME, messages: [], params, extra };
  let sawContents = false;
  for (const k in content) {
    const v = content[k];
    if (v === undefined) {
      extra[k] = v;
      continue;
    }
    switch (k) {
      case 'contents':
        sawContents = true;
        req.messages = decodeContents(v, col);
        break;
      case 'model':
        if (typeof v === 'string') req.model = v;
        else extra[k] = v;
        break;
      case 'generationConfig':
      case 'config':
        if (isObj(v)) extra[k] = decodeConfig(v, req, k === 'config');
        else extra[k] = v;
        break;
      default:
        if (!decodeShared(k, v, req, '')) extra[k] = v;
    }
  }
  if (!sawContents) throw new PathError('contents', 'missing (a generateContent request needs contents)');
  return req;
}

// ---------------------------------------------------------------------------------------------
// Request encode

function encodePart(p: ContentPart, tpl: Obj | undefined): unknown {
  switch (p.type) {
    case 'text':
      return tpl ? { ...tpl, text: p.text } : { text: p.text };
    case 'image': {
      const o: Obj = tpl ? { ...tpl } : {};
      delete o.inlineData;
      delete o.fileData;
      const inline = p.data !== undefined ? { media_type: p.media_type ?? 'image/png', data: p.data } : p.url !== undefined ? splitDataUrl(p.url) : undefined;
      if (inline) o.inlineData = { mimeType: inline.media_type, data: inline.data };
      else if (p.url !== undefined) o.fileData = p.media_type ? { mimeType: p.media_type, fileUri: p.url } : { fileUri: p.url };
      else return undefined;
      return o;
    }
    case 'reasoning':
      // a thought is the model's own: only an edited original part is sent back
      return tpl ? { ...tpl, text: p.text } : undefined;
    case 'other':
      return p.raw;
  }
}

/** The `id` field to write: an id of its own, not the function name standing in for a missing one. */
function wireId(id: string | undefined, name: string, tplId: unknown): string | undefined {
  if (id === undefined || id === '') return undefined;
  return id !== name || tplId !== undefined ? id : undefined;
}

function encodeFunctionCall(c: ToolCall, tpl: Obj | undefined): unknown {
  const was = tpl && isObj(tpl.functionCall) ? tpl.functionCall : undefined;
  const fc: Obj = was ? { ...was } : {};
  setOrDelete(fc, 'id', wireId(c.id, c.name, was?.id));
  fc.name = c.name;
  fc.args = argumentsObject(c);
  return tpl ? { ...tpl, functionCall: fc } : { functionCall: fc };
}

const callId = (c: ToolCall): string => c.id;

/** A tool message's text as a function response: the JSON object it holds, else `{ output: text }`. */
function resultValue(text: string): Obj {
  if (text === '') return {};
  return parseJsonObject(text) ?? { output: text };
}

function encodePiece(m: NormalizedMessage, b: NormalizedMessage | undefined, src: Source | undefined, names: ReadonlyMap<string, string>): TurnPiece {
  if (m.role === 'tool') {
    const part = b?.role === 'tool' ? src?.part : undefined;
    if (part && deepEqual(m, b)) return { role: 'user', content: [part], tpl: src?.msg, tool: true };
    const was = part && isObj(part.functionResponse) ? part.functionResponse : undefined;
    const id = m.tool_call_id ?? '';
    const name = m.name ?? names.get(id) ?? str(was?.name) ?? id;
    const fr: Obj = was ? { ...was } : {};
    setOrDelete(fr, 'id', wireId(id, name, was?.id));
    fr.name = name;
    fr.response = was && b && m.text === b.text ? was.response : resultValue(m.text ?? '');
    return { role: 'user', content: [part ? { ...part, functionResponse: fr } : { functionResponse: fr }], tpl: part ? src?.msg : undefined, tool: true };
  }
  const role = m.role === 'assistant' ? 'model' : 'user';
  const s = b && src && !src.part && b.role === m.role ? src : undefined;
  if (s && deepEqual(m, b)) return { role, content: s.blocks ?? [], tpl: s.msg, tool: false };
  const base = s ? b : undefined;
  const srcParts = s?.parts;
  const parts = effectiveParts(m, base, textSeparator(m.role)) ?? (m.text ? [{ type: 'text' as const, text: m.text }] : []);
  const content = encodeParts(parts, alignedBaseParts(base, srcParts), srcParts, encodePart);
  if (m.tool_calls?.length) {
    for (const c of encodeKeyed(m.tool_calls, base?.tool_calls, s?.calls, callId, encodeFunctionCall)) content.push(c);
  }
  return { role, content, tpl: s?.msg, tool: false };
}

/** Tool-call id → function name, so a tool result from another format can name its function. */
function callNames(messages: readonly NormalizedMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) if (m.tool_calls) for (const c of m.tool_calls) if (c && typeof c.id === 'string') names.set(c.id, c.name);
  return names;
}

/**
 * The system instruction. Unchanged text keeps the original value; edited text replaces the text
 * of the original's shape (string, Content, part list); a new one is a string in the SDK's
 * shape and a Content in the REST body.
 */
function encodeSystem(text: string | undefined, baseText: string | undefined, raw: unknown, sdk: boolean): unknown {
  if (text === undefined) return undefined;
  if (raw !== undefined && text === baseText) return raw;
  if (isObj(raw) && Array.isArray(raw.parts)) return { ...raw, parts: [{ text }] };
  if (Array.isArray(raw)) return [{ text }];
  if (text === '') return undefined;
  return sdk && !isObj(raw) ? text : { parts: [{ text }] };
}

function encodeDeclaration(def: ToolDefinition, tpl: Obj | undefined): unknown {
  const o: Obj = tpl ? { ...tpl } : {};
  o.name = def.name;
  setOrDelete(o, 'description', def.description);
  if (tpl && 'parameters' in tpl && !('parametersJsonSchema' in tpl)) setOrDelete(o, 'parameters', def.parameters);
  else setOrDelete(o, 'parametersJsonSchema', def.parameters);
  return o;
}

const toolName = (t: ToolDefinition): string => t.name;

/**
 * The tools: the original list when its declarations are unchanged; else the declarations
 * (templated by name) in the first tool that had any, other tools (search, code execution,
 * callable tools) kept as they were.
 */
function encodeTools(tools: readonly ToolDefinition[], base: readonly ToolDefinition[] | undefined, raw: unknown): unknown[] {
  const rawTools = base && Array.isArray(raw) ? raw : undefined;
  if (rawTools && deepEqual(tools, base)) return rawTools;
  const rawDecls: unknown[] = [];
  for (const t of rawTools ?? []) if (isObj(t) && Array.isArray(t.functionDeclarations)) for (const d of t.functionDeclarations) rawDecls.push(d);
  const decls = encodeKeyed(tools, base, rawTools ? rawDecls : undefined, toolName, encodeDeclaration);
  const out: unknown[] = [];
  let placed = false;
  for (const t of rawTools ?? []) {
    if (!isObj(t) || t.functionDeclarations === undefined) out.push(t);
    else if (!placed) {
      placed = true;
      if (decls.length > 0) out.push({ ...t, functionDeclarations: decls });
    }
  }
  if (!placed && decls.length > 0) out.unshift({ functionDeclarations: decls });
  return out;
}

/** A config object (`generationConfig`, or the SDK's `config`), or undefined when it would be empty and was absent. */
function encodeConfig(orig: unknown, values: Obj, rest: unknown): unknown {
  const o = isObj(orig) ? orig : undefined;
  const out = assemble(o, values, isObj(rest) ? rest : {});
  return o || Object.keys(out).length > 0 ? out : undefined;
}

function encodeRequest(norm: NormalizedRequest, original: unknown): unknown {
  let col: Collect | undefined;
  const t = encodeTemplate(norm, original, NAME, (o) => decodeRequest(o, (col = { srcs: [], sizes: [], turns: [] })));
  const { same, orig, base } = t;
  if (!base) col = undefined;
  const extra = same && isObj(norm.extra) ? norm.extra : {};
  // The SDK's parameters keep everything but model and contents in `config` (and always name
  // the model); the REST body has `generationConfig` and the model in the URL. With no original,
  // the SDK's shape.
  const sdk = orig
    ? orig.config !== undefined ||
      (orig.model !== undefined &&
        orig.generationConfig === undefined &&
        orig.systemInstruction === undefined &&
        orig.tools === undefined &&
        orig.toolConfig === undefined)
    : true;
  const rawCfg = sdk ? orig?.config : orig?.generationConfig;
  const shared: Obj = {};
  const cfgValues: Obj = {};
  encodeParams(cfgValues, norm.params, base?.params, isObj(rawCfg) ? rawCfg : undefined, PARAM_KEYS);
  const { system, messages } = foldSystemMessages(norm.system, norm.messages ?? []);
  const rawSystem = sdk ? (isObj(rawCfg) ? rawCfg.systemInstruction : undefined) : orig?.systemInstruction;
  shared.systemInstruction = encodeSystem(system, base?.system, rawSystem, sdk);
  const rawTools = sdk ? (isObj(rawCfg) ? rawCfg.tools : undefined) : orig?.tools;
  if (norm.tools) shared.tools = encodeTools(norm.tools, base?.tools, rawTools);
  shared.toolConfig = norm.tool_choice;
  const values: Obj = { model: norm.model, contents: undefined };
  const names = callNames(messages);
  const encodePieceNamed = (m: NormalizedMessage, b: NormalizedMessage | undefined, s: Source | undefined): TurnPiece => encodePiece(m, b, s, names);
  const contents = encodeTurns(messages, base?.messages, col, col?.turns, encodePieceNamed, TURNS);
  values.contents = col && contents === col.turns ? orig?.contents : contents;
  if (sdk) {
    Object.assign(cfgValues, shared);
    values.config = encodeConfig(rawCfg, cfgValues, extra.config);
  } else {
    Object.assign(values, shared);
    values.generationConfig = encodeConfig(rawCfg, cfgValues, extra.generationConfig);
  }
  return assemble(orig, values, extra);
}

// ---------------------------------------------------------------------------------------------
// Response decode

/**
 * Gemini counts thoughts apart from the candidates; the normalized `output_tokens` includes
 * reasoning, as OpenAI's `completion_tokens` does (and as both are billed).
 */
function decodeUsage(u: Obj): Usage {
  const usage: Usage = {};
  const input = num(u.promptTokenCount);
  if (input !== undefined) usage.input_tokens = input;
  const candidates = num(u.candidatesTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  if (candidates !== undefined || thoughts !== undefined) usage.output_tokens = (candidates ?? 0) + (thoughts ?? 0);
  const total = num(u.totalTokenCount);
  if (total !== undefined) usage.total_tokens = total;
  else if (input !== undefined && usage.output_tokens !== undefined) usage.total_tokens = input + usage.output_tokens;
  const cached = num(u.cachedContentTokenCount);
  if (cached !== undefined) usage.cache_read_tokens = cached;
  if (thoughts !== undefined) usage.reasoning_tokens = thoughts;
  return usage;
}

/** The first candidate's parts, or undefined. */
function partsOf(cand: Obj | undefined): readonly unknown[] | undefined {
  const c = cand?.content;
  return isObj(c) && Array.isArray(c.parts) ? c.parts : undefined;
}

function hasFunctionCall(parts: readonly unknown[] | undefined): boolean {
  if (parts) for (const p of parts) if (isObj(p) && isObj(p.functionCall)) return true;
  return false;
}

/** Everything but the content: id, model, finish reason, usage, errors and blocked prompts. Never throws on an object. */
function summarizeResponse(response: unknown): NormalizedResponse {
  const res = responseHead(response, NAME);
  const r = response as Obj; // an object: responseHead throws otherwise
  if (typeof r.responseId === 'string') res.id = r.responseId;
  if (typeof r.modelVersion === 'string') res.model = r.modelVersion;
  const cand = Array.isArray(r.candidates) && isObj(r.candidates[0]) ? r.candidates[0] : undefined;
  const reason = cand?.finishReason;
  if (typeof reason === 'string') {
    res.finish_reason = geminiFinishReason(reason, hasFunctionCall(partsOf(cand)));
    res.raw_finish_reason = reason;
  } else if (isObj(r.promptFeedback) && typeof r.promptFeedback.blockReason === 'string') {
    res.finish_reason = 'content_filter'; // the prompt itself was blocked: no candidates
    res.raw_finish_reason = r.promptFeedback.blockReason;
  }
  if (isObj(r.usageMetadata)) res.usage = decodeUsage(r.usageMetadata);
  if (isObj(r.error)) {
    res.finish_reason = 'error';
    res.raw_finish_reason = str(r.error.status) ?? 'error';
  }
  return res;
}

/** Best effort: reads whatever is there, never throws on an object. */
function decodeResponse(r: unknown): NormalizedResponse {
  const res = summarizeResponse(r);
  const o = r as Obj;
  const parts = partsOf(Array.isArray(o.candidates) && isObj(o.candidates[0]) ? o.candidates[0] : undefined);
  let text = '';
  let reasoning = '';
  for (const p of parts ?? []) {
    if (!isObj(p)) continue;
    if (typeof p.text === 'string') {
      if (p.thought === true) reasoning += p.text;
      else text += p.text;
    } else if (isObj(p.functionCall)) {
      const fc = p.functionCall;
      const name = str(fc.name) ?? '';
      res.tool_calls.push(makeToolCall(str(fc.id) ?? name, name, fc.args));
    }
  }
  res.text = text;
  if (reasoning) res.reasoning = reasoning;
  return res;
}

// ---------------------------------------------------------------------------------------------
// Streaming

/**
 * Each chunk is a partial response: new parts of the first candidate (text in fragments,
 * function calls whole), the finish reason on the last, usage so far on each.
 */
class GeminiAccumulator implements StreamAccumulator {
  private readonly reader = new ChunkReader();
  private readonly sink = (e: unknown): void => this.onEvent(e);
  private readonly head: Obj = {};
  private readonly parts: Obj[] = [];
  private finishReason: unknown;

  push(chunk: unknown): void {
    try {
      this.reader.feed(chunk, this.sink);
    } catch {
      // a malformed chunk never breaks the caller's stream
    }
  }

  private onEvent(e: unknown): void {
    if (!isObj(e)) return;
    for (const k of ['responseId', 'modelVersion', 'usageMetadata', 'promptFeedback', 'error']) if (e[k] != null) this.head[k] = e[k];
    const cand = Array.isArray(e.candidates) && isObj(e.candidates[0]) ? e.candidates[0] : undefined;
    if (!cand) return;
    for (const p of partsOf(cand) ?? []) {
      if (!isObj(p)) continue;
      const last = this.parts[this.parts.length - 1];
      if (typeof p.text === 'string' && last && typeof last.text === 'string' && (last.thought === true) === (p.thought === true)) {
        this.parts[this.parts.length - 1] = { ...last, ...p, text: last.text + p.text };
      } else this.parts.push(p);
    }
    if (typeof cand.finishReason === 'string') this.finishReason = cand.finishReason;
  }

  finish(): NormalizedResponse {
    try {
      this.reader.end(this.sink);
    } catch {
      // ignore a broken trailing fragment
    }
    const cand: Obj = { content: { role: 'model', parts: this.parts } };
    if (this.finishReason !== undefined) cand.finishReason = this.finishReason;
    return decodeResponse({ ...this.head, candidates: [cand] });
  }
}

// ---------------------------------------------------------------------------------------------

/** Codec for Gemini `generateContent` payloads (REST body or `@google/genai` parameters). Stateless. */
export class GeminiCodec extends ProviderCodec {
  constructor() {
    super(NAME, { decodeRequest, encodeRequest, decodeResponse, summarizeResponse, createAccumulator: () => new GeminiAccumulator() });
  }
}
