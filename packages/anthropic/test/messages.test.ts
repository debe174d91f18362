/** messages.create (plain and streamed) and messages.stream() with the real SDK against a loopback fake server. */
import { strict as assert } from 'node:assert';
import Anthropic, { APIError, InternalServerError, RateLimitError } from '@anthropic-ai/sdk';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import {
  deregisterLlmConditionalExecutionGuardrail,
  deregisterLlmExecutionIntercept,
  deregisterLlmRequestIntercept,
  deregisterLlmSanitizeRequestGuardrail,
  deregisterLlmStreamExecutionIntercept,
  GuardrailRejectedError,
  registerLlmConditionalExecutionGuardrail,
  registerLlmExecutionIntercept,
  registerLlmRequestIntercept,
  registerLlmSanitizeRequestGuardrail,
  registerLlmStreamExecutionIntercept,
  withScope,
  type ScopeEvent,
} from '@nemo-flow/runtime';
import { instrumentAnthropic } from '@nemo-flow/anthropic';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { errorReply, jsonReply, sseReply, streamError, streamEvents, text, toolUse } from '../../../test/support/fake-providers/anthropic.js';
import { capture, collectFailures } from '../../runtime/test/helpers.js';

const params = { model: 'claude-fake-1', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };

function llmEnds(events: ReturnType<typeof capture>): ScopeEvent[] {
  return events.scopes().filter((e) => e.category === 'llm' && e.scope_category === 'end');
}
function llmStarts(events: ReturnType<typeof capture>): ScopeEvent[] {
  return events.scopes().filter((e) => e.category === 'llm' && e.scope_category === 'start');
}
const profile = (e: ScopeEvent): Record<string, any> => e.category_profile as Record<string, any>;

describe('@nemo-flow/anthropic: messages', () => {
  let server: FakeServer;
  let client: Anthropic;
  let cap: ReturnType<typeof capture>;
  let failures: ReturnType<typeof collectFailures>;

  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    client = instrumentAnthropic(new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 2 }));
    cap = capture();
    failures = collectFailures();
  });
  afterEach(() => {
    cap.stop();
    failures.restore();
    assert.deepEqual(failures.failures, [], 'no failure reported');
  });

  it('create: the caller gets the SDK Message; one LLM call with the normalized request and response', async () => {
    server.enqueue(
      jsonReply(
        toolUse([{ id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }], 'Let me check.', {
          input_tokens: 20,
          output_tokens: 9,
          cache_read_input_tokens: 100,
          cache_creation_input_tokens: 7,
        }),
      ),
    );
    const msg = await withScope('agent', 'agent', () =>
      client.messages.create({
        ...params,
        tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      }),
    );
    assert.equal(msg.type, 'message');
    assert.equal(msg._request_id?.startsWith('req_'), true);
    assert.deepEqual(msg.content[1], { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } });
    assert.equal(server.requests.length, 1);
    const [start] = llmStarts(cap);
    const [end] = llmEnds(cap);
    assert.equal(start.name, 'anthropic.messages.create');
    assert.equal(profile(start).model_name, 'claude-fake-1');
    assert.equal(profile(start).annotated_request.messages[0].text, 'Hi');
    assert.equal(profile(start).annotated_request.tools[0].name, 'get_weather');
    const res = profile(end).annotated_response;
    assert.equal(res.finish_reason, 'tool_calls');
    assert.deepEqual(res.tool_calls[0], { id: 'toolu_1', name: 'get_weather', arguments: { city: 'Paris' } });
    assert.deepEqual(res.usage, { input_tokens: 127, output_tokens: 9, total_tokens: 136, cache_read_tokens: 100, cache_write_tokens: 7 });
    assert.equal(end.parent_uuid, cap.scopes()[0].uuid, 'nested under the agent scope');
  });

  it('create: .withResponse() and .asResponse() still work', async () => {
    server.enqueue(jsonReply(text('one')), jsonReply(text('two')));
    const { data, response, request_id } = await client.messages.create(params).withResponse();
    assert.equal((data.content[0] as { text: string }).text, 'one');
    assert.equal(response.status, 200);
    assert.equal(request_id, response.headers.get('request-id'));
    const raw = await client.messages.create(params).asResponse();
    const body = (await raw.json()) as { content: Array<{ text: string }> };
    assert.equal(body.content[0].text, 'two', 'the raw body is unread');
    assert.equal(llmEnds(cap).length, 2);
  });

  it('stream: the SDK Stream iterates; usage with cache tokens reaches the END event', async () => {
    server.enqueue(
      sseReply(text('Hello there, streaming world', { input_tokens: 3, output_tokens: 6, cache_read_input_tokens: 50, cache_creation_input_tokens: 4 })),
    );
    const stream = await client.messages.create({ ...params, stream: true });
    assert.equal(stream.constructor.name, 'Stream');
    let out = '';
    for await (const ev of stream) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') out += ev.delta.text;
    assert.equal(out, 'Hello there, streaming world');
    const [end] = llmEnds(cap);
    assert.equal(end.name, 'anthropic.messages.create');
    const p = profile(end);
    assert.equal(p.annotated_response.text, 'Hello there, streaming world');
    assert.deepEqual(p.annotated_response.usage, { input_tokens: 57, output_tokens: 6, total_tokens: 63, cache_read_tokens: 50, cache_write_tokens: 4 });
    assert.equal(p.stream.completed, true);
    assert.ok(end.attributes.includes('streaming'));
    assert.equal(p.transport.attempts, 1);
    assert.equal(p.transport.http_status, 200);
    assert.equal(typeof p.transport.time_to_first_chunk_ms, 'number');
    assert.equal(profile(llmStarts(cap)[0]).transport.server_address, '127.0.0.1');
  });

  it('stream: .withResponse() gives the stream and the response; .asResponse() the unread SSE body; each call ends once', async () => {
    server.enqueue(sseReply(text('with response')), sseReply(text('raw body')));
    const { data: stream, response } = await client.messages.create({ ...params, stream: true }).withResponse();
    assert.equal(response.status, 200);
    let out = '';
    for await (const ev of stream) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') out += ev.delta.text;
    assert.equal(out, 'with response');
    const raw = await client.messages.create({ ...params, stream: true }).asResponse();
    assert.match(await raw.text(), /event: message_stop/);
    const ends = llmEnds(cap);
    assert.equal(ends.length, 2);
    assert.equal(profile(ends[0]).annotated_response.text, 'with response');
    assert.equal(ends[1].status, 'ok');
  });

  it('stream: tee() and toReadableStream() work on the instrumented stream', async () => {
    server.enqueue(sseReply(text('abcdefgh')), sseReply(text('ijkl')));
    const [a, b] = (await client.messages.create({ ...params, stream: true })).tee();
    const types = async (s: AsyncIterable<RawMessageStreamEvent>): Promise<string[]> => {
      const t: string[] = [];
      for await (const e of s) t.push(e.type);
      return t;
    };
    const [ta, tb] = await Promise.all([types(a), types(b)]);
    assert.deepEqual(ta, tb);
    assert.equal(ta.at(-1), 'message_stop');
    const rs = (await client.messages.create({ ...params, stream: true })).toReadableStream();
    const text2 = await new Response(rs as ReadableStream).text();
    assert.match(text2, /"type":"message_stop"/);
    const ends = llmEnds(cap);
    assert.equal(ends.length, 2);
    assert.ok(ends.every((e) => profile(e).stream.completed === true));
  });

  it('stream: controller.abort() mid-stream ends quietly for the caller and once, as aborted, in events', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    server.enqueue(sseReply(text('a long answer that is cut'), { gate: () => held }));
    const stream = await client.messages.create({ ...params, stream: true });
    const seen: string[] = [];
    for await (const ev of stream) {
      seen.push(ev.type);
      if (seen.length === 1) stream.controller.abort();
    }
    release();
    assert.deepEqual(seen, ['message_start']);
    const ends = llmEnds(cap);
    assert.equal(ends.length, 1);
    assert.equal(ends[0].status, 'error');
    assert.equal(errorOf(ends[0])?.type, 'APIUserAbortError');
  });

  it('stream: breaking out early ends the call once, not completed', async () => {
    server.enqueue(sseReply(text('one two three four five six')));
    const stream = await client.messages.create({ ...params, stream: true });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    const ends = llmEnds(cap);
    assert.equal(ends.length, 1);
    assert.equal(profile(ends[0]).stream.completed, false);
    assert.equal(profile(ends[0]).stream.chunks, 3);
  });

  it('stream: an error event mid-stream reaches the caller as the SDK APIError and ends the call with it', async () => {
    server.enqueue({ kind: 'sse', events: [...streamEvents(text('partial answer')).slice(0, 4), streamError] });
    const stream = await client.messages.create({ ...params, stream: true });
    await assert.rejects(
      async () => {
        for await (const _ of stream);
      },
      (e: unknown) => e instanceof APIError && /Overloaded/.test(e.message),
    );
    const ends = llmEnds(cap);
    assert.equal(ends.length, 1);
    assert.equal(errorOf(ends[0])?.type, 'APIError');
  });

  it('stream: a connection broken mid-stream fails the caller with the SDK error and ends the call once with it', async () => {
    // the server breaks the connection once the client has the response and its first event
    let first!: () => void;
    const gotFirst = new Promise<void>((r) => (first = r));
    server.enqueue(sseReply(text('this answer never finishes'), { breakAfter: 5, gate: () => gotFirst }));
    const stream = await client.messages.create({ ...params, stream: true });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const ev of stream) {
        seen.push(ev.type);
        first();
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof Error, 'the iteration failed');
    assert.ok(seen.length >= 1 && !seen.includes('message_stop'));
    const ends = llmEnds(cap);
    assert.equal(ends.length, 1);
    assert.equal(ends[0].status, 'error');
    assert.equal(errorOf(ends[0])?.message, (err as Error).message);
  });

  it('messages.stream(): events, iteration, finalText() and finalMessage() work; the call is named .stream', async () => {
    server.enqueue(sseReply(text('Streamed helper text')));
    const ms = client.messages.stream(params);
    const texts: string[] = [];
    ms.on('text', (t) => texts.push(t));
    const final = await ms.finalMessage();
    assert.equal((final.content[0] as { text: string }).text, 'Streamed helper text');
    assert.equal(texts.join(''), 'Streamed helper text');
    const [end] = llmEnds(cap);
    assert.equal(end.name, 'anthropic.messages.stream');
    assert.equal(profile(end).annotated_response.text, 'Streamed helper text');

    server.enqueue(sseReply(text('via iteration')));
    const ms2 = client.messages.stream(params);
    let t2 = '';
    for await (const ev of ms2) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') t2 += ev.delta.text;
    assert.equal(t2, 'via iteration');
    assert.equal(await ms2.finalText(), 'via iteration');
    assert.equal(llmEnds(cap).length, 2);

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    server.enqueue(sseReply(text('to be aborted by the helper'), { gate: () => held }));
    const ms3 = client.messages.stream(params);
    ms3.on('streamEvent', () => ms3.abort());
    await assert.rejects(ms3.done(), (e: unknown) => e instanceof Error && e.name === 'APIUserAbortError');
    release();
    const ends = llmEnds(cap);
    assert.equal(ends.length, 3);
    assert.equal(errorOf(ends[2])?.type, 'APIUserAbortError');
  });

  it('errors: a 500 after the SDK retries is one call with the SDK error class; a 429 retried then answered is one ok call', async () => {
    server.respond(() => errorReply(500, 'api_error', 'boom', { 'retry-after-ms': '1' }));
    const err = await client.messages.create(params).then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof InternalServerError && err instanceof APIError);
    assert.equal(server.requests.length, 3, 'the SDK tried three times');
    let ends = llmEnds(cap);
    assert.equal(ends.length, 1);
    assert.equal(errorOf(ends[0])?.type, 'InternalServerError');
    const port = Number(new URL(server.url).port);
    assert.deepEqual(profile(ends[0]).transport, { server_address: '127.0.0.1', server_port: port, attempts: 3, http_status: 500 });

    server.reset();
    server.enqueue(errorReply(429, 'rate_limit_error', 'slow down', { 'retry-after-ms': '1' }), jsonReply(text('finally')));
    const msg = await client.messages.create(params);
    assert.equal((msg.content[0] as { text: string }).text, 'finally');
    assert.equal(server.requests.length, 2);
    ends = llmEnds(cap);
    assert.equal(ends.length, 2);
    assert.equal(errorOf(ends[1]), undefined);
    assert.deepEqual(profile(ends[1]).transport, { server_address: '127.0.0.1', server_port: port, attempts: 2, http_status: 200 });

    server.reset();
    server.respond(() => errorReply(429, 'rate_limit_error', 'slow down', { 'retry-after-ms': '1' }));
    await assert.rejects(client.messages.create(params, { maxRetries: 0 }), RateLimitError);
    assert.equal(errorOf(llmEnds(cap)[2])?.type, 'RateLimitError');
  });

  it('a conditional guardrail blocks before any request: GuardrailRejectedError, nothing sent', async () => {
    registerLlmConditionalExecutionGuardrail('no-secrets', 1, (req) =>
      JSON.stringify(req.content).includes('secret') ? 'no secrets to the model' : undefined,
    );
    try {
      await assert.rejects(client.messages.create({ ...params, messages: [{ role: 'user', content: 'the secret is 42' }] }), GuardrailRejectedError);
      await assert.rejects(
        client.messages.create({ ...params, stream: true, messages: [{ role: 'user', content: 'the secret is 42' }] }),
        GuardrailRejectedError,
      );
      // MessageStream wraps errors that are not the SDK's in an AnthropicError, with the original as its cause
      await assert.rejects(
        client.messages.stream({ ...params, messages: [{ role: 'user', content: 'secret' }] }).finalMessage(),
        (e: unknown) => e instanceof Error && e.cause instanceof GuardrailRejectedError,
      );
      assert.equal(server.requests.length, 0);
      assert.equal(llmEnds(cap).length, 3);
    } finally {
      deregisterLlmConditionalExecutionGuardrail('no-secrets');
    }
  });

  it('a request intercept changes what the server receives; a sanitize guardrail changes only the events', async () => {
    registerLlmRequestIntercept('system-prompt', 1, ({ annotated }) => {
      annotated!.system = 'Be brief.';
      annotated!.params.max_tokens = 16;
    });
    const hidden = { headers: {}, content: { model: 'claude-fake-1', max_tokens: 64, messages: [{ role: 'user', content: '[hidden]' }] } };
    registerLlmSanitizeRequestGuardrail('hide', 1, () => hidden);
    try {
      server.enqueue(jsonReply(text('ok')), sseReply(text('ok')));
      await client.messages.create(params);
      for await (const _ of await client.messages.create({ ...params, stream: true }));
      for (const r of server.requests) {
        const body = r.body as Record<string, unknown>;
        assert.equal(body.system, 'Be brief.');
        assert.equal(body.max_tokens, 16);
        assert.deepEqual(body.messages, params.messages);
      }
      assert.deepEqual(
        llmStarts(cap).map((e) => e.data),
        [hidden, hidden],
      );
    } finally {
      deregisterLlmRequestIntercept('system-prompt');
      deregisterLlmSanitizeRequestGuardrail('hide');
    }
  });

  it('execution intercepts: retry once on a server error, route to another model, answer from a cache', async () => {
    registerLlmExecutionIntercept('retry-route', 1, async (req, next) => {
      try {
        return await next(req);
      } catch (e) {
        if (!(e instanceof InternalServerError)) throw e;
        return next({ ...req, content: { ...(req.content as object), model: 'claude-fallback' } });
      }
    });
    try {
      server.enqueue(errorReply(500, 'api_error', 'down'), jsonReply(text('from fallback')));
      const msg = await client.messages.create(params, { maxRetries: 0 });
      assert.equal((msg.content[0] as { text: string }).text, 'from fallback');
      assert.deepEqual(
        server.requests.map((r) => (r.body as { model: string }).model),
        ['claude-fake-1', 'claude-fallback'],
      );
      assert.equal(llmEnds(cap).length, 1);
    } finally {
      deregisterLlmExecutionIntercept('retry-route');
    }

    const cached = {
      id: 'msg_cached',
      type: 'message',
      role: 'assistant',
      model: 'claude-fake-1',
      content: [{ type: 'text', text: 'cached' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    };
    registerLlmExecutionIntercept('cache', 1, () => cached);
    try {
      server.reset();
      const msg = await client.messages.create(params);
      assert.equal(msg, cached);
      const raw = await client.messages.create(params).asResponse();
      assert.deepEqual(await raw.json(), cached);
      assert.equal(server.requests.length, 0);
    } finally {
      deregisterLlmExecutionIntercept('cache');
    }
  });

  it('a stream execution intercept answering from a cache: the caller still gets an SDK Stream, and messages.stream() its final message', async () => {
    const cachedEvents = streamEvents(text('cached stream'))
      .filter((e) => e.event !== 'ping')
      .map((e) => e.data);
    registerLlmStreamExecutionIntercept('stream-cache', 1, async function* () {
      yield* cachedEvents;
    });
    try {
      const stream = await client.messages.create({ ...params, stream: true });
      assert.equal(stream.constructor.name, 'Stream');
      const types: string[] = [];
      for await (const ev of stream) types.push(ev.type);
      assert.deepEqual(
        types,
        cachedEvents.map((e) => (e as { type: string }).type),
      );
      assert.equal(await client.messages.stream(params).finalText(), 'cached stream');
      assert.equal(server.requests.length, 0);
      const ends = llmEnds(cap);
      assert.equal(ends.length, 2);
      assert.equal(profile(ends[1]).annotated_response.text, 'cached stream');
    } finally {
      deregisterLlmStreamExecutionIntercept('stream-cache');
    }
  });

  it('instrumenting the Anthropic class instruments every client constructed from it', async () => {
    class MyAnthropic extends Anthropic {}
    instrumentAnthropic(MyAnthropic, { name: 'my.llm', attributes: ['provider:anthropic'] });
    const c = new MyAnthropic({ apiKey: 'k', baseURL: server.url });
    server.enqueue(jsonReply(text('ok')), sseReply(text('ok')));
    await c.messages.create(params);
    for await (const _ of await c.beta.messages.create({ ...params, stream: true }));
    server.enqueue(jsonReply(text('copy')));
    await c.withOptions({ timeout: 5000 }).messages.create(params);
    const ends = llmEnds(cap);
    assert.deepEqual(
      ends.map((e) => e.name),
      ['my.llm', 'my.llm', 'my.llm'],
      'withOptions() copies are instrumented too',
    );
    assert.ok(ends.every((e) => e.attributes.includes('provider:anthropic')));
    // the plain class is untouched
    server.enqueue(jsonReply(text('ok')));
    await new Anthropic({ apiKey: 'k', baseURL: server.url }).messages.create(params);
    assert.equal(llmEnds(cap).length, 3);
  });

  it('instrumenting a client again (or one from an instrumented class) keeps one call per SDK call and the first options', async () => {
    class Twice extends Anthropic {}
    instrumentAnthropic(Twice, { name: 'first' });
    const c = instrumentAnthropic(instrumentAnthropic(new Twice({ apiKey: 'k', baseURL: server.url }), { name: 'second' }), { name: 'third' });
    server.enqueue(jsonReply(text('once')));
    await c.messages.create(params);
    assert.deepEqual(
      llmEnds(cap).map((e) => e.name),
      ['first'],
    );
    assert.equal(profile(llmEnds(cap)[0]).transport.attempts, 1);
  });

  it('bad targets and options are rejected with a clear error', () => {
    assert.throws(() => instrumentAnthropic({} as Anthropic), /target must be an Anthropic client or client class/);
    assert.throws(() => instrumentAnthropic(client, { name: '' }), /options\.name must be a non-empty string/);
    assert.throws(() => instrumentAnthropic(client, { attributes: [1] as unknown as string[] }), /options\.attributes must be an array of strings/);
  });
});

function errorOf(e: ScopeEvent): { type: string; message: string } | undefined {
  return e.error ?? undefined;
}
