/**
 * Edge cases with hand-built events (shapes the runtime API does not easily produce), checked on
 * the wire: every assertion reads what the OTLP receiver decoded.
 */
import { strict as assert } from 'node:assert';
import { SpanKind } from '@opentelemetry/api';
import type { NormalizedRequest, NormalizedResponse } from '@nemo-flow/runtime/codecs';
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_NEMO_FLOW_METADATA,
  TRUNCATION_MARKER,
  type AttributeMapper,
} from '@nemo-flow/exporter-otel';
import { childrenOf, spanNamed } from '../../../test/support/otlp-receiver.js';
import { collectFailures, endEvent, feed, markEvent, setup, startEvent } from './helpers.js';

const REQUEST: NormalizedRequest = {
  provider_format: 'openai-chat',
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', text: 'Be brief.' },
    { role: 'user', text: 'Weather in Paris?' },
  ],
  params: { temperature: 0.2, max_tokens: 256, stop: ['END'] },
  extra: {},
};
const RESPONSE: NormalizedResponse = {
  provider_format: 'openai-chat',
  id: 'chatcmpl-1',
  model: 'gpt-4o-mini-2024-07-18',
  text: '',
  tool_calls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
  finish_reason: 'tool_calls',
  raw_finish_reason: 'tool_calls',
  usage: { input_tokens: 21, output_tokens: 7, total_tokens: 28, cache_read_tokens: 5 },
};

describe('exporter-otel: hand-built events', () => {
  it('builds the span tree with GenAI names, kinds, times and attributes', async () => {
    const { receiver, exporter, done } = await setup();
    try {
      const agent = startEvent({ name: 'planner', category: 'agent', metadata: { session_id: 'sess-42', user_id: 'u-7' } });
      const llm = startEvent({
        name: 'openai',
        category: 'llm',
        parent: agent.uuid,
        data: { headers: {}, content: { model: 'gpt-4o-mini', messages: [] } },
        profile: { model_name: 'gpt-4o-mini', annotated_request: REQUEST },
      });
      const llmEnd = endEvent(llm, { data: { id: 'chatcmpl-1' }, profile: { model_name: 'gpt-4o-mini', annotated_response: RESPONSE } });
      const tool = startEvent({ name: 'get_weather', category: 'tool', parent: agent.uuid, data: { city: 'Paris' }, profile: { tool_call_id: 'call_1' } });
      const toolEnd = endEvent(tool, { data: { temp: 21 } });
      const agentEnd = endEvent(agent, { metadata: { session_id: 'sess-42', user_id: 'u-7', outcome: 'booked' } });
      feed(exporter, agent, llm, llmEnd, tool, toolEnd, agentEnd);
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(3);

      const root = spanNamed(spans, 'invoke_agent planner');
      assert.equal(root.parentSpanId, undefined);
      assert.equal(root.kind, 'INTERNAL');
      assert.equal(root.attributes['gen_ai.operation.name'], 'invoke_agent');
      assert.equal(root.attributes['gen_ai.agent.name'], 'planner');
      assert.equal(root.attributes[ATTR_GEN_AI_CONVERSATION_ID], 'sess-42');
      assert.equal(root.attributes['user.id'], 'u-7');
      assert.equal(root.attributes['nemo_flow.uuid'], agent.uuid);
      assert.equal(root.attributes['nemo_flow.category'], 'agent');
      assert.deepEqual(JSON.parse(root.attributes[ATTR_NEMO_FLOW_METADATA] as string), { session_id: 'sess-42', user_id: 'u-7' });
      assert.deepEqual(JSON.parse(root.attributes['nemo_flow.end_metadata'] as string), { session_id: 'sess-42', user_id: 'u-7', outcome: 'booked' });
      assert.equal(root.status.code, 'UNSET');
      assert.equal(root.scope.name, '@nemo-flow/exporter-otel');

      const [chat, exec] = childrenOf(spans, root);
      assert.equal(chat!.name, 'chat gpt-4o-mini');
      assert.equal(chat!.kind, 'CLIENT');
      const a = chat!.attributes;
      assert.equal(a['gen_ai.operation.name'], 'chat');
      assert.equal(a['gen_ai.provider.name'], 'openai');
      assert.equal(a['gen_ai.request.model'], 'gpt-4o-mini');
      assert.equal(a['gen_ai.request.temperature'], 0.2);
      assert.equal(a['gen_ai.request.max_tokens'], 256);
      assert.deepEqual(a['gen_ai.request.stop_sequences'], ['END']);
      assert.equal(a['gen_ai.response.id'], 'chatcmpl-1');
      assert.equal(a['gen_ai.response.model'], 'gpt-4o-mini-2024-07-18');
      assert.deepEqual(a['gen_ai.response.finish_reasons'], ['tool_calls']);
      assert.equal(a['gen_ai.usage.input_tokens'], 21);
      assert.equal(a['gen_ai.usage.output_tokens'], 7);
      assert.equal(a['gen_ai.usage.cache_read.input_tokens'], 5);
      assert.equal(a[ATTR_GEN_AI_CONVERSATION_ID], 'sess-42', 'children inherit the conversation id');
      assert.equal(a['nemo_flow.parent_uuid'], agent.uuid);
      assert.equal(a[ATTR_GEN_AI_INPUT_MESSAGES], undefined, 'content capture is off by default');

      assert.equal(exec!.name, 'execute_tool get_weather');
      assert.equal(exec!.kind, 'INTERNAL');
      assert.equal(exec!.attributes['gen_ai.tool.name'], 'get_weather');
      assert.equal(exec!.attributes['gen_ai.tool.call.id'], 'call_1');
      assert.equal(exec!.attributes[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS], undefined);
      assert.equal(exec!.attributes['nemo_flow.end_metadata'], undefined, 'unchanged metadata is not repeated');

      // Times come from the events, to the microsecond.
      const micros = (ts: string): bigint => BigInt(Date.parse(ts.slice(0, 19) + 'Z')) * 1_000_000n + BigInt(ts.slice(20, 26)) * 1000n;
      assert.equal(exec!.startTimeUnixNano, micros(tool.timestamp));
      assert.equal(exec!.endTimeUnixNano, micros(toolEnd.timestamp));
      assert.equal(root.endTimeUnixNano, micros(agentEnd.timestamp));
    } finally {
      await done();
    }
  });

  it('records errors as status ERROR with an exception event, and guardrail rejections by name', async () => {
    const { receiver, exporter, done } = await setup();
    try {
      const tool = startEvent({ name: 'delete_file', category: 'tool' });
      const guarded = startEvent({ name: 'shell', category: 'tool' });
      feed(
        exporter,
        tool,
        endEvent(tool, { error: { type: 'PermissionError', message: 'read-only filesystem' } }),
        guarded,
        endEvent(guarded, { error: { type: 'GuardrailRejectedError', message: 'command not allowed', guardrail: 'no-shell' } }),
      );
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(2);
      const failed = spanNamed(spans, 'execute_tool delete_file');
      assert.deepEqual(failed.status, { code: 'ERROR', message: 'read-only filesystem' });
      assert.equal(failed.attributes['error.type'], 'PermissionError');
      const exc = failed.events.find((e) => e.name === 'exception');
      assert.ok(exc, 'exception event');
      assert.equal(exc.attributes['exception.type'], 'PermissionError');
      assert.equal(exc.attributes['exception.message'], 'read-only filesystem');
      assert.equal(exc.timeUnixNano, failed.endTimeUnixNano);

      const rejected = spanNamed(spans, 'execute_tool shell');
      assert.equal(rejected.status.code, 'ERROR');
      assert.equal(rejected.attributes['nemo_flow.guardrail'], 'no-shell');
      assert.equal(rejected.attributes['error.type'], 'GuardrailRejectedError');
      assert.equal(rejected.events[0]!.attributes['exception.type'], 'GuardrailRejectedError');
    } finally {
      await done();
    }
  });

  it('turns marks into span events; a mark without an open parent becomes a zero-length span', async () => {
    const { receiver, exporter, done } = await setup({ captureContent: true });
    try {
      const run = startEvent({ name: 'run', category: 'function' });
      feed(exporter, run, markEvent('retrieved', run.uuid, { docs: 3 }, { source: 'kb' }), endEvent(run), markEvent('orphan', null));
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(2);
      const span = spanNamed(spans, 'run');
      assert.equal(span.events.length, 1);
      assert.equal(span.events[0]!.name, 'retrieved');
      assert.equal(span.events[0]!.attributes['nemo_flow.data'], '{"docs":3}');
      assert.equal(span.events[0]!.attributes['nemo_flow.metadata'], '{"source":"kb"}');
      const orphan = spanNamed(spans, 'orphan');
      assert.equal(orphan.attributes['nemo_flow.event_kind'], 'mark');
      assert.equal(orphan.startTimeUnixNano, orphan.endTimeUnixNano);
    } finally {
      await done();
    }
  });

  it('treats an unknown parent as none, ignores an end without a start, ends open spans at shutdown', async () => {
    const { receiver, exporter, done } = await setup();
    const unknownParent = startEvent({ name: 'detached', parent: '0190aaaa-0000-7000-8000-000000000000' });
    const neverStarted = endEvent(startEvent({ name: 'ghost' }));
    const left = startEvent({ name: 'left-open' });
    feed(exporter, unknownParent, endEvent(unknownParent), neverStarted, left);
    assert.equal(exporter.stats().unmatchedEnds, 1);
    assert.equal(exporter.stats().openSpans, 1);
    await exporter.shutdown();
    const spans = await receiver.waitForSpans(2);
    assert.equal(spanNamed(spans, 'detached').parentSpanId, undefined);
    assert.equal(spanNamed(spans, 'left-open').attributes['nemo_flow.incomplete'], true);
    assert.equal(spans.filter((s) => s.name === 'ghost').length, 0);
    assert.equal(exporter.stats().incompleteSpans, 1);
    await done();
  });

  it('a start delivered twice makes one span; open spans come and go without mixing up', async () => {
    const { receiver, exporter, done } = await setup();
    try {
      const run = startEvent({ name: 'run', category: 'agent' });
      const first = startEvent({ name: 'first', category: 'tool', parent: run.uuid });
      // Ended ones free their places for later ones: each must still end its own span.
      const later = Array.from({ length: 5 }, (_, i) => startEvent({ name: `later-${i}`, category: 'tool', parent: run.uuid }));
      feed(exporter, run, run, first, endEvent(first));
      for (const e of later) feed(exporter, e);
      for (const e of later.slice().reverse()) feed(exporter, endEvent(e));
      feed(exporter, endEvent(run));
      assert.deepEqual([exporter.stats().spansStarted, exporter.stats().spansEnded, exporter.stats().openSpans], [7, 7, 0]);
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(7);
      assert.equal(spans.filter((s) => s.name === 'invoke_agent run').length, 1, 'the repeated start made no second span');
      const root = spanNamed(spans, 'invoke_agent run');
      assert.deepEqual(
        childrenOf(spans, root)
          .map((s) => s.name)
          .sort(),
        ['execute_tool first', ...later.map((_, i) => `execute_tool later-${i}`)],
      );
    } finally {
      await done();
    }
  });

  it('cuts long values at maxAttributeLength with a marker, content included', async () => {
    const { receiver, exporter, done } = await setup({ captureContent: true, maxAttributeLength: 64 });
    try {
      const huge = { blob: 'x'.repeat(5_000_000), more: Array.from({ length: 100_000 }, (_, i) => i) };
      const tool = startEvent({ name: 'upload', category: 'tool', data: huge, metadata: { note: 'y'.repeat(1000) } });
      feed(exporter, tool, endEvent(tool, { data: 'z'.repeat(200) }));
      await exporter.forceFlush();
      const [span] = await receiver.waitForSpans(1);
      const args = span!.attributes['gen_ai.tool.call.arguments'] as string;
      assert.equal(args, '{"blob":"' + 'x'.repeat(55) + TRUNCATION_MARKER);
      assert.equal(span!.attributes['gen_ai.tool.call.result'], 'z'.repeat(64) + TRUNCATION_MARKER);
      const meta = span!.attributes['nemo_flow.metadata'] as string;
      assert.equal(meta.length, 64 + TRUNCATION_MARKER.length);
      assert.ok(meta.endsWith(TRUNCATION_MARKER));
    } finally {
      await done();
    }
  });

  it('continues an incoming W3C trace from scope metadata and hands out traceparent for outgoing calls', async () => {
    const { receiver, exporter, done } = await setup();
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const remoteSpan = '00f067aa0ba902b7';
      const agent = startEvent({
        name: 'svc-b',
        category: 'agent',
        metadata: { traceparent: `00-${traceId}-${remoteSpan}-01`, tracestate: 'vendor=abc' },
      });
      const tool = startEvent({ name: 'call_service_c', category: 'tool', parent: agent.uuid });
      feed(exporter, agent, tool);
      const out = exporter.traceparentFor(tool.uuid);
      assert.ok(out);
      assert.match(out.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      assert.equal(out.tracestate, 'vendor=abc');
      assert.deepEqual(exporter.traceparentFor({ uuid: tool.uuid }), out);
      assert.equal(exporter.traceparentFor('no-such-scope'), undefined);
      feed(exporter, endEvent(tool), endEvent(agent));
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(2);
      const root = spanNamed(spans, 'invoke_agent svc-b');
      assert.equal(root.traceId, traceId);
      assert.equal(root.parentSpanId, remoteSpan);
      assert.equal(root.traceState, 'vendor=abc');
      const child = spanNamed(spans, 'execute_tool call_service_c');
      assert.equal(out.traceparent.split('-')[2], child.spanId);
    } finally {
      await done();
    }
  });

  it('keeps the span when a mapper throws, and reports the failure once', async () => {
    const f = collectFailures();
    const broken: AttributeMapper = {
      start: () => {
        throw new Error('mapper bug');
      },
      end: () => {
        throw new Error('mapper bug');
      },
      mark: () => undefined,
    };
    const { receiver, exporter, done } = await setup({ mapper: broken });
    try {
      const a = startEvent({ name: 'a' });
      const b = startEvent({ name: 'b' });
      assert.doesNotThrow(() => feed(exporter, a, endEvent(a), b, endEvent(b)));
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(2);
      assert.deepEqual(spans.map((s) => s.name).sort(), ['a', 'b']);
      const mapping = f.failures.filter((x) => x.source === 'exporter-otel:mapping');
      assert.equal(mapping.length, 1);
    } finally {
      f.restore();
      await done();
    }
  });

  it('uses a custom mapper for names, kinds and inherited attributes (the OpenInference hook)', async () => {
    const mapper: AttributeMapper = {
      start: (e) => ({
        name: `custom:${e.name}`,
        kind: e.category === 'llm' ? SpanKind.CLIENT : SpanKind.INTERNAL,
        attributes: { 'custom.kind': e.category },
        ...(e.category === 'agent' ? { inherited: { 'session.id': 's1' } } : {}),
      }),
      end: (e) => ({ 'custom.status': e.status ?? 'none' }),
      mark: () => ({ 'custom.mark': true }),
    };
    const { receiver, exporter, done } = await setup({ mapper });
    try {
      const agent = startEvent({ name: 'ag', category: 'agent' });
      const llm = startEvent({ name: 'm', category: 'llm', parent: agent.uuid });
      feed(exporter, agent, llm, markEvent('tick', llm.uuid), endEvent(llm), endEvent(agent));
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(2);
      const child = spanNamed(spans, 'custom:m');
      assert.equal(child.kind, 'CLIENT');
      assert.deepEqual(child.attributes, { 'custom.kind': 'llm', 'session.id': 's1', 'custom.status': 'ok' });
      assert.deepEqual(child.events[0]!.attributes, { 'custom.mark': true });
    } finally {
      await done();
    }
  });
});
