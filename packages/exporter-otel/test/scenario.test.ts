/**
 * A demo-like agent run driven through the real runtime API, exported over real OTLP/HTTP (both
 * encodings) and decoded by the receiver with the official schema: tree, names, kinds, attributes,
 * status and events as a backend (Jaeger, Tempo, a collector) would get them.
 */
import { strict as assert } from 'node:assert';
import {
  ScopeType,
  createScopeStack,
  deregisterToolConditionalExecutionGuardrail,
  llmCallExecute,
  llmStreamCallExecute,
  mark,
  registerToolConditionalExecutionGuardrail,
  runWithScopeStack,
  toolCallExecute,
  withScope,
} from '@nemo-flow/runtime';
import { OtelExporter, traceContextMetadata, type OtlpProtocol } from '@nemo-flow/exporter-otel';
import { childrenOf, renderTree, spanNamed, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';

const MODEL = 'gpt-4o-mini';

const TOOLS = [
  {
    type: 'function',
    function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  },
  { type: 'function', function: { name: 'book_flight', description: 'Book a flight', parameters: { type: 'object', properties: { to: { type: 'string' } } } } },
];

function chatRequest(user: string, extra: Record<string, unknown> = {}) {
  return {
    headers: { 'content-type': 'application/json' },
    content: {
      model: MODEL,
      messages: [
        { role: 'system', content: 'You are a travel agent.' },
        { role: 'user', content: user },
      ],
      tools: TOOLS,
      temperature: 0.3,
      max_tokens: 512,
      ...extra,
    },
  };
}

const TOOL_TURN = {
  id: 'chatcmpl-turn1',
  object: 'chat.completion',
  created: 1_760_000_000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_flight', type: 'function', function: { name: 'book_flight', arguments: '{"to":"CDG"}' } },
        ],
      },
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 52, completion_tokens: 18, total_tokens: 70, prompt_tokens_details: { cached_tokens: 10 } },
};

function textResponse(id: string, text: string) {
  return {
    id,
    object: 'chat.completion',
    created: 1_760_000_001,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 30, completion_tokens: 6, total_tokens: 36 },
  };
}

async function* streamChunks() {
  const base = { id: 'chatcmpl-stream', object: 'chat.completion.chunk', created: 1_760_000_002, model: 'gpt-4o-mini-2024-07-18' };
  yield { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Paris is ' }, finish_reason: null }] };
  await Promise.resolve();
  yield { ...base, choices: [{ index: 0, delta: { content: 'sunny.' }, finish_reason: null }] };
  yield { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
  yield { ...base, choices: [], usage: { prompt_tokens: 80, completion_tokens: 4, total_tokens: 84 } };
}

/** The demo-like run: LLM turn with tool calls, tools (one failing, one rejected), a sub-agent, a streamed turn, marks. */
async function travelAgentRun(session: string): Promise<string> {
  return withScope(
    'travel-agent',
    ScopeType.Agent,
    async () => {
      mark('run.started', { data: { goal: 'trip' } });
      await llmCallExecute('openai.chat', chatRequest('Plan a trip to Paris'), async () => TOOL_TURN, { codec: 'auto' });
      await toolCallExecute('get_weather', { city: 'Paris' }, async () => ({ temp_c: 21, sky: 'clear' }), { toolCallId: 'call_weather' });
      await toolCallExecute(
        'book_flight',
        { to: 'CDG' },
        async () => {
          throw new RangeError('no seats left');
        },
        { toolCallId: 'call_flight' },
      ).catch(() => undefined);
      await toolCallExecute('shell', { cmd: 'rm -rf /' }, async () => 'never runs').catch(() => undefined);
      await withScope('researcher', ScopeType.Agent, async () => {
        await llmCallExecute('openai.chat', chatRequest('Find museums'), async () => textResponse('chatcmpl-sub', 'Louvre.'), { codec: 'auto' });
        await toolCallExecute('search', { q: 'museums paris' }, async () => ['Louvre', "Musée d'Orsay"]);
      });
      const stream = await llmStreamCallExecute('openai.chat', chatRequest('Summarize', { stream: true }), () => streamChunks(), { codec: 'auto' });
      let text = '';
      for await (const chunk of stream) text += (chunk as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '';
      mark('run.finished');
      return text;
    },
    { metadata: { session_id: session, user_id: 'alice' } },
  );
}

/** What an HTTP client in service A would send: the current scope's trace headers. */
function exporterHeaders(exporter: OtelExporter): Record<string, string> {
  const h = exporter.traceparentFor();
  assert.ok(h, 'a traceparent inside the tool call');
  return h.tracestate ? { traceparent: h.traceparent, tracestate: h.tracestate } : { traceparent: h.traceparent };
}

function byName(spans: readonly ReceivedSpan[], name: string): ReceivedSpan[] {
  return spans.filter((s) => s.name === name);
}

describe('exporter-otel: agent run through the runtime, on the wire', () => {
  let receiver: OtlpReceiver;
  before(() => {
    registerToolConditionalExecutionGuardrail('no-shell', 0, (name) => (name === 'shell' ? 'shell commands are not allowed' : undefined));
  });
  after(() => {
    deregisterToolConditionalExecutionGuardrail('no-shell');
  });
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  for (const protocol of ['http/protobuf', 'http/json'] as OtlpProtocol[]) {
    it(`exports the run as one correct trace (${protocol})`, async () => {
      const exporter = new OtelExporter({
        endpoint: receiver.url,
        protocol,
        serviceName: 'travel-demo',
        resourceAttributes: { 'deployment.environment': 'test' },
      });
      exporter.register('otel-scenario');
      try {
        const text = await travelAgentRun('sess-1');
        assert.equal(text, 'Paris is sunny.');
        await exporter.forceFlush();
        const spans = await receiver.waitForSpans(9);
        assert.equal(spans.length, 9, renderTree(spans));
        assert.ok(spans.every((s) => s.encoding === (protocol === 'http/json' ? 'json' : 'protobuf')));
        assert.equal(new Set(spans.map((s) => s.traceId)).size, 1, 'one trace');
        assert.deepEqual(renderTree(spans).split('\n'), [
          'invoke_agent travel-agent',
          '  chat gpt-4o-mini',
          '  execute_tool get_weather',
          '  execute_tool book_flight',
          '  execute_tool shell',
          '  invoke_agent researcher',
          '    chat gpt-4o-mini',
          '    execute_tool search',
          '  chat gpt-4o-mini',
        ]);
        // Resource from options.
        assert.equal(spans[0]!.resource['service.name'], 'travel-demo');
        assert.equal(spans[0]!.resource['deployment.environment'], 'test');

        const root = spanNamed(spans, 'invoke_agent travel-agent');
        assert.equal(root.parentSpanId, undefined);
        assert.equal(root.attributes['gen_ai.agent.name'], 'travel-agent');
        assert.deepEqual(
          root.events.map((e) => e.name),
          ['run.started', 'run.finished'],
        );
        for (const s of spans) assert.equal(s.attributes['gen_ai.conversation.id'], 'sess-1', `${s.name} carries the conversation id`);

        const [turn1, , , , , stream] = childrenOf(spans, root);
        assert.equal(turn1!.kind, 'CLIENT');
        assert.equal(turn1!.attributes['gen_ai.provider.name'], 'openai');
        assert.equal(turn1!.attributes['gen_ai.request.model'], MODEL);
        assert.equal(turn1!.attributes['gen_ai.request.temperature'], 0.3);
        assert.equal(turn1!.attributes['gen_ai.request.max_tokens'], 512);
        assert.equal(turn1!.attributes['gen_ai.response.id'], 'chatcmpl-turn1');
        assert.equal(turn1!.attributes['gen_ai.response.model'], 'gpt-4o-mini-2024-07-18');
        assert.deepEqual(turn1!.attributes['gen_ai.response.finish_reasons'], ['tool_calls']);
        assert.equal(turn1!.attributes['gen_ai.usage.input_tokens'], 52);
        assert.equal(turn1!.attributes['gen_ai.usage.output_tokens'], 18);
        assert.equal(turn1!.attributes['gen_ai.usage.cache_read.input_tokens'], 10);
        assert.equal(turn1!.attributes['gen_ai.input.messages'], undefined, 'no content by default');

        assert.equal(stream!.name, 'chat gpt-4o-mini');
        assert.equal(stream!.attributes['gen_ai.request.stream'], true);
        assert.deepEqual(stream!.attributes['nemo_flow.attributes'], ['streaming']);
        assert.equal(stream!.attributes['gen_ai.response.id'], 'chatcmpl-stream');
        assert.deepEqual(stream!.attributes['gen_ai.response.finish_reasons'], ['stop']);
        assert.equal(stream!.attributes['gen_ai.usage.output_tokens'], 4);
        assert.equal(stream!.status.code, 'UNSET');

        const weather = spanNamed(spans, 'execute_tool get_weather');
        assert.equal(weather.attributes['gen_ai.tool.call.id'], 'call_weather');
        assert.equal(weather.status.code, 'UNSET');

        const flight = spanNamed(spans, 'execute_tool book_flight');
        assert.deepEqual(flight.status, { code: 'ERROR', message: 'no seats left' });
        assert.equal(flight.attributes['error.type'], 'RangeError');
        assert.deepEqual(
          flight.events.map((e) => [e.name, e.attributes['exception.type'], e.attributes['exception.message']]),
          [['exception', 'RangeError', 'no seats left']],
        );

        const shell = spanNamed(spans, 'execute_tool shell');
        assert.equal(shell.status.code, 'ERROR');
        assert.equal(shell.attributes['nemo_flow.guardrail'], 'no-shell');
        assert.equal(shell.events[0]!.attributes['exception.type'], 'GuardrailRejectedError');

        const sub = spanNamed(spans, 'invoke_agent researcher');
        assert.equal(sub.parentSpanId, root.spanId);
        assert.deepEqual(
          childrenOf(spans, sub).map((s) => s.name),
          ['chat gpt-4o-mini', 'execute_tool search'],
        );

        // Children sit inside their parents in time.
        for (const s of spans) {
          const parent = spans.find((p) => p.spanId === s.parentSpanId);
          if (!parent) continue;
          assert.ok(s.startTimeUnixNano >= parent.startTimeUnixNano && s.endTimeUnixNano <= parent.endTimeUnixNano, `${s.name} within ${parent.name}`);
        }
      } finally {
        await exporter.shutdown();
      }
    });
  }

  it('captures prompts, completions, tool arguments and results only when asked', async () => {
    const exporter = new OtelExporter({ endpoint: receiver.url, captureContent: true }).register('otel-content');
    try {
      await travelAgentRun('sess-2');
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(9);
      const root = spanNamed(spans, 'invoke_agent travel-agent');
      const turn1 = childrenOf(spans, root)[0]!;
      const input = JSON.parse(turn1.attributes['gen_ai.input.messages'] as string) as { role: string; parts: { type: string; content?: string }[] }[];
      assert.deepEqual(
        input.map((m) => [m.role, m.parts[0]?.type, m.parts[0]?.content]),
        [
          ['system', 'text', 'You are a travel agent.'],
          ['user', 'text', 'Plan a trip to Paris'],
        ],
      );
      const output = JSON.parse(turn1.attributes['gen_ai.output.messages'] as string) as {
        role: string;
        finish_reason: string;
        parts: Record<string, unknown>[];
      }[];
      assert.equal(output[0]!.role, 'assistant');
      assert.equal(output[0]!.finish_reason, 'tool_calls');
      assert.deepEqual(
        output[0]!.parts.map((p) => [p['type'], p['id'], p['name']]),
        [
          ['tool_call', 'call_weather', 'get_weather'],
          ['tool_call', 'call_flight', 'book_flight'],
        ],
      );
      const defs = JSON.parse(turn1.attributes['gen_ai.tool.definitions'] as string) as { name: string }[];
      assert.deepEqual(
        defs.map((d) => d.name),
        ['get_weather', 'book_flight'],
      );
      const weather = spanNamed(spans, 'execute_tool get_weather');
      assert.deepEqual(JSON.parse(weather.attributes['gen_ai.tool.call.arguments'] as string), { city: 'Paris' });
      assert.deepEqual(JSON.parse(weather.attributes['gen_ai.tool.call.result'] as string), { temp_c: 21, sky: 'clear' });
      const stream = byName(spans, 'chat gpt-4o-mini').find((s) => s.attributes['gen_ai.request.stream'] === true)!;
      const streamed = JSON.parse(stream.attributes['gen_ai.output.messages'] as string) as { parts: { content?: string }[] }[];
      assert.equal(streamed[0]!.parts[0]!.content, 'Paris is sunny.');
      assert.equal(root.attributes['nemo_flow.output'], 'Paris is sunny.');
    } finally {
      await exporter.shutdown();
    }
  });

  it('gives the traceparent of the current scope, for an outgoing call made inside a tool', async () => {
    const exporter = new OtelExporter({ endpoint: receiver.url }).register('otel-propagation');
    try {
      let outgoing: string | undefined;
      let outside: string | undefined;
      await withScope('caller', ScopeType.Agent, async (scope) => {
        outside = exporter.traceparentFor(scope)?.traceparent;
        await toolCallExecute('http_get', { url: 'http://service-b/plan' }, async () => {
          outgoing = exporter.traceparentFor()?.traceparent; // what an HTTP client would send
        });
      });
      assert.equal(exporter.traceparentFor(), undefined, 'no scope, no traceparent');
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(2);
      const tool = spanNamed(spans, 'execute_tool http_get');
      const caller = spanNamed(spans, 'invoke_agent caller');
      assert.equal(outgoing, `00-${tool.traceId}-${tool.spanId}-01`);
      assert.equal(outside, `00-${caller.traceId}-${caller.spanId}-01`);
    } finally {
      await exporter.shutdown();
    }
  });

  it('continues a trace in another service from the traceparent it was sent', async () => {
    const serviceA = new OtelExporter({ endpoint: receiver.url, serviceName: 'service-a' }).register('otel-a');
    const serviceB = new OtelExporter({ endpoint: receiver.url, serviceName: 'service-b' }).register('otel-b');
    // Service B's request handler, on a scope stack of its own as in another process: reads the
    // incoming headers into the run's metadata.
    const handleInB = (headers: Record<string, string>) =>
      runWithScopeStack(createScopeStack(), () =>
        withScope('planner', ScopeType.Agent, () => toolCallExecute('plan', {}, () => 'ok'), { metadata: traceContextMetadata(headers) }),
      );
    try {
      await withScope('frontdesk', ScopeType.Agent, () => toolCallExecute('call_planner', {}, async () => handleInB({ ...exporterHeaders(serviceA) })));
      await Promise.all([serviceA.forceFlush(), serviceB.forceFlush()]);
      const spans = await receiver.waitForSpans(8);
      const inA = spans.filter((s) => s.resource['service.name'] === 'service-a');
      const inB = spans.filter((s) => s.resource['service.name'] === 'service-b');
      const callTool = spanNamed(inA, 'execute_tool call_planner');
      const plannerRoot = spanNamed(inB, 'invoke_agent planner');
      assert.equal(plannerRoot.traceId, callTool.traceId, 'one trace across both services');
      assert.equal(plannerRoot.parentSpanId, callTool.spanId);
      assert.equal(spanNamed(inB, 'execute_tool plan').parentSpanId, plannerRoot.spanId);
    } finally {
      await Promise.all([serviceA.shutdown(), serviceB.shutdown()]);
    }
  });

  it('keeps two concurrent runs in separate, correct trees', async () => {
    const exporter = new OtelExporter({ endpoint: receiver.url }).register('otel-concurrent');
    try {
      const run = (who: string, delays: number[]) =>
        withScope(`agent-${who}`, ScopeType.Agent, async () => {
          for (const [i, d] of delays.entries()) {
            await toolCallExecute(`step-${who}-${i}`, { i }, () => new Promise((r) => setTimeout(() => r(i), d)));
          }
          await withScope(`inner-${who}`, ScopeType.Function, () => toolCallExecute(`leaf-${who}`, {}, () => new Promise((r) => setImmediate(r))));
        });
      await Promise.all([run('a', [5, 1, 3]), run('b', [1, 4, 1])]);
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(12);
      const ra = spanNamed(spans, 'invoke_agent agent-a');
      const rb = spanNamed(spans, 'invoke_agent agent-b');
      assert.notEqual(ra.traceId, rb.traceId);
      for (const [root, who] of [
        [ra, 'a'],
        [rb, 'b'],
      ] as const) {
        const trace = spans.filter((s) => s.traceId === root.traceId);
        assert.equal(trace.length, 6);
        assert.deepEqual(
          childrenOf(spans, root).map((s) => s.name),
          [`execute_tool step-${who}-0`, `execute_tool step-${who}-1`, `execute_tool step-${who}-2`, `inner-${who}`],
        );
        assert.deepEqual(
          childrenOf(spans, spanNamed(spans, `inner-${who}`)).map((s) => s.name),
          [`execute_tool leaf-${who}`],
        );
      }
    } finally {
      await exporter.shutdown();
    }
  });
});
