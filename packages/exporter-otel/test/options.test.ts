/**
 * Constructor arguments: a wrong option is an error naming it, thrown at construction, never an
 * exporter that silently exports nothing (`maxQueueSize: NaN`) or drops everything (`0`).
 */
import { strict as assert } from 'node:assert';
import { OtelExporter, createOtlpExporter, type OtelExporterOptions } from '@nemo-flow/exporter-otel';
import { startOtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { collectFailures, endEvent, feed, startEvent } from './helpers.js';

const NUMERIC = [
  'maxQueueSize',
  'maxExportBatchSize',
  'scheduledDelayMillis',
  'exportTimeoutMillis',
  'flushTimeoutMillis',
  'shutdownTimeoutMillis',
  'maxOpenSpans',
  'maxAttributeLength',
] as const;

function make(options: unknown): OtelExporter {
  return new OtelExporter(options as OtelExporterOptions);
}

describe('exporter-otel: option validation', () => {
  it('rejects options that are not an object with a TypeError saying so', () => {
    for (const bad of [null, 42, 'x', true, [], () => ({})]) {
      assert.throws(
        () => make(bad),
        (e: Error) => e instanceof TypeError && /new OtelExporter\(\): options must be an object/.test(e.message),
        `options ${String(bad)}`,
      );
    }
    assert.throws(() => createOtlpExporter(null as never), /createOtlpExporter\(\): options must be an object, got null/);
  });

  it('rejects NaN, strings, zero, negatives, infinities and fractions in every numeric option, naming it', () => {
    for (const key of NUMERIC) {
      const bads: unknown[] = [NaN, '', '10', -1, Infinity, null];
      if (key !== 'scheduledDelayMillis') bads.push(0);
      if (!key.endsWith('Millis')) bads.push(1.5);
      for (const bad of bads) {
        assert.throws(
          () => make({ [key]: bad }),
          (e: Error) => (e instanceof TypeError || e instanceof RangeError) && e.message.startsWith(`new OtelExporter(): ${key} must be `),
          `${key}: ${String(bad)}`,
        );
      }
    }
  });

  it('names the bad option among other types too', () => {
    assert.throws(() => make({ endpoint: 42 }), /endpoint must be a string, got 42/);
    assert.throws(() => make({ headers: 'a=b' }), /headers must be an object/);
    assert.throws(() => make({ headers: { a: 1 } }), /headers\["a"\] must be a string/);
    assert.throws(() => make({ protocol: 'grpc' }), /protocol must be "http\/protobuf" or "http\/json", got "grpc"/);
    assert.throws(() => make({ tracerProvider: {} }), /tracerProvider must be an OpenTelemetry TracerProvider/);
    assert.throws(() => make({ flushOnExit: 'yes' }), /flushOnExit must be a boolean/);
    assert.throws(() => make({ mapper: 3 }), /mapper must be an AttributeMapper/);
  });

  it('accepts valid numbers (and a zero schedule delay)', async () => {
    const e = make({
      maxQueueSize: 10,
      maxExportBatchSize: 5,
      scheduledDelayMillis: 0,
      exportTimeoutMillis: 100,
      flushTimeoutMillis: 100,
      shutdownTimeoutMillis: 100,
      maxOpenSpans: 1,
      maxAttributeLength: 1,
      endpoint: 'http://127.0.0.1:9',
    });
    await e.shutdown();
  });
});

describe('exporter-otel: flush and shutdown timeouts', () => {
  it('reports a timeoutMillis that is not a positive number and uses the default (these never throw)', async () => {
    const failures = collectFailures();
    try {
      const receiver = await startOtlpReceiver({ delayMs: 60_000 });
      try {
        const e = make({ endpoint: receiver.url, flushTimeoutMillis: 300, shutdownTimeoutMillis: 300 });
        const s = startEvent({ name: 'x' });
        feed(e, s, endEvent(s));
        const t0 = performance.now();
        await e.forceFlush({ timeoutMillis: NaN });
        await e.shutdown({ timeoutMillis: -1 });
        const ms = performance.now() - t0;
        assert.ok(ms >= 250, `the defaults (300 ms each) were used, not NaN/-1 (${ms.toFixed(0)} ms)`);
        const reported = failures.failures.filter((f) => f.source === 'exporter-otel:config').map((f) => f.message);
        assert.match(reported[0] ?? '', /forceFlush\(\): timeoutMillis must be a positive number of milliseconds, got NaN; using 300 ms/);
        assert.equal(failures.failures.find((f) => f.source === 'exporter-otel:config')!.count, 2);
      } finally {
        await receiver.close();
      }
    } finally {
      failures.restore();
    }
  });
});
