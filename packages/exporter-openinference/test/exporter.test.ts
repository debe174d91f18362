/**
 * The exporter around the mapper: where spans go (Phoenix defaults, env), both OTLP encodings,
 * the Phoenix project, registration and lifecycle, a provider of your own, attribute limits and
 * truncation, and never throwing into the app.
 */
import { strict as assert } from 'node:assert';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ScopeType, listSubscribers, llmCallExecute, toolCallExecute, withScope, type ScopeEvent } from '@nemo-flow/runtime';
import { ATOF_VERSION, formatMicros, nowMicros, uuidv7 } from '@nemo-flow/runtime/exporter-kit';
import { SEMRESATTRS_PROJECT_NAME, SemanticConventions as SC } from '@arizeai/openinference-semantic-conventions';
import {
  DEFAULT_PHOENIX_ENDPOINT,
  OpenInferenceExporter,
  OpenInferenceMapper,
  createOpenInferenceExporter,
  resolveEndpoint,
  phoenixHeaders,
} from '@nemo-flow/exporter-openinference';
import { TRUNCATION_MARKER } from '@nemo-flow/exporter-otel';
import { startOtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { CHAT_RESPONSE, chatRequest } from './fixtures.js';
import { collectFailures, json, only, setup, withEnv } from './helpers.js';

function longChat(n: number): { headers: Record<string, string>; content: Record<string, unknown> } {
  const messages: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) messages.push({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}` });
  return { headers: {}, content: { model: 'gpt-4o-mini', messages } };
}

let clock = nowMicros();
function scopeEvent(phase: 'start' | 'end', over: Partial<ScopeEvent> & { uuid: string }): ScopeEvent {
  clock += 1000;
  return {
    kind: 'scope',
    atof_version: ATOF_VERSION,
    parent_uuid: null,
    timestamp: formatMicros(clock),
    name: 'x',
    data: null,
    data_schema: null,
    metadata: null,
    scope_category: phase,
    attributes: [],
    category: 'function',
    category_profile: null,
    ...(phase === 'end' ? { status: 'ok' as const } : {}),
    ...over,
  };
}

describe('exporter-openinference: exporter', () => {
  describe('endpoint', () => {
    it('option, then PHOENIX_COLLECTOR_ENDPOINT, then the standard OTEL_* variables, then the local Phoenix', () => {
      assert.equal(DEFAULT_PHOENIX_ENDPOINT, 'http://localhost:6006/v1/traces');
      assert.equal(resolveEndpoint('http://phoenix:6006', { PHOENIX_COLLECTOR_ENDPOINT: 'http://other:6006' }), 'http://phoenix:6006');
      assert.equal(
        resolveEndpoint(undefined, { PHOENIX_COLLECTOR_ENDPOINT: 'http://phoenix:6006', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
        'http://phoenix:6006',
      );
      assert.equal(resolveEndpoint(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), undefined, 'left to the OTLP exporter');
      assert.equal(resolveEndpoint(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), undefined);
      assert.equal(resolveEndpoint(undefined, {}), DEFAULT_PHOENIX_ENDPOINT);
    });

    it('ships to PHOENIX_COLLECTOR_ENDPOINT (base URL gets /v1/traces) with the Phoenix project as a resource attribute', async () => {
      const receiver = await startOtlpReceiver();
      try {
        await withEnv({ PHOENIX_COLLECTOR_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, async () => {
          const exporter = new OpenInferenceExporter({ projectName: 'travel-bot', serviceName: 'travel-api', scheduledDelayMillis: 20 }).register('oi-env');
          try {
            await withScope('agent', ScopeType.Agent, () => 'ok');
            await exporter.forceFlush();
            const [span] = await receiver.waitForSpans(1);
            assert.equal(receiver.requests()[0]!.path, '/v1/traces');
            assert.equal(span!.resource[SEMRESATTRS_PROJECT_NAME], 'travel-bot');
            assert.equal(span!.resource['service.name'], 'travel-api');
            assert.equal(span!.encoding, 'protobuf');
          } finally {
            await exporter.shutdown();
          }
        });
      } finally {
        await receiver.close();
      }
    });

    it("PHOENIX_API_KEY, PHOENIX_CLIENT_HEADERS and PHOENIX_PROJECT_NAME configure it as Phoenix's own register() does", async () => {
      assert.deepEqual(phoenixHeaders(undefined, {}), undefined);
      assert.deepEqual(phoenixHeaders(undefined, { PHOENIX_API_KEY: 'k1' }), { authorization: 'Bearer k1' });
      assert.deepEqual(phoenixHeaders({ Authorization: 'Bearer mine' }, { PHOENIX_API_KEY: 'k1' }), { Authorization: 'Bearer mine' }, 'code wins');
      assert.deepEqual(
        phoenixHeaders(undefined, { PHOENIX_API_KEY: 'k1', PHOENIX_CLIENT_HEADERS: 'authorization=Basic%20abc' }),
        { authorization: 'Basic abc' },
        'explicit client headers win over the key',
      );
      assert.deepEqual(phoenixHeaders({ 'x-b': '2' }, { PHOENIX_CLIENT_HEADERS: 'x-a=1, bad, =x, x-b=1' }), { 'x-a': '1', 'x-b': '2' });
      const receiver = await startOtlpReceiver();
      try {
        await withEnv(
          {
            PHOENIX_COLLECTOR_ENDPOINT: receiver.url,
            PHOENIX_API_KEY: 'secret-key',
            PHOENIX_CLIENT_HEADERS: 'x-team=agents',
            PHOENIX_PROJECT_NAME: 'from-env',
          },
          async () => {
            const exporter = new OpenInferenceExporter({ scheduledDelayMillis: 20 }).register('oi-phoenix-env');
            try {
              await withScope('agent', ScopeType.Agent, () => 'ok');
              await exporter.forceFlush();
              const [span] = await receiver.waitForSpans(1);
              const headers = receiver.requests()[0]!.headers;
              assert.equal(headers['authorization'], 'Bearer secret-key');
              assert.equal(headers['x-team'], 'agents');
              assert.equal(span!.resource[SEMRESATTRS_PROJECT_NAME], 'from-env');
            } finally {
              await exporter.shutdown();
            }
          },
        );
      } finally {
        await receiver.close();
      }
    });

    it('speaks OTLP/JSON too', async () => {
      const h = await setup({ protocol: 'http/json' });
      try {
        await llmCallExecute('openai', chatRequest(), async () => CHAT_RESPONSE, { codec: 'auto' });
        const [span] = await h.spans(1);
        assert.equal(span!.encoding, 'json');
        assert.equal(span!.attributes[SC.OPENINFERENCE_SPAN_KIND], 'LLM');
        assert.equal(span!.attributes[SC.LLM_TOKEN_COUNT_TOTAL], 424);
        assert.equal(span!.attributes[`${SC.LLM_INPUT_MESSAGES}.0.${SC.MESSAGE_CONTENT}`], 'You are a concise travel assistant.');
      } finally {
        await h.done();
      }
    });
  });

  describe('lifecycle', () => {
    it('createOpenInferenceExporter registers as "openinference"; shutdown ends open spans as incomplete, deregisters and is idempotent', async () => {
      const receiver = await startOtlpReceiver();
      const exporter = createOpenInferenceExporter({ endpoint: receiver.url });
      try {
        assert.ok(listSubscribers().includes('openinference'));
        let release!: () => void;
        const blocked = new Promise<void>((r) => (release = r));
        const run = withScope('long-agent', ScopeType.Agent, () => blocked);
        await exporter.shutdown();
        await exporter.shutdown();
        assert.ok(!listSubscribers().includes('openinference'));
        const [span] = await receiver.waitForSpans(1);
        assert.equal(span!.name, 'long-agent');
        assert.equal(span!.attributes['nemo_flow.incomplete'], true);
        assert.equal(span!.attributes[SC.OPENINFERENCE_SPAN_KIND], 'AGENT');
        release();
        await run;
      } finally {
        await exporter.shutdown();
        await receiver.close();
      }
    });

    it('records into a tracer provider you give it (flushed, not shut down, on shutdown)', async () => {
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
      const exporter = new OpenInferenceExporter({ tracerProvider: provider }).register('oi-own-provider');
      try {
        await withScope('agent', ScopeType.Agent, () => toolCallExecute('t', { a: 1 }, () => 2));
        await exporter.shutdown();
        const spans = memory.getFinishedSpans();
        assert.deepEqual(spans.map((s) => s.name).sort(), ['agent', 't']);
        const tool = spans.find((s) => s.name === 't')!;
        assert.equal(tool.attributes[SC.OPENINFERENCE_SPAN_KIND], 'TOOL');
        assert.equal(tool.parentSpanContext?.spanId, spans.find((s) => s.name === 'agent')!.spanContext().spanId);
        assert.equal(tool.instrumentationScope.name, '@nemo-flow/exporter-openinference');
      } finally {
        await provider.shutdown();
      }
    });

    it('hands out the W3C traceparent of a scope, for calls to other services', async () => {
      const h = await setup();
      try {
        let header: string | undefined;
        await withScope('agent', ScopeType.Agent, (scope) => {
          header = h.exporter.traceparentFor(scope)?.traceparent;
        });
        const [span] = await h.spans(1);
        assert.equal(header, `00-${span!.traceId}-${span!.spanId}-01`);
      } finally {
        await h.done();
      }
    });
  });

  describe('limits', () => {
    it('the span attribute limit: raised by default, yours when given (option or OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT)', async () => {
      const raised = await setup();
      try {
        await llmCallExecute('long', longChat(200), async () => CHAT_RESPONSE, { codec: 'auto' });
        const [span] = await raised.spans(1);
        assert.equal(span!.droppedAttributesCount, 0);
        assert.equal(span!.attributes[`${SC.LLM_INPUT_MESSAGES}.199.${SC.MESSAGE_CONTENT}`], 'turn 199');
      } finally {
        await raised.done();
      }
      const own = await setup({ spanLimits: { attributeCountLimit: 128 } });
      try {
        await llmCallExecute('long', longChat(200), async () => CHAT_RESPONSE, { codec: 'auto' });
        const [span] = await own.spans(1);
        assert.ok(span!.droppedAttributesCount > 0, 'a limit you set is yours');
        assert.equal(Object.keys(span!.attributes).length, 128);
      } finally {
        await own.done();
      }
      await withEnv({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '64' }, async () => {
        const env = await setup();
        try {
          await llmCallExecute('long', longChat(200), async () => CHAT_RESPONSE, { codec: 'auto' });
          const [span] = await env.spans(1);
          assert.equal(Object.keys(span!.attributes).length, 64);
        } finally {
          await env.done();
        }
      });
    });

    it('cuts long values at maxAttributeLength with the OTel exporter marker', async () => {
      const h = await setup({ maxAttributeLength: 64 });
      try {
        const long = 'x'.repeat(500);
        await toolCallExecute('echo', { text: long }, () => long);
        await llmCallExecute(
          'chat',
          { headers: {}, content: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: long }] } },
          async () => CHAT_RESPONSE,
          {
            codec: 'auto',
          },
        );
        const spans = await h.spans(2);
        const tool = only(spans, 'echo').attributes;
        assert.equal((tool[SC.INPUT_VALUE] as string).length, 64 + TRUNCATION_MARKER.length);
        assert.ok((tool[SC.INPUT_VALUE] as string).endsWith(TRUNCATION_MARKER));
        assert.equal(tool[SC.OUTPUT_VALUE], 'x'.repeat(64) + TRUNCATION_MARKER);
        const chat = only(spans, 'chat').attributes;
        assert.equal(chat[`${SC.LLM_INPUT_MESSAGES}.0.${SC.MESSAGE_CONTENT}`], 'x'.repeat(64) + TRUNCATION_MARKER);
      } finally {
        await h.done();
      }
    });
  });

  describe('resilience', () => {
    it('never throws from onEvent on malformed events; the span still goes out', async () => {
      const f = collectFailures();
      const h = await setup();
      try {
        const hostile = {
          session_id: 's-1',
          get tags(): string[] {
            throw new Error('metadata value unreadable');
          },
        };
        const llm = uuidv7();
        const events: ScopeEvent[] = [
          scopeEvent('start', { uuid: llm, name: 'weird-llm', category: 'llm', data: { headers: {}, content: { messages: 'not-a-list' } }, metadata: hostile }),
          scopeEvent('end', {
            uuid: llm,
            name: 'weird-llm',
            category: 'llm',
            data: { choices: 7 },
            category_profile: { model_name: null, annotated_response: { usage: 'nope', tool_calls: 3 } },
          }),
          scopeEvent('end', { uuid: uuidv7(), name: 'never-started' }),
        ];
        for (const e of events) assert.doesNotThrow(() => h.exporter.onEvent(e));
        assert.doesNotThrow(() => h.exporter.onEvent({ kind: 'bogus' } as never));
        const [span] = await h.spans(1);
        assert.equal(span!.name, 'weird-llm');
        assert.equal(span!.attributes[SC.OPENINFERENCE_SPAN_KIND], 'LLM');
        assert.equal(span!.attributes[SC.SESSION_ID], undefined, 'unreadable metadata is skipped, not half-read');
        assert.ok(typeof span!.attributes[SC.OUTPUT_VALUE] === 'string');
        assert.equal(h.exporter.stats().unmatchedEnds, 1);
        assert.deepEqual(f.failures, [], 'every oddity here is contained without a report');
      } finally {
        await h.done();
        f.restore();
      }
    });

    it('a payload that throws while read costs only its own attributes, reported once', async () => {
      const f = collectFailures();
      const h = await setup({ sessionId: 'sess' });
      try {
        const annotated = {
          provider_format: 'openai-chat',
          model: 'gpt-4o-mini',
          params: {},
          extra: {},
          get messages(): never {
            throw new Error('messages unreadable');
          },
        };
        for (let i = 0; i < 2; i++) {
          const uuid = uuidv7();
          h.exporter.onEvent(
            scopeEvent('start', { uuid, name: 'odd-llm', category: 'llm', category_profile: { model_name: 'gpt-4o-mini', annotated_request: annotated } }),
          );
          h.exporter.onEvent(scopeEvent('end', { uuid, name: 'odd-llm', category: 'llm' }));
        }
        const spans = await h.spans(2);
        for (const s of spans) {
          assert.equal(s.attributes[SC.OPENINFERENCE_SPAN_KIND], 'LLM');
          assert.equal(s.attributes[SC.SESSION_ID], 'sess');
          assert.equal(s.attributes[SC.LLM_MODEL_NAME], 'gpt-4o-mini', 'what was mapped before the failure is kept');
        }
        assert.equal(f.failures.length, 1);
        assert.equal(f.failures[0]!.source, 'exporter-openinference:mapping');
        assert.equal(f.failures[0]!.count, 2);
      } finally {
        await h.done();
        f.restore();
      }
    });

    it('the mapper works on its own, with any OTel span plumbing (AttributeMapper contract)', () => {
      const m = new OpenInferenceMapper({ traceConfig: { hideInputs: true }, sessionId: 's' });
      const uuid = uuidv7();
      const start = scopeEvent('start', { uuid, name: 'lookup', category: 'tool', data: { q: 'secret' }, category_profile: { tool_call_id: 'call_9' } });
      const s = m.start(start);
      assert.equal(s.name, 'lookup');
      assert.equal(s.attributes[SC.OPENINFERENCE_SPAN_KIND], 'TOOL');
      assert.equal(s.attributes[SC.TOOL_CALL_ID], 'call_9');
      assert.equal(s.attributes[SC.INPUT_VALUE], '__REDACTED__');
      assert.equal(s.attributes[SC.SESSION_ID], 's');
      const end = m.end(scopeEvent('end', { uuid, name: 'lookup', category: 'tool', data: { hits: 2 } }), start);
      assert.deepEqual(json(end ?? {}, SC.OUTPUT_VALUE), { hits: 2 });
    });
  });
});
