/**
 * @nemo-flow/ai-sdk against the real `ai` 7 with `@ai-sdk/openai` and `@ai-sdk/anthropic` pointed at
 * loopback fake servers: tool loops, streaming, structured output, middleware, aborts, exporters.
 */
import { strict as assert } from 'node:assert';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { Output, generateObject, generateText, isStepCount, streamText, tool, wrapLanguageModel } from 'ai';
import { z } from 'zod';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import {
  GuardrailRejectedError,
  deregisterLlmConditionalExecutionGuardrail,
  deregisterLlmExecutionIntercept,
  deregisterLlmRequestIntercept,
  deregisterLlmSanitizeRequestGuardrail,
  deregisterToolConditionalExecutionGuardrail,
  deregisterSubscriber,
  registerLlmConditionalExecutionGuardrail,
  registerLlmExecutionIntercept,
  registerLlmRequestIntercept,
  registerLlmSanitizeRequestGuardrail,
  registerToolConditionalExecutionGuardrail,
  registerSubscriber,
  type LifecycleEvent,
  type ScopeEvent,
} from '@nemo-flow/runtime';
import type { NormalizedRequest, NormalizedResponse } from '@nemo-flow/runtime/codecs';
import { buildTrajectories, validateTrajectory } from '@nemo-flow/exporter-atif';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { instrumentTools, nemoFlowMiddleware, nemoFlowTelemetry, withAgentRun } from '@nemo-flow/ai-sdk';
import { startFakeServer, type FakeServer, type Reply } from '../../../test/support/fake-providers/server.js';
import { message, sseReply, text } from '../../../test/support/fake-providers/anthropic.js';
import { chatCompletion, chatStream, json, responseObject, type ToolCallSpec, type Usage } from '../../../test/support/fake-providers/openai.js';
import { startOtlpReceiver } from '../../../test/support/otlp-receiver.js';

const scopeEvents = (events: LifecycleEvent[]): ScopeEvent[] => events.filter((e): e is ScopeEvent => e.kind === 'scope');
const outline = (events: LifecycleEvent[]): string[] => scopeEvents(events).map((e) => `${e.scope_category}:${e.category}:${e.name}`);
const profile = (e: ScopeEvent): Record<string, unknown> => (e.category_profile ?? {}) as Record<string, unknown>;
const ends = (events: LifecycleEvent[], category: string): ScopeEvent[] =>
  scopeEvents(events).filter((e) => e.category === category && e.scope_category === 'end');
const starts = (events: LifecycleEvent[], category: string): ScopeEvent[] =>
  scopeEvents(events).filter((e) => e.category === category && e.scope_category === 'start');
const errorOf = (e: ScopeEvent): { type?: string; message?: string } | undefined => (e as unknown as { error?: { type?: string; message?: string } }).error;

/** A Chat Completions reply: text or tool calls. */
function openaiChatReply(turn: { text?: string; toolCalls?: { id: string; name: string; args: Record<string, unknown> }[]; usage?: Usage }): Reply {
  const toolCalls: ToolCallSpec[] | undefined = turn.toolCalls?.map((c) => ({ id: c.id, name: c.name, arguments: c.args }));
  return json(chatCompletion({ text: turn.text ?? null, toolCalls, usage: turn.usage ?? { input: 20, output: 8 }, model: 'gpt-4o-mini' }));
}

/** The same, streamed. */
function openaiChatStream(turn: { pieces?: string[]; toolCalls?: { id: string; name: string; args: Record<string, unknown> }[]; usage?: Usage }): Reply {
  const toolCalls: ToolCallSpec[] | undefined = turn.toolCalls?.map((c) => ({ id: c.id, name: c.name, arguments: c.args }));
  return { kind: 'sse', events: chatStream({ text: turn.pieces, toolCalls, usage: turn.usage ?? { input: 20, output: 8 }, model: 'gpt-4o-mini' }) };
}

/** A stream gate holding event `at` (0 = the first gated one) for `ms`, pacing a fake model. */
function gateOnce(ms: number, at = 0): () => Promise<void> {
  let n = 0;
  return () => (n++ === at ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());
}

function weatherTools(calls: string[]) {
  return {
    weather: tool({
      description: 'Current weather in a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }: { city: string }) => {
        calls.push(city);
        return { city, forecast: 'sunny', celsius: 21 };
      },
    }),
    broken: tool({
      description: 'Always fails',
      inputSchema: z.object({}),
      execute: async (): Promise<string> => {
        throw new Error('disk on fire');
      },
    }),
  };
}

describe('@nemo-flow/ai-sdk', () => {
  let server: FakeServer;
  let events: LifecycleEvent[];
  let openai: ReturnType<typeof createOpenAI>;
  let anthropic: ReturnType<typeof createAnthropic>;

  before(async () => {
    server = await startFakeServer();
    openai = createOpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test-key' });
    anthropic = createAnthropic({ baseURL: `${server.url}/v1`, apiKey: 'test-key' });
  });
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    events = [];
    registerSubscriber('ai-sdk-test', (e) => void events.push(e));
  });
  afterEach(() => deregisterSubscriber('ai-sdk-test'));

  const gpt = () => wrapLanguageModel({ model: openai.chat('gpt-4o-mini'), middleware: nemoFlowMiddleware() });
  const claude = () => wrapLanguageModel({ model: anthropic('claude-haiku-4-5'), middleware: nemoFlowMiddleware() });

  it('a multi-step tool loop is one agent run: LLM call, tool call, LLM call, in order, linked by tool call id', async () => {
    server.enqueue(
      openaiChatReply({ toolCalls: [{ id: 'call_w1', name: 'weather', args: { city: 'Oslo' } }], usage: { input: 30, output: 10, cached: 12, reasoning: 4 } }),
      openaiChatReply({ text: 'Oslo is sunny, 21°C.' }),
    );
    const calls: string[] = [];
    const result = await withAgentRun('weather-agent', () =>
      generateText({
        model: gpt(),
        system: 'You are terse.',
        prompt: 'Weather in Oslo?',
        tools: instrumentTools(weatherTools(calls)),
        stopWhen: isStepCount(3),
      }),
    );
    assert.equal(result.text, 'Oslo is sunny, 21°C.');
    assert.deepEqual(calls, ['Oslo']);
    assert.deepEqual(outline(events), [
      'start:agent:weather-agent',
      'start:llm:openai.chat',
      'end:llm:openai.chat',
      'start:tool:weather',
      'end:tool:weather',
      'start:llm:openai.chat',
      'end:llm:openai.chat',
      'end:agent:weather-agent',
    ]);
    const [agent] = starts(events, 'agent');
    for (const e of scopeEvents(events).filter((x) => x.category !== 'agent')) assert.equal(e.parent_uuid, agent!.uuid);
    const tool0 = starts(events, 'tool')[0]!;
    assert.equal(profile(tool0).tool_call_id, 'call_w1');
    assert.deepEqual(tool0.data, { city: 'Oslo' });
    const first = profile(ends(events, 'llm')[0]!).annotated_response as NormalizedResponse;
    assert.equal(first.provider_format, 'ai-sdk');
    assert.deepEqual(first.tool_calls, [{ id: 'call_w1', name: 'weather', arguments: { city: 'Oslo' } }]);
    assert.equal(first.finish_reason, 'tool_calls');
    assert.deepEqual(first.usage, { input_tokens: 30, output_tokens: 10, total_tokens: 40, cache_read_tokens: 12, reasoning_tokens: 4 });
    assert.equal(profile(ends(events, 'llm')[0]!).model_name, 'gpt-4o-mini');
    const second = profile(starts(events, 'llm')[1]!).annotated_request as NormalizedRequest;
    assert.deepEqual(
      second.messages.map((m) => m.role),
      ['system', 'user', 'assistant', 'tool'],
    );
    assert.equal(second.messages[3]!.tool_call_id, 'call_w1');
    assert.match(second.messages[3]!.text, /sunny/);
    assert.deepEqual(
      second.tools?.map((t) => t.name),
      ['weather', 'broken'],
    );

    // The same run as an ATIF trajectory: valid, the tool result linked to the call.
    const [traj] = buildTrajectories(events);
    assert.ok(traj);
    assert.deepEqual(validateTrajectory(traj.trajectory), []);
    const agentSteps = traj.trajectory.steps.filter((s) => s.source === 'agent');
    assert.equal(agentSteps[0]!.tool_calls?.[0]?.tool_call_id, 'call_w1');
    assert.equal(agentSteps[0]!.observation?.results[0]?.source_call_id, 'call_w1');
    assert.equal(agentSteps[0]!.metrics?.prompt_tokens, 30);
    assert.equal(agentSteps[1]!.message, 'Oslo is sunny, 21°C.');
  });

  it('the default OpenAI model (Responses API) through the same middleware and codec', async () => {
    server.enqueue(
      json(responseObject({ functionCalls: [{ id: 'call_r', name: 'weather', arguments: { city: 'Bern' } }], usage: { input: 25, output: 6 } })),
      json(responseObject({ text: 'Bern: sunny.', usage: { input: 50, output: 4 } })),
    );
    const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: nemoFlowMiddleware() });
    const r = await withAgentRun('responses-agent', () =>
      generateText({ model, prompt: 'Bern?', tools: instrumentTools(weatherTools([])), stopWhen: isStepCount(3) }),
    );
    assert.equal(r.text, 'Bern: sunny.');
    assert.match(server.requests[0]!.url, /\/v1\/responses$/);
    assert.deepEqual(outline(events), [
      'start:agent:responses-agent',
      'start:llm:openai.responses',
      'end:llm:openai.responses',
      'start:tool:weather',
      'end:tool:weather',
      'start:llm:openai.responses',
      'end:llm:openai.responses',
      'end:agent:responses-agent',
    ]);
    const second = profile(starts(events, 'llm')[1]!).annotated_request as NormalizedRequest;
    assert.equal(second.messages.find((m) => m.role === 'tool')?.tool_call_id, 'call_r');
    assert.equal((profile(ends(events, 'llm')[1]!).annotated_response as NormalizedResponse).usage?.input_tokens, 50);
  });

  it('a streaming tool (async generator execute): preliminary results pass, the call ends with the final one', async () => {
    server.enqueue(openaiChatStream({ toolCalls: [{ id: 'call_p', name: 'progress', args: {} }] }), openaiChatStream({ pieces: ['All done.'] }));
    const tools = instrumentTools({
      progress: tool({
        description: 'Reports progress, then the result',
        inputSchema: z.object({}),
        async *execute() {
          yield { status: 'working' as const, percent: 50 };
          yield { status: 'done' as const, percent: 100 };
        },
      }),
    });
    const r = streamText({ model: gpt(), prompt: 'Go', tools, stopWhen: isStepCount(3) });
    const results: { preliminary?: boolean; output: unknown }[] = [];
    for await (const part of r.fullStream) if (part.type === 'tool-result') results.push({ preliminary: part.preliminary, output: part.output });
    assert.equal(await r.text, 'All done.');
    assert.deepEqual(results, [
      { preliminary: true, output: { status: 'working', percent: 50 } },
      { preliminary: true, output: { status: 'done', percent: 100 } },
      { preliminary: undefined, output: { status: 'done', percent: 100 } },
    ]);
    assert.deepEqual(ends(events, 'tool')[0]!.data, { status: 'done', percent: 100 });
    assert.equal(profile(starts(events, 'tool')[0]!).tool_call_id, 'call_p');
    const second = server.requests[1]!.body as { messages: { role: string; content: string }[] };
    assert.match(second.messages.at(-1)!.content, /"percent":100/);
  });

  it('a failing tool is a failed tool call; the loop goes on', async () => {
    server.enqueue(openaiChatReply({ toolCalls: [{ id: 'call_b', name: 'broken', args: {} }] }), openaiChatReply({ text: 'The tool failed.' }));
    const result = await withAgentRun('agent', () =>
      generateText({ model: gpt(), prompt: 'Break it', tools: instrumentTools(weatherTools([])), stopWhen: isStepCount(3) }),
    );
    assert.equal(result.text, 'The tool failed.');
    const [toolEnd] = ends(events, 'tool');
    assert.equal(errorOf(toolEnd!)?.message, 'disk on fire');
    const second = profile(starts(events, 'llm')[1]!).annotated_request as NormalizedRequest;
    assert.match(second.messages.at(-1)!.text, /disk on fire/);
  });

  it('a conditional guardrail blocks the call before any request is sent', async () => {
    registerLlmConditionalExecutionGuardrail('no-secrets', 0, (req) => {
      const prompt = JSON.stringify((req.content as { prompt: unknown }).prompt);
      return prompt.includes('password') ? 'prompt mentions a password' : undefined;
    });
    try {
      await assert.rejects(
        withAgentRun('agent', () => generateText({ model: claude(), prompt: 'my password is hunter2' })),
        (err: unknown) => err instanceof GuardrailRejectedError,
      );
    } finally {
      deregisterLlmConditionalExecutionGuardrail('no-secrets');
    }
    assert.equal(server.requests.length, 0);
    const [llmEnd] = ends(events, 'llm');
    assert.equal(errorOf(llmEnd!)?.type, 'GuardrailRejectedError');
  });

  it('a request intercept rewrites what the provider receives (Anthropic)', async () => {
    registerLlmRequestIntercept('house-style', 0, (ctx) => {
      const a = ctx.annotated!;
      a.params.temperature = 0.1;
      a.messages.unshift({ role: 'system', text: 'Answer in French.' });
      return { annotated: a };
    });
    registerLlmRequestIntercept('tenant-header', 1, (ctx) => ({ request: { ...ctx.request, headers: { ...ctx.request.headers, 'x-tenant': 'acme' } } }));
    // A reply with a thinking block first (extended thinking), 10 uncached + 5 cached input tokens.
    const reply = message(text('Bonjour.', { input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 5 }));
    server.enqueue({
      kind: 'json',
      body: { ...reply, content: [{ type: 'thinking', thinking: 'The user greets.', signature: 'sig' }, ...(reply.content as unknown[])] },
    });
    try {
      const r = await generateText({ model: claude(), prompt: 'Hello', temperature: 0.9, headers: { 'x-request-id': 'r-1' } });
      assert.equal(r.text, 'Bonjour.');
    } finally {
      deregisterLlmRequestIntercept('house-style');
      deregisterLlmRequestIntercept('tenant-header');
    }
    assert.equal(server.requests[0]!.headers['x-tenant'], 'acme');
    const body = server.requests[0]!.body as { temperature: number; system: { text: string }[]; messages: unknown[] };
    assert.equal(body.temperature, 0.1);
    assert.equal(body.system[0]!.text, 'Answer in French.');
    assert.equal(server.requests[0]!.headers['x-request-id'], 'r-1', "the call's own headers still go out");
    const res = profile(ends(events, 'llm')[0]!).annotated_response as NormalizedResponse;
    assert.equal(res.reasoning, 'The user greets.');
    assert.equal(res.usage?.cache_read_tokens, 5);
    assert.equal(res.usage?.input_tokens, 15);
    const transport = profile(ends(events, 'llm')[0]!).transport as { provider_name?: string };
    assert.equal(transport.provider_name, 'anthropic');
  });

  it('execution intercepts retry and cache: the AI SDK gets what they return', async () => {
    const cache = new Map<string, unknown>();
    registerLlmExecutionIntercept('cache', 0, async (request, next) => {
      const key = JSON.stringify((request.content as { prompt: unknown }).prompt);
      if (cache.has(key)) return cache.get(key);
      const r = await next(request);
      cache.set(key, r);
      return r;
    });
    registerLlmExecutionIntercept('retry-once', 1, async (request, next) => {
      try {
        return await next(request);
      } catch {
        return next(request);
      }
    });
    server.enqueue({ kind: 'json', status: 500, body: { error: { message: 'overloaded', type: 'server_error' } } }, openaiChatReply({ text: 'Fresh.' }));
    try {
      const a = await generateText({ model: gpt(), prompt: 'same question', maxRetries: 0 });
      const b = await generateText({ model: gpt(), prompt: 'same question', maxRetries: 0 });
      assert.equal(a.text, 'Fresh.');
      assert.equal(b.text, 'Fresh.');
    } finally {
      deregisterLlmExecutionIntercept('cache');
      deregisterLlmExecutionIntercept('retry-once');
    }
    assert.equal(server.requests.length, 2, 'one failed attempt, one retry; the second call is served from the cache');
    assert.deepEqual(
      ends(events, 'llm').map((e) => errorOf(e)),
      [undefined, undefined],
    );
  });

  it('sanitize guardrails change what subscribers see, never what the provider receives', async () => {
    registerLlmSanitizeRequestGuardrail('mask-email', 0, (value) => JSON.parse(JSON.stringify(value).replaceAll('ada@example.com', '[email]')));
    server.enqueue(openaiChatReply({ text: 'Noted.' }));
    try {
      await generateText({ model: gpt(), prompt: 'Email ada@example.com please' });
    } finally {
      deregisterLlmSanitizeRequestGuardrail('mask-email');
    }
    assert.match(server.requests[0]!.raw, /ada@example\.com/);
    const start = starts(events, 'llm')[0]!;
    assert.doesNotMatch(JSON.stringify(start.data), /ada@example/);
    assert.match((profile(start).annotated_request as NormalizedRequest).messages[0]!.text, /\[email\]/);
  });

  it('tool guardrails apply to instrumented tools; the model gets the rejection as the tool error', async () => {
    registerToolConditionalExecutionGuardrail('no-weather', 0, (name) => (name === 'weather' ? 'weather is off today' : undefined));
    server.enqueue(openaiChatReply({ toolCalls: [{ id: 'call_g', name: 'weather', args: { city: 'Oslo' } }] }), openaiChatReply({ text: 'Sorry.' }));
    const calls: string[] = [];
    try {
      await generateText({ model: gpt(), prompt: 'Oslo?', tools: instrumentTools(weatherTools(calls)), stopWhen: isStepCount(3) });
    } finally {
      deregisterToolConditionalExecutionGuardrail('no-weather');
    }
    assert.deepEqual(calls, [], 'the tool did not run');
    assert.equal(errorOf(ends(events, 'tool')[0]!)?.type, 'GuardrailRejectedError');
    const second = server.requests[1]!.body as { messages: { role: string; content: string }[] };
    assert.match(second.messages.at(-1)!.content, /weather is off today/);
  });

  it('captureContent: false keeps prompts and outputs out of events, usage in', async () => {
    server.enqueue(openaiChatReply({ text: 'Secret answer.', usage: { input: 11, output: 2 } }));
    const model = wrapLanguageModel({ model: openai.chat('gpt-4o-mini'), middleware: nemoFlowMiddleware({ captureContent: false }) });
    await generateText({ model, prompt: 'Secret question' });
    assert.doesNotMatch(JSON.stringify(events), /Secret/);
    assert.equal((profile(ends(events, 'llm')[0]!).annotated_response as NormalizedResponse).usage?.input_tokens, 11);
  });

  it('bad arguments are TypeErrors naming them', () => {
    assert.throws(() => nemoFlowMiddleware(null as never), /nemoFlowMiddleware: options must be an object, got null/);
    assert.throws(() => nemoFlowMiddleware({ name: 3 as never }), /options\.name must be a string or a function/);
    assert.throws(() => nemoFlowMiddleware({ captureContent: 'no' as never }), /options\.captureContent must be a boolean/);
    assert.throws(() => instrumentTools([] as never), /instrumentTools: tools must be an object of AI SDK tools keyed by name, got an array/);
    assert.throws(() => instrumentTools({ t: null as never }), /instrumentTool\("t"\): tool must be an AI SDK tool object, got null/);
    assert.throws(() => withAgentRun('', () => 1), /withAgentRun: name must be a non-empty string/);
    assert.throws(() => nemoFlowTelemetry({ agentName: '' }), /options\.agentName must be a non-empty string/);
  });

  it('streamText cancelled early (abortSignal after the first chunk) ends the LLM call and the agent run', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let sent = 0; // message_start, ping, the text block's start and first delta go out; the rest waits for the test
    server.enqueue(sseReply(text('One two three.'), { gate: () => (sent++ < 3 ? Promise.resolve() : held) }));
    const seen: string[] = [];
    const ctrl = new AbortController();
    let aborted = false;
    await withAgentRun('streamer', async () => {
      const r = streamText({ model: claude(), prompt: 'Count', abortSignal: ctrl.signal, onAbort: () => void (aborted = true) });
      for await (const t of r.textStream) {
        seen.push(t);
        ctrl.abort();
      }
    });
    release();
    assert.deepEqual(seen, ['One ']);
    assert.ok(aborted);
    assert.deepEqual(outline(events), ['start:agent:streamer', 'start:llm:anthropic.messages', 'end:llm:anthropic.messages', 'end:agent:streamer']);
    const end = ends(events, 'llm')[0]!;
    assert.equal(errorOf(end)?.type, 'AbortError', 'the LLM call ended with the abort');
    assert.equal(server.requests.length, 1);
  });

  it("time to first chunk counts to the first output, not to the SDK's stream-start (Anthropic)", async () => {
    // message_start and ping go out at once (the SDK emits stream-start for them); the text block 400 ms later.
    server.enqueue(sseReply(text('Hi!'), { gate: gateOnce(400, 1) }));
    assert.equal(await streamText({ model: claude(), prompt: 'Hello' }).text, 'Hi!');
    const ttfc = (profile(ends(events, 'llm')[0]!).transport as { time_to_first_chunk_ms?: number } | undefined)?.time_to_first_chunk_ms;
    assert.ok(typeof ttfc === 'number' && ttfc >= 400, `time to first chunk ${ttfc} ms`);
  });

  it('streamText with tools: streamed steps and tool calls under one agent (OpenAI)', async () => {
    server.enqueue(
      openaiChatStream({ toolCalls: [{ id: 'call_s', name: 'weather', args: { city: 'Rome' } }] }),
      openaiChatStream({ pieces: ['Rome ', 'is sunny.'], usage: { input: 44, output: 5 } }),
    );
    const text = await withAgentRun('stream-agent', async () => {
      const r = streamText({ model: gpt(), prompt: 'Rome?', tools: instrumentTools(weatherTools([])), stopWhen: isStepCount(3) });
      return r.text;
    });
    assert.equal(text, 'Rome is sunny.');
    assert.deepEqual(outline(events), [
      'start:agent:stream-agent',
      'start:llm:openai.chat',
      'end:llm:openai.chat',
      'start:tool:weather',
      'end:tool:weather',
      'start:llm:openai.chat',
      'end:llm:openai.chat',
      'end:agent:stream-agent',
    ]);
    const last = profile(ends(events, 'llm')[1]!).annotated_response as NormalizedResponse;
    assert.equal(last.text, 'Rome is sunny.');
    assert.equal(last.usage?.input_tokens, 44);
    assert.equal((profile(ends(events, 'llm')[0]!).annotated_response as NormalizedResponse).tool_calls[0]!.id, 'call_s');
  });

  it('structured output (generateText with Output.object) through the middleware', async () => {
    server.enqueue(openaiChatReply({ text: JSON.stringify({ name: 'Ada', age: 36 }) }));
    const { output } = await withAgentRun('extract', () =>
      generateText({ model: gpt(), output: Output.object({ schema: z.object({ name: z.string(), age: z.number() }) }), prompt: 'Ada, 36' }),
    );
    assert.deepEqual(output, { name: 'Ada', age: 36 });
    const req = profile(starts(events, 'llm')[0]!).annotated_request as NormalizedRequest;
    assert.equal((req.extra.responseFormat as { type: string }).type, 'json');
    assert.deepEqual(outline(events), ['start:agent:extract', 'start:llm:openai.chat', 'end:llm:openai.chat', 'end:agent:extract']);
  });

  it('generateObject (deprecated in ai 7, still supported) under nemoFlowTelemetry is one agent run', async () => {
    const previous = globalThis.AI_SDK_LOG_WARNINGS;
    globalThis.AI_SDK_LOG_WARNINGS = false; // the deprecation notice is not what this test is about
    server.enqueue(openaiChatReply({ text: JSON.stringify({ city: 'Oslo', celsius: -3 }) }));
    try {
      const { object } = await generateObject({
        model: gpt(),
        schema: z.object({ city: z.string(), celsius: z.number() }),
        prompt: 'Oslo, minus three',
        experimental_telemetry: { functionId: 'extractor', integrations: [nemoFlowTelemetry()] },
      });
      assert.deepEqual(object, { city: 'Oslo', celsius: -3 });
    } finally {
      globalThis.AI_SDK_LOG_WARNINGS = previous;
    }
    assert.deepEqual(outline(events), ['start:agent:extractor', 'start:llm:openai.chat', 'end:llm:openai.chat', 'end:agent:extractor']);
  });

  it('an abortSignal ends the LLM call and the agent run with the abort', async () => {
    const ctrl = new AbortController();
    server.respond(() => {
      ctrl.abort(new Error('user cancelled'));
      return undefined;
    });
    server.enqueue(openaiChatReply({ text: 'late' }));
    await assert.rejects(withAgentRun('aborted', () => generateText({ model: gpt(), prompt: 'x', abortSignal: ctrl.signal, maxRetries: 0 })));
    assert.deepEqual(outline(events), ['start:agent:aborted', 'start:llm:openai.chat', 'end:llm:openai.chat', 'end:agent:aborted']);
    assert.ok(errorOf(ends(events, 'llm')[0]!));
    assert.ok(errorOf(ends(events, 'agent')[0]!));
  });

  it('nemoFlowTelemetry: experimental_telemetry alone gives the same tree', async () => {
    server.enqueue(openaiChatReply({ toolCalls: [{ id: 'call_t', name: 'weather', args: { city: 'Lima' } }] }), openaiChatReply({ text: 'Lima: sunny.' }));
    const r = await generateText({
      model: gpt(),
      prompt: 'Lima?',
      tools: weatherTools([]),
      stopWhen: isStepCount(3),
      experimental_telemetry: { functionId: 'lima-agent', integrations: [nemoFlowTelemetry()] },
    });
    assert.equal(r.text, 'Lima: sunny.');
    assert.deepEqual(outline(events), [
      'start:agent:lima-agent',
      'start:llm:openai.chat',
      'end:llm:openai.chat',
      'start:tool:weather',
      'end:tool:weather',
      'start:llm:openai.chat',
      'end:llm:openai.chat',
      'end:agent:lima-agent',
    ]);
    assert.equal(profile(starts(events, 'tool')[0]!).tool_call_id, 'call_t');
    const [agent] = starts(events, 'agent');
    for (const e of scopeEvents(events).filter((x) => x.category !== 'agent')) assert.equal(e.parent_uuid, agent!.uuid);
  });

  it('nemoFlowTelemetry: streamText with a tool loop is one agent run too', async () => {
    server.enqueue(
      openaiChatStream({ toolCalls: [{ id: 'call_st', name: 'weather', args: { city: 'Nice' } }] }),
      openaiChatStream({ pieces: ['Nice ', 'is warm.'] }),
    );
    const r = streamText({
      model: gpt(),
      prompt: 'Nice?',
      tools: weatherTools([]),
      stopWhen: isStepCount(3),
      experimental_telemetry: { functionId: 'nice-agent', integrations: [nemoFlowTelemetry()] },
    });
    assert.equal(await r.text, 'Nice is warm.');
    await r.consumeStream();
    assert.deepEqual(outline(events), [
      'start:agent:nice-agent',
      'start:llm:openai.chat',
      'end:llm:openai.chat',
      'start:tool:weather',
      'end:tool:weather',
      'start:llm:openai.chat',
      'end:llm:openai.chat',
      'end:agent:nice-agent',
    ]);
    const [agent] = starts(events, 'agent');
    for (const e of scopeEvents(events).filter((x) => x.category !== 'agent')) assert.equal(e.parent_uuid, agent!.uuid);
  });

  it('nemoFlowTelemetry with instrumentTools records each tool call once; concurrent runs stay apart', async () => {
    server.respond((req) => {
      const body = req.body as { messages: { role: string; content: unknown }[] };
      const city = JSON.stringify(body.messages).includes('Paris') ? 'Paris' : 'Tokyo';
      const answered = body.messages.some((m) => m.role === 'tool');
      return answered ? openaiChatReply({ text: `${city}: fine.` }) : openaiChatReply({ toolCalls: [{ id: `call_${city}`, name: 'weather', args: { city } }] });
    });
    const run = (city: string) =>
      generateText({
        model: gpt(),
        prompt: `${city}?`,
        tools: instrumentTools(weatherTools([])),
        stopWhen: isStepCount(3),
        experimental_telemetry: { functionId: `agent-${city}`, integrations: [nemoFlowTelemetry()] },
      });
    const [a, b] = await Promise.all([run('Paris'), run('Tokyo')]);
    assert.equal(a.text, 'Paris: fine.');
    assert.equal(b.text, 'Tokyo: fine.');
    const agents = starts(events, 'agent');
    assert.equal(agents.length, 2);
    for (const agent of agents) {
      const city = agent.name.slice('agent-'.length);
      const children = scopeEvents(events).filter((e) => e.parent_uuid === agent.uuid && e.scope_category === 'start');
      assert.deepEqual(
        children.map((e) => `${e.category}:${e.name}`),
        ['llm:openai.chat', 'tool:weather', 'llm:openai.chat'],
      );
      assert.equal(profile(children[1]!).tool_call_id, `call_${city}`);
    }
    assert.equal(starts(events, 'tool').length, 2);
  });

  it('nemoFlowTelemetry: a failing run ends its agent scope with the error', async () => {
    registerLlmConditionalExecutionGuardrail('block-all', 0, () => 'blocked for the test');
    try {
      await assert.rejects(
        generateText({ model: gpt(), prompt: 'x', experimental_telemetry: { functionId: 'doomed', integrations: [nemoFlowTelemetry()] } }),
        GuardrailRejectedError,
      );
    } finally {
      deregisterLlmConditionalExecutionGuardrail('block-all');
    }
    assert.deepEqual(outline(events), ['start:agent:doomed', 'start:llm:openai.chat', 'end:llm:openai.chat', 'end:agent:doomed']);
    assert.equal(errorOf(ends(events, 'agent')[0]!)?.type, 'GuardrailRejectedError');
  });

  it('a tool that runs its own agent nests it under the tool call; ATIF makes it a subagent', async () => {
    server.enqueue(
      openaiChatReply({ toolCalls: [{ id: 'call_research', name: 'research', args: { topic: 'tea' } }] }),
      openaiChatReply({ text: 'Green tea has antioxidants.' }), // the sub-agent's answer
      openaiChatReply({ text: 'Done: antioxidants.' }),
    );
    const tools = instrumentTools({
      research: tool({
        description: 'Delegates to a research agent',
        inputSchema: z.object({ topic: z.string() }),
        execute: async ({ topic }) => (await withAgentRun('research-agent', () => generateText({ model: gpt(), prompt: `Research ${topic}` }))).text,
      }),
    });
    const r = await withAgentRun('lead-agent', () => generateText({ model: gpt(), prompt: 'Tea?', tools, stopWhen: isStepCount(3) }));
    assert.equal(r.text, 'Done: antioxidants.');
    const toolStart = starts(events, 'tool')[0]!;
    const sub = starts(events, 'agent').find((e) => e.name === 'research-agent')!;
    assert.equal(sub.parent_uuid, toolStart.uuid);
    const built = buildTrajectories(events);
    for (const t of built) assert.deepEqual(validateTrajectory(t.trajectory), []);
    const lead = built.find((t) => t.trajectory.agent.name === 'lead-agent')!;
    const refs = lead.trajectory.steps.flatMap((s) => s.observation?.results ?? []).flatMap((res) => res.subagent_trajectory_ref ?? []);
    assert.equal(refs.length, 1, 'the research agent is referenced as a subagent trajectory');
  });

  it("each call names its provider from the model's provider id, the AI Gateway's from the model id", async () => {
    // Models written against the AI SDK's provider interface, as a custom provider would be.
    const model = (provider: string, modelId: string): LanguageModelV4 => ({
      specificationVersion: 'v4',
      provider,
      modelId,
      supportedUrls: {},
      doGenerate: async () => ({
        content: [{ type: 'text', text: 'ok' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } },
        warnings: [],
      }),
      doStream: () => Promise.reject(new Error('not used')),
    });
    const cases: Array<[string, string, string]> = [
      ['google.generative-ai', 'gemini-2.5-flash', 'gcp.gemini'],
      ['google.vertex.chat', 'gemini-2.5-flash', 'gcp.vertex_ai'],
      ['amazon-bedrock', 'anthropic.claude-sonnet-4', 'aws.bedrock'],
      ['mistral.chat', 'mistral-large', 'mistral_ai'],
      ['gateway', 'xai/grok-4', 'x_ai'],
      ['ollama.chat', 'llama3.1', 'ollama'],
    ];
    for (const [provider, modelId] of cases) {
      await generateText({ model: wrapLanguageModel({ model: model(provider, modelId), middleware: nemoFlowMiddleware() }), prompt: 'Hi' });
    }
    const named = ends(events, 'llm').map((e) => (profile(e).transport as { provider_name?: string } | undefined)?.provider_name);
    assert.deepEqual(
      named,
      cases.map((c) => c[2]),
    );
  });

  it('exports the run over OTLP as one trace: agent → LLM and tool spans with GenAI attributes', async () => {
    const receiver = await startOtlpReceiver();
    const exporter = new OtelExporter({ endpoint: receiver.url });
    registerSubscriber('ai-sdk-otel', exporter);
    try {
      server.enqueue(openaiChatReply({ toolCalls: [{ id: 'call_o', name: 'weather', args: { city: 'Kyiv' } }] }), openaiChatReply({ text: 'Kyiv: sunny.' }));
      await withAgentRun('otel-agent', () =>
        generateText({ model: gpt(), prompt: 'Kyiv?', tools: instrumentTools(weatherTools([])), stopWhen: isStepCount(3) }),
      );
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(4);
      const root = spans.find((s) => s.parentSpanId === undefined)!;
      assert.match(root.name, /otel-agent/);
      for (const s of spans) {
        assert.equal(s.traceId, root.traceId);
        if (s !== root) assert.equal(s.parentSpanId, root.spanId);
      }
      const llm = spans.filter((s) => s.attributes['gen_ai.request.model'] === 'gpt-4o-mini');
      assert.equal(llm.length, 2);
      assert.equal(llm[0]!.attributes['gen_ai.usage.input_tokens'], 20);
      // The AI SDK's format is every provider's: the model's provider id names who served the call.
      assert.equal(llm[0]!.attributes['gen_ai.provider.name'], 'openai');
      const toolSpan = spans.find((s) => s.attributes['gen_ai.tool.call.id'] === 'call_o');
      assert.ok(toolSpan, 'tool span carries the call id');
    } finally {
      deregisterSubscriber('ai-sdk-otel');
      await exporter.shutdown({ timeoutMillis: 2000 });
      await receiver.close();
    }
  });
});
