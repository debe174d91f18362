/**
 * With default settings and a healthy backend, a burst of 20,000 spans (all ended before the
 * first export can leave: one synchronous loop) is delivered whole; the SDK defaults lost most
 * of it. Larger bursts are still bounded by the queue, and their loss counted.
 */
import { strict as assert } from 'node:assert';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { collectFailures, endEvent, feed, startEvent } from './helpers.js';

function burst(exporter: OtelExporter, n: number): void {
  for (let i = 0; i < n; i++) {
    const s = startEvent({ name: `burst-${i}`, category: 'tool', data: { i } });
    feed(exporter, s, endEvent(s, { data: { ok: true } }));
  }
}

describe('exporter-otel: bursts with default settings', function () {
  this.timeout(60_000);
  let receiver: OtlpReceiver;
  let failures: ReturnType<typeof collectFailures>;
  beforeEach(async () => {
    failures = collectFailures();
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    failures.restore();
    await receiver.close();
  });

  it('delivers a 20,000-span burst whole to a healthy collector', async () => {
    const exporter = new OtelExporter({ endpoint: receiver.url });
    try {
      burst(exporter, 20_000);
      assert.equal(exporter.stats().droppedQueueFull, 0);
      await exporter.forceFlush({ timeoutMillis: 30_000 });
      const st = exporter.stats();
      assert.deepEqual({ exported: st.exported, dropped: st.dropped, pending: st.pending }, { exported: 20_000, dropped: 0, pending: 0 });
      const names = new Set(receiver.spans().map((s) => s.name));
      assert.equal(names.size, 20_000, 'every span arrived once');
      assert.equal(failures.failures.length, 0);
    } finally {
      await exporter.shutdown();
    }
  });

  it('bounds a larger burst by the queue and counts exactly what it dropped', async () => {
    const exporter = new OtelExporter({ endpoint: receiver.url, maxQueueSize: 4096 });
    try {
      burst(exporter, 10_000);
      await exporter.forceFlush({ timeoutMillis: 30_000 });
      const st = exporter.stats();
      assert.ok(st.droppedQueueFull > 0);
      assert.equal(st.exported + st.dropped, 10_000);
      assert.equal(st.pending, 0);
      assert.equal(receiver.spans().length, st.exported);
      assert.equal(failures.failures.filter((f) => f.source === 'exporter-otel:dropped').length, 1);
    } finally {
      await exporter.shutdown();
    }
  });
});
