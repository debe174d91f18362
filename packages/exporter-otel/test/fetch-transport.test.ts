/**
 * `transport: 'fetch'`: the OTLP/HTTP requests go through `globalThis.fetch` (the path Workers,
 * Deno and browsers take), forced here on Node against the loopback receiver, which decodes the
 * real bytes. Queue, retries, timeouts and loss accounting behave as with `node:http`.
 */
import { strict as assert } from 'node:assert';
import { ScopeType, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { OtelExporter, resolveTransport } from '@nemo-flow/exporter-otel';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { collectFailures, completeSpans, freePort } from './helpers.js';

describe('exporter-otel: fetch transport', function () {
  this.timeout(20_000);
  let failures: ReturnType<typeof collectFailures>;
  let receiver: OtlpReceiver | undefined;
  let fetchCalls: string[];
  const realFetch = globalThis.fetch;
  beforeEach(() => {
    failures = collectFailures();
    fetchCalls = [];
    // Counts the requests that really go through fetch (node:http would not pass here).
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      fetchCalls.push(String(input));
      return realFetch(input, init);
    }) as typeof fetch;
  });
  afterEach(async () => {
    globalThis.fetch = realFetch;
    failures.restore();
    await receiver?.close();
    receiver = undefined;
  });

  it('auto picks node:http on Node; the option is validated', () => {
    assert.equal(resolveTransport('auto'), 'http');
    assert.equal(resolveTransport(undefined), 'http');
    assert.equal(resolveTransport('fetch'), 'fetch');
    assert.throws(() => new OtelExporter({ transport: 'tcp' as never }), /transport must be "auto", "http" or "fetch", got "tcp"/);
  });

  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`delivers ${protocol} spans through fetch`, async () => {
      receiver = await startOtlpReceiver();
      const exporter = new OtelExporter({ endpoint: receiver.url, transport: 'fetch', protocol, headers: { 'x-tenant': 'a b' }, serviceName: 'edge' });
      completeSpans(exporter, 3, protocol);
      await exporter.forceFlush();
      const got = await receiver.waitForSpans(3);
      assert.deepEqual(
        got.map((s) => s.name).sort(),
        [0, 1, 2].map((i) => `${protocol}-${i}`),
      );
      assert.equal(got[0]!.encoding, protocol === 'http/json' ? 'json' : 'protobuf');
      assert.equal(got[0]!.resource['service.name'], 'edge');
      const req = receiver.requests()[0]!;
      assert.equal(req.path, '/v1/traces');
      assert.equal(req.headers['x-tenant'], 'a b');
      assert.deepEqual(fetchCalls, [receiver.tracesUrl]);
      assert.equal(exporter.stats().exported, 3);
      await exporter.shutdown();
    });
  }

  it('GenAI metrics take the same transport', async () => {
    receiver = await startOtlpReceiver();
    const exporter = new OtelExporter({ endpoint: receiver.url, transport: 'fetch', metrics: true }).register('otel-fetch-metrics');
    await withScope('agent', ScopeType.Agent, () => toolCallExecute('lookup', { q: 1 }, () => 'ok'));
    await exporter.shutdown();
    const names = receiver.metricExports().flatMap((e) => e.map((m) => m.name));
    assert.ok(names.includes('gen_ai.client.operation.duration'), names.join(', '));
    assert.ok(fetchCalls.includes(`${receiver.url}/v1/metrics`), fetchCalls.join(', '));
    assert.ok(fetchCalls.includes(receiver.tracesUrl));
  });

  it('compresses with gzip when asked', async () => {
    receiver = await startOtlpReceiver();
    const exporter = new OtelExporter({ endpoint: receiver.url, transport: 'fetch', compression: 'gzip' });
    completeSpans(exporter, 2, 'zipped');
    await exporter.forceFlush();
    assert.equal((await receiver.waitForSpans(2)).length, 2);
    assert.equal(receiver.requests()[0]!.headers['content-encoding'], 'gzip');
    await exporter.shutdown();
  });

  it('OpenInference spans take the same transport', async () => {
    receiver = await startOtlpReceiver();
    const exporter = new OpenInferenceExporter({ endpoint: receiver.url, transport: 'fetch' });
    completeSpans(exporter, 1, 'oi');
    await exporter.forceFlush();
    assert.equal((await receiver.waitForSpans(1))[0]!.attributes['openinference.span.kind'], 'CHAIN');
    assert.equal(fetchCalls.length, 1);
    await exporter.shutdown();
  });

  it('retries a 503 within the export timeout, so a short outage loses nothing', async () => {
    receiver = await startOtlpReceiver({ status: 503 });
    const exporter = new OtelExporter({ endpoint: receiver.url, transport: 'fetch', exportTimeoutMillis: 8000 });
    completeSpans(exporter, 2, 'retried');
    const flushed = exporter.forceFlush({ timeoutMillis: 8000 });
    await receiver.waitForRequests(1);
    receiver.setStatus(200);
    await flushed;
    assert.equal((await receiver.waitForSpans(2)).length, 2);
    assert.equal(exporter.stats().dropped, 0);
    assert.equal(fetchCalls.length, 2);
    await exporter.shutdown();
  });

  it('a dead endpoint: flush resolves, the loss is counted and reported once', async () => {
    const port = await freePort();
    const exporter = new OtelExporter({ endpoint: `http://127.0.0.1:${port}`, transport: 'fetch', exportTimeoutMillis: 300 });
    completeSpans(exporter, 3, 'lost');
    const t0 = performance.now();
    await exporter.forceFlush();
    assert.ok(performance.now() - t0 < 2000);
    const st = exporter.stats();
    assert.equal(st.droppedExportFailed, 3);
    assert.equal(st.exported, 0);
    assert.equal(st.pending, 0);
    assert.equal(failures.failures.filter((f) => f.source === 'exporter-otel:dropped').length, 1);
    await exporter.shutdown({ timeoutMillis: 500 });
  });

  it('a hanging endpoint: shutdown returns within its timeout and counts the spans lost', async () => {
    receiver = await startOtlpReceiver({ delayMs: 60_000 });
    const exporter = new OtelExporter({ endpoint: receiver.url, transport: 'fetch', shutdownTimeoutMillis: 800, maxExportBatchSize: 10 });
    completeSpans(exporter, 25, 'held');
    await exporter.forceFlush({ timeoutMillis: 50 }).catch(() => undefined);
    await receiver.waitForArrivals(1);
    const t0 = performance.now();
    await exporter.shutdown();
    const ms = performance.now() - t0;
    assert.ok(ms < 1800, `shutdown took ${ms.toFixed(0)} ms with an 800 ms timeout`);
    const st = exporter.stats();
    assert.equal(st.pending, 0);
    assert.equal(st.exported, 0);
    assert.equal(st.dropped, 25);
    assert.ok(failures.failures.some((f) => /lost 25 spans/.test(f.message)));
  });
});
