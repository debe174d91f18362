/**
 * Encoding against the original payload. Codecs re-decode the original (cheap) to get a baseline,
 * compare it with the possibly edited normalized request, and reuse the original objects for
 * everything that did not change — so unmodelled fields (cache_control, ids, signatures, future
 * fields) survive, and an unedited request encodes to exactly what came in.
 */
import {
  CodecError,
  type CodecName,
  type ContentPart,
  type NormalizedMessage,
  type NormalizedRequest,
  type NormalizedResponse,
  type ToolCall,
  type ToolDefinition,
} from './types.js';
import { deepEqual, expected, hasOwn, isObj, partsText, PathError, rethrowAt, setParts, textSeparator, typeOf, type Obj } from './util.js';

const ANCHOR_WINDOW = 64;

/** How an edited message list lines up with the baseline it was decoded from. */
export interface MessagePlan {
  /** Leading original messages (provider-level groups) that are unchanged. */
  head: number;
  /** Normalized messages covered by `head`. */
  headMsgs: number;
  /** Trailing original messages that are unchanged. */
  tail: number;
  tailMsgs: number;
  /** For each normalized message in the middle, the baseline message index used as template, or -1. */
  pairs: number[];
}

/**
 * Finds the longest unchanged prefix and suffix, in whole provider messages (`sizes[g]` = number of
 * normalized messages original message g decoded to; omitted = one each). In the middle, messages
 * equal to a baseline message are paired with it (in order); each edited message is paired with a
 * leftover baseline message of the same role, which serves as its template.
 */
export function planMessages(base: readonly NormalizedMessage[], sizes: readonly number[] | undefined, next: readonly NormalizedMessage[]): MessagePlan {
  const groups = sizes ? sizes.length : base.length;
  let head = 0;
  let headMsgs = 0;
  while (head < groups) {
    const size = sizes ? sizes[head] : 1;
    if (headMsgs + size > next.length || !rangeEqual(base, headMsgs, next, headMsgs, size)) break;
    head++;
    headMsgs += size;
  }
  let tail = 0;
  let tailMsgs = 0;
  while (tail < groups - head) {
    const size = sizes ? sizes[groups - 1 - tail] : 1;
    if (headMsgs + tailMsgs + size > next.length) break;
    if (!rangeEqual(base, base.length - tailMsgs - size, next, next.length - tailMsgs - size, size)) break;
    tail++;
    tailMsgs += size;
  }
  const b1 = base.length - tailMsgs;
  const n1 = next.length - tailMsgs;
  const pairs = new Array<number>(n1 - headMsgs).fill(-1);
  // Anchors: unchanged messages in the middle, matched in order (looking a bounded distance ahead,
  // so rewriting every message of a long conversation stays linear).
  let from = headMsgs;
  for (let i = headMsgs; i < n1 && from < b1; i++) {
    const end = Math.min(b1, from + ANCHOR_WINDOW);
    for (let k = from; k < end; k++) {
      if (deepEqual(next[i], base[k])) {
        pairs[i - headMsgs] = k;
        from = k + 1;
        break;
      }
    }
  }
  // Between anchors, edited messages take the leftover baseline messages of the same role as templates.
  let pn = headMsgs - 1;
  let pb = headMsgs - 1;
  for (let i = headMsgs; i <= n1; i++) {
    const k = i < n1 ? pairs[i - headMsgs] : b1;
    if (k < 0) continue;
    pairGap(base, pb + 1, k, next, pn + 1, i, pairs, headMsgs);
    pn = i;
    pb = k;
  }
  return { head, headMsgs, tail, tailMsgs, pairs };
}

/** Pairs next[n0, n1) with base[b0, b1) by equal role, from the start and then from the end. */
function pairGap(
  base: readonly NormalizedMessage[],
  b0: number,
  b1: number,
  next: readonly NormalizedMessage[],
  n0: number,
  n1: number,
  pairs: number[],
  offset: number,
): void {
  let i = 0;
  while (n0 + i < n1 && b0 + i < b1 && next[n0 + i].role === base[b0 + i].role) {
    pairs[n0 + i - offset] = b0 + i;
    i++;
  }
  let j = 1;
  while (n1 - j >= n0 + i && b1 - j >= b0 + i && next[n1 - j].role === base[b1 - j].role) {
    pairs[n1 - j - offset] = b1 - j;
    j++;
  }
}

function rangeEqual(a: readonly NormalizedMessage[], ai: number, b: readonly NormalizedMessage[], bi: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (!deepEqual(a[ai + k], b[bi + k])) return false;
  return true;
}

/**
 * The parts to encode for `m`. `text` and `parts` can disagree after an edit: when the text changed
 * (relative to the baseline) it replaces the text parts, keeping the other parts in place; when only
 * the parts changed they win. Undefined for a text-only message.
 */
export function effectiveParts(m: NormalizedMessage, base: NormalizedMessage | undefined, sep: string): readonly ContentPart[] | undefined {
  const parts = m.parts;
  if (!parts) return undefined;
  const text = m.text ?? '';
  if (partsText(parts, sep) === text) return parts;
  if (base && text === base.text) return parts;
  const out: ContentPart[] = [];
  let placed = false;
  for (const p of parts) {
    if (p.type !== 'text') out.push(p);
    else if (!placed) {
      placed = true;
      if (text !== '') out.push({ type: 'text', text });
    }
  }
  if (!placed && text !== '') out.unshift({ type: 'text', text });
  return out;
}

/**
 * The baseline parts that line up with the original raw parts `src`: a message decoded from a
 * one-element array is text-only, but its single raw block is still a template for its text.
 */
export function alignedBaseParts(base: NormalizedMessage | undefined, src: readonly unknown[] | undefined): readonly ContentPart[] | undefined {
  if (!base || !src) return undefined;
  if (base.parts) return base.parts;
  return src.length === 1 ? [{ type: 'text', text: base.text }] : undefined;
}

/** Encodes one part; `template` is the original raw part at that position when of the same type. */
export type PartEncoder = (part: ContentPart, template: Obj | undefined) => unknown;

/**
 * Encodes parts, reusing the original raw part for every part equal to a baseline part (same
 * position first, then any unused one) and using the raw part at the same position as a template
 * for an edited part of the same type. `other` parts are their raw value. Undefined results
 * (parts the provider cannot express) are dropped.
 */
export function encodeParts(
  parts: readonly ContentPart[],
  baseParts: readonly ContentPart[] | undefined,
  src: readonly unknown[] | undefined,
  enc: PartEncoder,
): unknown[] {
  const out: unknown[] = [];
  let used: boolean[] | undefined;
  for (let j = 0; j < parts.length; j++) {
    const p = parts[j];
    if (p.type === 'other') {
      out.push(p.raw);
      continue;
    }
    let tpl: Obj | undefined;
    if (baseParts && src) {
      used ??= new Array<boolean>(baseParts.length).fill(false);
      let k = j < baseParts.length && !used[j] && deepEqual(p, baseParts[j]) ? j : -1;
      if (k < 0) {
        for (let q = 0; q < baseParts.length; q++) {
          if (!used[q] && deepEqual(p, baseParts[q])) {
            k = q;
            break;
          }
        }
      }
      if (k >= 0) {
        used[k] = true;
        out.push(src[k]);
        continue;
      }
      if (j < baseParts.length && baseParts[j].type === p.type && isObj(src[j])) tpl = src[j] as Obj;
    }
    const v = enc(p, tpl);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/**
 * Encodes a list of keyed items (tool definitions by name, tool calls by id): an item equal to its
 * baseline is the original raw item; an edited one uses the raw item with the same key as template.
 */
export function encodeKeyed<T>(
  items: readonly T[],
  base: readonly T[] | undefined,
  raw: readonly unknown[] | undefined,
  key: (item: T) => string,
  enc: (item: T, template: Obj | undefined) => unknown,
): unknown[] {
  const out = new Array<unknown>(items.length);
  for (let j = 0; j < items.length; j++) {
    const item = items[j];
    let tpl: Obj | undefined;
    if (base && raw) {
      if (j < base.length && deepEqual(item, base[j])) {
        out[j] = raw[j];
        continue;
      }
      const k = key(item);
      const q = base.findIndex((b) => key(b) === k);
      if (q >= 0) {
        if (deepEqual(item, base[q])) {
          out[j] = raw[q];
          continue;
        }
        if (isObj(raw[q])) tpl = raw[q] as Obj;
      }
    }
    out[j] = enc(item, tpl);
  }
  return out;
}

/**
 * Builds the top-level payload. `values` holds the modelled fields (undefined = absent), `extra`
 * the unmodelled ones; a modelled value wins over an extra one with the same key. Keys keep the
 * original's order, new keys follow. Returns `original` itself when nothing changed.
 */
export function assemble(original: Obj | undefined, values: Obj, extra: Obj): Obj {
  const out: Obj = {};
  let changed = original === undefined;
  if (original) {
    for (const k in original) {
      const was = original[k];
      const v = hasOwn(values, k) ? values[k] : undefined;
      if (v !== undefined) {
        out[k] = v;
        if (v !== was) changed = true;
      } else if (hasOwn(extra, k) && (extra[k] !== undefined || was === undefined)) {
        // (a key the caller set to undefined stays, so an unedited request compares equal)
        out[k] = extra[k];
        if (extra[k] !== was) changed = true;
      } else changed = true;
    }
  }
  for (const k in values) {
    const v = values[k];
    if (v !== undefined && !hasOwn(out, k)) {
      out[k] = v;
      changed = true;
    }
  }
  for (const k in extra) {
    const v = extra[k];
    if (v !== undefined && !hasOwn(out, k)) {
      out[k] = v;
      changed = true;
    }
  }
  return changed || !original ? out : original;
}

/** Decodes a list of tool definitions, naming the failing index (`tools[3]...`; `field` names the list). */
export function decodeToolList(v: readonly unknown[], decodeTool: (t: unknown) => ToolDefinition, field = 'tools'): ToolDefinition[] {
  const out = new Array<ToolDefinition>(v.length);
  for (let i = 0; i < v.length; i++) {
    try {
      out[i] = decodeTool(v[i]);
    } catch (e) {
      rethrowAt(e, `${field}[${i}]`);
    }
  }
  return out;
}

/** The raw template an encode works against: the original payload and its decode (its baseline). */
export interface EncodeTemplate {
  /** False when the normalized request came from another provider format (no template applies). */
  same: boolean;
  orig: Obj | undefined;
  base: NormalizedRequest | undefined;
}

/**
 * Checks `norm` and decodes `original` as the baseline edits are measured against. An unreadable
 * original cannot serve as template (`base` undefined).
 */
export function encodeTemplate(norm: NormalizedRequest, original: unknown, codec: CodecName, decode: (orig: Obj) => NormalizedRequest): EncodeTemplate {
  if (!isObj(norm)) throw new PathError('', `expected a normalized request, got ${typeOf(norm)}`);
  const same = norm.provider_format === undefined || norm.provider_format === codec;
  const orig = same && isObj(original) ? original : undefined;
  let base: NormalizedRequest | undefined;
  if (orig) {
    try {
      base = decode(orig);
    } catch {
      base = undefined;
    }
  }
  return { same, orig, base };
}

const toolName = (t: ToolDefinition): string => t.name;

/** Encodes the tool definitions: the original array when unchanged, else per tool by name. */
export function encodeToolList(
  tools: readonly ToolDefinition[],
  t: EncodeTemplate,
  encodeTool: (def: ToolDefinition, template: Obj | undefined) => unknown,
): unknown[] {
  const rawTools = t.base && Array.isArray(t.orig?.tools) ? (t.orig.tools as unknown[]) : undefined;
  return rawTools && deepEqual(tools, t.base?.tools) ? rawTools : encodeKeyed(tools, t.base?.tools, rawTools, toolName, encodeTool);
}

/**
 * The start of every response decode: `r` must be an object (else a `CodecError`); its `id` and
 * `model` are read, content left empty for the codec to fill.
 */
export function responseHead(r: unknown, codec: CodecName): NormalizedResponse {
  if (!isObj(r)) throw new CodecError(`expected a response object, got ${typeOf(r)}`, codec);
  const res: NormalizedResponse = { provider_format: codec, text: '', tool_calls: [] };
  if (typeof r.id === 'string') res.id = r.id;
  if (typeof r.model === 'string') res.model = r.model;
  return res;
}

/**
 * System and developer messages (added by a middleware, or from another format) folded into the
 * `system` text, for providers whose turns are only user and assistant (Anthropic, Gemini).
 */
export function foldSystemMessages(
  system: string | undefined,
  messages: readonly NormalizedMessage[],
): { system: string | undefined; messages: readonly NormalizedMessage[] } {
  for (let i = 0; i < messages.length; i++) if (!isObj(messages[i])) throw expected(`messages[${i}]`, 'a message object', messages[i]);
  if (!messages.some((m) => m.role === 'system' || m.role === 'developer')) return { system, messages };
  const texts = system ? [system] : [];
  for (const m of messages) if ((m.role === 'system' || m.role === 'developer') && m.text) texts.push(m.text);
  return { system: texts.join('\n'), messages: messages.filter((m) => m.role !== 'system' && m.role !== 'developer') };
}

/**
 * One normalized message encoded for a provider whose user turns carry tool results (Anthropic,
 * Gemini): the blocks (or string) it contributes to a turn.
 */
export interface TurnPiece {
  /** The provider role of the turn (`user` for tool results). */
  role: string;
  content: string | unknown[];
  /** The provider message it came from (its other fields are kept). */
  tpl: Obj | undefined;
  /** A tool result. */
  tool: boolean;
}

/** How a provider writes turns: the content field, the user role, and a plain text block. */
export interface TurnFormat {
  contentKey: string;
  userRole: string;
  textBlock(text: string): unknown;
}

/**
 * Turns pieces into provider messages: pieces of the same original turn merge back into it, and
 * new tool results merge with each other and the new user text after them (one user turn).
 */
export function mergeTurns(pieces: readonly TurnPiece[], out: unknown[], f: TurnFormat): void {
  let prev: { piece: TurnPiece; content: unknown[] } | undefined;
  for (const p of pieces) {
    if (prev && p.role === f.userRole && prev.piece.role === f.userRole) {
      const sameTurn = p.tpl !== undefined && p.tpl === prev.piece.tpl && Array.isArray(p.content);
      const afterNewResults = p.tpl === undefined && prev.piece.tpl === undefined && prev.piece.tool;
      if (sameTurn || afterNewResults) {
        if (Array.isArray(p.content)) for (const blk of p.content) prev.content.push(blk);
        else if (p.content !== '') prev.content.push(f.textBlock(p.content));
        continue;
      }
    }
    const content = Array.isArray(p.content) ? p.content.slice() : p.content;
    out.push(p.tpl ? { ...p.tpl, role: p.role, [f.contentKey]: content } : { role: p.role, [f.contentKey]: content });
    prev = Array.isArray(content) ? { piece: p, content } : undefined;
  }
}

/**
 * Encodes a conversation whose provider turns may each decode to several normalized messages:
 * unchanged leading and trailing turns are the original objects, the middle is re-encoded piece
 * by piece (each edited message against its baseline and source) and merged into turns.
 * `srcs[k]` is where baseline message k came from; `sizes[g]` how many messages turn g decoded to.
 */
export function encodeTurns<S>(
  next: readonly NormalizedMessage[],
  base: readonly NormalizedMessage[] | undefined,
  col: { srcs: readonly S[]; sizes: readonly number[] } | undefined,
  raw: readonly unknown[] | undefined,
  encodePiece: (m: NormalizedMessage, b: NormalizedMessage | undefined, src: S | undefined) => TurnPiece,
  f: TurnFormat,
): unknown[] {
  const pieces: TurnPiece[] = [];
  if (!base || !col || !raw) {
    for (const m of next) pieces.push(encodePiece(m, undefined, undefined));
    const out: unknown[] = [];
    mergeTurns(pieces, out, f);
    return out;
  }
  const plan = planMessages(base, col.sizes, next);
  if (plan.head === raw.length && plan.headMsgs === next.length) return raw as unknown[];
  const out = raw.slice(0, plan.head);
  for (let j = 0; j < plan.pairs.length; j++) {
    const k = plan.pairs[j];
    pieces.push(encodePiece(next[plan.headMsgs + j], k >= 0 ? base[k] : undefined, k >= 0 ? col.srcs[k] : undefined));
  }
  mergeTurns(pieces, out, f);
  for (let g = raw.length - plan.tail; g < raw.length; g++) out.push(raw[g]);
  return out;
}

/** What one raw block of a provider turn decodes to; `raw` is the block as the encoder will reuse it. */
export type TurnBlock =
  /** A tool result: a message of its own, recorded with its own source. */
  { raw: unknown; result: NormalizedMessage; source: object } | { raw: unknown; call: ToolCall } | { raw: unknown; part: ContentPart };

/**
 * Decodes the blocks of one provider turn (Anthropic content blocks, Gemini parts) into `out`: each
 * tool result as its own message, everything else as one message of `role` with its parts and tool
 * calls. With `srcs`, records where each message came from (the raw blocks behind its parts and
 * calls) for encoding against the original. Errors are placed under `field`. Returns how many
 * messages the turn produced (at least one).
 */
export function decodeTurnBlocks(
  msg: Obj,
  role: 'user' | 'assistant',
  blocks: readonly unknown[],
  field: string,
  out: NormalizedMessage[],
  srcs: unknown[] | undefined,
  decode: (block: unknown, j: number) => TurnBlock,
): number {
  let parts: ContentPart[] | undefined;
  let calls: ToolCall[] | undefined;
  let rawBlocks: unknown[] | undefined;
  let rawParts: unknown[] | undefined;
  let rawCalls: unknown[] | undefined;
  let n = 0;
  try {
    for (let j = 0; j < blocks.length; j++) {
      const b = decode(blocks[j], j);
      if ('result' in b) {
        out.push(b.result);
        srcs?.push({ msg, ...b.source });
        n++;
        continue;
      }
      if ('call' in b) {
        (calls ??= []).push(b.call);
        if (srcs) (rawCalls ??= []).push(b.raw);
      } else {
        (parts ??= []).push(b.part);
        if (srcs) (rawParts ??= []).push(b.raw);
      }
      if (srcs) (rawBlocks ??= []).push(b.raw);
    }
  } catch (e) {
    rethrowAt(e, field);
  }
  if (parts || calls || n === 0) {
    const m: NormalizedMessage = { role, text: '' };
    if (parts) setParts(m, parts, textSeparator(role));
    if (calls) m.tool_calls = calls;
    out.push(m);
    srcs?.push({ msg, blocks: rawBlocks ?? [], parts: rawParts ?? [], calls: rawCalls ?? [] });
    n++;
  }
  return n;
}
