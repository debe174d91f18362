/** The SDK helpers (parse, stream()), the Responses API and embeddings, instrumented. */
import { strict as assert } from 'node:assert';
import OpenAI from 'openai';
import { Stream } from 'openai/core/streaming';
import type { NormalizedResponse } from '@nemo-flow/runtime/codecs';
import type { FakeServer } from '../../../test/support/fake-providers/server.js';
import { chatCompletion, chatStream, embeddingList, json, responseObject, responseStream } from '../../../test/support/fake-providers/openai.js';
import { capture, client, profile, setupServer, type Captured } from './helpers.js';

const SCHEMA = {
  type: 'json_schema' as const,
  json_schema: {
    name: 'city',
    strict: true,
    schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  },
};

describe('@nemo-flow/openai: helpers, responses, embeddings', () => {
  let server: FakeServer;
  let openai: OpenAI;
  let c: Captured;
  before(async () => {
    server = await setupServer();
    openai = client(server);
  });
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    c = capture();
  });
  afterEach(() => c.stop());

  it('chat.completions.parse: parsed content as the SDK gives it, one LLM call', async () => {
    server.enqueue(json(chatCompletion({ text: '{"city":"Paris"}' })));
    const res = await openai.chat.completions.parse({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'where?' }], response_format: SCHEMA });
    assert.deepEqual(res.choices[0]!.message.parsed, { city: 'Paris' });
    assert.equal(c.ends().length, 1);
    assert.equal(c.ends()[0]!.category, 'llm');
  });

  it('chat.completions.stream(): helper events and finalChatCompletion(), one LLM call', async () => {
    server.enqueue({ kind: 'sse', events: chatStream({ text: ['Bon', 'jour'], usage: { input: 4, output: 2 } }) });
    const runner = openai.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    runner.on('content', (delta) => deltas.push(delta));
    const final = await runner.finalChatCompletion();
    assert.deepEqual(deltas, ['Bon', 'jour']);
    assert.equal(final.choices[0]!.message.content, 'Bonjour');
    assert.equal(final.usage?.total_tokens, 6);
    assert.equal(c.ends().length, 1);
    assert.equal((profile(c.ends()[0]).annotated_response as NormalizedResponse).text, 'Bonjour');
  });

  it('responses.create plain and streaming', async () => {
    server.enqueue(json(responseObject({ text: 'plain answer', usage: { input: 5, output: 2 } })), {
      kind: 'sse',
      events: responseStream({ text: ['str', 'eamed'], usage: { input: 6, output: 3 } }),
    });
    const res = await openai.responses.create({ model: 'gpt-4o-mini', input: 'hi' });
    assert.equal(res.output_text, 'plain answer');
    const stream = await openai.responses.create({ model: 'gpt-4o-mini', input: 'hi', stream: true });
    assert.ok(stream instanceof Stream);
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    assert.equal(types.at(-1), 'response.completed');
    assert.deepEqual(
      c.ends().map((e) => e.name),
      ['openai.responses', 'openai.responses'],
    );
    const [a, b] = c.ends().map((e) => profile(e).annotated_response as NormalizedResponse);
    assert.equal(a!.text, 'plain answer');
    assert.equal(a!.usage?.input_tokens, 5);
    assert.equal(b!.text, 'streamed');
    assert.equal(b!.usage?.output_tokens, 3);
  });

  it('responses.stream() with its events and finalResponse(); responses.parse', async () => {
    server.enqueue({ kind: 'sse', events: responseStream({ text: ['a', 'b'] }) }, json(responseObject({ text: '{"city":"Oslo"}' })));
    const rs = openai.responses.stream({ model: 'gpt-4o-mini', input: 'hi' });
    const deltas: string[] = [];
    rs.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await rs.finalResponse();
    assert.deepEqual(deltas, ['a', 'b']);
    assert.equal(final.output_text, 'ab');
    const parsed = await openai.responses.parse({
      model: 'gpt-4o-mini',
      input: 'where?',
      text: { format: { type: 'json_schema', name: 'city', strict: true, schema: SCHEMA.json_schema.schema } },
    });
    assert.deepEqual(parsed.output_parsed, { city: 'Oslo' });
    assert.equal(c.ends().length, 2);
    assert.ok(c.ends().every((e) => e.status === 'ok'));
  });

  it('chat.completions.runTools: each request the runner makes is one LLM call', async () => {
    server.enqueue(json(chatCompletion({ toolCalls: [{ id: 'call_1', name: 'add', arguments: { a: 2, b: 3 } }] })), json(chatCompletion({ text: '5' })));
    const runner = openai.chat.completions.runTools({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: '2+3?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'add',
            description: 'Adds two numbers',
            parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
            function: (args: { a: number; b: number }) => args.a + args.b,
            parse: JSON.parse,
          },
        },
      ],
    });
    assert.equal(await runner.finalContent(), '5');
    assert.equal(server.requests.length, 2);
    assert.deepEqual(
      c.ends().map((e) => e.name),
      ['openai.chat.completions', 'openai.chat.completions'],
    );
  });

  it('embeddings.create: an embedder scope with token usage, without the vectors; the caller gets them all', async () => {
    server.enqueue(json(embeddingList({ count: 2, dims: 3, inputTokens: 11 })));
    const res = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    assert.equal(res.data.length, 2);
    assert.equal(res.data[1]!.embedding.length, 3);
    const [start, end] = c.scopes;
    assert.equal(start!.category, 'embedder');
    assert.equal(start!.name, 'openai.embeddings');
    assert.deepEqual(end!.data, { model: 'text-embedding-3-small', embeddings: 2, usage: { input_tokens: 11, total_tokens: 11 } });
  });
});
