/**
 * A provider payload as the ordered list of blocks a prompt cache sees: for Anthropic Messages
 * tools, then system, then messages (each content block its own block); for OpenAI Chat and
 * Responses tools, then leading system/developer messages, then the rest. Every block carries an
 * estimated token count, a content fingerprint and the fingerprint of the whole prefix ending
 * with it, so equal prefixes are recognised across requests without keeping their text.
 *
 * Fingerprints ignore `cache_control` (a breakpoint does not change what is cached) and treat a
 * bare string (`system: "..."`, `content: "..."`) like one text block with the same text.
 */
import type { CodecName } from '@nemo-flow/runtime/codecs';
import { detectCodec } from '@nemo-flow/runtime/codecs';
import { canonicalJson, chain, digest } from './hash.js';
import { estimateTokens } from './tokens.js';
import { isPlainObject } from '@nemo-flow/runtime/exporter-kit';

export type PromptSection = 'tools' | 'system' | 'messages';

/** A `cache_control` marker found on a block. */
export interface CacheMark {
  type: string;
  /** `'5m'` (the default when absent) or `'1h'`. */
  ttl?: string;
}

export interface PromptBlock {
  section: PromptSection;
  /** Index in the payload's message list (`messages` / `input`), or -1 outside it. */
  message: number;
  /** Where the block lives in the payload, e.g. `['messages', 3, 'content', 1]`. */
  path: readonly (string | number)[];
  /** The block is a bare string at `path` (a string system prompt or message content). */
  bare: boolean;
  tokens: number;
  /** Fingerprint of this block alone. */
  hash: string;
  /** Fingerprint of everything from the start of the prompt to the end of this block. */
  prefixHash: string;
  /** Estimated tokens from the start of the prompt to the end of this block. */
  cumulativeTokens: number;
  /** The caller's `cache_control` on this block, if any. */
  mark: CacheMark | undefined;
  /** Anthropic accepts `cache_control` here (not on thinking blocks or empty text). */
  markable: boolean;
  /** Last block of its message. */
  endsMessage: boolean;
  /** Last block of its section. */
  endsSection: boolean;
}

export interface PromptLayout {
  format: CodecName;
  model: string | null;
  blocks: PromptBlock[];
  totalTokens: number;
  /** Tool names in order (part of the request's shape). */
  toolNames: string[];
  /** Number of entries in the payload's message list. */
  messageCount: number;
}

type Obj = Record<string, unknown>;

const isObj: (v: unknown) => v is Obj = isPlainObject;

const NO_MARK = new Set(['cache_control']);

function markOf(v: unknown): CacheMark | undefined {
  if (!isObj(v) || !isObj(v.cache_control)) return undefined;
  const cc = v.cache_control;
  const mark: CacheMark = { type: typeof cc.type === 'string' ? cc.type : 'ephemeral' };
  if (typeof cc.ttl === 'string') mark.ttl = cc.ttl;
  return mark;
}

function textTokens(block: unknown): number {
  if (isObj(block) && block.type === 'text' && typeof block.text === 'string') return estimateTokens(block.text);
  return estimateTokens(canonicalJson(block, NO_MARK));
}

class Builder {
  readonly blocks: PromptBlock[] = [];
  #prefix: string;
  #tokens = 0;

  constructor(
    readonly format: CodecName,
    readonly model: string | null,
  ) {
    // The cache of one model never serves another: the seed keeps their fingerprints apart.
    this.#prefix = digest(`${format}|${model ?? ''}`);
  }

  add(
    section: PromptSection,
    message: number,
    path: (string | number)[],
    bare: boolean,
    salt: string,
    value: unknown,
    tokens: number,
    mark: CacheMark | undefined,
    markable: boolean,
  ): void {
    const hash = digest(`${salt}\u0000${canonicalJson(value, NO_MARK)}`);
    this.#prefix = chain(this.#prefix, hash);
    this.#tokens += tokens;
    this.blocks.push({
      section,
      message,
      path,
      bare,
      tokens,
      hash,
      prefixHash: this.#prefix,
      cumulativeTokens: this.#tokens,
      mark,
      markable,
      endsMessage: false,
      endsSection: false,
    });
  }

  /** Closes the section or message the last block belongs to. */
  end(what: 'section' | 'message', section: PromptSection, message = -1): void {
    const last = this.blocks[this.blocks.length - 1];
    if (!last || last.section !== section || (what === 'message' && last.message !== message)) return;
    if (what === 'section') last.endsSection = true;
    else last.endsMessage = true;
  }

  get totalTokens(): number {
    return this.#tokens;
  }
}

function fail(path: string, expected: string): never {
  throw new TypeError(`${path}: expected ${expected}`);
}

function toolName(t: unknown): string {
  if (!isObj(t)) return '';
  if (typeof t.name === 'string') return t.name;
  if (isObj(t.function) && typeof t.function.name === 'string') return t.function.name;
  return typeof t.type === 'string' ? t.type : '';
}

function addTools(b: Builder, tools: unknown, markable: boolean): string[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) fail('tools', 'an array');
  tools.forEach((t, i) => {
    b.add('tools', -1, ['tools', i], false, 'tool', t, estimateTokens(canonicalJson(t, NO_MARK)), markOf(t), markable && isObj(t));
  });
  b.end('section', 'tools');
  return tools.map(toolName);
}

const TEXTLESS = new Set(['thinking', 'redacted_thinking']);

function anthropicMarkable(block: unknown): boolean {
  if (!isObj(block) || typeof block.type !== 'string' || TEXTLESS.has(block.type)) return false;
  return !(block.type === 'text' && (typeof block.text !== 'string' || block.text.length === 0));
}

/** Layout of an Anthropic Messages payload (throws a TypeError on a payload it cannot read). */
export function anthropicLayout(content: unknown): PromptLayout {
  if (!isObj(content)) fail('request', 'an object');
  const model = typeof content.model === 'string' ? content.model : null;
  const b = new Builder('anthropic-messages', model);
  const toolNames = addTools(b, content.tools, true);
  const system = content.system;
  if (typeof system === 'string') {
    if (system.length > 0) b.add('system', -1, ['system'], true, 'system', { type: 'text', text: system }, estimateTokens(system), undefined, true);
  } else if (Array.isArray(system)) {
    system.forEach((blk, j) => {
      if (!isObj(blk)) fail(`system[${j}]`, 'a content block object');
      b.add('system', -1, ['system', j], false, 'system', blk, textTokens(blk), markOf(blk), anthropicMarkable(blk));
    });
  } else if (system !== undefined && system !== null) fail('system', 'a string or an array of text blocks');
  b.end('section', 'system');
  const messages = content.messages;
  if (!Array.isArray(messages)) fail('messages', 'an array');
  messages.forEach((m, i) => {
    if (!isObj(m) || typeof m.role !== 'string') fail(`messages[${i}]`, 'a message object with a role');
    const c = m.content;
    const salt = (first: boolean): string => `${m.role as string}${first ? '^' : ''}`;
    if (typeof c === 'string') {
      b.add('messages', i, ['messages', i, 'content'], true, salt(true), { type: 'text', text: c }, estimateTokens(c), undefined, c.length > 0);
    } else if (Array.isArray(c)) {
      c.forEach((blk, j) => {
        if (!isObj(blk)) fail(`messages[${i}].content[${j}]`, 'a content block object');
        b.add('messages', i, ['messages', i, 'content', j], false, salt(j === 0), blk, textTokens(blk), markOf(blk), anthropicMarkable(blk));
      });
    } else fail(`messages[${i}].content`, 'a string or an array of content blocks');
    b.end('message', 'messages', i);
  });
  b.end('section', 'messages');
  return { format: 'anthropic-messages', model, blocks: b.blocks, totalTokens: b.totalTokens, toolNames, messageCount: messages.length };
}

function messageTokens(m: Obj): number {
  const c = m.content;
  let n = typeof c === 'string' ? estimateTokens(c) : c === undefined || c === null ? 0 : estimateTokens(canonicalJson(c));
  if (m.tool_calls !== undefined) n += estimateTokens(canonicalJson(m.tool_calls));
  return n;
}

const SYSTEM_ROLES = new Set(['system', 'developer']);

function addOpenAIMessages(b: Builder, items: unknown[], field: string): void {
  let leading = true;
  items.forEach((m, i) => {
    if (!isObj(m)) fail(`${field}[${i}]`, 'an object');
    leading = leading && typeof m.role === 'string' && SYSTEM_ROLES.has(m.role);
    if (!leading) b.end('section', 'system');
    const section: PromptSection = leading ? 'system' : 'messages';
    b.add(section, i, [field, i], false, `${typeof m.role === 'string' ? m.role : String(m.type)}^`, m, messageTokens(m), undefined, false);
    b.end('message', section, i);
  });
  b.end('section', leading ? 'system' : 'messages');
}

/** Layout of an OpenAI Chat Completions payload. */
export function openAIChatLayout(content: unknown): PromptLayout {
  if (!isObj(content)) fail('request', 'an object');
  const model = typeof content.model === 'string' ? content.model : null;
  const b = new Builder('openai-chat', model);
  const toolNames = addTools(b, content.tools, false);
  const messages = content.messages;
  if (!Array.isArray(messages)) fail('messages', 'an array');
  addOpenAIMessages(b, messages, 'messages');
  return { format: 'openai-chat', model, blocks: b.blocks, totalTokens: b.totalTokens, toolNames, messageCount: messages.length };
}

/** Layout of an OpenAI Responses payload. */
export function openAIResponsesLayout(content: unknown): PromptLayout {
  if (!isObj(content)) fail('request', 'an object');
  const model = typeof content.model === 'string' ? content.model : null;
  const b = new Builder('openai-responses', model);
  const toolNames = addTools(b, content.tools, false);
  if (typeof content.instructions === 'string' && content.instructions.length > 0) {
    b.add('system', -1, ['instructions'], true, 'instructions', content.instructions, estimateTokens(content.instructions), undefined, false);
    b.end('section', 'system');
  }
  const input = content.input;
  let count = 0;
  if (typeof input === 'string') {
    b.add('messages', 0, ['input'], true, 'user^', input, estimateTokens(input), undefined, false);
    b.end('message', 'messages', 0);
    count = 1;
  } else if (Array.isArray(input)) {
    addOpenAIMessages(b, input, 'input');
    count = input.length;
  } else if (input !== undefined && input !== null) fail('input', 'a string or an array of items');
  return { format: 'openai-responses', model, blocks: b.blocks, totalTokens: b.totalTokens, toolNames, messageCount: count };
}

/** The layout of a payload in a known format (`format` or detected), else undefined. Throws on a malformed payload. */
export function layoutOf(content: unknown, format?: CodecName): PromptLayout | undefined {
  const f = format ?? detectCodec(content)?.name;
  switch (f) {
    case 'anthropic-messages':
      return anthropicLayout(content);
    case 'openai-chat':
      return openAIChatLayout(content);
    case 'openai-responses':
      return openAIResponsesLayout(content);
    default:
      return undefined;
  }
}

/** A place in the prompt where a reusable prefix may end: the end of tools, of system, or of a message. */
export interface Boundary {
  kind: 'tools' | 'system' | 'message';
  /** Message index for `message` boundaries, else -1. */
  message: number;
  /** Index of the block the prefix ends with. */
  block: number;
  prefixHash: string;
  tokens: number;
}

/**
 * The end of tools, the end of each system block, and the ends of the first `maxMessages`
 * messages, in prompt order. These are the boundaries whose stability the learners track (a
 * bounded number per request).
 */
export function boundariesOf(layout: PromptLayout, maxMessages: number): Boundary[] {
  const out: Boundary[] = [];
  layout.blocks.forEach((blk, i) => {
    const at = { block: i, prefixHash: blk.prefixHash, tokens: blk.cumulativeTokens };
    if (blk.section === 'tools' && blk.endsSection) out.push({ kind: 'tools', message: -1, ...at });
    // Every system block ends a boundary: a fixed policy followed by a per-run block is common.
    else if (blk.section === 'system') out.push({ kind: 'system', message: -1, ...at });
    else if (blk.section === 'messages' && blk.endsMessage && blk.message < maxMessages) out.push({ kind: 'message', message: blk.message, ...at });
  });
  return out;
}

/** The request's shape: format, model and tool names. Stability is learned per shape. */
export function shapeOf(layout: PromptLayout): string {
  return digest(`${layout.format}|${layout.model ?? ''}|${layout.toolNames.join(',')}`);
}
