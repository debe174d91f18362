/**
 * docs/troubleshooting.md, entry by entry: each test reproduces the symptom and checks that
 * `diagnostics()` shows its cause (the `nemo-flow doctor` side is in test/doctor.test.ts).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ScopeType,
  createScopeStack,
  deregisterMiddleware,
  deregisterSubscriber,
  getHandle,
  llmStreamCallExecute,
  popScope,
  pushScope,
  registerSubscriber,
  registerToolExecutionIntercept,
  registerToolSanitizeRequestGuardrail,
  runWithScopeStack,
  toolCallExecute,
  withScope,
  type LifecycleEvent,
} from '@nemo-flow/runtime';
import { diagnostics } from '@nemo-flow/runtime/diagnostics';
import { setFailureReporter } from '@nemo-flow/runtime/exporter-kit';
import { AtifExporter } from '@nemo-flow/exporter-atif';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';

const defaultStack = () => diagnostics().stacks.find((s) => s.stack === 'default') ?? diagnostics().stacks[0]!;

describe('troubleshooting: diagnostics() shows the cause', function () {
  this.timeout(20_000);
  let restoreReporter: ReturnType<typeof setFailureReporter>;
  before(() => {
    restoreReporter = setFailureReporter(() => {}); // the failures reproduced here are expected
  });
  after(() => setFailureReporter(restoreReporter));

  it('scope stack empty: the scope was pushed on the default stack, the request runs on its own', async () => {
    const agent = pushScope('agent', ScopeType.Agent); // at start-up, outside any request
    try {
      await runWithScopeStack(createScopeStack(), async () => {
        assert.equal(getHandle().isRoot, true); // the symptom: no open scope here
        const d = diagnostics();
        const current = d.stacks.find((s) => s.stack === 'current')!;
        const fallback = d.stacks.find((s) => s.stack === 'default')!;
        assert.deepEqual(current.openScopes, []);
        assert.deepEqual(
          fallback.openScopes.map((s) => s.name),
          ['agent'],
        );
      });
    } finally {
      popScope(agent);
    }
  });

  it('work leaking across requests: a scope one request never popped stays open on the shared stack', async () => {
    const leaked = pushScope('request-1', ScopeType.Function); // request 1 forgot popScope
    let parentOfRequest2 = '';
    const names: string[] = [];
    registerSubscriber('leak-probe', (e: LifecycleEvent) => void names.push(e.name));
    try {
      await toolCallExecute('request-2-tool', {}, () => {
        parentOfRequest2 = getHandle().parent!.name;
        const open = defaultStack();
        assert.deepEqual(
          open.openScopes.map((s) => s.name),
          ['request-1'],
        );
        assert.deepEqual(
          open.openCalls.map((c) => [c.name, c.parent]),
          [['request-2-tool', 'request-1']],
        );
        return 1;
      });
      assert.equal(parentOfRequest2, 'request-1'); // the symptom: request 2's work is under request 1
    } finally {
      deregisterSubscriber('leak-probe');
      popScope(leaked);
    }
  });

  it('middleware in an unexpected order: diagnostics lists each family in execution order, with priorities', async () => {
    const order: string[] = [];
    registerToolExecutionIntercept('timing', 50, (args, next) => (order.push('timing'), next(args)));
    registerToolExecutionIntercept('retry', 10, (args, next) => (order.push('retry'), next(args)));
    try {
      await toolCallExecute('t', {}, () => 1);
      assert.deepEqual(order, ['retry', 'timing']); // lower priority runs first (outermost)
      assert.deepEqual(
        diagnostics().middleware['tool_execution_intercept']!.map((m) => [m.name, m.priority]),
        [
          ['retry', 10],
          ['timing', 50],
        ],
      );
    } finally {
      deregisterMiddleware('tool_execution_intercept', 'timing');
      deregisterMiddleware('tool_execution_intercept', 'retry');
    }
  });

  it('an execution intercept that never calls the original is counted', async () => {
    let toolRan = false;
    const before = diagnostics().interceptsSkippingNext['tool_execution_intercept:forgot-next'] ?? 0;
    registerToolExecutionIntercept('forgot-next', 0, async () => ({ cached: true }));
    try {
      await toolCallExecute('lookup', {}, () => ((toolRan = true), 1));
      assert.equal(toolRan, false);
      assert.equal(diagnostics().interceptsSkippingNext['tool_execution_intercept:forgot-next'], before + 1);
    } finally {
      deregisterMiddleware('tool_execution_intercept', 'forgot-next');
    }
    // One that calls next is not counted.
    registerToolExecutionIntercept('calls-next', 0, (args, next) => next(args));
    try {
      await toolCallExecute('lookup', {}, () => 1);
      assert.equal(diagnostics().interceptsSkippingNext['tool_execution_intercept:calls-next'], undefined);
    } finally {
      deregisterMiddleware('tool_execution_intercept', 'calls-next');
    }
  });

  it('subscribers that see nothing: delivered stays 0 (scope-local on another scope), failed counts a throwing one', async () => {
    await withScope('agent-a', ScopeType.Agent, async (a) => {
      registerSubscriber('a-only', () => {}, { scope: a });
      registerSubscriber('throws', () => {
        throw new Error('bad subscriber');
      });
      try {
        await runWithScopeStack(createScopeStack(), () => toolCallExecute('outside-a', {}, () => 1));
        const d = diagnostics();
        const local = d.subscribers.find((s) => s.name === 'a-only')!;
        assert.equal(local.delivered, 0);
        assert.equal(local.scope!.name, 'agent-a');
        const bad = d.subscribers.find((s) => s.name === 'throws')!;
        assert.equal(bad.delivered, 2);
        assert.equal(bad.failed, 2);
        assert.ok(d.failures.some((f) => f.source === 'subscriber:throws' && f.error.includes('bad subscriber')));
      } finally {
        deregisterSubscriber('throws');
      }
    });
  });

  describe('ATIF', () => {
    let dir: string;
    let atif: AtifExporter;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'nf-trouble-atif-'));
      atif = new AtifExporter({ dir, writeOnExit: false }).register('trouble-atif');
    });
    afterEach(async () => {
      await atif.shutdown();
      rmSync(dir, { recursive: true, force: true });
    });
    const files = () => readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    const state = () => diagnostics().exporters[`exporter-atif:${dir}`] as Record<string, unknown>;

    it('empty: the run never ended, so nothing is written yet (openRuns 1, exported 0)', async () => {
      const agent = pushScope('agent', ScopeType.Agent);
      try {
        await toolCallExecute('t', {}, () => 1);
        await atif.forceFlush();
        assert.deepEqual(files(), []);
        assert.equal(state()['openRuns'], 1);
        assert.equal(state()['exported'], 0);
      } finally {
        popScope(agent);
      }
      await atif.forceFlush();
      assert.equal(state()['exported'], 1);
      assert.equal(files().length, 1);
    });

    it('mixed across agents: two agents on one stack nest, and one trajectory holds both', async () => {
      const a = pushScope('agent-a', ScopeType.Agent);
      const b = pushScope('agent-b', ScopeType.Agent); // "concurrent" agents sharing the default stack
      try {
        assert.deepEqual(
          defaultStack().openScopes.map((s) => s.name),
          ['agent-a', 'agent-b'],
        );
        assert.equal(state()['openRuns'], 1); // one run, not two
      } finally {
        popScope(b);
        popScope(a);
      }
    });
  });

  it('a stream missing its final chunk: the stream that was not consumed to the end is an open call', async () => {
    await withScope('agent', ScopeType.Agent, async () => {
      const stream = await llmStreamCallExecute('chat', { headers: {}, content: { model: 'm' } }, async function* () {
        yield { delta: 'a' };
        yield { delta: 'b' };
      });
      const d = diagnostics();
      const calls = d.stacks.flatMap((s) => s.openCalls);
      assert.ok(
        calls.some((c) => c.name === 'chat' && c.parent === 'agent'),
        JSON.stringify(calls),
      );
      for await (const _ of stream) {
        // consumed to the end: the call ends
      }
      assert.ok(!diagnostics().stacks.some((s) => s.openCalls.some((c) => c.name === 'chat')));
    });
  });

  describe('spans missing in Jaeger/Phoenix', () => {
    let receiver: OtlpReceiver;
    let saved: string | undefined;
    before(async () => {
      receiver = await startOtlpReceiver();
      saved = process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
    });
    after(async () => {
      if (saved === undefined) delete process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
      else process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = saved;
      await receiver.close();
    });

    it('endpoint path: a traces endpoint without /v1/traces shows as last error 404', async () => {
      process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = `${receiver.url}/traces`;
      const otel = new OtelExporter({ source: 'trouble-otel-path' }).register('trouble-otel-path');
      try {
        await toolCallExecute('t', {}, () => 1);
        await otel.forceFlush();
        const s = diagnostics().exporters['trouble-otel-path']!;
        assert.equal(s['endpoint'], `${receiver.url}/traces`);
        assert.match(String(s['lastError']), /404/);
        assert.equal(s['exported'], 0);
        assert.equal(s['dropped'], 1);
      } finally {
        delete process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
        await otel.shutdown();
      }
      assert.equal(diagnostics().exporters['trouble-otel-path'], undefined); // gone on shutdown
    });

    it('process exiting before flush: spans wait in the queue until a flush (queued 1, no successful export yet)', async () => {
      const otel = new OtelExporter({ endpoint: receiver.url, source: 'trouble-otel-exit', scheduledDelayMillis: 60_000 }).register('trouble-otel-exit');
      try {
        await toolCallExecute('t', {}, () => 1);
        let s = diagnostics().exporters['trouble-otel-exit']!;
        assert.equal(s['queued'], 1);
        assert.equal(s['lastSuccessAt'], null);
        await otel.forceFlush();
        s = diagnostics().exporters['trouble-otel-exit']!;
        assert.equal(s['queued'], 0);
        assert.equal(s['exported'], 1);
        assert.equal(s['lastError'], null);
        assert.ok(typeof s['lastSuccessAt'] === 'string');
      } finally {
        await otel.shutdown();
      }
    });

    it('Phoenix: the OpenInference exporter publishes the same state', async () => {
      const oi = new OpenInferenceExporter({ endpoint: receiver.url });
      try {
        assert.equal(diagnostics().exporters['exporter-openinference']!['endpoint'], receiver.tracesUrl);
      } finally {
        await oi.shutdown();
      }
    });

    it('protocol: a receiver rejecting the encoding shows as last error 415', async () => {
      receiver.setStatus(415);
      const otel = new OtelExporter({ endpoint: receiver.url, source: 'trouble-otel-415' }).register('trouble-otel-415');
      try {
        await toolCallExecute('t', {}, () => 1);
        await otel.forceFlush();
        const s = diagnostics().exporters['trouble-otel-415']!;
        assert.match(String(s['lastError']), /HTTP 415/);
        assert.equal(s['protocol'], 'http/protobuf');
      } finally {
        receiver.setStatus(200);
        await otel.shutdown();
      }
    });

    it('protocol and sampling: the exporter state names both', async () => {
      const otel = new OtelExporter({ endpoint: receiver.url, protocol: 'http/json', source: 'trouble-otel-proto' });
      try {
        const s = diagnostics().exporters['trouble-otel-proto']!;
        assert.equal(s['protocol'], 'http/json');
        assert.equal(s['sampler'], process.env['OTEL_TRACES_SAMPLER'] ?? 'parentbased_always_on');
      } finally {
        await otel.shutdown();
      }
    });
  });

  it('secrets in exports: no sanitize guardrail is registered for the family that carries them', async () => {
    const seen: string[] = [];
    registerSubscriber('secrets-probe', (e: LifecycleEvent) => void seen.push(JSON.stringify(e)));
    try {
      await toolCallExecute('call_api', { apiKey: 'sk-live-123' }, () => 1);
      assert.ok(seen.some((s) => s.includes('sk-live-123')));
      assert.equal(diagnostics().middleware['tool_sanitize_request'], undefined); // the cause
      registerToolSanitizeRequestGuardrail('hide-keys', 0, (_name, args) => ({ ...(args as object), apiKey: '[redacted]' }));
      seen.length = 0;
      await toolCallExecute('call_api', { apiKey: 'sk-live-123' }, () => 1);
      assert.ok(!seen.some((s) => s.includes('sk-live-123')));
      assert.deepEqual(
        diagnostics().middleware['tool_sanitize_request']!.map((m) => m.name),
        ['hide-keys'],
      );
    } finally {
      deregisterSubscriber('secrets-probe');
      deregisterMiddleware('tool_sanitize_request', 'hide-keys');
    }
  });
});
