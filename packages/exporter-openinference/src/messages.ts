/**
 * Normalized chat messages → OpenInference's flattened message attributes
 * (`llm.input_messages.{i}.message.role`, `.message.content`, `.message.contents.{j}.message_content.*`,
 * `.message.tool_calls.{k}.tool_call.*`, `.message.tool_call_id`), which is what Phoenix renders as
 * a chat. Masking is applied while flattening, so hidden text is never copied and over-long base64
 * images are never assembled.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ContentPart, NormalizedMessage, NormalizedRequest, NormalizedResponse, ToolCall } from '@nemo-flow/runtime/codecs';
import {
  CONTENT_IMAGE_URL,
  MESSAGE_CONTENT,
  MESSAGE_CONTENTS,
  MESSAGE_CONTENT_TEXT,
  MESSAGE_CONTENT_TYPE,
  MESSAGE_NAME,
  MESSAGE_ROLE,
  MESSAGE_TOOL_CALLS,
  MESSAGE_TOOL_CALL_ID,
  TOOL_CALL_FUNCTION_ARGUMENTS_JSON,
  TOOL_CALL_FUNCTION_NAME,
  TOOL_CALL_ID,
} from './names.js';
import { jsonText } from './json.js';
import { indexKey, joinKey } from './keys.js';
import { REDACTED_VALUE } from './trace-config.js';

/** How one side (input or output) of the messages is masked. */
export interface MessageMask {
  /** Replace text (message content and text/reasoning parts) with the redaction marker. */
  hideText: boolean;
  /** Leave image URLs out (the part's type stays, so the reader knows an image was there). */
  hideImages: boolean;
  /** Base64 image URLs longer than this become the redaction marker. */
  base64ImageMaxLength: number;
  /** Budget for serialized tool-call arguments. */
  maxLength: number;
}

const CONTENTS = `${MESSAGE_CONTENTS}.`;
const TOOL_CALLS = `${MESSAGE_TOOL_CALLS}.`;
const DATA_URL_PREFIX = 'data:';
const BASE64_MARK = ';base64,';

/** An image part's URL, or the marker when it is a base64 image longer than allowed (checked before building it). */
export function imageUrl(p: { url?: string; data?: string; media_type?: string }, max: number): string | undefined {
  if (typeof p.url === 'string') {
    const u = p.url;
    return u.length > max && u.startsWith('data:image/') && u.includes('base64') ? REDACTED_VALUE : u;
  }
  if (typeof p.data !== 'string') return undefined;
  const mediaType = p.media_type ?? 'image/png';
  const length = DATA_URL_PREFIX.length + mediaType.length + BASE64_MARK.length + p.data.length;
  return length > max ? REDACTED_VALUE : `${DATA_URL_PREFIX}${mediaType}${BASE64_MARK}${p.data}`;
}

function otherType(raw: unknown): string {
  const t = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return typeof t === 'string' && t.length > 0 ? t : 'other';
}

function addContents(attrs: Attributes, prefix: string, parts: readonly ContentPart[], mask: MessageMask): void {
  for (let j = 0; j < parts.length; j++) {
    const p = parts[j]!;
    const key = indexKey(prefix, j);
    switch (p.type) {
      case 'text':
      case 'reasoning':
        attrs[joinKey(key, MESSAGE_CONTENT_TYPE)] = p.type;
        attrs[joinKey(key, MESSAGE_CONTENT_TEXT)] = mask.hideText ? REDACTED_VALUE : p.text;
        break;
      case 'image': {
        attrs[joinKey(key, MESSAGE_CONTENT_TYPE)] = 'image';
        if (mask.hideImages) break;
        const url = imageUrl(p, mask.base64ImageMaxLength);
        if (url !== undefined) attrs[joinKey(key, CONTENT_IMAGE_URL)] = url;
        break;
      }
      default:
        // Parts no codec models (files, audio, provider-specific blocks): say what they were, not what they held.
        attrs[joinKey(key, MESSAGE_CONTENT_TYPE)] = otherType((p as { raw?: unknown }).raw);
    }
  }
}

function argumentsJson(tc: ToolCall, maxLength: number): string {
  if (typeof tc.raw_arguments === 'string') return tc.raw_arguments;
  return jsonText(tc.arguments ?? {}, maxLength);
}

function addToolCalls(attrs: Attributes, prefix: string, calls: readonly ToolCall[], maxLength: number): void {
  for (let k = 0; k < calls.length; k++) {
    const tc = calls[k]!;
    const key = indexKey(prefix, k);
    if (tc.id) attrs[joinKey(key, TOOL_CALL_ID)] = tc.id;
    attrs[joinKey(key, TOOL_CALL_FUNCTION_NAME)] = tc.name;
    attrs[joinKey(key, TOOL_CALL_FUNCTION_ARGUMENTS_JSON)] = argumentsJson(tc, maxLength);
  }
}

/** Flattens one message under `prefix` (e.g. `llm.input_messages.3.`). */
export function addMessage(attrs: Attributes, prefix: string, m: NormalizedMessage, mask: MessageMask): void {
  attrs[joinKey(prefix, MESSAGE_ROLE)] = m.role;
  if (m.name) attrs[joinKey(prefix, MESSAGE_NAME)] = m.name;
  if (m.tool_call_id) attrs[joinKey(prefix, MESSAGE_TOOL_CALL_ID)] = m.tool_call_id;
  const parts = m.parts;
  if (Array.isArray(parts) && parts.length > 0) addContents(attrs, joinKey(prefix, CONTENTS), parts, mask);
  else if (typeof m.text === 'string' && m.text.length > 0) attrs[joinKey(prefix, MESSAGE_CONTENT)] = mask.hideText ? REDACTED_VALUE : m.text;
  const calls = m.tool_calls;
  if (Array.isArray(calls) && calls.length > 0) addToolCalls(attrs, joinKey(prefix, TOOL_CALLS), calls, mask.maxLength);
}

/**
 * The request's messages under `base` (`llm.input_messages`). Instructions given apart from the
 * history (Anthropic `system`, Responses `instructions`) come first as a system message, the way
 * the provider applies them.
 */
export function addInputMessages(attrs: Attributes, base: string, req: NormalizedRequest, mask: MessageMask): void {
  const list = joinKey(base, '.');
  let i = 0;
  if (typeof req.system === 'string' && req.system.length > 0) {
    addMessage(attrs, indexKey(list, 0), { role: 'system', text: req.system }, mask);
    i = 1;
  }
  const messages = req.messages;
  if (!Array.isArray(messages)) return;
  for (const m of messages) addMessage(attrs, indexKey(list, i++), m, mask);
}

/** The response as one assistant message under `base` (`llm.output_messages`); reasoning, when given, comes first as its own part. */
export function addOutputMessage(attrs: Attributes, base: string, res: NormalizedResponse, mask: MessageMask): void {
  const msg: NormalizedMessage = { role: 'assistant', text: typeof res.text === 'string' ? res.text : '' };
  if (typeof res.reasoning === 'string' && res.reasoning.length > 0) {
    msg.parts = [{ type: 'reasoning', text: res.reasoning }];
    if (msg.text) msg.parts.push({ type: 'text', text: msg.text });
  }
  if (Array.isArray(res.tool_calls) && res.tool_calls.length > 0) msg.tool_calls = res.tool_calls;
  addMessage(attrs, indexKey(joinKey(base, '.'), 0), msg, mask);
}
