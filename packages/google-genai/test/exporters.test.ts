/**
 * A two-turn agent on the instrumented real SDK, exported three ways at once: an ATIF trajectory
 * (validated), OpenTelemetry GenAI spans and OpenInference spans (both decoded from the wire).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleGenAI } from '@google/genai';
import { AtifExporter, validateTrajectory, type AtifTrajectory, type WrittenTrajectory } from '@nemo-flow/exporter-atif';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { instrumentGoogleGenAI } from '@nemo-flow/google-genai';
import { childrenOf, spanNamed, startOtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { scriptWeather, weatherAgent } from './agent.js';

describe('@nemo-flow/google-genai: a two-turn agent in ATIF, OpenTelemetry and OpenInference', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.stop());

  it('exports the same run correctly to all three', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-gemini-atif-'));
    const written: WrittenTrajectory[] = [];
    const atif = new AtifExporter({ dir, onWritten: (f) => written.push(f), writeOnExit: false }).register('gemini-atif');
    const otelReceiver = await startOtlpReceiver();
    const oiReceiver = await startOtlpReceiver();
    const otel = new OtelExporter({ endpoint: otelReceiver.url, scheduledDelayMillis: 20, captureContent: true }).register('gemini-otel');
    const oi = new OpenInferenceExporter({ endpoint: oiReceiver.url, scheduledDelayMillis: 20 }).register('gemini-oi');
    let otelSpans: ReceivedSpan[];
    let oiSpans: ReceivedSpan[];
    try {
      scriptWeather(server);
      const ai = instrumentGoogleGenAI(new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } }));
      const answer = await weatherAgent(ai);
      assert.equal(answer, 'Sunny, 21 °C.');
      await Promise.all([atif.forceFlush(), otel.forceFlush(), oi.forceFlush()]);
      otelSpans = await otelReceiver.waitForSpans(4);
      oiSpans = await oiReceiver.waitForSpans(4);
    } finally {
      atif.deregister();
      await Promise.all([otel.shutdown({ timeoutMillis: 2000 }), oi.shutdown({ timeoutMillis: 2000 })]);
      await Promise.all([otelReceiver.close(), oiReceiver.close()]);
    }

    // ATIF: a valid trajectory with the function call, its observation and the token metrics.
    assert.equal(written.length, 1);
    const t = JSON.parse(readFileSync(written[0]!.path, 'utf8')) as AtifTrajectory;
    assert.deepEqual(validateTrajectory(t), []);
    assert.equal(t.session_id, 'weather-1');
    const agentSteps = t.steps.filter((s) => s.source === 'agent');
    assert.equal(agentSteps.length, 2);
    assert.deepEqual(
      agentSteps[0]!.tool_calls?.map((c) => [c.tool_call_id, c.function_name, c.arguments]),
      [['get_weather', 'get_weather', { city: 'Paris' }]],
    );
    assert.equal(agentSteps[0]!.observation?.results[0]?.source_call_id, 'get_weather');
    assert.equal(agentSteps[1]!.message, 'Sunny, 21 °C.');
    assert.equal(agentSteps[1]!.model_name, 'gemini-2.5-flash');
    assert.deepEqual([t.final_metrics?.total_prompt_tokens, t.final_metrics?.total_completion_tokens], [82, 17]);

    // OpenTelemetry: the GenAI span tree with provider, usage and the transport facts.
    const port = Number(new URL(server.url).port);
    const root = spanNamed(otelSpans!, 'invoke_agent weather-agent');
    const kids = childrenOf(otelSpans!, root);
    assert.deepEqual(
      kids.map((s) => s.name),
      ['chat gemini-2.5-flash', 'execute_tool get_weather', 'chat gemini-2.5-flash'],
    );
    const [turn1, tool, turn2] = kids;
    assert.equal(turn1!.attributes['gen_ai.provider.name'], 'gcp.gemini');
    assert.equal(turn1!.attributes['gen_ai.usage.input_tokens'], 30);
    assert.equal(turn1!.attributes['gen_ai.usage.output_tokens'], 10, 'thoughts count as output');
    assert.deepEqual(turn1!.attributes['gen_ai.response.finish_reasons'], ['STOP'], 'the provider’s own reason');
    assert.equal(turn1!.attributes['gen_ai.response.id'], 'turn-1');
    assert.equal(turn1!.attributes['server.address'], '127.0.0.1');
    assert.equal(turn1!.attributes['server.port'], port);
    assert.equal(turn1!.attributes['http.response.status_code'], 200);
    assert.match(String(turn1!.attributes['gen_ai.system_instructions']), /You answer weather questions\./);
    assert.equal(tool!.attributes['gen_ai.tool.call.id'], 'get_weather');
    assert.equal(turn2!.attributes['gen_ai.usage.output_tokens'], 7);
    assert.equal(turn2!.attributes['gen_ai.usage.cache_read.input_tokens'], 16);
    assert.equal(typeof turn2!.attributes['gen_ai.response.time_to_first_chunk'], 'number');
    assert.match(String(turn2!.attributes['gen_ai.output.messages']), /Sunny, 21 °C\./);
    assert.match(String(turn2!.attributes['gen_ai.input.messages']), /"role":"tool"/);

    // OpenInference: span kinds, provider, messages, tool calls and token counts.
    const oiRoot = spanNamed(oiSpans!, 'weather-agent');
    assert.equal(oiRoot.attributes['openinference.span.kind'], 'AGENT');
    assert.equal(oiRoot.attributes['session.id'], 'weather-1');
    const llms = oiSpans!.filter((s) => s.attributes['openinference.span.kind'] === 'LLM');
    assert.equal(llms.length, 2);
    const [l1, l2] = llms.sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
    assert.equal(l1!.attributes['llm.provider'], 'google');
    assert.equal(l1!.attributes['llm.system'], 'vertexai');
    assert.equal(l1!.attributes['llm.model_name'], 'gemini-2.5-flash');
    assert.equal(l1!.attributes['llm.output_messages.0.message.tool_calls.0.tool_call.function.name'], 'get_weather');
    assert.equal(l1!.attributes['llm.token_count.prompt'], 30);
    assert.equal(l1!.attributes['llm.token_count.completion_details.reasoning'], 4);
    assert.ok(!String(l1!.attributes['llm.invocation_parameters']).includes('You answer weather'), 'the system instruction is a message, not a parameter');
    assert.equal(l2!.attributes['llm.output_messages.0.message.content'], 'Sunny, 21 °C.');
    assert.equal(l2!.attributes['llm.token_count.completion'], 7);
    assert.equal(l2!.attributes['llm.token_count.prompt_details.cache_read'], 16);
    const oiTool = oiSpans!.find((s) => s.attributes['openinference.span.kind'] === 'TOOL')!;
    assert.equal(oiTool.attributes['tool.name'], 'get_weather');
  });
});
