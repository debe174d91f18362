/**
 * wrapTool / wrapTools / wrapChatModel: NeMo Flow middleware acting on a real LangGraph agent
 * (real @langchain/openai against the loopback fake OpenAI server), with and without the handler.
 */
import { strict as assert } from 'node:assert';
import {
  GuardrailRejectedError,
  deregisterLlmConditionalExecutionGuardrail,
  deregisterLlmRequestIntercept,
  deregisterSubscriber,
  deregisterToolConditionalExecutionGuardrail,
  deregisterToolExecutionIntercept,
  deregisterToolRequestIntercept,
  deregisterToolSanitizeRequestGuardrail,
  registerLlmConditionalExecutionGuardrail,
  registerLlmRequestIntercept,
  registerSubscriber,
  registerToolConditionalExecutionGuardrail,
  registerToolExecutionIntercept,
  registerToolRequestIntercept,
  registerToolSanitizeRequestGuardrail,
  type LifecycleEvent,
  type ScopeEvent,
} from '@nemo-flow/runtime';
import { NemoFlowCallbackHandler, wrapChatModel, wrapTool, wrapTools } from '@nemo-flow/langchain';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { chatStream } from '../../../test/support/fake-providers/openai.js';
import { chatModel, getTime, getWeather, reactAgent, scriptAgent } from './agent.js';

function capture(): { events: ScopeEvent[]; stop: () => void } {
  const events: ScopeEvent[] = [];
  registerSubscriber('lc-mw', (e: LifecycleEvent) => {
    if (e.kind === 'scope') events.push(e);
  });
  return { events, stop: () => deregisterSubscriber('lc-mw') };
}

const QUESTION = { messages: [{ role: 'user', content: 'Weather and time in Paris?' }] };

interface SentBody {
  messages: { role: string; content: string; tool_call_id?: string }[];
}

describe('@nemo-flow/langchain: middleware on LangChain tools and chat models', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
  });
  afterEach(() => server.reset());
  after(() => server.stop());

  it('wrapTools: a guardrail blocks one tool, an intercept rewrites the other’s args, the ids stay; recorded once with the handler', async () => {
    scriptAgent(server, false);
    const seen: unknown[] = [];
    registerToolConditionalExecutionGuardrail('no-time', 10, (name) => (name === 'get_time' ? 'time lookups are disabled' : undefined));
    registerToolRequestIntercept('city-upper', 10, (_name, args) => ({ ...(args as { city: string }), city: (args as { city: string }).city.toUpperCase() }));
    registerToolSanitizeRequestGuardrail('hide-city', 10, (_name, args) => ({ ...(args as object), city: '[city]' }));
    const cap = capture();
    const handler = new NemoFlowCallbackHandler();
    try {
      const spy = wrapTool(getWeather);
      const tools = wrapTools([spy, getTime]);
      registerToolExecutionIntercept('spy', 10, async (args, next) => {
        seen.push(args);
        return next(args);
      });
      await reactAgent(chatModel(server), tools).invoke(QUESTION, { callbacks: [handler] });
    } finally {
      cap.stop();
      deregisterToolConditionalExecutionGuardrail('no-time');
      deregisterToolRequestIntercept('city-upper');
      deregisterToolSanitizeRequestGuardrail('hide-city');
      deregisterToolExecutionIntercept('spy');
    }
    assert.deepEqual(seen, [{ city: 'PARIS' }], 'the blocked tool never ran; the other got the rewritten args');
    const toolMessages = (server.requests[1]!.body as SentBody).messages.filter((m) => m.role === 'tool');
    assert.deepEqual(
      toolMessages.map((m) => m.tool_call_id),
      ['call_w', 'call_t'],
    );
    assert.equal(toolMessages[0]!.content, 'Sunny, 21 °C in PARIS');
    assert.match(toolMessages[1]!.content, /time lookups are disabled/);

    const tools = cap.events.filter((e) => e.category === 'tool' && e.scope_category === 'start');
    assert.deepEqual(tools.map((t) => t.name).sort(), ['get_time', 'get_weather'], 'one call per tool: the handler adopted the managed ones');
    const weather = tools.find((t) => t.name === 'get_weather')!;
    assert.deepEqual(weather.data, { city: '[city]' }, 'sanitizers shape what is recorded');
    assert.equal((weather.category_profile as { tool_call_id: string }).tool_call_id, 'call_w');
    const parent = cap.events.find((e) => e.uuid === weather.parent_uuid && e.scope_category === 'start')!;
    assert.equal(parent.name, 'tools', 'the managed call sits under the graph node that ran it');
    const blocked = cap.events.find((e) => e.name === 'get_time' && e.scope_category === 'end')!;
    assert.equal(blocked.error?.type, 'GuardrailRejectedError');
    assert.equal(handler.openRuns, 0);
  });

  it('wrapChatModel: a guardrail blocks before any request is sent', async () => {
    registerLlmConditionalExecutionGuardrail('no-secrets', 10, (request) =>
      JSON.stringify((request.content as SentBody).messages).includes('password') ? 'prompt contains a password' : undefined,
    );
    try {
      await assert.rejects(
        wrapChatModel(chatModel(server)).invoke('my password is hunter2'),
        (err: unknown) => err instanceof GuardrailRejectedError && /password/.test(err.reason),
      );
    } finally {
      deregisterLlmConditionalExecutionGuardrail('no-secrets');
    }
    assert.equal(server.requests.length, 0);
  });

  it('wrapChatModel: request intercepts change what is sent; with the handler the call is recorded once, under its node', async () => {
    scriptAgent(server, false);
    registerLlmRequestIntercept('system-prompt', 10, ({ request }) => {
      const content = request.content as SentBody;
      return { request: { ...request, content: { ...content, messages: [{ role: 'system', content: 'Be brief.' }, ...content.messages] } } };
    });
    const cap = capture();
    const handler = new NemoFlowCallbackHandler();
    try {
      const out = await reactAgent(wrapChatModel(chatModel(server))).invoke(QUESTION, { callbacks: [handler] });
      assert.equal(out.messages.at(-1)?.content, 'Sunny, 21 °C in Paris.');
    } finally {
      cap.stop();
      deregisterLlmRequestIntercept('system-prompt');
    }
    for (const r of server.requests) assert.deepEqual((r.body as SentBody).messages[0], { role: 'system', content: 'Be brief.' });
    const llms = cap.events.filter((e) => e.category === 'llm' && e.scope_category === 'start');
    assert.equal(llms.length, 2, 'one LLM call per model call');
    for (const l of llms) {
      const parents = cap.events.filter((e) => e.scope_category === 'start');
      let p = parents.find((e) => e.uuid === l.parent_uuid);
      while (p && !(p.metadata as { langgraph_node?: string } | null)?.langgraph_node) p = parents.find((e) => e.uuid === p!.parent_uuid);
      assert.equal(p?.name, 'agent');
    }
    const end = cap.events.find((e) => e.uuid === llms[0]!.uuid && e.scope_category === 'end')!;
    assert.equal((end.category_profile as { annotated_response: { usage: Record<string, number> } }).annotated_response.usage['input_tokens'], 50);
    assert.equal(handler.openRuns, 0);
  });

  it('wrapChatModel streams through the pipeline (model.stream), usage and text on the end event', async () => {
    server.enqueue({ kind: 'sse', events: chatStream({ text: ['Hel', 'lo'], usage: { input: 5, output: 2 } }) });
    const cap = capture();
    const parts: string[] = [];
    try {
      for await (const c of await wrapChatModel(chatModel(server)).stream('hi')) parts.push(String(c.content));
    } finally {
      cap.stop();
    }
    assert.equal(parts.join(''), 'Hello');
    const end = cap.events.find((e) => e.category === 'llm' && e.scope_category === 'end')!;
    const profile = end.category_profile as {
      annotated_response: { text: string; usage: Record<string, number> };
      transport?: { time_to_first_chunk_ms?: number };
    };
    assert.equal(profile.annotated_response.text, 'Hello');
    assert.equal(profile.annotated_response.usage['input_tokens'], 5);
    assert.equal(typeof profile.transport?.time_to_first_chunk_ms, 'number');
  });

  it('wrapChatModel in a streamed graph with the handler: one call per turn, streamed through the pipeline', async () => {
    scriptAgent(server, true);
    const cap = capture();
    const handler = new NemoFlowCallbackHandler();
    const tokens: string[] = [];
    try {
      const stream = await reactAgent(wrapChatModel(chatModel(server))).stream(QUESTION, { callbacks: [handler], streamMode: 'messages' });
      for await (const [chunk] of stream) if (chunk.getType() === 'ai' && typeof chunk.content === 'string' && chunk.content) tokens.push(chunk.content);
    } finally {
      cap.stop();
    }
    assert.deepEqual(tokens, ['Sunny, ', '21 °C in Paris.']);
    const llms = cap.events.filter((e) => e.category === 'llm' && e.scope_category === 'start');
    assert.equal(llms.length, 2, 'one LLM call per turn');
    assert.ok(
      llms.every((l) => l.attributes.includes('streaming')),
      'run as managed streams',
    );
    const end = cap.events.find((e) => e.uuid === llms[1]!.uuid && e.scope_category === 'end')!;
    const profile = end.category_profile as {
      annotated_response: { text: string; usage: Record<string, number> };
      transport?: { time_to_first_chunk_ms?: number };
    };
    assert.equal(profile.annotated_response.text, 'Sunny, 21 °C in Paris.');
    assert.equal(profile.annotated_response.usage['output_tokens'], 9);
    assert.equal(typeof profile.transport?.time_to_first_chunk_ms, 'number');
    assert.equal(handler.openRuns, 0);
  });

  it('bad arguments are clear errors', () => {
    assert.throws(() => wrapTool(42 as never), /wrapTool: tool must be a LangChain tool .* got 42/);
    assert.throws(() => wrapTools('x' as never), /wrapTools: tools must be an array/);
    assert.throws(() => wrapChatModel({} as never), /wrapChatModel: model must be a LangChain chat model/);
  });
});
