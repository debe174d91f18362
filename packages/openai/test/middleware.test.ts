/** The runtime's middleware on real SDK calls: block, rewrite, retry, cache, redact. */
import { strict as assert } from 'node:assert';
import OpenAI, { InternalServerError } from 'openai';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import {
  GuardrailRejectedError,
  ScopeType,
  deregisterLlmConditionalExecutionGuardrail,
  deregisterLlmExecutionIntercept,
  deregisterLlmRequestIntercept,
  deregisterLlmSanitizeResponseGuardrail,
  deregisterLlmStreamExecutionIntercept,
  pushScope,
  popScope,
  registerLlmConditionalExecutionGuardrail,
  registerLlmExecutionIntercept,
  registerLlmRequestIntercept,
  registerLlmSanitizeResponseGuardrail,
  registerLlmStreamExecutionIntercept,
} from '@nemo-flow/runtime';
import { instrumentOpenAI } from '@nemo-flow/openai';
import type { FakeServer } from '../../../test/support/fake-providers/server.js';
import { apiError, chatCompletion, chatStream, embeddingList, json } from '../../../test/support/fake-providers/openai.js';
import { capture, client, setupServer, type Captured } from './helpers.js';

describe('@nemo-flow/openai: middleware on SDK calls', () => {
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

  it('a conditional guardrail blocks before any network request', async () => {
    registerLlmConditionalExecutionGuardrail('no-secrets', 10, (r) => (JSON.stringify(r.content).includes('password') ? 'asks for a password' : undefined));
    try {
      const err = await openai.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'my password is hunter2' }] })
        .catch((e: unknown) => e);
      assert.ok(err instanceof GuardrailRejectedError);
      assert.equal(err.guardrail, 'no-secrets');
      const streamErr = await openai.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'password' }], stream: true })
        .catch((e: unknown) => e);
      assert.ok(streamErr instanceof GuardrailRejectedError);
      assert.equal(server.requests.length, 0);
      assert.deepEqual(
        c.ends().map((e) => e.error?.type),
        ['GuardrailRejectedError', 'GuardrailRejectedError'],
      );
    } finally {
      deregisterLlmConditionalExecutionGuardrail('no-secrets');
    }
  });

  it('a request intercept changes what the SDK sends', async () => {
    registerLlmRequestIntercept('pin-model', 10, ({ request }) => {
      const content = request.content as ChatCompletionCreateParams;
      return {
        request: {
          headers: {},
          content: { ...content, model: 'gpt-4o-mini-pinned', messages: [{ role: 'system', content: 'Be brief.' }, ...content.messages] },
        },
      };
    });
    try {
      server.enqueue(json(chatCompletion({ text: 'ok' })), { kind: 'sse', events: chatStream({ text: ['ok'] }) });
      await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      const s = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
      for await (const _ of s) void _;
      assert.equal(server.requests.length, 2);
      for (const req of server.requests) {
        const body = req.body as { model: string; messages: Array<{ role: string }> };
        assert.equal(body.model, 'gpt-4o-mini-pinned');
        assert.deepEqual(
          body.messages.map((m) => m.role),
          ['system', 'user'],
        );
      }
    } finally {
      deregisterLlmRequestIntercept('pin-model');
    }
  });

  it('an execution intercept retries a failed call (two requests, one LLM call)', async () => {
    registerLlmExecutionIntercept('retry-5xx', 10, async (req, next) => {
      try {
        return await next(req);
      } catch (err) {
        if (err instanceof InternalServerError) return next(req);
        throw err;
      }
    });
    try {
      server.enqueue(apiError(500, 'flaky'), json(chatCompletion({ text: 'second try' })));
      const res = await openai.chat.completions.create({ model: 'm', messages: [] });
      assert.equal(res.choices[0]!.message.content, 'second try');
      assert.equal(server.requests.length, 2);
      assert.equal(c.ends().length, 1);
      assert.equal(c.ends()[0]!.status, 'ok');
    } finally {
      deregisterLlmExecutionIntercept('retry-5xx');
    }
  });

  it('an execution intercept answers from a cache: no request, and .withResponse() still works', async () => {
    const cached = chatCompletion({ id: 'chatcmpl-cached', text: 'from cache' });
    registerLlmExecutionIntercept('cache', 10, () => cached);
    registerLlmStreamExecutionIntercept('cache-stream', 10, async function* () {
      yield* chatStream({ id: 'chatcmpl-cached', text: ['cached ', 'stream'] })
        .slice(0, -1)
        .map((e) => e.data);
    });
    try {
      const { data, response } = await openai.chat.completions.create({ model: 'm', messages: [] }).withResponse();
      assert.equal(data.id, 'chatcmpl-cached');
      assert.equal(response.status, 200);
      const s = await openai.chat.completions.create({ model: 'm', messages: [], stream: true });
      let text = '';
      for await (const ch of s) text += ch.choices[0]?.delta.content ?? '';
      assert.equal(text, 'cached stream');
      assert.equal(server.requests.length, 0);
      assert.equal(c.ends().length, 2);
    } finally {
      deregisterLlmExecutionIntercept('cache');
      deregisterLlmStreamExecutionIntercept('cache-stream');
    }
  });

  it('a sanitize guardrail changes only what is exported', async () => {
    registerLlmSanitizeResponseGuardrail('redact', 10, () => ({ redacted: true }));
    try {
      server.enqueue(json(chatCompletion({ text: 'secret answer' })));
      const res = await openai.chat.completions.create({ model: 'm', messages: [] });
      assert.equal(res.choices[0]!.message.content, 'secret answer');
      assert.deepEqual(c.ends()[0]!.data, { redacted: true });
    } finally {
      deregisterLlmSanitizeResponseGuardrail('redact');
    }
  });

  it('options: call name, parent scope, attributes and metadata', async () => {
    const parent = pushScope('request-42', ScopeType.Function);
    const named = client(server, { name: 'support-bot.llm', parent, attributes: ['tier:gold'], metadata: { team: 'support' } });
    popScope(parent);
    server.enqueue(json(chatCompletion({ text: 'x' })));
    await named.chat.completions.create({ model: 'm', messages: [] });
    const end = c.ends('support-bot.llm')[0]!;
    assert.equal(end.parent_uuid, parent.uuid);
    assert.deepEqual(end.attributes, ['tier:gold']);
    assert.deepEqual(end.metadata, { team: 'support' });
    assert.throws(() => instrumentOpenAI(new OpenAI({ apiKey: 'k' }), { name: '' }), /options.name must be a non-empty string/);
    assert.throws(() => instrumentOpenAI(null as unknown as OpenAI), /target must be an OpenAI client or the OpenAI class, got null/);
  });

  it('captureContent: false keeps prompts, answers and embedding inputs out of the events', async () => {
    const quiet = client(server, { captureContent: false });
    server.enqueue(
      json(chatCompletion({ text: 'private answer', usage: { input: 3, output: 2 } })),
      { kind: 'sse', events: chatStream({ text: ['private ', 'stream'] }) },
      json(embeddingList({ count: 1, inputTokens: 4 })),
    );
    const res = await quiet.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'private question' }] });
    assert.equal(res.choices[0]!.message.content, 'private answer');
    const s = await quiet.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'private question' }], stream: true });
    for await (const _ of s) void _;
    await quiet.embeddings.create({ model: 'text-embedding-3-small', input: 'private text' });
    assert.equal(c.scopes.length, 6);
    for (const e of c.scopes) assert.ok(!JSON.stringify(e).includes('private'), `${e.name} ${e.scope_category} shows no content`);
    assert.equal((c.ends()[0]!.category_profile as { annotated_response: { usage: { input_tokens: number } } }).annotated_response.usage.input_tokens, 3);
    assert.throws(
      () => instrumentOpenAI(new OpenAI({ apiKey: 'k' }), { captureContent: 'no' as unknown as boolean }),
      /options.captureContent must be a boolean/,
    );
  });

  it('instrumenting the class instruments every client made from it afterwards', async () => {
    class TeamOpenAI extends OpenAI {}
    instrumentOpenAI(TeamOpenAI);
    instrumentOpenAI(TeamOpenAI); // twice is a no-op
    const a = new TeamOpenAI({ apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const b = a.withOptions({ timeout: 5000 });
    server.enqueue(json(chatCompletion({ text: 'a' })), json(chatCompletion({ text: 'b' })));
    await a.chat.completions.create({ model: 'm', messages: [] });
    await b.chat.completions.create({ model: 'm', messages: [] });
    assert.equal(c.ends('openai.chat.completions').length, 2);
    // The base class is untouched.
    server.enqueue(json(chatCompletion({ text: 'c' })));
    await new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1` }).chat.completions.create({ model: 'm', messages: [] });
    assert.equal(c.ends().length, 2);
  });
});
