/**
 * A backend that is down, failing or slow must not reach the application: events are handled
 * without throwing or waiting, flush/shutdown resolve within their timeouts, memory is bounded by
 * the queue, losses are counted and reported once, and export resumes when the backend is back.
 */
import { strict as assert } from 'node:assert';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { startOtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { collectFailures, completeSpans, freePort, setup } from './helpers.js';

describe('exporter-otel: backend failures', () => {
  let failures: ReturnType<typeof collectFailures>;
  beforeEach(() => {
    failures = collectFailures();
  });
  afterEach(() => {
    failures.restore();
  });

  it('survives a backend that is down, counts the loss once, and resumes when it comes up', async () => {
    const port = await freePort();
    const exporter = new OtelExporter({ endpoint: `http://127.0.0.1:${port}`, exportTimeoutMillis: 300 });
    try {
      assert.doesNotThrow(() => completeSpans(exporter, 3, 'lost'));
      await exporter.forceFlush(); // resolves although every request is refused
      assert.equal(exporter.stats().droppedExportFailed, 3);
      assert.equal(exporter.stats().exported, 0);

      const receiver = await startOtlpReceiver({ port });
      try {
        completeSpans(exporter, 2, 'kept');
        await exporter.forceFlush();
        const got = await receiver.waitForSpans(2);
        assert.deepEqual(got.map((s) => s.name).sort(), ['kept-0', 'kept-1']);
        const st = exporter.stats();
        assert.equal(st.exported, 2);
        assert.equal(st.dropped, 3);
        assert.equal(st.pending, 0);
      } finally {
        await receiver.close();
      }
      const dropped = failures.failures.filter((f) => f.source === 'exporter-otel:dropped');
      assert.equal(dropped.length, 1, 'reported once');
    } finally {
      await exporter.shutdown({ timeoutMillis: 1000 });
    }
  });

  it('drops and counts a batch the backend answers 503 for, then resumes', async () => {
    const { receiver, exporter, done } = await setup({ exportTimeoutMillis: 300 }, 503);
    try {
      completeSpans(exporter, 4, 'rejected');
      await exporter.forceFlush();
      assert.equal((await receiver.waitForRequests(1))[0]!.status, 503);
      assert.equal(exporter.stats().droppedExportFailed, 4);
      receiver.setStatus(200);
      completeSpans(exporter, 1, 'accepted');
      await exporter.forceFlush();
      assert.deepEqual(
        (await receiver.waitForSpans(1)).map((s) => s.name),
        ['accepted-0'],
      );
      assert.equal(exporter.stats().exported, 1);
    } finally {
      await done();
    }
  });

  it('retries a 503 within the export timeout, so a short outage loses nothing', async () => {
    const { receiver, exporter, done } = await setup({ exportTimeoutMillis: 8000 }, 503);
    try {
      completeSpans(exporter, 2, 'retried');
      const flushed = exporter.forceFlush({ timeoutMillis: 8000 });
      await receiver.waitForRequests(1);
      receiver.setStatus(200); // the backend recovers before the exporter's retry
      await flushed;
      assert.equal((await receiver.waitForSpans(2)).length, 2);
      assert.equal(exporter.stats().dropped, 0);
    } finally {
      await done();
    }
  });

  it('keeps flush within its timeout against a slow backend', async () => {
    const { receiver, exporter, done } = await setup({ exportTimeoutMillis: 200, flushTimeoutMillis: 400 });
    receiver.setDelay(10_000);
    try {
      const t0 = performance.now();
      completeSpans(exporter, 2, 'slow');
      const emitMs = performance.now() - t0;
      assert.ok(emitMs < 250, `emitting is not held up by the backend (${emitMs.toFixed(1)} ms)`);
      const f0 = performance.now();
      await exporter.forceFlush();
      const flushMs = performance.now() - f0;
      assert.ok(flushMs < 3000, `flush waited ${flushMs.toFixed(0)} ms for a backend answering after 10 s`);
    } finally {
      receiver.setDelay(0);
      await done();
    }
  });

  it('bounds memory with the queue limit and counts what it drops', async () => {
    const { receiver, exporter, done } = await setup({ maxQueueSize: 10, maxExportBatchSize: 10, scheduledDelayMillis: 60_000 });
    try {
      // One synchronous burst: 10 spans go out as a batch, 10 wait in the queue, 5 find it full.
      completeSpans(exporter, 25, 'burst');
      assert.equal(exporter.stats().droppedQueueFull, 5);
      await exporter.forceFlush();
      await receiver.waitForSpans(20);
      const st = exporter.stats();
      assert.equal(st.exported, 20);
      assert.equal(st.dropped, 5);
      assert.equal(st.pending, 0);
      const dropped = failures.failures.filter((f) => f.source === 'exporter-otel:dropped');
      assert.equal(dropped.length, 1);
      assert.equal(dropped[0]!.count, 5, 'each loss counted, the first one reported');
    } finally {
      await done();
    }
  });

  it('forceFlush also waits for a batch already on its way', async () => {
    const { receiver, exporter, done } = await setup({ maxExportBatchSize: 5, scheduledDelayMillis: 60_000 });
    try {
      receiver.setDelay(300); // holds the answer to the full batch below
      completeSpans(exporter, 7, 'flight'); // 5 leave at once as a full batch, 2 wait for the flush
      await receiver.waitForArrivals(1);
      receiver.setDelay(0); // the flushed batch is answered at once, before the first one
      await exporter.forceFlush();
      assert.equal(exporter.stats().exported, 7, 'nothing still pending when forceFlush resolves');
      assert.equal(exporter.stats().pending, 0);
      assert.equal(receiver.spans().length, 7);
    } finally {
      await done();
    }
  });

  it('never throws from onEvent, even for malformed events, and shutdown is idempotent', async () => {
    const { exporter, done } = await setup();
    const bad = [null, {}, { kind: 'scope', scope_category: 'start' }, { kind: 'mark' }, { kind: 'scope', scope_category: 'end', uuid: 'x' }];
    for (const e of bad) assert.doesNotThrow(() => exporter.onEvent(e as never));
    await Promise.all([exporter.shutdown(), exporter.shutdown()]);
    assert.doesNotThrow(() => completeSpans(exporter, 1, 'after-shutdown'));
    await done();
  });
});
