/**
 * Anthropic Messages replies for the shared loopback FakeServer, as `@ai-sdk/anthropic` reads them:
 * text, thinking, tool use and usage (cache reads included), as JSON or as server-sent events.
 * (OpenAI bodies come from ./openai.ts.)
 */
import type { Reply, SseEvent } from './server.js';

export interface FakeToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface FakeTurn {
  text?: string;
  toolCalls?: FakeToolCall[];
  reasoning?: string;
  usage?: { input: number; output: number; cached?: number; reasoning?: number };
}

const DEFAULT_USAGE: NonNullable<FakeTurn['usage']> = { input: 20, output: 8 };

/** An Anthropic Messages response (JSON). */
export function anthropicReply(turn: FakeTurn, model = 'claude-haiku-4-5'): Reply {
  const u = turn.usage ?? DEFAULT_USAGE;
  const content: unknown[] = [];
  if (turn.reasoning) content.push({ type: 'thinking', thinking: turn.reasoning, signature: 'sig' });
  if (turn.text) content.push({ type: 'text', text: turn.text });
  for (const c of turn.toolCalls ?? []) content.push({ type: 'tool_use', id: c.id, name: c.name, input: c.args });
  return {
    kind: 'json',
    body: {
      id: `msg_${Math.random().toString(36).slice(2, 10)}`,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: turn.toolCalls ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: u.input - (u.cached ?? 0), output_tokens: u.output, cache_read_input_tokens: u.cached ?? 0, cache_creation_input_tokens: 0 },
    },
  };
}

/** The same turn streamed as Anthropic Messages events (text in `pieces`). */
export function anthropicStream(turn: FakeTurn & { pieces?: string[] }, model = 'claude-haiku-4-5', extra?: Partial<Extract<Reply, { kind: 'sse' }>>): Reply {
  const u = turn.usage ?? DEFAULT_USAGE;
  const ev = (event: string, data: Record<string, unknown>): SseEvent => ({ event, data: { type: event, ...data } });
  const events: SseEvent[] = [
    ev('message_start', {
      message: { id: 'msg_stream', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: u.input, output_tokens: 1 } },
    }),
  ];
  let index = 0;
  const pieces = turn.pieces ?? (turn.text ? [turn.text] : []);
  if (pieces.length > 0) {
    events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const p of pieces) events.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: p } }));
    events.push(ev('content_block_stop', { index }));
    index++;
  }
  for (const c of turn.toolCalls ?? []) {
    events.push(ev('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } }));
    events.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(c.args) } }));
    events.push(ev('content_block_stop', { index }));
    index++;
  }
  events.push(ev('message_delta', { delta: { stop_reason: turn.toolCalls ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: u.output } }));
  events.push(ev('message_stop', {}));
  return { kind: 'sse', events, ...extra };
}
