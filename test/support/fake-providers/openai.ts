/**
 * OpenAI wire bodies for the loopback fake server: Chat Completions (JSON and SSE chunks),
 * Responses (JSON and its typed SSE events), Embeddings and API errors, as the real API sends them.
 */
import type { Reply, SseEvent } from './server.js';

export interface Usage {
  input: number;
  output: number;
}

export interface ToolCallSpec {
  id: string;
  name: string;
  arguments: unknown;
}

const CREATED = 1_764_000_000;

function chatUsage(u: Usage | undefined): Record<string, number> | undefined {
  return u && { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output };
}

/** A `chat.completion` object: text, or tool calls (finish reason `tool_calls`). */
export function chatCompletion(opts: {
  id?: string;
  model?: string;
  text?: string | null;
  toolCalls?: ToolCallSpec[];
  usage?: Usage;
  finishReason?: string;
}): Record<string, unknown> {
  const toolCalls = opts.toolCalls?.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: JSON.stringify(t.arguments) } }));
  return {
    id: opts.id ?? 'chatcmpl-1',
    object: 'chat.completion',
    created: CREATED,
    model: opts.model ?? 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: opts.text ?? null, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: opts.finishReason ?? (toolCalls ? 'tool_calls' : 'stop'),
      },
    ],
    usage: chatUsage(opts.usage),
  };
}

/** A JSON reply. */
export function json(body: unknown, status = 200): Reply {
  return { kind: 'json', status, body };
}

/** An OpenAI API error reply (`{ error: { message, type, code } }`). */
export function apiError(status: number, message: string, type = 'server_error', headers?: Record<string, string>): Reply {
  return { kind: 'json', status, body: { error: { message, type, param: null, code: null } }, headers };
}

/** Chat Completions SSE: text pieces and/or tool calls, then (with `usage`) the usage chunk, then `[DONE]`. */
export function chatStream(opts: { id?: string; model?: string; text?: string[]; toolCalls?: ToolCallSpec[]; usage?: Usage }): SseEvent[] {
  const id = opts.id ?? 'chatcmpl-s1';
  const model = opts.model ?? 'gpt-4o-mini-2024-07-18';
  const chunk = (delta: unknown, finish: string | null = null): SseEvent => ({
    data: { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
  });
  const events: SseEvent[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const t of opts.text ?? []) events.push(chunk({ content: t }));
  opts.toolCalls?.forEach((t, index) => {
    events.push(chunk({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] }));
    events.push(chunk({ tool_calls: [{ index, function: { arguments: JSON.stringify(t.arguments) } }] }));
  });
  events.push(chunk({}, opts.toolCalls?.length ? 'tool_calls' : 'stop'));
  if (opts.usage) events.push({ data: { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage: chatUsage(opts.usage) } });
  events.push({ data: '[DONE]' });
  return events;
}

/** A Responses API `response` object with a text message and/or function calls. */
export function responseObject(opts: {
  id?: string;
  model?: string;
  text?: string;
  functionCalls?: ToolCallSpec[];
  usage?: Usage;
  status?: string;
}): Record<string, unknown> {
  const output: unknown[] = [];
  if (opts.text !== undefined) {
    output.push({
      type: 'message',
      id: 'msg_1',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: opts.text, annotations: [], logprobs: [] }],
    });
  }
  for (const f of opts.functionCalls ?? []) {
    output.push({ type: 'function_call', id: `fc_${f.id}`, call_id: f.id, name: f.name, arguments: JSON.stringify(f.arguments), status: 'completed' });
  }
  return {
    id: opts.id ?? 'resp_1',
    object: 'response',
    created_at: CREATED,
    status: opts.status ?? 'completed',
    model: opts.model ?? 'gpt-4o-mini-2024-07-18',
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    temperature: 1,
    top_p: 1,
    error: null,
    incomplete_details: null,
    instructions: null,
    metadata: {},
    usage: opts.usage && {
      input_tokens: opts.usage.input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: opts.usage.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: opts.usage.input + opts.usage.output,
    },
  };
}

/** Responses API SSE for a text answer: created, item/part added, text deltas, done events, completed. */
export function responseStream(opts: { id?: string; model?: string; text: string[]; usage?: Usage }): SseEvent[] {
  const full = opts.text.join('');
  const final = responseObject({ id: opts.id, model: opts.model, text: full, usage: opts.usage });
  const pending = { ...final, status: 'in_progress', output: [], usage: null };
  let seq = 0;
  const ev = (type: string, body: Record<string, unknown>): SseEvent => ({ event: type, data: { type, sequence_number: seq++, ...body } });
  const item = { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] };
  const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
  const events: SseEvent[] = [
    ev('response.created', { response: pending }),
    ev('response.in_progress', { response: pending }),
    ev('response.output_item.added', { output_index: 0, item }),
    ev('response.content_part.added', { item_id: 'msg_1', output_index: 0, content_index: 0, part }),
  ];
  for (const delta of opts.text) events.push(ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta, logprobs: [] }));
  events.push(
    ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text: full, logprobs: [] }),
    ev('response.content_part.done', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { ...part, text: full } }),
    ev('response.output_item.done', { output_index: 0, item: (final.output as unknown[])[0] }),
    ev('response.completed', { response: final }),
  );
  return events;
}

/** An embeddings list: `count` vectors of `dims` numbers. */
export function embeddingList(opts: { count: number; dims?: number; model?: string; inputTokens: number }): Record<string, unknown> {
  return {
    object: 'list',
    model: opts.model ?? 'text-embedding-3-small',
    data: Array.from({ length: opts.count }, (_, index) => ({
      object: 'embedding',
      index,
      embedding: Array.from({ length: opts.dims ?? 4 }, (_, i) => (index + 1) * 0.1 + i * 0.01),
    })),
    usage: { prompt_tokens: opts.inputTokens, total_tokens: opts.inputTokens },
  };
}
