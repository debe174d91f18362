/**
 * `maxOpenSpans`: the default holds 10,000 concurrent runs of 13 open spans each; past the bound
 * the oldest run is ended whole (never single spans, which would end a run's root early and send
 * its children off into new traces), counted and reported; children of an evicted run stay in its
 * trace and are counted and reported too.
 */
import { strict as assert } from 'node:assert';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import type { ScopeEvent } from '@nemo-flow/runtime';
import { collectFailures, endEvent, startEvent } from './helpers.js';

interface Seen {
  name: string;
  traceId: string;
  spanId: string;
  parent: string | undefined;
  incomplete: boolean;
}

/** A provider exporting each span as it ends, recording only what the test checks. */
function recordingProvider(): { provider: BasicTracerProvider; seen: Seen[] } {
  const seen: Seen[] = [];
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done) {
      for (const s of spans) {
        const sc = s.spanContext();
        seen.push({
          name: s.name,
          traceId: sc.traceId,
          spanId: sc.spanId,
          parent: s.parentSpanContext?.spanId,
          incomplete: s.attributes['nemo_flow.incomplete'] === true,
        });
      }
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => undefined,
  };
  return { provider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }), seen };
}

/** Opens a run of `n` spans: a root scope and a chain of `n - 1` nested scopes under it. Returns the starts, root first. */
function openRun(exporter: OtelExporter, name: string, n: number): ScopeEvent[] {
  const starts: ScopeEvent[] = [];
  let parent: string | null = null;
  for (let i = 0; i < n; i++) {
    const s = startEvent({ name: i === 0 ? name : `${name}/${i}`, category: 'function', parent });
    exporter.onEvent(s);
    starts.push(s);
    parent = s.uuid;
  }
  return starts;
}

function closeRun(exporter: OtelExporter, starts: ScopeEvent[]): void {
  for (let i = starts.length - 1; i >= 0; i--) exporter.onEvent(endEvent(starts[i]!));
}

describe('exporter-otel: open-span bound (maxOpenSpans)', function () {
  this.timeout(60_000);
  let failures: ReturnType<typeof collectFailures>;
  beforeEach(() => {
    failures = collectFailures();
  });
  afterEach(() => {
    failures.restore();
  });

  it('holds 10,000 concurrent runs of 13 open spans each with the default bound', async () => {
    // The built-in pipeline (the fast recording path) over an exporter that only counts: what is
    // checked here is the bound; how runs are ended past it is checked below, span by span.
    let roots = 0;
    let exported = 0;
    const counting: SpanExporter = {
      export(spans: ReadableSpan[], done) {
        exported += spans.length;
        for (const s of spans) if (s.parentSpanContext === undefined) roots++;
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: async () => undefined,
    };
    const exporter = new OtelExporter({ spanExporter: counting, maxQueueSize: 1024, maxExportBatchSize: 1024 });
    const runs: ScopeEvent[][] = [];
    for (let r = 0; r < 10_000; r++) runs.push(openRun(exporter, `run-${r}`, 13));
    assert.equal(exporter.stats().openSpans, 130_000);
    assert.equal(exporter.stats().evictedRuns, 0);
    for (const run of runs) {
      closeRun(exporter, run);
      if (exporter.stats().pending >= 1000) await exporter.forceFlush(); // nothing dropped, little held
    }
    await exporter.forceFlush();
    const st = exporter.stats();
    assert.equal(st.evictedRuns, 0);
    assert.equal(st.incompleteSpans, 0);
    assert.equal(st.spansEnded, 130_000);
    assert.equal(exported, 130_000);
    assert.equal(roots, 10_000, 'one root per run: no child started a trace of its own');
    assert.equal(failures.failures.length, 0);
    await exporter.shutdown();
  });

  it('past the bound ends the oldest run whole, counts and reports it, and keeps its late children in its trace', async () => {
    const { provider, seen } = recordingProvider();
    const exporter = new OtelExporter({ tracerProvider: provider, maxOpenSpans: 26 });
    const a = openRun(exporter, 'a', 13);
    const b = openRun(exporter, 'b', 13);
    assert.equal(exporter.stats().evictedRuns, 0);
    const c = openRun(exporter, 'c', 1); // the 27th open span: run a goes, whole
    await provider.forceFlush();
    let st = exporter.stats();
    assert.equal(st.evictedRuns, 1);
    assert.equal(st.evictedSpans, 13);
    assert.equal(st.incompleteSpans, 13);
    assert.equal(st.openSpans, 14);
    const aSpans = seen.filter((s) => s.name === 'a' || s.name.startsWith('a/'));
    assert.equal(aSpans.length, 13);
    assert.ok(aSpans.every((s) => s.incomplete));
    assert.equal(aSpans[aSpans.length - 1]!.name, 'a', 'children ended before their parent');
    const aTrace = aSpans[0]!.traceId;
    const evicted = failures.failures.filter((f) => f.source === 'exporter-otel:evicted');
    assert.equal(evicted.length, 1);
    assert.match(evicted[0]!.message, /oldest open run early \(13 spans.*maxOpenSpans \(26\)/);

    // Run a goes on: a child of its deepest scope arrives, and its own scopes end.
    const late = startEvent({ name: 'a/late', category: 'function', parent: a[12]!.uuid });
    exporter.onEvent(late);
    exporter.onEvent(endEvent(late));
    closeRun(exporter, a); // ends of spans already ended: ignored
    await provider.forceFlush();
    st = exporter.stats();
    assert.equal(st.childrenOfEvicted, 1);
    const lateSpan = seen.find((s) => s.name === 'a/late')!;
    assert.equal(lateSpan.traceId, aTrace, 'the late child stays in its run’s trace');
    assert.equal(lateSpan.parent, aSpans.find((s) => s.name === 'a/12')!.spanId);
    assert.equal(failures.failures.find((f) => f.source === 'exporter-otel:evicted')!.count, 2, 'the late child is reported (counted)');

    closeRun(exporter, b);
    closeRun(exporter, c);
    await provider.forceFlush();
    const bSpans = seen.filter((s) => s.name === 'b' || s.name.startsWith('b/'));
    assert.equal(bSpans.length, 13);
    assert.ok(bSpans.every((s) => !s.incomplete && s.traceId === bSpans[0]!.traceId));
    assert.equal(exporter.stats().openSpans, 0);
    await exporter.shutdown();
  });

  it('frees at least 1/64 of the bound per eviction, in whole runs, oldest first', async () => {
    const { provider, seen } = recordingProvider();
    const exporter = new OtelExporter({ tracerProvider: provider, maxOpenSpans: 640 }); // 10 spans per eviction
    for (let r = 0; r < 214; r++) openRun(exporter, `r${r}`, 3); // 642 open: one eviction, at the 641st
    await provider.forceFlush();
    const st = exporter.stats();
    assert.equal(st.evictedRuns, 4);
    assert.equal(st.evictedSpans, 12);
    assert.equal(st.openSpans, 630);
    assert.deepEqual([...new Set(seen.map((s) => s.name.split('/')[0]))].sort(), ['r0', 'r1', 'r2', 'r3']);
    await exporter.shutdown();
  });

  it('one run alone past the bound (scopes never ended) loses its oldest span, not everything', async () => {
    const { provider } = recordingProvider();
    const exporter = new OtelExporter({ tracerProvider: provider, maxOpenSpans: 5 });
    openRun(exporter, 'leaky', 7);
    const st = exporter.stats();
    assert.equal(st.openSpans, 5);
    assert.equal(st.evictedSpans, 2);
    assert.equal(st.evictedRuns, 0);
    assert.equal(failures.failures.filter((f) => f.source === 'exporter-otel:evicted').length, 1);
    await exporter.shutdown();
  });
});
