/**
 * An Agents SDK run with a handoff, exported three ways at once: ATIF (validated; the handed-off
 * agent as a subagent trajectory), OpenTelemetry and OpenInference spans decoded from the OTLP wire.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTraceProcessors, setTracingDisabled } from '@openai/agents';
import { AtifExporter, validateTrajectory, type AtifTrajectory, type WrittenTrajectory } from '@nemo-flow/exporter-atif';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { NemoFlowTracingProcessor } from '@nemo-flow/openai-agents';
import { childrenOf, renderTree, spanNamed, startOtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { agents, provider, runner, scriptRefund } from './agent.js';

describe('@nemo-flow/openai-agents: a handoff run in ATIF, OpenTelemetry and OpenInference', () => {
  let server: FakeServer;
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

  it('exports the run with the handed-off agent as a subagent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-agents-atif-'));
    const written: WrittenTrajectory[] = [];
    const atif = new AtifExporter({ dir, onWritten: (f) => written.push(f), writeOnExit: false }).register('agents-atif');
    const otelReceiver = await startOtlpReceiver();
    const oiReceiver = await startOtlpReceiver();
    const otel = new OtelExporter({ endpoint: otelReceiver.url, scheduledDelayMillis: 20 }).register('agents-otel');
    const oi = new OpenInferenceExporter({ endpoint: oiReceiver.url, scheduledDelayMillis: 20 }).register('agents-oi');
    let otelSpans: ReceivedSpan[];
    let oiSpans: ReceivedSpan[];
    try {
      scriptRefund(server);
      const result = await runner(provider(server)).run(agents().triage, 'Please refund order 42');
      assert.equal(result.finalOutput, 'Done: order 42.');
      await Promise.all([atif.forceFlush(), otel.forceFlush(), oi.forceFlush()]);
      otelSpans = await otelReceiver.waitForSpans(7);
      oiSpans = await oiReceiver.waitForSpans(7);
    } finally {
      atif.deregister();
      await Promise.all([otel.shutdown({ timeoutMillis: 2000 }), oi.shutdown({ timeoutMillis: 2000 })]);
      await Promise.all([otelReceiver.close(), oiReceiver.close()]);
    }

    // ATIF: two valid trajectories; the parent references the billing subagent.
    assert.equal(written.length, 2, written.map((w) => w.path).join(', '));
    const docs = written.map((w) => JSON.parse(readFileSync(w.path, 'utf8')) as AtifTrajectory);
    for (const d of docs) assert.deepEqual(validateTrajectory(d), []);
    const parent = docs.find((d) => d.agent.name === 'triage')!;
    const sub = docs.find((d) => d.agent.name === 'billing')!;
    assert.ok(parent && sub);
    const refs = parent.steps.flatMap((s) => s.observation?.results ?? []).flatMap((r) => r.subagent_trajectory_ref ?? []);
    assert.deepEqual(
      refs.map((r) => r.session_id),
      [sub.session_id],
    );
    assert.equal(parent.session_id, 'conv-1', 'the SDK group id');
    assert.notEqual(sub.session_id, parent.session_id);
    // The conversation handed over (the handoff call) is marked copied context; billing's own steps follow.
    assert.deepEqual(
      sub.steps.filter((s) => s.is_copied_context).map((s) => s.source),
      ['user', 'agent'],
    );
    const subAgentSteps = sub.steps.filter((s) => s.source === 'agent' && !s.is_copied_context);
    assert.deepEqual(
      subAgentSteps[0]!.tool_calls?.map((c) => [c.tool_call_id, c.function_name, c.arguments]),
      [['call_t1', 'refund', { order: 42, amount: 30 }]],
    );
    assert.equal(subAgentSteps[0]!.observation?.results[0]?.source_call_id, 'call_t1');
    assert.equal(subAgentSteps.at(-1)!.message, 'Done: order 42.');

    // OpenTelemetry: invoke_agent triage → its chat, guardrail and the billing subagent.
    const root = spanNamed(otelSpans!, 'invoke_agent triage');
    const billing = spanNamed(otelSpans!, 'invoke_agent billing');
    assert.equal(billing.parentSpanId, root.spanId, renderTree(otelSpans!));
    assert.deepEqual(
      childrenOf(otelSpans!, billing).map((s) => s.name),
      ['chat gpt-4o-mini-2024-07-18', 'execute_tool refund', 'chat gpt-4o-mini-2024-07-18'],
    );
    const tool = spanNamed(otelSpans!, 'execute_tool refund');
    assert.equal(tool.attributes['gen_ai.tool.call.id'], 'call_t1');
    const chats = childrenOf(otelSpans!, billing).filter((s) => s.name.startsWith('chat'));
    assert.equal(chats[0]!.attributes['gen_ai.usage.input_tokens'], 30);

    // OpenInference: agent spans with the session, and the LLM and tool spans.
    const oiBilling = spanNamed(oiSpans!, 'billing');
    assert.equal(oiBilling.attributes['openinference.span.kind'], 'AGENT');
    assert.equal(oiBilling.attributes['session.id'], 'conv-1');
    assert.equal(oiSpans!.filter((s) => s.attributes['openinference.span.kind'] === 'LLM').length, 3);
    assert.equal(oiSpans!.find((s) => s.attributes['openinference.span.kind'] === 'TOOL')?.attributes['tool.name'], 'refund');
  });
});
