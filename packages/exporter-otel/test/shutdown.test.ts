/**
 * `shutdown()` is bounded by its timeout whatever the backend does (holding requests, or not
 * there at all), counted from the call, the ending of many open spans included; what was not
 * delivered by then is counted lost and reported, so `pending` is 0 and nothing is unaccounted.
 */
import { strict as assert } from 'node:assert';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { collectFailures, completeSpans, freePort, startEvent } from './helpers.js';

function openSpans(exporter: OtelExporter, n: number): void {
  for (let i = 0; i < n; i++) exporter.onEvent(startEvent({ name: `open-${i}` }));
}

async function timedShutdown(exporter: OtelExporter, timeoutMillis?: number): Promise<number> {
  const t0 = performance.now();
  await exporter.shutdown(timeoutMillis === undefined ? undefined : { timeoutMillis });
  return performance.now() - t0;
}

describe('exporter-otel: bounded shutdown', function () {
  this.timeout(30_000);
  let failures: ReturnType<typeof collectFailures>;
  let receiver: OtlpReceiver | undefined;
  beforeEach(() => {
    failures = collectFailures();
  });
  afterEach(async () => {
    failures.restore();
    await receiver?.close();
    receiver = undefined;
  });

  function lostReport(): string | undefined {
    return failures.failures.find((f) => f.source === 'exporter-otel:dropped' && /shutdown/.test(f.message))?.message;
  }

  it('returns within its timeout when the backend holds every request, and counts the undelivered spans lost', async () => {
    receiver = await startOtlpReceiver({ delayMs: 60_000 });
    const exporter = new OtelExporter({ endpoint: receiver.url, shutdownTimeoutMillis: 1000, maxExportBatchSize: 50 });
    completeSpans(exporter, 120); // 50 leave at once and are held; 70 wait
    openSpans(exporter, 3);
    await receiver.waitForArrivals(1);
    const ms = await timedShutdown(exporter);
    assert.ok(ms < 2000, `shutdown took ${ms.toFixed(0)} ms with a 1000 ms timeout`);
    const st = exporter.stats();
    assert.equal(st.incompleteSpans, 3);
    assert.equal(st.pending, 0, 'nothing left unaccounted');
    assert.equal(st.exported, 0);
    assert.equal(st.droppedShutdown, 123);
    assert.equal(st.dropped, 123);
    assert.match(lostReport() ?? '', /lost 123 spans: not delivered when shutdown's timeout \(1000 ms\) expired/);
  });

  it('returns within its timeout when the backend is down (the exporter retrying)', async () => {
    const port = await freePort();
    const exporter = new OtelExporter({ endpoint: `http://127.0.0.1:${port}` });
    completeSpans(exporter, 20);
    const ms = await timedShutdown(exporter, 800);
    assert.ok(ms < 1800, `shutdown took ${ms.toFixed(0)} ms with an 800 ms timeout`);
    const st = exporter.stats();
    assert.equal(st.pending, 0);
    assert.equal(st.exported, 0);
    assert.equal(st.dropped, 20);
    assert.ok(lostReport());
  });

  it('counts the time spent ending many open spans, and reports those it had no time to end', async () => {
    receiver = await startOtlpReceiver({ delayMs: 60_000 });
    // A small queue: the SDK encodes the whole queue synchronously when shutdown starts (bounded by
    // maxQueueSize); this test is about the open spans.
    const exporter = new OtelExporter({ endpoint: receiver.url, maxQueueSize: 1024 });
    const t0 = performance.now();
    openSpans(exporter, 60_000); // e.g. thousands of runs in flight
    const openMs = performance.now() - t0;
    const ms = await timedShutdown(exporter, 50);
    const st = exporter.stats();
    // Before, every open span was ended synchronously and only then did the timeout start. Now the
    // deadline covers the ending too: what it has no time for is counted and reported.
    assert.ok(st.lostOpenSpans > 0, 'some open spans could not be ended within 50 ms');
    assert.ok(st.incompleteSpans > 0);
    assert.equal(st.incompleteSpans + st.lostOpenSpans, 60_000);
    assert.ok(failures.failures.some((f) => f.source === 'exporter-otel:shutdown' && /lost \d+ open spans: shutdown's timeout expired/.test(f.message)));
    // A loose bound (scaled by how loaded the machine is): one slice past the deadline, not all of them.
    const bound = 50 + 300 + openMs / 4;
    assert.ok(
      ms < bound,
      `shutdown took ${ms.toFixed(0)} ms with a 50 ms timeout (bound ${bound.toFixed(0)} ms; starting the spans took ${openMs.toFixed(0)} ms)`,
    );
    assert.equal(st.pending, 0);
    assert.equal(st.openSpans, 0);
  });

  it('delivers everything and reports nothing when the backend answers in time', async () => {
    receiver = await startOtlpReceiver();
    const exporter = new OtelExporter({ endpoint: receiver.url, shutdownTimeoutMillis: 5000 });
    completeSpans(exporter, 30);
    await timedShutdown(exporter);
    const st = exporter.stats();
    assert.equal(st.exported, 30);
    assert.equal(st.dropped, 0);
    assert.equal(st.pending, 0);
    assert.equal(lostReport(), undefined);
    assert.equal(receiver.spans().length, 30);
  });
});
