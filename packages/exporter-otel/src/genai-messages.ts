/**
 * Normalized messages → the GenAI conventions' message JSON (`gen_ai.input.messages`,
 * `gen_ai.output.messages`, `gen_ai.system_instructions`): `{ role, parts: [...] }` with
 * `text`, `tool_call`, `tool_call_response`, `reasoning`, `uri`/`blob` parts. Only built when
 * content capture is on.
 */
import type { ContentPart, NormalizedMessage, NormalizedRequest, NormalizedResponse, ToolCall } from '@nemo-flow/runtime/codecs';

export type GenAiPart = Record<string, unknown> & { type: string };

export interface GenAiMessage {
  role: string;
  parts: GenAiPart[];
  name?: string;
  finish_reason?: string;
}

function toolCallPart(tc: ToolCall): GenAiPart {
  return { type: 'tool_call', id: tc.id, name: tc.name, arguments: tc.raw_arguments ?? tc.arguments };
}

function contentPart(p: ContentPart): GenAiPart {
  switch (p.type) {
    case 'text':
      return { type: 'text', content: p.text };
    case 'reasoning':
      return { type: 'reasoning', content: p.text };
    case 'image':
      return p.url !== undefined
        ? { type: 'uri', modality: 'image', uri: p.url }
        : { type: 'blob', modality: 'image', mime_type: p.media_type, content: p.data };
    default:
      return { type: 'other', content: (p as { raw?: unknown }).raw };
  }
}

function messageParts(m: NormalizedMessage): GenAiPart[] {
  const parts: GenAiPart[] = [];
  if (m.role === 'tool') {
    parts.push({ type: 'tool_call_response', id: m.tool_call_id, response: m.text });
    return parts;
  }
  if (Array.isArray(m.parts) && m.parts.length > 0) for (const p of m.parts) parts.push(contentPart(p));
  else if (m.text) parts.push({ type: 'text', content: m.text });
  if (Array.isArray(m.tool_calls)) for (const tc of m.tool_calls) parts.push(toolCallPart(tc));
  return parts;
}

/** The request's chat history in GenAI message form. */
export function inputMessages(req: NormalizedRequest): GenAiMessage[] {
  const out: GenAiMessage[] = [];
  for (const m of req.messages ?? []) {
    const msg: GenAiMessage = { role: m.role, parts: messageParts(m) };
    if (m.name) msg.name = m.name;
    out.push(msg);
  }
  return out;
}

/**
 * Instructions given apart from the chat history (Anthropic `system`, Responses `instructions`).
 * When they are also system/developer messages in the history, the history already holds them.
 */
export function systemInstructions(req: NormalizedRequest): GenAiPart[] | undefined {
  if (!req.system) return undefined;
  if ((req.messages ?? []).some((m) => m.role === 'system' || m.role === 'developer')) return undefined;
  return [{ type: 'text', content: req.system }];
}

/** Tool definitions offered to the model. */
export function toolDefinitions(req: NormalizedRequest): Record<string, unknown>[] | undefined {
  if (!Array.isArray(req.tools) || req.tools.length === 0) return undefined;
  return req.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters }));
}

/** The response as one assistant output message. */
export function outputMessages(res: NormalizedResponse): GenAiMessage[] {
  const parts: GenAiPart[] = [];
  if (res.reasoning) parts.push({ type: 'reasoning', content: res.reasoning });
  if (res.text) parts.push({ type: 'text', content: res.text });
  for (const tc of res.tool_calls ?? []) parts.push(toolCallPart(tc));
  const msg: GenAiMessage = { role: 'assistant', parts };
  const reason = res.raw_finish_reason ?? res.finish_reason;
  if (reason) msg.finish_reason = reason;
  return [msg];
}
