/**
 * GenAI fidelity on the wire: client metrics (token usage, operation duration) decoded from OTLP
 * metrics requests, `gen_ai.tool.description`, the semconv opt-in and the SDK's off switches.
 */
import { strict as assert } from 'node:assert';
import { ScopeType, llmCallExecute, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { GEN_AI_DURATION_BUCKETS, GEN_AI_TOKEN_USAGE_BUCKETS, OtelExporter, type OtlpProtocol } from '@nemo-flow/exporter-otel';
import { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { spanNamed, startOtlpReceiver, type OtlpReceiver, type ReceivedMetric } from '../../../test/support/otlp-receiver.js';

const TOOLS = [{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object' } } }];

function request(user: string) {
  return { headers: {}, content: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: user }], tools: TOOLS } };
}

function response(prompt: number, completion: number) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

/** Two chat calls, two tool calls (one failing) inside one agent run. */
async function run(): Promise<void> {
  await withScope('weather-agent', ScopeType.Agent, async () => {
    await llmCallExecute('openai.chat', request('weather?'), async () => response(100, 20), {
      codec: 'auto',
      transport: { server_address: 'api.openai.test', server_port: 443 },
    });
    await toolCallExecute('get_weather', { city: 'Paris' }, async () => ({ temp: 21 }));
    await toolCallExecute('get_weather', { city: '?' }, async () => {
      throw new RangeError('unknown city');
    }).catch(() => undefined);
    await llmCallExecute('openai.chat', request('thanks'), async () => response(300, 5), { codec: 'auto' });
  });
}

function metric(exp: ReceivedMetric[], name: string): ReceivedMetric {
  const m = exp.find((x) => x.name === name);
  assert.ok(m, `metric ${name} among ${exp.map((x) => x.name).join(', ')}`);
  return m;
}

const ENV_KEYS = ['OTEL_SDK_DISABLED', 'OTEL_TRACES_EXPORTER', 'OTEL_METRICS_EXPORTER', 'OTEL_SEMCONV_STABILITY_OPT_IN', 'OTEL_EXPORTER_OTLP_ENDPOINT'];

describe('exporter-otel: GenAI metrics and fidelity, on the wire', () => {
  let receiver: OtlpReceiver;
  const saved: Record<string, string | undefined> = {};
  beforeEach(async () => {
    for (const k of ENV_KEYS) saved[k] = process.env[k];
    for (const k of ENV_KEYS) delete process.env[k];
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await receiver.close();
  });

  for (const protocol of ['http/protobuf', 'http/json'] as OtlpProtocol[]) {
    it(`exports token usage and operation duration histograms on shutdown (${protocol})`, async () => {
      const exporter = new OtelExporter({ endpoint: receiver.url, protocol, serviceName: 'metrics-test' }).register('otel-metrics');
      await run();
      await exporter.shutdown();
      const exports = receiver.metricExports();
      assert.equal(exports.length, 1, 'one metrics request, at shutdown');
      const exp = exports[0]!;
      const usage = metric(exp, 'gen_ai.client.token.usage');
      assert.equal(usage.type, 'histogram');
      assert.equal(usage.unit, '{token}');
      assert.equal(usage.temporality, 2);
      assert.equal(usage.resource['service.name'], 'metrics-test');
      assert.equal(usage.scope.name, '@nemo-flow/exporter-otel');
      const byType = (t: string) => usage.points.filter((p) => p.attributes['gen_ai.token.type'] === t);
      const input = byType('input');
      const output = byType('output');
      // The first call carries server.address, the second does not: two series per token type.
      assert.equal(
        input.reduce((n, p) => n + p.count, 0),
        2,
      );
      assert.equal(
        input.reduce((n, p) => n + p.sum, 0),
        400,
      );
      assert.equal(
        output.reduce((n, p) => n + p.sum, 0),
        25,
      );
      for (const p of usage.points) {
        assert.deepEqual(p.explicitBounds, GEN_AI_TOKEN_USAGE_BUCKETS);
        assert.equal(p.attributes['gen_ai.operation.name'], 'chat');
        assert.equal(p.attributes['gen_ai.provider.name'], 'openai');
        assert.equal(p.attributes['gen_ai.request.model'], 'gpt-4o-mini');
        assert.equal(p.attributes['gen_ai.response.model'], 'gpt-4o-mini-2024-07-18');
      }
      const withServer = input.find((p) => p.attributes['server.address'] === 'api.openai.test');
      assert.ok(withServer);
      assert.equal(withServer.attributes['server.port'], 443);
      assert.equal(withServer.sum, 100);

      const duration = metric(exp, 'gen_ai.client.operation.duration');
      assert.equal(duration.unit, 's');
      for (const p of duration.points) assert.deepEqual(p.explicitBounds, GEN_AI_DURATION_BUCKETS);
      const op = (name: string) => duration.points.filter((p) => p.attributes['gen_ai.operation.name'] === name);
      assert.equal(
        op('chat').reduce((n, p) => n + p.count, 0),
        2,
      );
      assert.equal(op('invoke_agent').length, 1);
      assert.equal(op('invoke_agent')[0]!.attributes['gen_ai.agent.name'], 'weather-agent');
      const tools = op('execute_tool');
      assert.equal(
        tools.reduce((n, p) => n + p.count, 0),
        2,
      );
      const failed = tools.find((p) => p.attributes['error.type'] === 'RangeError');
      assert.ok(failed, 'the failed tool call is its own series, typed by error class');
      assert.equal(failed.count, 1);
      assert.equal(failed.attributes['gen_ai.tool.name'], 'get_weather');
      // The agent ran at least as long as everything in it.
      assert.ok(op('invoke_agent')[0]!.sum >= tools.reduce((n, p) => n + p.sum, 0));
    });
  }

  it('records into an app MeterProvider when one is given, and never shuts it down', async () => {
    const mem = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter: mem, exportIntervalMillis: 60_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    const exporter = new OtelExporter({ spanExporter: new InMemorySpans(), meterProvider }).register('otel-metrics-app');
    await run();
    await exporter.shutdown();
    const names = mem.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => m.descriptor.name)));
    assert.ok(names.includes('gen_ai.client.token.usage'), names.join(', '));
    assert.ok(names.includes('gen_ai.client.operation.duration'));
    await meterProvider.forceFlush(); // still usable: not shut down by the exporter
    await meterProvider.shutdown();
    assert.equal(receiver.metricExports().length, 0);
  });

  it('sends no metrics with OTEL_METRICS_EXPORTER=none or metrics: false', async () => {
    process.env['OTEL_METRICS_EXPORTER'] = 'none';
    const a = new OtelExporter({ endpoint: receiver.url }).register('otel-m-a');
    await run();
    await a.shutdown();
    delete process.env['OTEL_METRICS_EXPORTER'];
    const b = new OtelExporter({ endpoint: receiver.url, metrics: false }).register('otel-m-b');
    await run();
    await b.shutdown();
    assert.equal(receiver.metricExports().length, 0);
    assert.ok(receiver.spans().length > 0, 'spans still go out');
  });

  it('sends nothing with OTEL_SDK_DISABLED=true, no spans with OTEL_TRACES_EXPORTER=none', async () => {
    process.env['OTEL_SDK_DISABLED'] = 'true';
    const a = new OtelExporter({ endpoint: receiver.url }).register('otel-off-a');
    await run();
    await a.shutdown();
    assert.equal(receiver.requests().length, 0);
    delete process.env['OTEL_SDK_DISABLED'];
    process.env['OTEL_TRACES_EXPORTER'] = 'none';
    const b = new OtelExporter({ endpoint: receiver.url }).register('otel-off-b');
    await run();
    await b.shutdown();
    assert.equal(receiver.spans().length, 0);
    assert.equal(receiver.metricExports().length, 1, 'metrics are a signal of their own');
  });

  it('puts gen_ai.tool.description on execute_tool spans of tools a model was offered', async () => {
    const exporter = new OtelExporter({ endpoint: receiver.url, metrics: false }).register('otel-tooldesc');
    await run();
    await exporter.shutdown();
    const tools = receiver.spans().filter((s) => s.name === 'execute_tool get_weather');
    assert.equal(tools.length, 2);
    for (const t of tools) assert.equal(t.attributes['gen_ai.tool.description'], 'Current weather for a city');
    // The failed one: error.type is the class name, the exception event carries the stack.
    const failed = tools.find((t) => t.status.code === 'ERROR');
    assert.ok(failed);
    assert.equal(failed.attributes['error.type'], 'RangeError');
    const exc = failed.events.find((e) => e.name === 'exception');
    assert.match(String(exc?.attributes['exception.stacktrace']), /^RangeError: unknown city\n\s+at /);
  });

  it('names cache creation per the pinned semconv, the newest name with gen_ai_latest_experimental', async () => {
    const anthropic = {
      headers: {},
      content: { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
    };
    const answer = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'hello' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 5, output_tokens: 2, cache_creation_input_tokens: 40, cache_read_input_tokens: 0 },
    };
    const once = async (name: string): Promise<Record<string, unknown>> => {
      receiver.reset();
      const exporter = new OtelExporter({ endpoint: receiver.url, metrics: false }).register(name);
      await llmCallExecute('anthropic.messages', anthropic, async () => answer, { codec: 'auto' });
      await exporter.shutdown();
      return spanNamed(receiver.spans(), 'chat claude-sonnet-4-5').attributes;
    };
    const pinned = await once('otel-semconv-a');
    assert.equal(pinned['gen_ai.usage.cache_creation.input_tokens'], 40);
    assert.equal(pinned['gen_ai.usage.cache_write.input_tokens'], undefined);
    process.env['OTEL_SEMCONV_STABILITY_OPT_IN'] = 'http, gen_ai_latest_experimental';
    const latest = await once('otel-semconv-b');
    assert.equal(latest['gen_ai.usage.cache_write.input_tokens'], 40);
    assert.equal(latest['gen_ai.usage.cache_creation.input_tokens'], undefined);
  });
});

/** A span exporter that keeps nothing (spans are not what these tests look at). */
class InMemorySpans {
  export(_spans: unknown, cb: (r: { code: number }) => void): void {
    cb({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}
