/**
 * Other model paths: the Chat Completions model (generation spans), streaming seen by the
 * processor alone, and a processor that meets spans it cannot read without breaking the run.
 */
import { strict as assert } from 'node:assert';
import OpenAI from 'openai';
import { Agent, OpenAIProvider, tool, setTraceProcessors, setTracingDisabled, type Span, type SpanData } from '@openai/agents';
import { failureCounts, type ScopeEvent } from '@nemo-flow/runtime';
import { NemoFlowTracingProcessor, wrapModelProvider } from '@nemo-flow/openai-agents';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { chatCompletion, json, responseStream } from '../../../test/support/fake-providers/openai.js';
import { provider, runner } from './agent.js';
import { captureEvents, childrenOf, endOf, startOf } from './events.js';

describe('@nemo-flow/openai-agents: model paths', () => {
  let server: FakeServer;
  const chatProvider = (): OpenAIProvider =>
    new OpenAIProvider({ useResponses: false, openAIClient: new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 }) });
  before(async () => {
    server = await startFakeServer();
    setTraceProcessors([new NemoFlowTracingProcessor()]);
    setTracingDisabled(false);
  });
  after(async () => {
    setTraceProcessors([]);
    setTracingDisabled(true);
    await server.stop();
  });
  afterEach(() => server.reset());

  function chatTurns(): void {
    server.enqueue(
      json(chatCompletion({ id: 'chatcmpl-1', toolCalls: [{ id: 'call_c1', name: 'lookup', arguments: { q: 'x' } }], usage: { input: 12, output: 3 } })),
      json(chatCompletion({ id: 'chatcmpl-2', text: 'Found x.', usage: { input: 20, output: 4 } })),
    );
  }

  for (const wrapped of [false, true]) {
    it(`records Chat Completions model calls with the tool call id (${wrapped ? 'wrapped provider' : 'generation spans'})`, async () => {
      chatTurns();
      const lookup = tool({
        name: 'lookup',
        description: 'Look up',
        parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false },
        strict: true,
        execute: async () => 'x is found',
      });
      const agent = new Agent({ name: 'searcher', instructions: 'Search.', model: 'gpt-4o-mini', tools: [lookup] });
      const cap = captureEvents();
      try {
        const result = await runner(wrapped ? wrapModelProvider(chatProvider()) : chatProvider()).run(agent, 'find x');
        assert.equal(result.finalOutput, 'Found x.');
      } finally {
        cap.stop();
      }
      const root = startOf(cap.events, 'searcher');
      const kids = childrenOf(cap.events, root.uuid);
      assert.equal(kids.length, 3, kids.join(', '));
      assert.equal(kids[1], 'lookup(tool)');
      assert.deepEqual(startOf(cap.events, 'lookup').category_profile, { tool_call_id: 'call_c1' });
      const llmEnds = cap.events.filter((e): e is ScopeEvent => e.kind === 'scope' && e.category === 'llm' && e.scope_category === 'end');
      assert.equal(llmEnds.length, 2);
      const r = (llmEnds[0]!.category_profile as { annotated_response?: { tool_calls?: { id?: string; name?: string }[] } }).annotated_response;
      assert.equal(r?.tool_calls?.[0]?.name, 'lookup');
    });
  }

  it('records a streamed Responses run from its span (processor only)', async () => {
    server.enqueue({ kind: 'sse', events: responseStream({ id: 'resp_s2', text: ['Hi ', 'there'], usage: { input: 6, output: 2 } }) });
    const agent = new Agent({ name: 'streamer', instructions: 'Greet.', model: 'gpt-4o-mini' });
    const cap = captureEvents();
    try {
      const result = await runner(provider(server)).run(agent, 'hi', { stream: true });
      let text = '';
      for await (const chunk of result.toTextStream()) text += chunk;
      await result.completed;
      assert.equal(text, 'Hi there');
    } finally {
      cap.stop();
    }
    const end = endOf(cap.events, 'gpt-4o-mini-2024-07-18');
    assert.equal((end.data as { id: string }).id, 'resp_s2');
    assert.equal(end.parent_uuid, startOf(cap.events, 'streamer').uuid);
  });

  it('reports spans it cannot read and never throws into the SDK', async () => {
    const processor = new NemoFlowTracingProcessor();
    const count = (): number => failureCounts().find((f) => f.source === 'openai-agents:span-start')?.count ?? 0;
    const before = count();
    await processor.onSpanStart({
      spanId: 'span_bad',
      traceId: 't',
      parentId: null,
      startedAt: null,
      get spanData(): SpanData {
        throw new Error('unreadable');
      },
    } as unknown as Span<SpanData>);
    await processor.onSpanEnd({ spanId: 'span_unknown' } as unknown as Span<SpanData>);
    assert.equal(count(), before + 1);
  });
});
