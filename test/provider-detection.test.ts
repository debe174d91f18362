/**
 * Provider detection end to end: a plain Anthropic Messages request (no system, no tools) whose
 * model id is a Bedrock or router spelling must be read as Anthropic by default and with
 * `codec: 'auto'`, and when the request's shape and the provider's answer disagree the answer
 * wins — in the END event, the ATIF step and the OTLP spans.
 */
import { strict as assert } from 'node:assert';
import {
  deregisterSubscriber,
  llmCallExecute,
  llmStreamCallExecute,
  registerSubscriber,
  withScope,
  type LifecycleEvent,
  type LlmCallOptions,
  type ScopeEvent,
} from '@nemo-flow/runtime';
import type { NormalizedResponse } from '@nemo-flow/runtime/codecs';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { buildTrajectories } from '@nemo-flow/exporter-atif';
import { startFakeServer, type FakeServer } from './support/fake-providers/server.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';

const ANTHROPIC_ANSWER = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-3-5-haiku-20241022',
  content: [
    { type: 'text', text: 'Checking the weather in Paris.' },
    { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 21, output_tokens: 9 },
};

const CHAT_ANSWER = {
  id: 'gen-1',
  object: 'chat.completion',
  model: 'anthropic/claude-3.5-haiku',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};

/** A plain Messages request: nothing in it but the model says Anthropic. */
function plainRequest(model: string): Record<string, unknown> {
  return { model, max_tokens: 256, messages: [{ role: 'user', content: 'What is the weather in Paris?' }] };
}

describe('provider detection: the response decides', () => {
  let server: FakeServer;
  let receiver: OtlpReceiver;
  let exporter: OtelExporter;
  let events: LifecycleEvent[];

  before(async () => {
    server = await startFakeServer();
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await server.stop();
    await receiver.close();
  });
  beforeEach(() => {
    events = [];
    receiver.reset();
    server.reset();
    registerSubscriber('detect-test', (e) => void events.push(e));
    exporter = new OtelExporter({ endpoint: receiver.url, scheduledDelayMillis: 60_000 }).register('detect-otel');
  });
  afterEach(async () => {
    deregisterSubscriber('detect-test');
    await exporter.shutdown({ timeoutMillis: 2000 });
  });

  /** One agent run with one LLM call answered by the fake server with `answer`. */
  async function run(request: Record<string, unknown>, answer: unknown, options?: LlmCallOptions): Promise<ScopeEvent> {
    server.enqueue({ kind: 'json', body: answer });
    await withScope('agent', 'agent', () =>
      llmCallExecute(
        'chat',
        { headers: {}, content: request },
        async (req) => {
          const res = await fetch(`${server.url}/v1/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(req.content),
          });
          return (await res.json()) as unknown;
        },
        options,
      ),
    );
    const end = events.find((e): e is ScopeEvent => e.kind === 'scope' && e.category === 'llm' && e.scope_category === 'end');
    assert.ok(end, 'an LLM END event');
    return end;
  }

  function annotated(end: ScopeEvent): NormalizedResponse {
    const a = (end.category_profile as { annotated_response?: NormalizedResponse } | null)?.annotated_response;
    assert.ok(a, 'the END event has an annotated response');
    return a;
  }

  async function llmSpan(): Promise<Record<string, unknown>> {
    await exporter.forceFlush();
    const spans = await receiver.waitForSpans(2);
    const span = spans.find((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    assert.ok(span, 'an LLM span');
    return span.attributes;
  }

  for (const model of ['anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic/claude-3-5-haiku']) {
    for (const codec of [undefined, 'auto'] as const) {
      it(`reads a plain Messages request for ${model} as Anthropic (codec ${codec ?? 'default'})`, async () => {
        const end = await run(plainRequest(model), ANTHROPIC_ANSWER, codec ? { codec } : undefined);
        const r = annotated(end);
        assert.equal(r.provider_format, 'anthropic-messages');
        assert.equal(r.text, 'Checking the weather in Paris.');
        assert.deepEqual(
          r.tool_calls.map((t) => [t.id, t.name]),
          [['toolu_01', 'get_weather']],
        );
        assert.equal(r.usage?.input_tokens, 21);
        assert.equal(r.usage?.output_tokens, 9);

        const [traj] = buildTrajectories(events);
        const step = traj!.trajectory.steps.find((s) => s.source === 'agent');
        assert.ok(step, 'an agent step');
        assert.equal(step.message, 'Checking the weather in Paris.');
        assert.deepEqual(
          step.tool_calls?.map((t) => t.function_name),
          ['get_weather'],
        );
        assert.equal(step.metrics?.prompt_tokens, 21);
        assert.equal(step.metrics?.completion_tokens, 9);

        const attrs = await llmSpan();
        assert.equal(attrs['gen_ai.provider.name'], 'anthropic');
        assert.equal(attrs['gen_ai.usage.input_tokens'], 21);
        assert.equal(attrs['gen_ai.usage.output_tokens'], 9);
        assert.equal(attrs['gen_ai.response.id'], 'msg_01');
      });
    }
  }

  it('trusts an Anthropic answer over a request that reads as Chat (unknown model id)', async () => {
    const end = await run({ model: 'my-gateway-model', messages: [{ role: 'user', content: 'Weather?' }] }, ANTHROPIC_ANSWER);
    const r = annotated(end);
    assert.equal(r.provider_format, 'anthropic-messages');
    assert.equal(r.tool_calls.length, 1);
    const attrs = await llmSpan();
    assert.equal(attrs['gen_ai.provider.name'], 'anthropic');
    assert.equal(attrs['gen_ai.usage.input_tokens'], 21);
  });

  it('trusts a Chat answer over a request that reads as Anthropic (a router speaking Chat)', async () => {
    const end = await run(plainRequest('anthropic/claude-3.5-haiku'), CHAT_ANSWER, { codec: 'auto' });
    const r = annotated(end);
    assert.equal(r.provider_format, 'openai-chat');
    assert.equal(r.text, 'Bonjour.');
    assert.equal(r.usage?.input_tokens, 5);
    const attrs = await llmSpan();
    assert.equal(attrs['gen_ai.provider.name'], 'openai');
    assert.equal(attrs['gen_ai.usage.input_tokens'], 5);
  });

  it('OpenInference spans name the provider that answered, with its token counts', async () => {
    const oi = new OpenInferenceExporter({ endpoint: receiver.url, scheduledDelayMillis: 60_000 }).register('detect-oi');
    try {
      await run({ model: 'my-gateway-model', messages: [{ role: 'user', content: 'Weather?' }] }, ANTHROPIC_ANSWER);
      await oi.forceFlush();
      const spans = await receiver.waitForSpans(2);
      const llm = spans.find((s) => s.attributes['openinference.span.kind'] === 'LLM');
      assert.ok(llm, 'an OpenInference LLM span');
      assert.equal(llm.attributes['llm.provider'], 'anthropic');
      assert.equal(llm.attributes['llm.system'], 'anthropic');
      assert.equal(llm.attributes['llm.token_count.prompt'], 21);
    } finally {
      await oi.shutdown({ timeoutMillis: 2000 });
    }
  });

  it('keeps a codec the caller named, whatever the answer looks like', async () => {
    const end = await run(plainRequest('anthropic.claude-3-5-haiku-20241022-v1:0'), ANTHROPIC_ANSWER, { codec: 'openai-chat' });
    assert.equal(annotated(end).provider_format, 'openai-chat');
  });

  it('re-reads a detected stream from its first chunk', async () => {
    const chunks = [
      {
        type: 'message_start',
        message: {
          id: 'msg_s',
          type: 'message',
          role: 'assistant',
          model: 'claude-3-5-haiku-20241022',
          content: [],
          stop_reason: null,
          usage: { input_tokens: 7, output_tokens: 0 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Sunny.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } },
      { type: 'message_stop' },
    ];
    await withScope('agent', 'agent', async () => {
      const stream = await llmStreamCallExecute(
        'chat',
        { headers: {}, content: { model: 'my-gateway-model', stream: true, messages: [{ role: 'user', content: 'Weather?' }] } },
        async function* () {
          yield* chunks;
        },
      );
      for await (const _ of stream) void _;
    });
    const end = events.find((e): e is ScopeEvent => e.kind === 'scope' && e.category === 'llm' && e.scope_category === 'end');
    const r = annotated(end!);
    assert.equal(r.provider_format, 'anthropic-messages');
    assert.equal(r.text, 'Sunny.');
    assert.equal(r.usage?.input_tokens, 7);
  });
});
