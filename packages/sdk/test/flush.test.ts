/**
 * `flush()`: one call that resolves once everything handed to the exporters is delivered or lost,
 * bounded by its timeout, with a report per exporter — for `init()`'s exporters and for exporters
 * registered by hand.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScopeType, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { createOtlpExporter } from '@nemo-flow/exporter-otel';
import { clearPlugins, flush, init } from '@nemo-flow/sdk';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { collectFailures } from '../../../test/support/failures.js';
import { freePort } from '../../../test/support/free-port.js';

async function runs(n: number): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      withScope(`agent-${i}`, ScopeType.Agent, async () => {
        await new Promise((r) => setImmediate(r));
        await toolCallExecute('search', { q: i }, () => 'ok');
      }),
    ),
  );
}

/** Counts the requests that go through `globalThis.fetch` until `restore()`. */
function countFetches(): { readonly count: number; restore(): void } {
  const realFetch = globalThis.fetch;
  let count = 0;
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    count++;
    return realFetch(input, init);
  }) as typeof fetch;
  return {
    get count() {
      return count;
    },
    restore: () => {
      globalThis.fetch = realFetch;
    },
  };
}

describe('sdk: flush()', function () {
  this.timeout(20_000);
  let cwd: string;
  let receiver: OtlpReceiver | undefined;
  let failures: ReturnType<typeof collectFailures>;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'nf-flush-'));
    failures = collectFailures();
  });
  afterEach(async () => {
    failures.restore();
    await clearPlugins();
    await receiver?.close();
    receiver = undefined;
    rmSync(cwd, { recursive: true, force: true });
  });

  it("init()'s embedded default: every span is at the receiver when flush() resolves", async () => {
    receiver = await startOtlpReceiver();
    const handle = await init({ cwd, console: false, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, warnings: false });
    await runs(20);
    const report = await flush({ timeoutMs: 5000 });
    // No waiting here: the spans arrived before flush() resolved.
    assert.equal(receiver.spans().length, 40);
    const otel = report.exporters['plugin:observability:otel']!;
    assert.deepEqual(otel, { flushed: true, delivered: 40, lost: 0, pending: 0 });
    assert.equal(report.settled, true);
    assert.equal(report.lost, 0);
    // The handle's flush is the same call.
    assert.equal((await handle.flush({ timeoutMs: 5000 })).exporters['plugin:observability:otel']!.delivered, 40);
    await handle.shutdown();
  });

  it('an exporter registered by hand, backend dead: resolves within the timeout with the loss counted', async () => {
    const exporter = createOtlpExporter({ endpoint: `http://127.0.0.1:${await freePort()}`, exportTimeoutMillis: 200, register: 'dead-otel' });
    try {
      await runs(3);
      const t0 = performance.now();
      const report = await flush({ timeoutMs: 3000 });
      assert.ok(performance.now() - t0 < 3000);
      assert.deepEqual(report.exporters['dead-otel'], { flushed: true, delivered: 0, lost: 6, pending: 0 });
      assert.equal(report.lost, 6);
      assert.ok(failures.failures.some((f) => f.source === 'exporter-otel:dropped'));
    } finally {
      await exporter.shutdown({ timeoutMillis: 500 });
    }
  });

  it('a backend that never answers: resolves at the timeout, what is undelivered reported pending', async () => {
    receiver = await startOtlpReceiver({ delayMs: 60_000 });
    const exporter = createOtlpExporter({ endpoint: receiver.url, register: 'slow-otel' });
    try {
      await runs(2);
      const t0 = performance.now();
      const report = await flush({ timeoutMs: 400 });
      const ms = performance.now() - t0;
      assert.ok(ms >= 350 && ms < 1500, `flush took ${ms.toFixed(0)} ms with a 400 ms timeout`);
      assert.equal(report.settled, false);
      assert.deepEqual(report.exporters['slow-otel'], { flushed: true, delivered: 0, lost: 0, pending: 4 });
      assert.ok(failures.failures.some((f) => /did not finish within/.test(f.message)));
    } finally {
      await exporter.shutdown({ timeoutMillis: 300 });
    }
  });

  it('on Workers: the embedded default has no file outputs, OTLP goes over fetch, flush() delivers', async () => {
    receiver = await startOtlpReceiver();
    const fetches = countFetches();
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Cloudflare-Workers' }, configurable: true, writable: true });
    try {
      const handle = await init({ cwd, console: false, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, warnings: false });
      assert.deepEqual(handle.config, { version: 1, components: [{ kind: 'observability', config: { console: false, otel: { optional: true } } }] });
      await runs(3);
      const report = await flush({ timeoutMs: 5000 });
      assert.equal(receiver.spans().length, 6);
      assert.equal(report.delivered, 6);
      assert.ok(fetches.count >= 1, 'the spans went through fetch');
      await handle.shutdown();
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete (globalThis as { navigator?: unknown }).navigator;
      fetches.restore();
    }
  });

  it("a configuration's otel.transport is the exporter's; a wrong value is a diagnostic", async () => {
    receiver = await startOtlpReceiver();
    const fetches = countFetches();
    try {
      const otel = { endpoint: receiver.url, transport: 'fetch', metrics: false };
      const handle = await init({ cwd, warnings: false, config: { version: 1, components: [{ kind: 'observability', config: { console: false, otel } }] } });
      await runs(1);
      assert.equal((await flush({ timeoutMs: 5000 })).delivered, 2);
      assert.equal(fetches.count, 1);
      await handle.shutdown();
      const bad = { version: 1, components: [{ kind: 'observability', config: { console: false, otel: { ...otel, transport: 'tcp' } } }] };
      await assert.rejects(init({ cwd, warnings: false, config: bad }), /transport/);
    } finally {
      fetches.restore();
    }
  });

  it('rejects a timeout that is not a positive number, naming it', async () => {
    await assert.rejects(flush({ timeoutMs: -1 }), /timeoutMs must be a positive number of milliseconds, got -1/);
  });
});
