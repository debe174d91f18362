/**
 * A deterministic stand-in for an OpenAI Chat Completions endpoint: scripted assistant turns with
 * tool calls and token usage, and a streamed final answer. No network.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: unknown[];
  temperature?: number;
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

/** Rough token count: one token per four characters, as a stand-in for a tokenizer. */
function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function promptTokens(req: ChatRequest): number {
  return req.messages.reduce((n, m) => n + tokens(m.content ?? '') + tokens(JSON.stringify(m.tool_calls ?? '')), 0);
}

let idCounter = 0;
const nextId = (p: string): string => `${p}_${String(++idCounter).padStart(4, '0')}`;

/** One non-streaming completion. `script` picks the assistant turn from the request. */
export function chatCompletion(req: ChatRequest, turn: { content: string | null; toolCalls?: Array<{ name: string; args: object }> }): object {
  const tool_calls = turn.toolCalls?.map((t) => ({
    id: nextId('call'),
    type: 'function' as const,
    function: { name: t.name, arguments: JSON.stringify(t.args) },
  }));
  const completion = (turn.content ?? '') + JSON.stringify(tool_calls ?? '');
  const prompt = promptTokens(req);
  return {
    id: nextId('chatcmpl'),
    object: 'chat.completion',
    created: 1_760_000_000,
    model: req.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: turn.content, ...(tool_calls ? { tool_calls } : {}) },
        finish_reason: tool_calls ? 'tool_calls' : 'stop',
      },
    ],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: tokens(completion),
      total_tokens: prompt + tokens(completion),
      prompt_tokens_details: { cached_tokens: Math.floor(prompt / 2) },
    },
  };
}

/** A streamed completion: content deltas, then a final chunk with usage. */
export async function* chatCompletionStream(req: ChatRequest, text: string): AsyncGenerator<object> {
  const id = nextId('chatcmpl');
  const words = text.split(/(?<= )/);
  yield { id, object: 'chat.completion.chunk', model: req.model, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] };
  for (const w of words) {
    await new Promise((r) => setImmediate(r)); // a network would interleave here
    yield { id, object: 'chat.completion.chunk', model: req.model, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] };
  }
  yield { id, object: 'chat.completion.chunk', model: req.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
  const prompt = promptTokens(req);
  yield {
    id,
    object: 'chat.completion.chunk',
    model: req.model,
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: tokens(text), total_tokens: prompt + tokens(text) },
  };
}
