/** Chat Completions through the instrumented real `openai` client against a loopback fake server. */
import { strict as assert } from 'node:assert';
import OpenAI, { APIError, APIPromise, InternalServerError, RateLimitError } from 'openai';
import { Stream } from 'openai/core/streaming';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { ScopeType, toolCallExecute, withScope } from '@nemo-flow/runtime';
import type { NormalizedResponse } from '@nemo-flow/runtime/codecs';
import type { FakeServer } from '../../../test/support/fake-providers/server.js';
import { apiError, chatCompletion, chatStream, json } from '../../../test/support/fake-providers/openai.js';
import { capture, client, profile, setupServer, type Captured } from './helpers.js';

const TOOLS: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

describe('@nemo-flow/openai: chat completions', () => {
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

  it('a plain call: the caller gets the SDK object; one LLM call with usage and transport facts', async () => {
    server.enqueue(json(chatCompletion({ text: 'Hello!', usage: { input: 9, output: 2 } })));
    const p = openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(p instanceof APIPromise);
    const reply = await p;
    assert.equal(reply.choices[0]!.message.content, 'Hello!');
    assert.equal(reply.id, 'chatcmpl-1');
    assert.equal(server.requests.length, 1);
    assert.deepEqual(
      c.scopes.map((e) => `${e.scope_category}:${e.name}:${e.category}`),
      ['start:openai.chat.completions:llm', 'end:openai.chat.completions:llm'],
    );
    const end = c.ends()[0]!;
    assert.equal(end.status, 'ok');
    const res = profile(end).annotated_response as NormalizedResponse;
    assert.equal(res.text, 'Hello!');
    assert.equal(res.usage?.input_tokens, 9);
    const port = Number(new URL(server.url).port);
    assert.deepEqual(profile(c.scopes[0]).transport, { server_address: '127.0.0.1', server_port: port });
    assert.deepEqual(profile(end).transport, { server_address: '127.0.0.1', server_port: port, http_status: 200, attempts: 1 });
  });

  it('a tool-calling agent turn: two LLM calls and the tool call between them, under the agent scope', async () => {
    server.enqueue(
      json(
        chatCompletion({ id: 'chatcmpl-a', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }], usage: { input: 20, output: 5 } }),
      ),
      json(chatCompletion({ id: 'chatcmpl-b', text: 'It is sunny in Paris.', usage: { input: 40, output: 8 } })),
    );
    const answer = await withScope('weather-agent', ScopeType.Agent, async () => {
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const first = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: TOOLS });
      const msg = first.choices[0]!.message;
      messages.push(msg);
      for (const call of msg.tool_calls ?? []) {
        if (call.type !== 'function') continue;
        const result = await toolCallExecute(
          call.function.name,
          JSON.parse(call.function.arguments),
          async (args: { city: string }) => ({ city: args.city, sky: 'sunny' }),
          { toolCallId: call.id },
        );
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
      }
      const second = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: TOOLS });
      return second.choices[0]!.message.content;
    });
    assert.equal(answer, 'It is sunny in Paris.');
    const sent = server.requests[1]!.body as { messages: Array<{ role: string; tool_call_id?: string }> };
    assert.deepEqual(
      sent.messages.map((m) => m.role),
      ['user', 'assistant', 'tool'],
    );
    assert.equal(sent.messages[2]!.tool_call_id, 'call_1');
    assert.deepEqual(
      c.scopes.map((e) => `${e.scope_category}:${e.name}`),
      [
        'start:weather-agent',
        'start:openai.chat.completions',
        'end:openai.chat.completions',
        'start:get_weather',
        'end:get_weather',
        'start:openai.chat.completions',
        'end:openai.chat.completions',
        'end:weather-agent',
      ],
    );
    const agent = c.scopes[0]!.uuid;
    assert.ok(c.scopes.slice(1, 7).every((e) => e.parent_uuid === agent));
    const first = profile(c.scopes[2]).annotated_response as NormalizedResponse;
    assert.deepEqual(
      first.tool_calls.map((t) => [t.id, t.name, t.arguments]),
      [['call_1', 'get_weather', { city: 'Paris' }]],
    );
  });

  it('stream: true gives the SDK Stream; chunks and usage accumulate; the call ends once with time to first chunk', async () => {
    server.enqueue({ kind: 'sse', events: chatStream({ text: ['Hel', 'lo', '!'], usage: { input: 7, output: 3 } }) });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.ok(stream instanceof Stream);
    assert.ok(stream.controller instanceof AbortController);
    let text = '';
    let usage = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage += chunk.usage?.total_tokens ?? 0;
    }
    assert.equal(text, 'Hello!');
    assert.equal(usage, 10);
    const ends = c.ends();
    assert.equal(ends.length, 1);
    const p = profile(ends[0]);
    const res = p.annotated_response as NormalizedResponse;
    assert.equal(res.text, 'Hello!');
    assert.equal(res.usage?.output_tokens, 3);
    assert.deepEqual((p as unknown as { stream: unknown }).stream, { chunks: 6, completed: true });
    assert.equal(p.transport?.http_status, 200);
    assert.ok((p.transport?.time_to_first_chunk_ms ?? -1) >= 0);
    assert.deepEqual(ends[0]!.attributes, ['streaming']);
  });

  it('stream tee() and toReadableStream() still work and the call ends once', async () => {
    server.enqueue({ kind: 'sse', events: chatStream({ text: ['a', 'b'] }) }, { kind: 'sse', events: chatStream({ text: ['c', 'd'] }) });
    const s1 = await openai.chat.completions.create({ model: 'm', messages: [], stream: true });
    const [left, right] = s1.tee();
    const read = async (s: Stream<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<string> => {
      let t = '';
      for await (const ch of s) t += ch.choices[0]?.delta.content ?? '';
      return t;
    };
    assert.deepEqual(await Promise.all([read(left), read(right)]), ['ab', 'ab']);
    const s2 = await openai.chat.completions.create({ model: 'm', messages: [], stream: true });
    const back = Stream.fromReadableStream<OpenAI.Chat.Completions.ChatCompletionChunk>(s2.toReadableStream(), new AbortController());
    assert.equal(await read(back), 'cd');
    assert.equal(c.ends().length, 2);
    assert.ok(c.ends().every((e) => e.status === 'ok'));
  });

  it('early break ends the call once (ok, not completed) and aborts the request', async () => {
    server.enqueue({ kind: 'sse', events: chatStream({ text: ['one', 'two', 'three'] }) });
    const stream = await openai.chat.completions.create({ model: 'm', messages: [], stream: true });
    for await (const _ of stream) break;
    assert.ok(stream.controller.signal.aborted);
    const ends = c.ends();
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.status, 'ok');
    assert.equal((profile(ends[0]) as unknown as { stream: { completed: boolean } }).stream.completed, false);
  });

  it('controller.abort() mid-stream: iteration ends quietly as in the SDK; the call ends once as aborted', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    server.enqueue({ kind: 'sse', events: chatStream({ text: ['one', 'two'] }), gate: () => gate });
    const stream = await openai.chat.completions.create({ model: 'm', messages: [], stream: true });
    const seen: string[] = [];
    for await (const chunk of stream) {
      seen.push(chunk.choices[0]?.delta.content ?? '');
      if (seen.length === 1) {
        stream.controller.abort();
        release();
      }
    }
    assert.equal(seen.length, 1);
    const ends = c.ends();
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.status, 'error');
    assert.equal(ends[0]!.error?.type, 'APIUserAbortError');
  });

  it('a stream that fails mid-way ends the call once with the error, which the caller gets', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    server.enqueue({ kind: 'sse', events: chatStream({ text: ['one', 'two', 'three'] }), breakAfter: 2, gate: () => gate });
    const stream = await openai.chat.completions.create({ model: 'm', messages: [], stream: true });
    let chunks = 0;
    await assert.rejects(async () => {
      for await (const _ of stream) if (++chunks === 1) release();
    });
    assert.ok(chunks >= 1, 'it failed after the stream had started');
    const ends = c.ends();
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.status, 'error');
  });

  it('.withResponse() and .asResponse() still work', async () => {
    server.enqueue(json(chatCompletion({ text: 'x' })), json(chatCompletion({ text: 'y' })));
    const { data, response, request_id } = await openai.chat.completions.create({ model: 'm', messages: [] }).withResponse();
    assert.equal(data.choices[0]!.message.content, 'x');
    assert.equal(response.status, 200);
    assert.equal(request_id, null);
    const raw = await openai.chat.completions.create({ model: 'm', messages: [] }).asResponse();
    assert.equal(((await raw.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content, 'y');
  });

  it('streams: .withResponse() keeps the call going; .asResponse() hands the body over and ends it', async () => {
    server.enqueue({ kind: 'sse', events: chatStream({ text: ['a', 'b'] }) }, { kind: 'sse', events: chatStream({ text: ['raw'] }) });
    const { data, response } = await openai.chat.completions.create({ model: 'm', messages: [], stream: true }).withResponse();
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    let text = '';
    for await (const ch of data) text += ch.choices[0]?.delta.content ?? '';
    assert.equal(text, 'ab');
    assert.equal((profile(c.ends()[0]) as unknown as { stream: { completed: boolean } }).stream.completed, true);
    const raw = await openai.chat.completions.create({ model: 'm', messages: [], stream: true }).asResponse();
    assert.match(await raw.text(), /"content":"raw"/);
    assert.equal(c.ends().length, 2);
  });

  it('a 500 arrives as the SDK InternalServerError; the call records error.type and status', async () => {
    server.enqueue(apiError(500, 'upstream broke'));
    const err = await openai.chat.completions.create({ model: 'm', messages: [] }).catch((e: unknown) => e);
    assert.ok(err instanceof InternalServerError);
    assert.ok(err instanceof APIError);
    const end = c.ends()[0]!;
    assert.equal(end.error?.type, 'InternalServerError');
    assert.equal(profile(end).transport?.http_status, 500);
    assert.equal(profile(end).transport?.attempts, 1);
  });

  it('429s the SDK retries itself are one call with the attempt count', async () => {
    const retrying = client(server, { maxRetries: 2 });
    const fast = { 'retry-after-ms': '1' };
    server.enqueue(
      apiError(429, 'slow down', 'rate_limit_exceeded', fast),
      apiError(429, 'slow down', 'rate_limit_exceeded', fast),
      json(chatCompletion({ text: 'finally' })),
    );
    const reply = await retrying.chat.completions.create({ model: 'm', messages: [] });
    assert.equal(reply.choices[0]!.message.content, 'finally');
    assert.equal(server.requests.length, 3);
    assert.equal(c.ends().length, 1);
    assert.deepEqual([profile(c.ends()[0]).transport?.attempts, profile(c.ends()[0]).transport?.http_status], [3, 200]);

    server.enqueue(
      apiError(429, 'no', 'rate_limit_exceeded', fast),
      apiError(429, 'no', 'rate_limit_exceeded', fast),
      apiError(429, 'no', 'rate_limit_exceeded', fast),
    );
    const err = await retrying.chat.completions.create({ model: 'm', messages: [] }).catch((e: unknown) => e);
    assert.ok(err instanceof RateLimitError);
    const end = c.ends()[1]!;
    assert.equal(end.error?.type, 'RateLimitError');
    assert.deepEqual([profile(end).transport?.attempts, profile(end).transport?.http_status], [3, 429]);
  });
});
