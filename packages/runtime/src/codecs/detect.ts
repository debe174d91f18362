/**
 * Picks a codec from a payload's shape, for callers that did not name one. Looks only at cheap,
 * distinguishing fields; never throws.
 */
import { getCodec } from './registry.js';
import type { CodecName, LlmCodec } from './types.js';
import { isObj, type Obj } from './util.js';

/** Block types only Anthropic content uses. */
const ANTHROPIC_BLOCKS = new Set(['tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'document', 'server_tool_use', 'search_result']);
/** Part types only Chat Completions content uses. */
const CHAT_PARTS = new Set(['image_url', 'input_audio', 'file', 'refusal']);

type Verdict = CodecName | undefined;

function fromTools(tools: unknown): Verdict {
  if (!Array.isArray(tools)) return undefined;
  for (const t of tools) {
    if (!isObj(t)) continue;
    if (isObj(t.function)) return 'openai-chat';
    if (isObj(t.input_schema)) return 'anthropic-messages';
  }
  return undefined;
}

function fromToolChoice(tc: unknown): Verdict {
  if (typeof tc === 'string') return 'openai-chat'; // Anthropic's tool_choice is always an object
  if (!isObj(tc)) return undefined;
  if (isObj(tc.function) || tc.type === 'function') return 'openai-chat';
  if (tc.type === 'any' || tc.type === 'tool' || tc.type === 'auto' || tc.type === 'none') return 'anthropic-messages';
  return undefined;
}

function fromMessage(m: unknown): Verdict {
  if (!isObj(m)) return undefined;
  const role = m.role;
  if (role === 'system' || role === 'developer' || role === 'tool' || role === 'function') return 'openai-chat';
  if (m.tool_calls !== undefined || m.tool_call_id !== undefined) return 'openai-chat';
  const c = m.content;
  if (c === null) return 'openai-chat'; // Anthropic content is never null
  if (!Array.isArray(c)) return undefined;
  for (const b of c) {
    if (!isObj(b) || typeof b.type !== 'string') continue;
    if (ANTHROPIC_BLOCKS.has(b.type) || (b.type === 'image' && isObj(b.source))) return 'anthropic-messages';
    if (CHAT_PARTS.has(b.type)) return 'openai-chat';
  }
  return undefined;
}

function chatOrAnthropic(c: Obj, messages: readonly unknown[]): CodecName {
  if (c.system !== undefined || c.stop_sequences !== undefined || c.anthropic_version !== undefined) return 'anthropic-messages';
  if (isObj(c.thinking) && typeof c.thinking.type === 'string') return 'anthropic-messages';
  if (
    c.max_completion_tokens !== undefined ||
    c.stream_options !== undefined ||
    c.response_format !== undefined ||
    c.parallel_tool_calls !== undefined ||
    c.frequency_penalty !== undefined ||
    c.presence_penalty !== undefined ||
    c.n !== undefined ||
    c.logprobs !== undefined ||
    c.stop !== undefined
  ) {
    return 'openai-chat';
  }
  const byTools = fromTools(c.tools) ?? fromToolChoice(c.tool_choice);
  if (byTools) return byTools;
  for (const m of messages) {
    const v = fromMessage(m);
    if (v) return v;
  }
  // Nothing distinguishes them: such a payload reads the same either way. Claude models and a
  // max_tokens (required by Anthropic) lean Anthropic; everything else is the common Chat format.
  // The response settles it when the codec was detected (see `responseCodecFor`).
  return typeof c.model === 'string' && isClaudeModel(c.model) && typeof c.max_tokens === 'number' ? 'anthropic-messages' : 'openai-chat';
}

/**
 * A Claude model id as Anthropic, clouds and routers spell it: `claude-3-5-haiku-20241022`,
 * Bedrock `anthropic.claude-…-v1:0` (and `us.anthropic.claude-…` profiles, ARNs ending in one),
 * Vertex `claude-…@20241022`, routers `anthropic/claude-…`.
 */
const CLAUDE_MODEL = /(?:^|[./:])claude[-.@]/i;

export function isClaudeModel(model: string): boolean {
  return CLAUDE_MODEL.test(model);
}

/** The format of a request payload (`content`), or undefined when it is none of the four. */
export function detectRequestFormat(content: unknown): CodecName | undefined {
  if (!isObj(content)) return undefined;
  const messages = content.messages;
  if (Array.isArray(messages)) return chatOrAnthropic(content, messages);
  if (content.contents !== undefined) return 'gemini';
  if (
    content.input !== undefined ||
    content.instructions !== undefined ||
    content.previous_response_id !== undefined ||
    content.max_output_tokens !== undefined
  ) {
    return 'openai-responses';
  }
  return undefined;
}

/** The format of a response payload or a stream chunk, or undefined when it is none of the four. */
export function detectResponseFormat(response: unknown): CodecName | undefined {
  if (!isObj(response)) return undefined;
  const o = response.object;
  if (o === 'chat.completion' || o === 'chat.completion.chunk' || Array.isArray(response.choices)) return 'openai-chat';
  if (o === 'response' || Array.isArray(response.output)) return 'openai-responses';
  const t = response.type;
  if (typeof t === 'string') {
    if (t.startsWith('response.')) return 'openai-responses';
    if (t === 'message' || t.startsWith('message_') || t.startsWith('content_block_') || t === 'ping') return 'anthropic-messages';
    if (t === 'error' && isObj(response.error)) return 'anthropic-messages'; // Responses' error event is flat
  }
  if (response.role === 'assistant' && Array.isArray(response.content)) return 'anthropic-messages';
  if (Array.isArray(response.candidates) || isObj(response.usageMetadata) || isObj(response.promptFeedback)) return 'gemini';
  return undefined;
}

/** The codec for a request payload, picked from its shape. Undefined when unrecognised. Never throws. */
export function detectCodec(content: unknown): LlmCodec | undefined {
  try {
    const name = detectRequestFormat(content);
    return name === undefined ? undefined : getCodec(name);
  } catch {
    return undefined; // e.g. a hostile proxy throwing from a getter
  }
}

/**
 * The codec to read a response (or stream chunk) with. A codec the caller named is kept; one that
 * was detected from the request gives way to the response's own shape when that says otherwise:
 * a plain request can read as two formats, the provider's answer cannot. Never throws.
 */
export function responseCodecFor(requestCodec: LlmCodec | undefined, detected: boolean, response: unknown): LlmCodec | undefined {
  if (!detected) return requestCodec;
  const own = detectResponseCodec(response);
  return own ?? requestCodec;
}

/** The codec for a response payload (or stream chunk), picked from its shape. Never throws. */
export function detectResponseCodec(response: unknown): LlmCodec | undefined {
  try {
    const name = detectResponseFormat(response);
    return name === undefined ? undefined : getCodec(name);
  } catch {
    return undefined;
  }
}
