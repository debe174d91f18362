/**
 * NemoFlowCallbackHandler on a real LangGraph ReAct agent (real @langchain/openai against the
 * loopback fake OpenAI server): the event tree by run ids, parallel and failing tools, streaming,
 * token usage, sessions, retrievers and concurrent runs.
 */
import { strict as assert } from 'node:assert';
import { BaseRetriever } from '@langchain/core/retrievers';
import { Document } from '@langchain/core/documents';
import { FakeLLM } from '@langchain/core/utils/testing';
import { ScopeType, deregisterSubscriber, registerSubscriber, withScope, type LifecycleEvent, type ScopeEvent } from '@nemo-flow/runtime';
import { NemoFlowCallbackHandler } from '@nemo-flow/langchain';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { chatModel, reactAgent, scriptAgent } from './agent.js';

function capture(): { events: ScopeEvent[]; stop: () => void } {
  const events: ScopeEvent[] = [];
  const name = `lc-capture-${Math.random()}`;
  registerSubscriber(name, (e: LifecycleEvent) => {
    if (e.kind === 'scope') events.push(e);
  });
  return { events, stop: () => deregisterSubscriber(name) };
}

const starts = (events: ScopeEvent[]) => events.filter((e) => e.scope_category === 'start');
const endOf = (events: ScopeEvent[], uuid: string) => events.find((e) => e.uuid === uuid && e.scope_category === 'end')!;
const byUuid = (events: ScopeEvent[]) => new Map(starts(events).map((e) => [e.uuid, e]));

/** The chain of scope names from the event up to its top-level scope. */
function path(events: ScopeEvent[], e: ScopeEvent): string[] {
  const m = byUuid(events);
  const out: string[] = [];
  for (let p: ScopeEvent | undefined = e; p; p = m.get(p.parent_uuid ?? '')) out.unshift(p.name);
  return out;
}

const QUESTION = { messages: [{ role: 'user', content: 'Weather and time in Paris?' }] };

describe('@nemo-flow/langchain: NemoFlowCallbackHandler on a LangGraph ReAct agent', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
  });
  afterEach(() => server.reset());
  after(() => server.stop());

  it('records the graph as an agent scope with node scopes, LLM calls and parallel tool calls (one failing)', async () => {
    scriptAgent(server, false);
    const cap = capture();
    const handler = new NemoFlowCallbackHandler();
    let answer: unknown;
    try {
      const out = await reactAgent(chatModel(server)).invoke(QUESTION, { callbacks: [handler], configurable: { thread_id: 'thread-7' } });
      answer = out.messages.at(-1)?.content;
    } finally {
      cap.stop();
    }
    assert.equal(answer, 'Sunny, 21 °C in Paris.');
    const ev = cap.events;
    const s = starts(ev);
    const root = s[0]!;
    assert.equal(root.category, 'agent');
    assert.deepEqual(root.metadata, { session_id: 'thread-7' });
    assert.equal(s.filter((e) => e.category === 'agent').length, 1, 'one top-level scope');

    const llms = s.filter((e) => e.category === 'llm');
    assert.equal(llms.length, 2);
    for (const l of llms) assert.deepEqual(path(ev, l).slice(0, 2), [root.name, 'agent'], 'LLM calls sit in the agent node');
    const turn1 = endOf(ev, llms[0]!.uuid);
    const resp = (
      turn1.category_profile as { annotated_response: { usage: Record<string, number>; tool_calls: { id: string; name: string }[]; finish_reason: string } }
    ).annotated_response;
    assert.equal(resp.usage['input_tokens'], 50);
    assert.equal(resp.usage['output_tokens'], 20);
    assert.deepEqual(
      resp.tool_calls.map((c) => [c.id, c.name]),
      [
        ['call_w', 'get_weather'],
        ['call_t', 'get_time'],
      ],
    );
    assert.equal(resp.finish_reason, 'tool_calls');
    const req2 = (llms[1]!.category_profile as { annotated_request: { messages: { role: string }[] } }).annotated_request;
    assert.deepEqual(
      req2.messages.map((m) => m.role),
      ['user', 'assistant', 'tool', 'tool'],
      'the second turn sees both tool results',
    );

    const tools = s.filter((e) => e.category === 'tool');
    assert.deepEqual(tools.map((t) => [t.name, (t.category_profile as { tool_call_id: string }).tool_call_id]).sort(), [
      ['get_time', 'call_t'],
      ['get_weather', 'call_w'],
    ]);
    for (const t of tools) assert.deepEqual(path(ev, t).slice(0, 2), [root.name, 'tools'], 'both parallel tool calls sit in the tools node');
    const weather = tools.find((t) => t.name === 'get_weather')!;
    assert.deepEqual(weather.data, { city: 'Paris' });
    assert.equal(endOf(ev, weather.uuid).data, 'Sunny, 21 °C in Paris');
    const time = endOf(ev, tools.find((t) => t.name === 'get_time')!.uuid);
    assert.equal(time.status, 'error');
    assert.match(time.error!.message, /clock service unavailable/);

    // Every start has its end, and the handler forgot every run.
    assert.equal(ev.filter((e) => e.scope_category === 'end').length, s.length);
    assert.equal(handler.openRuns, 0);
    const nodes = s.filter((e) => (e.metadata as { langgraph_node?: string } | null)?.langgraph_node !== undefined).map((e) => e.name);
    assert.deepEqual(nodes, ['agent', 'tools', 'agent']);
  });

  it('streaming (streamMode "messages"): tokens stream through, time to first chunk and usage recorded', async () => {
    scriptAgent(server, true);
    const cap = capture();
    const tokens: string[] = [];
    try {
      const stream = await reactAgent(chatModel(server)).stream(QUESTION, { callbacks: [new NemoFlowCallbackHandler()], streamMode: 'messages' });
      for await (const [chunk] of stream) if (typeof chunk.content === 'string' && chunk.content && chunk.getType() === 'ai') tokens.push(chunk.content);
    } finally {
      cap.stop();
    }
    assert.deepEqual(tokens, ['Sunny, ', '21 °C in Paris.']);
    const llms = starts(cap.events).filter((e) => e.category === 'llm');
    assert.equal(llms.length, 2);
    const end = endOf(cap.events, llms[1]!.uuid);
    const profile = end.category_profile as {
      annotated_response: { text: string; usage: Record<string, number> };
      transport?: { time_to_first_chunk_ms?: number };
    };
    assert.equal(profile.annotated_response.text, 'Sunny, 21 °C in Paris.');
    assert.equal(profile.annotated_response.usage['output_tokens'], 9);
    assert.equal(typeof profile.transport?.time_to_first_chunk_ms, 'number');
    assert.ok(profile.transport!.time_to_first_chunk_ms! >= 0);
  });

  it('concurrent runs in one async context nest by run id, each under its own agent scope', async () => {
    // Two agents answered by one responder keyed on the question, run at once inside one scope.
    server.respond((req) => {
      const body = req.body as { messages: { role: string; content: string }[] };
      const q = body.messages[0]!.content;
      const last = body.messages.at(-1)!;
      if (last.role === 'tool')
        return {
          kind: 'json',
          body: {
            id: 'c',
            object: 'chat.completion',
            created: 1,
            model: 'gpt-4o-mini',
            choices: [{ index: 0, message: { role: 'assistant', content: `done ${q}` }, finish_reason: 'stop' }],
          },
        };
      return {
        kind: 'json',
        body: {
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: 'gpt-4o-mini',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: null,
                tool_calls: [{ id: `call_${q}`, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city: q }) } }],
              },
              finish_reason: 'tool_calls',
            },
          ],
        },
      };
    });
    const cap = capture();
    const handler = new NemoFlowCallbackHandler();
    try {
      await withScope('batch', ScopeType.Function, () =>
        Promise.all(
          ['Oslo', 'Rome'].map((city) =>
            reactAgent(chatModel(server)).invoke({ messages: [{ role: 'user', content: city }] }, { callbacks: [handler], runName: `agent-${city}` }),
          ),
        ),
      );
    } finally {
      cap.stop();
    }
    const ev = cap.events;
    for (const city of ['Oslo', 'Rome']) {
      const tool = starts(ev).find((e) => e.category === 'tool' && (e.data as { city: string }).city === city)!;
      assert.deepEqual(path(ev, tool), ['batch', `agent-${city}`, 'tools', 'get_weather']);
    }
    assert.equal(handler.openRuns, 0);
  });

  it('retrievers become retriever scopes with their documents', async () => {
    class Docs extends BaseRetriever {
      override lc_namespace = ['test'];
      override async _getRelevantDocuments(query: string): Promise<Document[]> {
        return [new Document({ pageContent: `about ${query}`, metadata: { source: 'kb' }, id: 'd1' })];
      }
    }
    const cap = capture();
    try {
      await new Docs().invoke('tea', { callbacks: [new NemoFlowCallbackHandler()], runName: 'kb' });
    } finally {
      cap.stop();
    }
    const [start] = starts(cap.events);
    assert.equal(start!.category, 'retriever');
    assert.deepEqual(start!.data, { query: 'tea' });
    assert.deepEqual(endOf(cap.events, start!.uuid).data, { documents: [{ id: 'd1', page_content: 'about tea', metadata: { source: 'kb' } }] });
  });

  it('captureContent: false keeps names and usage, drops prompts and completions', async () => {
    scriptAgent(server, false);
    const cap = capture();
    try {
      await reactAgent(chatModel(server)).invoke(QUESTION, { callbacks: [new NemoFlowCallbackHandler({ captureContent: false, agentName: 'weather' })] });
    } finally {
      cap.stop();
    }
    const s = starts(cap.events);
    assert.equal(s[0]!.name, 'weather');
    assert.equal(s[0]!.data, null);
    const llm = s.find((e) => e.category === 'llm')!;
    assert.equal(llm.data, null);
    const end = endOf(cap.events, llm.uuid);
    assert.equal(end.data, null);
    assert.equal((end.category_profile as { annotated_response: { usage: Record<string, number> } }).annotated_response.usage['input_tokens'], 50);
    const tool = s.find((e) => e.name === 'get_weather')!;
    assert.equal(tool.data, null);
    assert.equal(endOf(cap.events, tool.uuid).data, null);
    assert.equal((tool.category_profile as { tool_call_id: string }).tool_call_id, 'call_w');
  });

  it('keeps cached and reasoning token counts', async () => {
    server.enqueue({
      kind: 'json',
      body: {
        id: 'chatcmpl-u',
        object: 'chat.completion',
        created: 1,
        model: 'o4-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: 100,
          completion_tokens: 30,
          total_tokens: 130,
          prompt_tokens_details: { cached_tokens: 64 },
          completion_tokens_details: { reasoning_tokens: 12 },
        },
      },
    });
    const cap = capture();
    try {
      await chatModel(server).invoke('hi', { callbacks: [new NemoFlowCallbackHandler()] });
    } finally {
      cap.stop();
    }
    const end = cap.events.find((e) => e.category === 'llm' && e.scope_category === 'end')!;
    const usage = (end.category_profile as { annotated_response: { usage: Record<string, number> } }).annotated_response.usage;
    assert.deepEqual([usage['input_tokens'], usage['output_tokens'], usage['cache_read_tokens'], usage['reasoning_tokens']], [100, 30, 64, 12]);
  });

  it('a completion model (LLM) is an LLM call; its error ends the call with the error', async () => {
    const cap = capture();
    try {
      await new FakeLLM({}).invoke('ping', { callbacks: [new NemoFlowCallbackHandler()] });
      await assert.rejects(
        new FakeLLM({ thrownErrorString: 'model overloaded' }).invoke('ping', { callbacks: [new NemoFlowCallbackHandler()] }),
        /model overloaded/,
      );
    } finally {
      cap.stop();
    }
    const llms = starts(cap.events).filter((e) => e.category === 'llm');
    assert.equal(llms.length, 2);
    const ok = endOf(cap.events, llms[0]!.uuid);
    assert.equal((ok.category_profile as { annotated_response: { text: string } }).annotated_response.text, 'ping');
    const failed = endOf(cap.events, llms[1]!.uuid);
    assert.equal(failed.status, 'error');
    assert.match(failed.error!.message, /model overloaded/);
  });
});
