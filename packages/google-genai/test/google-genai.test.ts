import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { ApiError, GenerateContentResponse, GoogleGenAI, Type } from '@google/genai';
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
  ScopeType,
  type LlmCategoryProfile,
  type ScopeEvent,
} from '@nemo-flow/runtime';
import type { NormalizedResponse } from '@nemo-flow/runtime/codecs';
import { instrumentGoogleGenAI } from '@nemo-flow/google-genai';
import { capture } from '../../runtime/test/helpers.js';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { apiError, generateContentResponse, json, sse, streamChunks } from '../../../test/support/fake-providers/gemini.js';

const MODEL = 'gemini-2.5-flash';
const weatherTool = {
  functionDeclarations: [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] },
    },
  ],
};

type Body = {
  contents: { role: string; parts: Record<string, unknown>[] }[];
  generationConfig?: Record<string, unknown>;
  systemInstruction?: unknown;
  tools?: unknown;
};

describe('@nemo-flow/google-genai', () => {
  let server: FakeServer;
  let cap: ReturnType<typeof capture>;

  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    cap = capture();
  });
  afterEach(() => cap.stop());

  function client(options?: Parameters<typeof instrumentGoogleGenAI>[1], retry = false): GoogleGenAI {
    const httpOptions = retry
      ? { baseUrl: server.url, retryOptions: { attempts: 3, initialDelay: 0.001, maxDelay: 0.002, jitter: 0 } }
      : { baseUrl: server.url };
    return instrumentGoogleGenAI(new GoogleGenAI({ apiKey: 'test-key', httpOptions }), options);
  }

  const llmEnds = (): ScopeEvent[] => cap.scopes().filter((e) => e.category === 'llm' && e.scope_category === 'end');
  const llmStarts = (): ScopeEvent[] => cap.scopes().filter((e) => e.category === 'llm' && e.scope_category === 'start');
  const profile = (e: ScopeEvent): LlmCategoryProfile => e.category_profile as LlmCategoryProfile;
  const annotated = (e: ScopeEvent): NormalizedResponse => JSON.parse(JSON.stringify(profile(e).annotated_response)) as NormalizedResponse;
  const bodyOf = (i: number): Body => server.requests[i]!.body as Body;

  it('generateContent: one LLM call with the normalized request and response; the caller gets the SDK response', async () => {
    server.enqueue(
      json(
        generateContentResponse({ functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }], usage: { input: 20, output: 5, cached: 8, thoughts: 3 } }),
      ),
    );
    const ai = client();
    const res = await ai.models.generateContent({ model: MODEL, contents: 'Weather in Paris?', config: { tools: [weatherTool], temperature: 0.1 } });
    assert.ok(res instanceof GenerateContentResponse);
    assert.deepEqual(res.functionCalls, [{ name: 'get_weather', args: { city: 'Paris' } }]);
    assert.match(server.requests[0]!.url, /\/models\/gemini-2\.5-flash:generateContent$/);
    assert.deepEqual(cap.names(), ['start:gemini.generateContent', 'end:gemini.generateContent']);
    const [start] = llmStarts();
    const req = JSON.parse(JSON.stringify(profile(start!).annotated_request));
    assert.equal(req.provider_format, 'gemini');
    assert.equal(req.model, MODEL);
    assert.deepEqual(req.params, { temperature: 0.1 });
    assert.deepEqual(req.messages, [{ role: 'user', text: 'Weather in Paris?' }]);
    assert.equal(req.tools[0].name, 'get_weather');
    const [end] = llmEnds();
    const r = annotated(end!);
    assert.deepEqual(r.tool_calls, [{ id: 'get_weather', name: 'get_weather', arguments: { city: 'Paris' } }]);
    assert.equal(r.finish_reason, 'tool_calls');
    assert.deepEqual(r.usage, { input_tokens: 20, output_tokens: 8, total_tokens: 28, cache_read_tokens: 8, reasoning_tokens: 3 });
    const port = Number(new URL(server.url).port);
    assert.deepEqual(profile(end!).transport, { server_address: '127.0.0.1', server_port: port, attempts: 1, http_status: 200 });
    assert.equal(end!.data, res, 'the end event records the response object itself');
  });

  it('generateContentStream: chunks are the SDK objects, usage and time to first chunk on the one end event', async () => {
    server.enqueue(sse(streamChunks({ text: ['Sunny ', 'and ', 'warm.'], usage: { input: 12, output: 4 } })));
    const ai = client();
    const stream = await ai.models.generateContentStream({ model: MODEL, contents: 'Weather?' });
    let text = '';
    for await (const chunk of stream) {
      assert.ok(chunk instanceof GenerateContentResponse);
      text += chunk.text;
    }
    assert.equal(text, 'Sunny and warm.');
    assert.match(server.requests[0]!.url, /:streamGenerateContent\?alt=sse$/);
    const ends = llmEnds();
    assert.equal(ends.length, 1);
    const r = annotated(ends[0]!);
    assert.equal(r.text, 'Sunny and warm.');
    assert.equal(r.finish_reason, 'stop');
    assert.deepEqual(r.usage, { input_tokens: 12, output_tokens: 4, total_tokens: 16 });
    const p = profile(ends[0]!) as LlmCategoryProfile & { stream?: { chunks: number; completed: boolean } };
    assert.deepEqual(p.stream, { chunks: 3, completed: true });
    assert.equal(typeof p.transport?.time_to_first_chunk_ms, 'number');
    assert.equal(p.transport?.http_status, 200);
    assert.ok(ends[0]!.attributes.includes('streaming'));
  });

  it('chats: sendMessage and sendMessageStream are LLM calls carrying the history', async () => {
    server.enqueue(
      json(generateContentResponse({ text: 'Hi Ada.', usage: { input: 5, output: 3 } })),
      sse(streamChunks({ text: ['You are ', 'Ada.'], usage: { input: 12, output: 3 } })),
    );
    const ai = client();
    const chat = ai.chats.create({ model: MODEL, config: { systemInstruction: 'Be brief.' } });
    const first = await chat.sendMessage({ message: 'I am Ada.' });
    assert.equal(first.text, 'Hi Ada.');
    let second = '';
    for await (const c of await chat.sendMessageStream({ message: 'Who am I?' })) second += c.text;
    assert.equal(second, 'You are Ada.');
    assert.deepEqual(cap.names(), [
      'start:gemini.generateContent',
      'end:gemini.generateContent',
      'start:gemini.generateContentStream',
      'end:gemini.generateContentStream',
    ]);
    const req = JSON.parse(JSON.stringify(profile(llmStarts()[1]!).annotated_request));
    assert.equal(req.system, 'Be brief.');
    assert.deepEqual(
      req.messages.map((m: { role: string; text: string }) => [m.role, m.text]),
      [
        ['user', 'I am Ada.'],
        ['assistant', 'Hi Ada.'],
        ['user', 'Who am I?'],
      ],
    );
    const history = chat.getHistory();
    assert.deepEqual(history[2], { role: 'user', parts: [{ text: 'Who am I?' }] }, 'the chat recorded both turns');
    assert.equal(history.at(-1)?.role, 'model');
  });

  it('an HTTP 500 arrives as the SDK ApiError, unchanged; the end event has its type and status', async () => {
    server.enqueue(apiError(500, 'backend exploded'));
    const ai = client();
    const err = await ai.models.generateContent({ model: MODEL, contents: 'x' }).then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 500);
    const [end] = llmEnds();
    assert.equal((end!.data as unknown) ?? null, null);
    const error = (end as ScopeEvent & { error?: { type: string; message: string } }).error;
    assert.equal(error?.type, 'ApiError');
    assert.match(error?.message ?? '', /backend exploded/);
    assert.equal(profile(end!).transport?.http_status, 500);
  });

  it('a 429 the SDK retries (httpOptions.retryOptions) is one LLM call with its attempt count', async () => {
    server.enqueue(apiError(429, 'slow down'), apiError(429, 'slow down'), json(generateContentResponse({ text: 'ok' })));
    const ai = client(undefined, true);
    const res = await ai.models.generateContent({ model: MODEL, contents: 'x' });
    assert.equal(res.text, 'ok');
    assert.equal(server.requests.length, 3);
    assert.equal(llmEnds().length, 1);
    assert.equal(profile(llmEnds()[0]!).transport?.attempts, 3);
    assert.equal(profile(llmEnds()[0]!).transport?.http_status, 200);

    server.enqueue(apiError(429, 'still slow'), apiError(429, 'still slow'), apiError(429, 'still slow'));
    const err = await ai.models.generateContent({ model: MODEL, contents: 'x' }).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError && err.status === 429);
    const last = llmEnds()[1]!;
    assert.deepEqual([profile(last).transport?.attempts, profile(last).transport?.http_status], [3, 429]);
  });

  it('breaking out of a stream early ends the call once, not completed', async () => {
    server.enqueue(sse(streamChunks({ text: ['a', 'b', 'c', 'd'] })));
    const ai = client();
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: 'x' })) {
      assert.equal(chunk.text, 'a');
      break;
    }
    const ends = llmEnds();
    assert.equal(ends.length, 1);
    assert.deepEqual((profile(ends[0]!) as { stream?: unknown }).stream, { chunks: 1, completed: false });
    assert.equal((ends[0] as { error?: unknown }).error, undefined);
  });

  it('a stream failing mid-way rejects the caller and ends the call once with the error', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // 'a' is sent, then (once the caller has it) 'b' and the connection drops
    server.enqueue(sse(streamChunks({ text: ['a', 'b', 'c'] }), { breakAfter: 2, gate: () => held }));
    const ai = client();
    const seen: string[] = [];
    const err = await (async () => {
      for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: 'x' })) {
        seen.push(chunk.text ?? '');
        release();
      }
    })().catch((e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.equal(seen[0], 'a');
    const ends = llmEnds();
    assert.equal(ends.length, 1);
    assert.ok((ends[0] as { error?: unknown }).error);
  });

  it('config.abortSignal aborts a stream mid-way: the caller gets the abort, the call ends once', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    server.enqueue(sse(streamChunks({ text: ['a', 'b'] }), { gate: () => held }));
    const ai = client();
    const controller = new AbortController();
    const stream = await ai.models.generateContentStream({ model: MODEL, contents: 'x', config: { abortSignal: controller.signal } });
    const err = await (async () => {
      for await (const _ of stream) controller.abort();
    })().catch((e: unknown) => e);
    release();
    assert.equal((err as Error).name, 'AbortError');
    const ends = llmEnds();
    assert.equal(ends.length, 1);
    assert.equal((ends[0] as { error?: { type: string } }).error?.type, 'AbortError');
  });

  it('a conditional guardrail blocks the call before any request reaches the server', async () => {
    registerLlmConditionalExecutionGuardrail('no-secrets', 0, (r) => (JSON.stringify(r.content).includes('password') ? 'contains a secret' : undefined));
    try {
      const ai = client();
      await assert.rejects(ai.models.generateContent({ model: MODEL, contents: 'my password is hunter2' }), GuardrailRejectedError);
      await assert.rejects(ai.models.generateContentStream({ model: MODEL, contents: 'password again' }), GuardrailRejectedError);
      assert.equal(server.requests.length, 0);
      assert.equal(llmEnds().length, 2);
    } finally {
      deregisterLlmConditionalExecutionGuardrail('no-secrets');
    }
  });

  it('a request intercept changes what the SDK sends: the server receives the rewrite', async () => {
    registerLlmRequestIntercept('rewrite', 0, ({ annotated }) => {
      annotated!.messages.at(-1)!.text += ' Answer in French.';
      annotated!.params.temperature = 0;
      annotated!.system = 'You are terse.';
    });
    try {
      server.enqueue(json(generateContentResponse({ text: 'Ensoleillé.' })), sse(streamChunks({ text: ['Oui.'] })));
      const ai = client();
      await ai.models.generateContent({ model: MODEL, contents: [{ role: 'user', parts: [{ text: 'Weather?' }] }], config: { maxOutputTokens: 50 } });
      const body = bodyOf(0);
      assert.deepEqual(body.contents, [{ role: 'user', parts: [{ text: 'Weather? Answer in French.' }] }]);
      assert.deepEqual(body.generationConfig, { maxOutputTokens: 50, temperature: 0 });
      assert.deepEqual(body.systemInstruction, { parts: [{ text: 'You are terse.' }], role: 'user' });
      for await (const _ of await ai.models.generateContentStream({ model: MODEL, contents: 'Sure?' }));
      assert.deepEqual(bodyOf(1).contents, [{ role: 'user', parts: [{ text: 'Sure? Answer in French.' }] }]);
    } finally {
      deregisterLlmRequestIntercept('rewrite');
    }
  });

  it('execution intercepts retry and answer from a cache; the caller gets what they return', async () => {
    const cached = new Map<string, unknown>();
    registerLlmExecutionIntercept('cache', 0, async (request, next) => {
      const key = JSON.stringify(request.content);
      if (cached.has(key)) return cached.get(key);
      const res = await next(request);
      cached.set(key, res);
      return res;
    });
    registerLlmExecutionIntercept('retry', 1, async (request, next) => {
      try {
        return await next(request);
      } catch (e) {
        if (e instanceof ApiError && e.status === 500) return next(request);
        throw e;
      }
    });
    try {
      server.enqueue(apiError(500, 'flaky'), json(generateContentResponse({ text: 'fresh' })));
      const ai = client();
      const a = await ai.models.generateContent({ model: MODEL, contents: 'same question' });
      const b = await ai.models.generateContent({ model: MODEL, contents: 'same question' });
      assert.equal(a.text, 'fresh');
      assert.equal(b, a, 'the second answer came from the cache');
      assert.equal(server.requests.length, 2, 'one failed attempt, one retry, no request for the cached answer');
      assert.equal(llmEnds().length, 2);
    } finally {
      deregisterLlmExecutionIntercept('cache');
      deregisterLlmExecutionIntercept('retry');
    }
  });

  it('a stream execution intercept routes a failing stream to a fallback model', async () => {
    registerLlmStreamExecutionIntercept('fallback', 0, async (request, next) => {
      try {
        return await next(request);
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 503) throw e;
        const content = request.content as { model: string };
        return next({ ...request, content: { ...content, model: 'gemini-2.5-flash-lite' } });
      }
    });
    try {
      server.enqueue(apiError(503, 'overloaded', 'UNAVAILABLE'), sse(streamChunks({ text: ['from ', 'fallback'] })));
      let text = '';
      for await (const c of await client().models.generateContentStream({ model: MODEL, contents: 'x' })) text += c.text;
      assert.equal(text, 'from fallback');
      assert.deepEqual(
        server.requests.map((r) => r.url.replace(/^.*\/models\//, '')),
        ['gemini-2.5-flash:streamGenerateContent?alt=sse', 'gemini-2.5-flash-lite:streamGenerateContent?alt=sse'],
      );
      assert.equal(llmEnds().length, 1);
      assert.equal(profile(llmEnds()[0]!).transport?.attempts, 2);
    } finally {
      deregisterLlmStreamExecutionIntercept('fallback');
    }
  });

  it('a sanitize guardrail changes only what is exported', async () => {
    registerLlmSanitizeRequestGuardrail('redact', 0, (r) => JSON.parse(JSON.stringify(r).replaceAll('4111-1111', '[card]')));
    try {
      server.enqueue(json(generateContentResponse({ text: 'noted' })));
      await client().models.generateContent({ model: MODEL, contents: 'card 4111-1111' });
      assert.deepEqual(bodyOf(0).contents, [{ role: 'user', parts: [{ text: 'card 4111-1111' }] }]);
      assert.ok(!JSON.stringify(llmStarts()[0]).includes('4111'));
      assert.ok(JSON.stringify(llmStarts()[0]).includes('[card]'));
    } finally {
      deregisterLlmSanitizeRequestGuardrail('redact');
    }
  });

  it('captureContent: false keeps the conversation out of events, not out of the request', async () => {
    server.enqueue(
      json(
        generateContentResponse({ text: 'secret answer', functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }], usage: { input: 9, output: 2 } }),
      ),
      sse(streamChunks({ text: ['secret ', 'stream'], usage: { input: 4, output: 2 } })),
    );
    const ai = client({ captureContent: false });
    const res = await ai.models.generateContent({
      model: MODEL,
      contents: 'secret question',
      config: { systemInstruction: 'secret system', temperature: 0.5 },
    });
    assert.equal(res.candidates?.[0]?.content?.parts?.[0]?.text, 'secret answer');
    let streamed = '';
    for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: 'secret again' })) streamed += c.text;
    assert.equal(streamed, 'secret stream');
    assert.match(server.requests[0]!.raw, /secret question/);
    const events = JSON.stringify(cap.events);
    assert.ok(!events.includes('secret'), events);
    const [plain, streamedEnd] = llmEnds();
    assert.deepEqual(annotated(plain!).usage, { input_tokens: 9, output_tokens: 2, total_tokens: 11 });
    assert.deepEqual(annotated(plain!).tool_calls, []);
    assert.equal(annotated(streamedEnd!).usage?.input_tokens, 4);
    assert.equal(JSON.parse(JSON.stringify(profile(llmStarts()[0]!).annotated_request)).params.temperature, 0.5);
  });

  it('options: call name, parent scope, attributes and metadata', async () => {
    server.enqueue(json(generateContentResponse({ text: 'ok' })));
    await withScope('agent', ScopeType.Agent, async (agent) => {
      const ai = client({ name: 'planner', parent: agent, attributes: ['team:search'], metadata: { tier: 'gold' } });
      await ai.models.generateContent({ model: MODEL, contents: 'x' });
    });
    const [start] = llmStarts();
    assert.equal(start!.name, 'planner');
    assert.ok(start!.attributes.includes('team:search'));
    assert.deepEqual(start!.metadata, { tier: 'gold' });
    const agentStart = cap.scopes().find((e) => e.name === 'agent' && e.scope_category === 'start')!;
    assert.equal(start!.parent_uuid, agentStart.uuid);
  });

  it('instruments the class: every client made from it afterwards, once', async () => {
    class Gemini extends GoogleGenAI {}
    assert.equal(instrumentGoogleGenAI(Gemini), Gemini);
    instrumentGoogleGenAI(Gemini);
    server.enqueue(
      json(generateContentResponse({ text: 'one' })),
      json(generateContentResponse({ text: 'two' })),
      json(generateContentResponse({ text: 'plain' })),
    );
    const ai = new Gemini({ apiKey: 'k', httpOptions: { baseUrl: server.url } });
    instrumentGoogleGenAI(ai); // already instrumented through its class: no second layer
    assert.equal((await ai.models.generateContent({ model: MODEL, contents: 'x' })).text, 'one');
    assert.equal((await new Gemini({ apiKey: 'k', httpOptions: { baseUrl: server.url } }).models.generateContent({ model: MODEL, contents: 'x' })).text, 'two');
    assert.ok(Object.keys(ai).includes('models'), 'models stays an own enumerable property');
    await new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.url } }).models.generateContent({ model: MODEL, contents: 'x' });
    assert.equal(llmEnds().length, 2, 'the base class is left alone');
  });

  it('rejects bad targets and options with a clear error', () => {
    assert.throws(() => instrumentGoogleGenAI(42 as unknown as GoogleGenAI), /target must be a GoogleGenAI client or the GoogleGenAI class, got number/);
    assert.throws(() => instrumentGoogleGenAI({} as GoogleGenAI), /the client has no models object/);
    assert.throws(() => instrumentGoogleGenAI(new GoogleGenAI({ apiKey: 'k' }), { name: '' }), /options\.name must be a non-empty string/);
    assert.throws(
      () => instrumentGoogleGenAI(new GoogleGenAI({ apiKey: 'k' }), { captureContent: 'no' as unknown as boolean }),
      /options\.captureContent must be a boolean/,
    );
  });
});

describe('@nemo-flow/google-genai: README', () => {
  it('quotes the type-checked files in examples/ verbatim (npm test type-checks them)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const file of ['readme-setup.ts', 'readme-middleware.ts']) {
      assert.ok(readme.includes(readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8')), `README.md must contain examples/${file}`);
    }
  });
});
