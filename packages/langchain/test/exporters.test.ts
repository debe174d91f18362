/**
 * A LangGraph ReAct agent traced by the handler, exported three ways at once: an ATIF trajectory
 * (validated), OpenTelemetry GenAI spans and OpenInference spans (both decoded from the OTLP wire).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtifExporter, validateTrajectory, type AtifTrajectory, type WrittenTrajectory } from '@nemo-flow/exporter-atif';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { NemoFlowCallbackHandler } from '@nemo-flow/langchain';
import { childrenOf, spanNamed, startOtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { chatModel, reactAgent, scriptAgent } from './agent.js';

describe('@nemo-flow/langchain: a LangGraph agent in ATIF, OpenTelemetry and OpenInference', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.stop());

  it('exports the same run correctly to all three', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-lc-atif-'));
    const written: WrittenTrajectory[] = [];
    const atif = new AtifExporter({ dir, onWritten: (f) => written.push(f), writeOnExit: false }).register('lc-atif');
    const otelReceiver = await startOtlpReceiver();
    const oiReceiver = await startOtlpReceiver();
    const otel = new OtelExporter({ endpoint: otelReceiver.url, scheduledDelayMillis: 20, captureContent: true }).register('lc-otel');
    const oi = new OpenInferenceExporter({ endpoint: oiReceiver.url, scheduledDelayMillis: 20 }).register('lc-oi');
    let otelSpans: ReceivedSpan[];
    let oiSpans: ReceivedSpan[];
    try {
      scriptAgent(server, true);
      const stream = await reactAgent(chatModel(server)).stream(
        { messages: [{ role: 'user', content: 'Weather and time in Paris?' }] },
        { callbacks: [new NemoFlowCallbackHandler({ agentName: 'weather-agent' })], configurable: { thread_id: 'lc-session-1' }, streamMode: 'messages' },
      );
      for await (const _ of stream) void _;
      await Promise.all([atif.forceFlush(), otel.forceFlush(), oi.forceFlush()]);
      otelSpans = await otelReceiver.waitForSpans(5);
      oiSpans = await oiReceiver.waitForSpans(5);
    } finally {
      atif.deregister();
      await Promise.all([otel.shutdown({ timeoutMillis: 2000 }), oi.shutdown({ timeoutMillis: 2000 })]);
      await Promise.all([otelReceiver.close(), oiReceiver.close()]);
    }

    // ATIF: one valid trajectory with both tool calls, their observations (one an error) and the tokens.
    assert.equal(written.length, 1);
    const t = JSON.parse(readFileSync(written[0]!.path, 'utf8')) as AtifTrajectory;
    assert.deepEqual(validateTrajectory(t), []);
    assert.equal(t.session_id, 'lc-session-1');
    const agentSteps = t.steps.filter((s) => s.source === 'agent');
    assert.equal(agentSteps.length, 2);
    assert.deepEqual(
      agentSteps[0]!.tool_calls?.map((c) => [c.tool_call_id, c.function_name, c.arguments]),
      [
        ['call_w', 'get_weather', { city: 'Paris' }],
        ['call_t', 'get_time', { city: 'Paris' }],
      ],
    );
    assert.deepEqual(agentSteps[0]!.observation?.results.map((r) => r.source_call_id).sort(), ['call_t', 'call_w']);
    assert.equal(agentSteps[1]!.message, 'Sunny, 21 °C in Paris.');
    assert.deepEqual([t.final_metrics?.total_prompt_tokens, t.final_metrics?.total_completion_tokens], [140, 29]);

    // OpenTelemetry: the agent span, the graph nodes, the LLM and tool spans under them.
    const root = spanNamed(otelSpans!, 'invoke_agent weather-agent');
    const nodes = childrenOf(otelSpans!, root).map((s) => s.name);
    assert.deepEqual(nodes.filter((n) => /agent|tools/.test(n)).length, 3, `graph nodes under the agent: ${nodes.join(', ')}`);
    const tools = otelSpans!.filter((s) => s.name.startsWith('execute_tool'));
    assert.deepEqual(tools.map((s) => s.attributes['gen_ai.tool.call.id']).sort(), ['call_t', 'call_w']);
    const toolsNode = otelSpans!.find((s) => s.spanId === tools[0]!.parentSpanId)!;
    assert.equal(tools[1]!.parentSpanId, toolsNode.spanId, 'parallel tool calls share their node');
    assert.equal(tools.find((s) => s.attributes['gen_ai.tool.call.id'] === 'call_t')!.status.code, 'ERROR');
    const chats = otelSpans!.filter((s) => s.name.startsWith('chat '));
    assert.equal(chats.length, 2);
    assert.deepEqual(chats.map((s) => s.attributes['gen_ai.usage.input_tokens']).sort(), [50, 90]);
    assert.ok(chats.every((s) => typeof s.attributes['gen_ai.response.time_to_first_chunk'] === 'number'));

    // OpenInference: kinds, session, tool calls and token counts.
    const oiRoot = spanNamed(oiSpans!, 'weather-agent');
    assert.equal(oiRoot.attributes['openinference.span.kind'], 'AGENT');
    assert.equal(oiRoot.attributes['session.id'], 'lc-session-1');
    const llms = oiSpans!.filter((s) => s.attributes['openinference.span.kind'] === 'LLM').sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
    assert.equal(llms.length, 2);
    assert.equal(llms[0]!.attributes['llm.output_messages.0.message.tool_calls.1.tool_call.function.name'], 'get_time');
    assert.equal(llms[1]!.attributes['llm.token_count.completion'], 9);
    assert.equal(oiSpans!.filter((s) => s.attributes['openinference.span.kind'] === 'TOOL').length, 2);
  });
});
