/**
 * The built-in pipeline records spans without the SDK's Span (see recorded-span.ts). What reaches
 * the backend must be what the SDK would have sent: the same run through an exporter given an SDK
 * provider and through the built-in pipeline decodes to the same spans, and the SDK's sampler,
 * span limits and Span API behave the same.
 */
import { strict as assert } from 'node:assert';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ScopeType, getHandle, llmCallExecute, mark, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { OtelExporter, createResource, traceContextMetadata } from '@nemo-flow/exporter-otel';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';
import { withEnv } from '../../../test/support/env.js';
import { endEvent, feed, startEvent } from './helpers.js';

const CHAT = {
  headers: {},
  content: { model: 'gpt-4o', temperature: 0.1, messages: [{ role: 'user', content: 'hi' }] },
};
const ANSWER = {
  id: 'chatcmpl-9',
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
};

/** A small run with every kind of span content: nesting, an LLM call, a failing tool, marks, metadata. */
async function run(): Promise<void> {
  await withScope(
    'agent',
    ScopeType.Agent,
    async () => {
      mark('started', { data: { step: 1 } });
      await llmCallExecute('openai.chat', CHAT, async () => ANSWER, { codec: 'openai-chat' });
      await toolCallExecute('lookup', { q: 'x' }, async () => ({ hits: 2 }), { toolCallId: 'call_1', attributes: ['cached'] });
      await toolCallExecute('broken', {}, async () => {
        throw new TypeError('bad input');
      }).catch(() => undefined);
      await withScope('step', ScopeType.Function, async () => mark('inside'), { metadata: { attempt: 2 } });
    },
    { metadata: { session_id: 's-1' } },
  );
}

/** A span as comparable across pipelines: ids replaced by the parent's name, encoding dropped. */
function comparable(spans: readonly ReceivedSpan[]): unknown[] {
  const nameOf = new Map(spans.map((s) => [s.spanId, s.name]));
  return spans
    .map(({ traceId: _t, spanId: _s, parentSpanId, encoding: _e, ...rest }) => ({
      ...rest,
      parent: parentSpanId === undefined ? null : nameOf.get(parentSpanId),
    }))
    .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : a.name.localeCompare(b.name)));
}

describe('exporter-otel: spans recorded by the built-in pipeline', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('decode exactly like the SDK spans an exporter given an SDK provider sends', async () => {
    const sdkReceiver = await startOtlpReceiver();
    const provider = new BasicTracerProvider({
      resource: createResource({ serviceName: 'parity' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: sdkReceiver.tracesUrl }))],
    });
    const viaSdk = new OtelExporter({ tracerProvider: provider, captureContent: true }).register('parity-sdk');
    const direct = new OtelExporter({ endpoint: receiver.url, serviceName: 'parity', captureContent: true }).register('parity-direct');
    try {
      await run();
      await Promise.all([viaSdk.forceFlush(), direct.forceFlush()]);
      const [a, b] = await Promise.all([sdkReceiver.waitForSpans(5), receiver.waitForSpans(5)]);
      assert.equal(b.length, 5);
      assert.deepEqual(comparable(b), comparable(a));
      const broken = b.find((s) => s.name === 'execute_tool broken')!;
      assert.equal(broken.status.code, 'ERROR', 'the comparison covers error status and exception events');
      assert.equal(broken.events[0]!.name, 'exception');
    } finally {
      await Promise.all([viaSdk.shutdown(), direct.shutdown()]);
      await provider.shutdown();
      await sdkReceiver.close();
    }
  });

  it('follow the sampler: OTEL_TRACES_SAMPLER, and the sampled flag of an incoming traceparent', async () => {
    await withEnv({ OTEL_TRACES_SAMPLER: 'always_off' }, async () => {
      const exporter = new OtelExporter({ endpoint: receiver.url });
      const s = startEvent({ name: 'unsampled' });
      feed(exporter, s, endEvent(s));
      await exporter.shutdown();
      assert.equal(exporter.stats().spansStarted, 1, 'the bridge still tracks the scope');
    });
    const exporter = new OtelExporter({ endpoint: receiver.url });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const notSampled = startEvent({ name: 'remote-not-sampled', metadata: traceContextMetadata({ traceparent: `00-${traceId}-00f067aa0ba902b7-00` }) });
    const sampled = startEvent({ name: 'remote-sampled', metadata: traceContextMetadata({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` }) });
    feed(exporter, notSampled, endEvent(notSampled), sampled, endEvent(sampled));
    await exporter.shutdown();
    const spans = receiver.spans();
    assert.deepEqual(
      spans.map((s) => [s.name, s.traceId, s.parentSpanId]),
      [['remote-sampled', traceId, '00f067aa0ba902b7']],
      'only the sampled run is exported, as the SDK parent-based sampler decides',
    );
  });

  it('apply span limits from options and from OTEL_SPAN_* variables, counting what they drop', async () => {
    const big = startEvent({ name: 'big', metadata: { a: 1 }, attributes: ['x'] }); // uuid, category, attributes, metadata
    const limited = new OtelExporter({ endpoint: receiver.url, spanLimits: { attributeCountLimit: 3 } });
    feed(limited, big, endEvent(big));
    await limited.shutdown();
    const [span] = await receiver.waitForSpans(1);
    assert.equal(Object.keys(span!.attributes).length, 3);
    assert.equal(span!.droppedAttributesCount, 1);

    receiver.reset();
    await withEnv({ OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '4', OTEL_SPAN_EVENT_COUNT_LIMIT: '2' }, async () => {
      const exporter = new OtelExporter({ endpoint: receiver.url });
      const s = startEvent({ name: 'events' });
      feed(exporter, s);
      const span2 = trace.getSpan(exporter.contextFor(s.uuid)!)!;
      for (const n of ['e1', 'e2', 'e3']) span2.addEvent(n);
      span2.setAttribute('long', 'abcdefgh');
      feed(exporter, endEvent(s));
      await exporter.shutdown();
    });
    const [s2] = await receiver.waitForSpans(1);
    assert.equal(s2!.attributes['long'], 'abcd');
    assert.deepEqual(
      s2!.events.map((e) => e.name),
      ['e2', 'e3'],
      'the newest events are kept, as in the SDK',
    );
    assert.equal(s2!.droppedEventsCount, 1);
  });

  it('your own spans, made with exporter.tracerProvider under contextFor(), nest in the same trace and batch', async () => {
    const exporter = new OtelExporter({ endpoint: receiver.url, serviceName: 'mixed' }).register('mixed');
    try {
      await withScope('agent', ScopeType.Agent, async () => {
        await toolCallExecute('db', {}, async () => {
          const mine = exporter.tracerProvider.getTracer('my-app').startSpan('db.query', { attributes: { 'db.system': 'postgresql' } }, exporter.contextFor());
          mine.end();
        });
      });
      await exporter.forceFlush();
    } finally {
      await exporter.shutdown();
    }
    const spans = await receiver.waitForSpans(3);
    const tool = spans.find((s) => s.name === 'execute_tool db')!;
    const mine = spans.find((s) => s.name === 'db.query')!;
    assert.equal(mine.parentSpanId, tool.spanId);
    assert.equal(mine.traceId, tool.traceId);
    assert.equal(mine.scope.name, 'my-app');
    assert.equal(mine.resource['service.name'], 'mixed');
    assert.equal(receiver.requests().length, 1, 'one batch carries both kinds of span');
  });

  it('the span behind contextFor() works as a Span: attributes, events, exceptions and name reach the backend', async () => {
    const exporter = new OtelExporter({ endpoint: receiver.url }).register('span-api');
    try {
      await withScope('custom', ScopeType.Function, async () => {
        const span = trace.getSpan(exporter.contextFor(getHandle())!)!;
        assert.ok(span.isRecording());
        span.setAttributes({ 'app.user_tier': 'gold', 'app.retries': 2, 'app.flags': ['a', 'b'] });
        span.setAttribute('app.bad', { nested: true } as never); // refused, as by the SDK
        span.addEvent('checkpoint', { 'app.step': 3 });
        span.recordException(new RangeError('out of range'));
        span.updateName('renamed');
      });
    } finally {
      await exporter.shutdown();
    }
    const [span] = await receiver.waitForSpans(1);
    assert.equal(span!.name, 'renamed');
    assert.equal(span!.attributes['app.user_tier'], 'gold');
    assert.equal(span!.attributes['app.retries'], 2);
    assert.deepEqual(span!.attributes['app.flags'], ['a', 'b']);
    assert.equal(span!.attributes['app.bad'], undefined);
    assert.deepEqual(
      span!.events.map((e) => [e.name, e.attributes['app.step'] ?? e.attributes['exception.type']]),
      [
        ['checkpoint', 3],
        ['exception', 'RangeError'],
      ],
    );
    assert.equal(span!.status.code, 'UNSET');
  });
});
