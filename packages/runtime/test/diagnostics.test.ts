/** `diagnostics()` as a snapshot, and the `registerDiagnosticsSource` contract exporters rely on. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtofFileExporter, ConsoleExporter, ScopeType, deregisterSubscriber, registerSubscriber, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { MAX_LISTED_CALLS, diagnostics } from '@nemo-flow/runtime/diagnostics';
import { registerDiagnosticsSource, setFailureReporter } from '@nemo-flow/runtime/exporter-kit';
import { Writable } from 'node:stream';

describe('diagnostics()', () => {
  it('is JSON-compatible: stringify and parse give it back unchanged', async () => {
    registerSubscriber('json-probe', () => {});
    try {
      await withScope('agent', ScopeType.Agent, () => toolCallExecute('t', { a: 1 }, () => 1));
      const d = diagnostics();
      assert.deepEqual(JSON.parse(JSON.stringify(d)), d);
      const row = d.subscribers.find((s) => s.name === 'json-probe')!;
      assert.deepEqual(row, { name: 'json-probe', scope: null, exporter: false, delivered: 4, failed: 0 });
    } finally {
      deregisterSubscriber('json-probe');
    }
  });

  it('counts a rejecting subscriber as failed', async () => {
    const restore = setFailureReporter(() => {});
    registerSubscriber('rejects', async () => {
      throw new Error('later');
    });
    try {
      await toolCallExecute('t', {}, () => 1);
      await new Promise((r) => setImmediate(r));
      const row = diagnostics().subscribers.find((s) => s.name === 'rejects')!;
      assert.equal(row.delivered, 2);
      assert.equal(row.failed, 2);
    } finally {
      deregisterSubscriber('rejects');
      setFailureReporter(restore);
    }
  });

  it('shows a state that cannot be read as an error, and never throws', () => {
    const restore = setFailureReporter(() => {});
    const offA = registerDiagnosticsSource('throws', () => {
      throw new Error('broken reader');
    });
    const offB = registerDiagnosticsSource('cyclic', () => {
      const o: Record<string, unknown> = {};
      o['self'] = o;
      return o as never;
    });
    try {
      const d = diagnostics();
      assert.deepEqual(d.exporters['throws'], { error: 'broken reader' });
      assert.match(String(d.exporters['cyclic']!.error), /circular/i);
    } finally {
      offA();
      offB();
      setFailureReporter(restore);
    }
  });

  it('unregistering removes only its own registration; a bad argument is a TypeError naming it', () => {
    const off1 = registerDiagnosticsSource('same', () => ({ exported: 1 }));
    const off2 = registerDiagnosticsSource('same', () => ({ exported: 2 }));
    off1(); // replaced already: leaves the second in place
    assert.equal(diagnostics().exporters['same']!.exported, 2);
    off2();
    assert.equal(diagnostics().exporters['same'], undefined);
    assert.throws(() => registerDiagnosticsSource('x', 5 as never), /registerDiagnosticsSource: read must be a function/);
    assert.throws(() => registerDiagnosticsSource('', () => ({})), /registerDiagnosticsSource/);
  });

  it('the ATOF file and console sinks publish their state until shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-diag-'));
    const atof = new AtofFileExporter({ path: join(dir, 'events.jsonl') });
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const cons = new ConsoleExporter({ stream: sink });
    registerSubscriber('diag-atof', atof);
    registerSubscriber('diag-console', cons);
    try {
      await toolCallExecute('t', {}, () => 1);
      await atof.forceFlush();
      const s = diagnostics().exporters[`atof-file:${atof.path}`]!;
      assert.equal(s.endpoint, atof.path);
      assert.equal(s.exported, 2);
      assert.equal(s.lastError, null);
      assert.equal(typeof s.lastSuccessAt, 'string');
      // start line, end line, and the run's summary line
      assert.deepEqual(diagnostics().exporters['console'], { endpoint: 'stream', exported: 3, openScopes: 0 });
    } finally {
      deregisterSubscriber('diag-atof');
      deregisterSubscriber('diag-console');
      await atof.shutdown();
      await cons.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(diagnostics().exporters[`atof-file:${atof.path}`], undefined);
    assert.equal(diagnostics().exporters['console'], undefined);
  });
});

describe('diagnostics() with many open calls', () => {
  it('lists the first MAX_LISTED_CALLS and counts the rest', async () => {
    const n = MAX_LISTED_CALLS + 50;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    let allStarted!: () => void;
    const ready = new Promise<void>((r) => (allStarted = r));
    const calls = Array.from({ length: n }, (_, i) =>
      toolCallExecute(`slow-${i}`, {}, async () => {
        if (++started === n) allStarted();
        await gate;
      }),
    );
    await ready;
    const current = diagnostics().stacks.find((s) => s.stack === 'current')!;
    assert.equal(current.openCallCount, n);
    assert.equal(current.openCalls.length, MAX_LISTED_CALLS);
    release();
    await Promise.all(calls);
    assert.equal(diagnostics().stacks.find((s) => s.stack === 'current')!.openCallCount, 0);
  });
});
