/**
 * Setup: the standard OTEL_* variables, options over environment, isolation from the global
 * provider, a user-supplied provider, registration with the runtime, context hooks.
 */
import { strict as assert } from 'node:assert';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ScopeType, listSubscribers, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { OtelExporter, VERSION, createOtlpExporter, traceContextMetadata, tracesUrl } from '@nemo-flow/exporter-otel';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { withEnv } from '../../../test/support/env.js';
import { endEvent, feed, startEvent } from './helpers.js';
import { readFileSync } from 'node:fs';

const OTEL_VARS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
];

/** Runs `fn` with these OTEL_* variables set (all others unset), restoring the environment after. */
function withOtelEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const unset = Object.fromEntries(OTEL_VARS.map((k) => [k, undefined]));
  return withEnv({ ...unset, ...vars }, fn);
}

async function oneSpan(exporter: OtelExporter, name = 'work'): Promise<void> {
  const s = startEvent({ name });
  feed(exporter, s, endEvent(s));
  await exporter.forceFlush();
}

describe('exporter-otel: configuration', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('honours OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', async () => {
    await withOtelEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret%20one,x-tenant=acme',
        OTEL_SERVICE_NAME: 'env-service',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging,team=agents',
      },
      async () => {
        const exporter = new OtelExporter();
        await oneSpan(exporter);
        const [span] = await receiver.waitForSpans(1);
        assert.equal(span!.resource['service.name'], 'env-service');
        assert.equal(span!.resource['deployment.environment'], 'staging');
        assert.equal(span!.resource['team'], 'agents');
        const [req] = receiver.requests();
        assert.equal(req!.path, '/v1/traces');
        assert.equal(req!.contentType, 'application/x-protobuf');
        assert.equal(req!.headers['x-api-key'], 'secret one');
        assert.equal(req!.headers['x-tenant'], 'acme');
        await exporter.shutdown();
      },
    );
  });

  it('prefers OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as-is) and OTEL_EXPORTER_OTLP_PROTOCOL=http/json', async () => {
    await withOtelEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/unused',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
      async () => {
        const exporter = new OtelExporter();
        await oneSpan(exporter);
        const [span] = await receiver.waitForSpans(1);
        assert.equal(span!.encoding, 'json');
        assert.equal(receiver.requests()[0]!.contentType, 'application/json');
        await exporter.shutdown();
      },
    );
  });

  it('lets options win over the environment', async () => {
    await withOtelEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=from-env,x-env-only=yes',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'env-service',
        OTEL_RESOURCE_ATTRIBUTES: 'team=env',
      },
      async () => {
        const exporter = new OtelExporter({
          endpoint: receiver.url,
          protocol: 'http/protobuf',
          headers: { 'x-tenant': 'from-options' },
          serviceName: 'option-service',
          resourceAttributes: { team: 'options' },
        });
        await oneSpan(exporter);
        const [span] = await receiver.waitForSpans(1);
        assert.equal(span!.encoding, 'protobuf');
        assert.equal(span!.resource['service.name'], 'option-service');
        assert.equal(span!.resource['team'], 'options');
        const h = receiver.requests()[0]!.headers;
        assert.equal(h['x-tenant'], 'from-options');
        assert.equal(h['x-env-only'], 'yes', 'headers merge key by key');
        await exporter.shutdown();
      },
    );
  });

  it('compresses requests with gzip when asked', async () => {
    const exporter = new OtelExporter({ endpoint: receiver.url, compression: 'gzip' });
    await oneSpan(exporter, 'zipped');
    assert.equal((await receiver.waitForSpans(1))[0]!.name, 'zipped');
    assert.equal(receiver.requests()[0]!.headers['content-encoding'], 'gzip');
    await exporter.shutdown();
  });

  it('builds the traces URL from a base endpoint, or keeps a full one', () => {
    assert.equal(tracesUrl('http://collector:4318'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('http://collector:4318/'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('https://gw.example/otlp'), 'https://gw.example/otlp/v1/traces');
    assert.equal(tracesUrl('http://collector:4318/v1/traces'), 'http://collector:4318/v1/traces');
  });

  it('uses an isolated provider: a global provider neither gets our spans nor is replaced', async () => {
    const globalSpans = new InMemorySpanExporter();
    const globalProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(globalSpans)] });
    trace.setGlobalTracerProvider(globalProvider);
    try {
      const exporter = new OtelExporter({ endpoint: receiver.url });
      assert.notEqual(exporter.tracerProvider, trace.getTracerProvider());
      await oneSpan(exporter, 'ours');
      const [span] = await receiver.waitForSpans(1);
      assert.equal(span!.name, 'ours');
      assert.equal(span!.scope.version, VERSION);
      assert.equal(globalSpans.getFinishedSpans().length, 0);
      await exporter.shutdown();
    } finally {
      trace.disable();
      await globalProvider.shutdown();
    }
  });

  it('records into a provider the user gives, and leaves it running at shutdown', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    const exporter = new OtelExporter({ tracerProvider: provider });
    await oneSpan(exporter, 'mine');
    await exporter.shutdown();
    assert.deepEqual(
      memory.getFinishedSpans().map((s) => s.name),
      ['mine'],
    );
    provider.getTracer('still-alive').startSpan('after').end();
    assert.equal(memory.getFinishedSpans().length, 2, "the user's provider was not shut down");
    assert.equal(exporter.stats().exported, 0, 'export counts are only known for the built-in pipeline');
    await provider.shutdown();
  });

  it('createOtlpExporter registers with the runtime; shutdown deregisters', async () => {
    const exporter = createOtlpExporter({ endpoint: receiver.url, register: 'otel-convenience' });
    try {
      assert.ok(listSubscribers().includes('otel-convenience'));
      await withScope('job', ScopeType.Function, () => toolCallExecute('t', {}, () => 1));
      await exporter.forceFlush();
      assert.deepEqual((await receiver.waitForSpans(2)).map((s) => s.name).sort(), ['execute_tool t', 'job']);
    } finally {
      await exporter.shutdown();
    }
    assert.ok(!listSubscribers().includes('otel-convenience'));
  });

  it('nests top-level runs under the caller’s active span with parentContext', async () => {
    const exporter = new OtelExporter({ endpoint: receiver.url, parentContext: () => context.active() }).register('otel-active');
    const app = new BasicTracerProvider();
    const { AsyncLocalStorageContextManager } = await import('./support/als-context.js');
    const cm = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(cm);
    try {
      const server = app.getTracer('app').startSpan('GET /plan');
      await context.with(trace.setSpan(ROOT_CONTEXT, server), () => withScope('agent', ScopeType.Agent, async () => undefined));
      server.end();
      await exporter.forceFlush();
      const [span] = await receiver.waitForSpans(1);
      assert.equal(span!.traceId, server.spanContext().traceId);
      assert.equal(span!.parentSpanId, server.spanContext().spanId);
    } finally {
      context.disable();
      await exporter.shutdown();
      await app.shutdown();
    }
  });

  it('extracts traceparent/tracestate from incoming headers for scope metadata', () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    assert.deepEqual(traceContextMetadata({ TraceParent: tp, tracestate: 'a=1' }), { traceparent: tp, tracestate: 'a=1' });
    assert.deepEqual(traceContextMetadata({ traceparent: 'garbage' }), {});
    assert.deepEqual(traceContextMetadata(undefined), {});
  });

  it('keeps VERSION in step with package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
  });
});
