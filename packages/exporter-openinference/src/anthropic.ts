/**
 * Anthropic Messages as the official OpenInference Anthropic instrumentation flattens them: the
 * request's `messages` read from the raw payload (a string content is `message.content`, a block
 * list is `message.contents.{j}.message_content.*`; a `tool_result` block keeps the user role and
 * sets `message.tool_call_id`; the top-level `system` is an invocation parameter, not a message),
 * the answer as one assistant message of content blocks, and each offered tool's raw definition
 * as `llm.tools.{i}.tool.json_schema`.
 */
import type { Attributes } from '@opentelemetry/api';
import type { NormalizedResponse } from '@nemo-flow/runtime/codecs';
import { isPlainObject } from '@nemo-flow/runtime/exporter-kit';
import { jsonText, unwrap } from './json.js';
import { imageUrl, type MessageMask } from './messages.js';
import {
  CONTENT_IMAGE_URL,
  MESSAGE_CONTENT,
  MESSAGE_CONTENTS,
  MESSAGE_CONTENT_SIGNATURE,
  MESSAGE_CONTENT_TEXT,
  MESSAGE_CONTENT_TYPE,
  MESSAGE_ROLE,
  MESSAGE_TOOL_CALLS,
  MESSAGE_TOOL_CALL_ID,
  TOOL_CALL_FUNCTION_ARGUMENTS_JSON,
  TOOL_CALL_FUNCTION_NAME,
  TOOL_CALL_ID,
  toolSchemaKey,
} from './names.js';
import { REDACTED_VALUE } from './trace-config.js';
import { indexKey, joinKey } from './keys.js';

const CONTENTS = `${MESSAGE_CONTENTS}.`;
const TOOL_CALLS = `${MESSAGE_TOOL_CALLS}.`;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Sets the three tool-call keys under `prefix` (used for both `tool_calls.{k}.` and `contents.{j}.`). */
function toolCallKeys(attrs: Attributes, prefix: string, id: string | undefined, name: string | undefined, args: string): void {
  if (id) attrs[joinKey(prefix, TOOL_CALL_ID)] = id;
  if (name) attrs[joinKey(prefix, TOOL_CALL_FUNCTION_NAME)] = name;
  attrs[joinKey(prefix, TOOL_CALL_FUNCTION_ARGUMENTS_JSON)] = args;
}

function addBlocks(attrs: Attributes, prefix: string, blocks: readonly unknown[], mask: MessageMask): void {
  let toolIndex = 0;
  for (let j = 0; j < blocks.length; j++) {
    const b = unwrap(blocks[j]);
    if (!isPlainObject(b)) continue;
    const key = indexKey(joinKey(prefix, CONTENTS), j);
    const text = (v: unknown): string => (mask.hideText ? REDACTED_VALUE : (str(v) ?? ''));
    switch (b['type']) {
      case 'text':
        attrs[joinKey(key, MESSAGE_CONTENT_TYPE)] = 'text';
        attrs[joinKey(key, MESSAGE_CONTENT_TEXT)] = text(b['text']);
        break;
      case 'image': {
        attrs[joinKey(key, MESSAGE_CONTENT_TYPE)] = 'image';
        const src = unwrap(b['source']);
        if (mask.hideImages || !isPlainObject(src)) break;
        const url = imageUrl({ url: str(src['url']), data: str(src['data']), media_type: str(src['media_type']) }, mask.base64ImageMaxLength);
        if (url !== undefined) attrs[joinKey(key, CONTENT_IMAGE_URL)] = url;
        break;
      }
      case 'tool_use': {
        const args = jsonText(b['input'] ?? {}, mask.maxLength);
        toolCallKeys(attrs, indexKey(joinKey(prefix, TOOL_CALLS), toolIndex++), str(b['id']), str(b['name']), args);
        attrs[joinKey(key, MESSAGE_CONTENT_TYPE)] = 'tool_use';
        toolCallKeys(attrs, key, str(b['id']), str(b['name']), args);
        break;
      }
      case 'tool_result': {
        const id = str(b['tool_use_id']);
        if (id) attrs[joinKey(prefix, MESSAGE_TOOL_CALL_ID)] = id;
        const c = b['content'];
        if (typeof c === 'string') attrs[joinKey(prefix, MESSAGE_CONTENT)] = text(c);
        else if (Array.isArray(c)) attrs[joinKey(prefix, MESSAGE_CONTENT)] = mask.hideText ? REDACTED_VALUE : jsonText(c, mask.maxLength);
        break;
      }
      case 'thinking':
        attrs[joinKey(key, MESSAGE_CONTENT_TYPE)] = 'reasoning';
        attrs[joinKey(key, MESSAGE_CONTENT_TEXT)] = text(b['thinking']);
        if (typeof b['signature'] === 'string' && b['signature'].length > 0) attrs[joinKey(key, MESSAGE_CONTENT_SIGNATURE)] = b['signature'];
        break;
      case 'redacted_thinking':
        attrs[joinKey(key, MESSAGE_CONTENT_TYPE)] = 'reasoning';
        break;
      default:
        // Blocks without a flattened form (documents, server tools...): say what they were, not what they held.
        attrs[joinKey(key, MESSAGE_CONTENT_TYPE)] = str(b['type']) ?? 'other';
    }
  }
}

/**
 * `llm.input_messages` from the raw Anthropic request `content`. Returns false when the payload has
 * no readable `messages` list (the caller then falls back to the normalized request).
 */
export function addAnthropicInputMessages(attrs: Attributes, base: string, content: unknown, mask: MessageMask): boolean {
  const body = unwrap(content);
  const messages = isPlainObject(body) ? unwrap(body['messages']) : undefined;
  if (!Array.isArray(messages)) return false;
  const list = joinKey(base, '.');
  for (let i = 0; i < messages.length; i++) {
    const m = unwrap(messages[i]);
    if (!isPlainObject(m)) continue;
    const prefix = indexKey(list, i);
    if (typeof m['role'] === 'string') attrs[joinKey(prefix, MESSAGE_ROLE)] = m['role'];
    const c = unwrap(m['content']);
    if (typeof c === 'string') attrs[joinKey(prefix, MESSAGE_CONTENT)] = mask.hideText ? REDACTED_VALUE : c;
    else if (Array.isArray(c)) addBlocks(attrs, prefix, c, mask);
  }
  return true;
}

/** `llm.tools.{i}.tool.json_schema`: each raw Anthropic tool definition as JSON. False when there is no tool list. */
export function addAnthropicTools(attrs: Attributes, content: unknown, maxLength: number): boolean {
  const body = unwrap(content);
  const tools = isPlainObject(body) ? unwrap(body['tools']) : undefined;
  if (!Array.isArray(tools)) return false;
  for (let i = 0; i < tools.length; i++) attrs[toolSchemaKey(i)] = jsonText(unwrap(tools[i]), maxLength);
  return true;
}

/** The answer as one assistant message of content blocks (thinking, text, tool_use: Anthropic's order). */
export function addAnthropicOutputMessage(attrs: Attributes, base: string, res: NormalizedResponse, mask: MessageMask): void {
  const blocks: unknown[] = [];
  if (typeof res.reasoning === 'string' && res.reasoning.length > 0) blocks.push({ type: 'thinking', thinking: res.reasoning });
  if (typeof res.text === 'string' && res.text.length > 0) blocks.push({ type: 'text', text: res.text });
  for (const tc of Array.isArray(res.tool_calls) ? res.tool_calls : []) {
    const input = typeof tc.raw_arguments === 'string' ? safeParse(tc.raw_arguments) : (tc.arguments ?? {});
    blocks.push({ type: 'tool_use', id: tc.id, name: tc.name, input });
  }
  const prefix = indexKey(joinKey(base, '.'), 0);
  attrs[joinKey(prefix, MESSAGE_ROLE)] = 'assistant';
  addBlocks(attrs, prefix, blocks, mask);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
