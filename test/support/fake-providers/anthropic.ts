/**
 * Anthropic Messages API bodies for the loopback fake server: a `Message` JSON reply, the SSE
 * event sequence of the same message streamed, and the API's error body.
 */
import type { Reply, SseEvent } from './server.js';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface MessageSpec {
  id?: string;
  model?: string;
  content: Block[];
  stop_reason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';
  usage?: Usage;
}

let seq = 0;

function full(spec: MessageSpec): Required<MessageSpec> {
  return {
    id: spec.id ?? `msg_fake_${++seq}`,
    model: spec.model ?? 'claude-fake-1',
    content: spec.content,
    stop_reason: spec.stop_reason ?? (spec.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
    usage: spec.usage ?? { input_tokens: 10, output_tokens: 5 },
  };
}

/** The `Message` object. */
export function message(spec: MessageSpec): Record<string, unknown> {
  const m = full(spec);
  return {
    id: m.id,
    type: 'message',
    role: 'assistant',
    model: m.model,
    content: m.content,
    stop_reason: m.stop_reason,
    stop_sequence: null,
    usage: { cache_read_input_tokens: 0, cache_creation_input_tokens: 0, ...m.usage },
  };
}

/** A text-only reply. */
export const text = (t: string, usage?: Usage): MessageSpec => ({ content: [{ type: 'text', text: t }], usage });

/** A reply asking for tool calls (with optional text first). */
export function toolUse(calls: Array<{ id: string; name: string; input: Record<string, unknown> }>, preface?: string, usage?: Usage): MessageSpec {
  const content: Block[] = preface ? [{ type: 'text', text: preface }] : [];
  for (const c of calls) content.push({ type: 'tool_use', ...c });
  return { content, usage };
}

export function jsonReply(spec: MessageSpec): Reply {
  return { kind: 'json', body: message(spec), headers: { 'request-id': `req_${++seq}` } };
}

/** The streamed events of a message: text in `chunk`-sized deltas, tool input as JSON fragments. */
export function streamEvents(spec: MessageSpec, chunk = 4): SseEvent[] {
  const m = full(spec);
  const ev = (type: string, data: Record<string, unknown>): SseEvent => ({ event: type, data: { type, ...data } });
  const { input_tokens, output_tokens, ...cache } = m.usage;
  const out: SseEvent[] = [
    ev('message_start', {
      message: {
        id: m.id,
        type: 'message',
        role: 'assistant',
        model: m.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens, output_tokens: 1, ...cache },
      },
    }),
    { event: 'ping', data: { type: 'ping' } },
  ];
  m.content.forEach((b, index) => {
    if (b.type === 'text') {
      out.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (let i = 0; i < b.text.length; i += chunk)
        out.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: b.text.slice(i, i + chunk) } }));
    } else {
      out.push(ev('content_block_start', { index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } }));
      const json = JSON.stringify(b.input);
      for (let i = 0; i < json.length; i += 8)
        out.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(i, i + 8) } }));
    }
    out.push(ev('content_block_stop', { index }));
  });
  out.push(ev('message_delta', { delta: { stop_reason: m.stop_reason, stop_sequence: null }, usage: { output_tokens } }));
  out.push(ev('message_stop', {}));
  return out;
}

export function sseReply(spec: MessageSpec, extra?: Partial<Extract<Reply, { kind: 'sse' }>>): Reply {
  return { kind: 'sse', events: streamEvents(spec), headers: { 'request-id': `req_${++seq}` }, ...extra };
}

/** An API error reply (`{ type: 'error', error: { type, message } }`). */
export function errorReply(status: number, type: string, msg: string, headers?: Record<string, string>): Reply {
  return { kind: 'json', status, body: { type: 'error', error: { type, message: msg } }, headers: { 'request-id': `req_${++seq}`, ...headers } };
}

/** An `error` event in the middle of a stream (the API's overloaded error). */
export const streamError: SseEvent = { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };
