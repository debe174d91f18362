/**
 * The managed LLM call APIs are generic over the request content: the real `openai` SDK's own
 * parameter types flow into the callback and its result type out of the call, with no casts.
 * `npm test` type-checks this file; the run checks the values against a loopback fake server.
 */
import { strict as assert } from 'node:assert';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { llmCallExecute, llmStreamCallExecute, type LlmStream } from '@nemo-flow/runtime';
import { startFakeServer, type FakeServer } from './support/fake-providers/server.js';

/** Compile-time equality: `Expect<Equal<A, B>>` fails to type-check unless A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

describe('LLM call types', () => {
  let server: FakeServer;
  let client: OpenAI;
  before(async () => {
    server = await startFakeServer();
    client = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
  });
  after(() => server.stop());

  const completion = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hi' } }],
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
  };

  it('llmCallExecute passes the SDK parameter type in and the SDK result type out', async () => {
    server.enqueue({ kind: 'json', body: completion });
    const params: ChatCompletionCreateParamsNonStreaming = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
    const reply = await llmCallExecute('x', { headers: {}, content: params }, (r) => client.chat.completions.create(r.content));
    const typed: Expect<Equal<typeof reply, ChatCompletion & { _request_id?: string | null }>> = true;
    assert.ok(typed);
    const text: string | null = reply.choices[0]!.message.content;
    assert.equal(text, 'hi');
  });

  it('llmStreamCallExecute infers the chunk type from the SDK stream', async () => {
    server.enqueue({
      kind: 'sse',
      events: [
        {
          data: {
            id: 'c',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'm',
            choices: [{ index: 0, delta: { role: 'assistant', content: 'hel' }, finish_reason: null }],
          },
        },
        {
          data: { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] },
        },
        { data: '[DONE]' },
      ],
    });
    const stream = await llmStreamCallExecute(
      'x',
      { headers: {}, content: { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }], stream: true as const } },
      (r) => client.chat.completions.create(r.content),
    );
    const typed: Expect<Equal<typeof stream, LlmStream<ChatCompletionChunk>>> = true;
    assert.ok(typed);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'hello');
  });
});
