/** initializePlugins / clearPlugins / pluginReport with custom plugins: activation, rollback, replacement. */
import { strict as assert } from 'node:assert';
import {
  deregisterSubscriber,
  flushSubscribers,
  listMiddleware,
  listSubscribers,
  mark,
  registerSubscriber,
  toolCallExecute,
  type EventExporter,
  type LifecycleEvent,
} from '@nemo-flow/runtime';
import {
  clearPlugins,
  deregisterPlugin,
  initializePlugins,
  listPluginKinds,
  pluginReport,
  PluginConfigError,
  registerPlugin,
  type PluginContext,
} from '@nemo-flow/runtime/plugins';
import { collectFailures } from './helpers.js';

/** Plugin kinds this file registers (removed after). */
const KINDS = [
  'lc_a',
  'lc_good',
  'lc_bad',
  'lc_bad_async',
  'lc_partial',
  'lc_late',
  'lc_hang',
  'lc_multi',
  'lc_taken',
  'lc_badname',
  'lc_flaky_shutdown',
  'lc_gone',
];

/** A test exporter recording what happened to it. */
class RecordingExporter implements EventExporter {
  events: LifecycleEvent[] = [];
  flushed = 0;
  shutdowns = 0;
  onEvent(e: LifecycleEvent): void {
    this.events.push(e);
  }
  async forceFlush(): Promise<void> {
    this.flushed++;
  }
  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
}

const pluginSubscribers = (): string[] => listSubscribers().filter((n) => n.startsWith('plugin:'));
const pluginMiddleware = (): string[] =>
  listMiddleware()
    .filter((m) => m.name.startsWith('plugin:'))
    .map((m) => `${m.family}:${m.name}`);
const doc = (...kinds: Array<string | { kind: string; enabled?: boolean; config?: Record<string, unknown> }>): unknown => ({
  version: 1,
  components: kinds.map((k) => (typeof k === 'string' ? { kind: k } : k)),
});

const exporters = new Map<string, RecordingExporter>();
const seen = new Map<string, string[]>();
const cleared: string[] = [];

/** A well-behaved plugin: a subscriber, an exporter, a tool request intercept and a teardown hook. */
function goodPlugin(kind: string) {
  return {
    register(config: Readonly<Record<string, unknown>>, ctx: PluginContext) {
      const names: string[] = [];
      seen.set(kind, names);
      ctx.registerSubscriber('names', (e) => void names.push(e.name));
      const exp = new RecordingExporter();
      exporters.set(kind, exp);
      ctx.registerExporter('recorder', exp);
      const suffix = typeof config.suffix === 'string' ? config.suffix : '';
      ctx.registerToolRequestIntercept('suffix', 10, (_name, args) => (suffix ? `${String(args)}${suffix}` : args));
      ctx.onClear(() => void cleared.push(kind));
      ctx.setDetails({ suffix });
    },
  };
}

describe('plugins: activation and rollback', () => {
  let failures: ReturnType<typeof collectFailures>;

  before(() => {
    registerPlugin('lc_a', goodPlugin('lc_a'));
    registerPlugin('lc_good', goodPlugin('lc_good'));
    registerPlugin('lc_bad', {
      register() {
        throw new Error('bad plugin exploded');
      },
    });
    registerPlugin('lc_bad_async', {
      async register(_c, ctx) {
        ctx.registerSubscriber('early', () => {});
        await Promise.resolve();
        throw new Error('async failure');
      },
    });
    registerPlugin('lc_partial', {
      register(_c, ctx) {
        const exp = new RecordingExporter();
        exporters.set('lc_partial', exp);
        ctx.registerExporter('half', exp);
        ctx.onClear(() => void cleared.push('lc_partial'));
        throw new Error('failed halfway');
      },
    });
    registerPlugin('lc_multi', { multiple: true, register: (_c, ctx) => void ctx.registerSubscriber('s', () => {}) });
    registerPlugin('lc_taken', { register: (_c, ctx) => void ctx.registerSubscriber('taken', () => {}) });
    registerPlugin('lc_badname', { register: (_c, ctx) => void ctx.registerSubscriber('', () => {}) });
  });

  after(() => {
    for (const k of KINDS) deregisterPlugin(k);
  });

  beforeEach(() => {
    exporters.clear();
    seen.clear();
    cleared.length = 0;
    failures = collectFailures();
  });

  afterEach(async () => {
    await clearPlugins();
    failures.restore();
  });

  it('lists the built-in and custom kinds', () => {
    const kinds = listPluginKinds();
    assert.equal(kinds[0], 'pii_redaction');
    assert.ok(kinds.includes('lc_good'));
  });

  it('activates a component: its registrations are prefixed, live and reported', async () => {
    const report = await initializePlugins(doc({ kind: 'lc_good', config: { suffix: '!' } }));
    assert.equal(report.active, true);
    assert.deepEqual(pluginSubscribers(), ['plugin:lc_good:names', 'plugin:lc_good:recorder']);
    assert.deepEqual(pluginMiddleware(), ['tool_request_intercept:plugin:lc_good:suffix']);
    assert.deepEqual(report.components, [
      {
        kind: 'lc_good',
        index: 0,
        status: 'active',
        subscribers: ['plugin:lc_good:names', 'plugin:lc_good:recorder'],
        middleware: [{ family: 'tool_request_intercept', name: 'plugin:lc_good:suffix', priority: 10 }],
        exporters: ['plugin:lc_good:recorder'],
        details: { suffix: '!' },
      },
    ]);
    const got = await toolCallExecute('echo', 'hi', (a) => a);
    assert.equal(got, 'hi!');
    assert.deepEqual(seen.get('lc_good'), ['echo', 'echo']);
    await flushSubscribers();
    assert.ok(exporters.get('lc_good')!.flushed >= 1, 'flushSubscribers flushes plugin exporters');
    assert.deepEqual(pluginReport(), report);
  });

  it('a component that throws in register rolls back itself and every earlier one; the previous configuration stays active', async () => {
    const first = await initializePlugins(doc('lc_a'));
    const aExporter = exporters.get('lc_a')!;
    await assert.rejects(initializePlugins(doc('lc_good', 'lc_bad')), (err: unknown) => {
      assert.ok(err instanceof PluginConfigError);
      assert.equal(err.diagnostics[0]!.code, 'ACTIVATION_FAILED');
      assert.equal(err.diagnostics[0]!.component, 'lc_bad');
      assert.equal(err.diagnostics[0]!.index, 1);
      assert.match(err.message, /bad plugin exploded/);
      return true;
    });
    // The good component's registrations never went live and its exporter was shut down.
    assert.deepEqual(pluginSubscribers(), ['plugin:lc_a:names', 'plugin:lc_a:recorder']);
    assert.deepEqual(pluginMiddleware(), ['tool_request_intercept:plugin:lc_a:suffix']);
    assert.equal(exporters.get('lc_good')!.shutdowns, 1);
    assert.deepEqual(cleared, ['lc_good']);
    // The previous configuration is untouched and still receives events.
    assert.deepEqual(pluginReport(), first);
    assert.equal(aExporter.shutdowns, 0);
    mark('after-rollback');
    assert.ok(seen.get('lc_a')!.includes('after-rollback'));
  });

  it('async failures and half-done registrations are rolled back too', async () => {
    await assert.rejects(initializePlugins(doc('lc_good', 'lc_bad_async')), /async failure/);
    assert.deepEqual(pluginSubscribers(), []);
    await assert.rejects(initializePlugins(doc('lc_good', 'lc_partial')), /failed halfway/);
    assert.equal(exporters.get('lc_partial')!.shutdowns, 1);
    assert.deepEqual(cleared.sort(), ['lc_good', 'lc_good', 'lc_partial'].sort());
    assert.equal(pluginReport().active, false);
  });

  it('invalid plugin context calls fail the activation, not the process', async () => {
    await assert.rejects(initializePlugins(doc('lc_badname')), /name must be a non-empty string/);
  });

  it('a name already taken outside the plugin system fails the swap and keeps the previous configuration', async () => {
    const before = await initializePlugins(doc('lc_a'));
    registerSubscriber('plugin:lc_taken:taken', () => {});
    try {
      await assert.rejects(initializePlugins(doc('lc_good', 'lc_taken')), (err: unknown) => {
        assert.ok(err instanceof PluginConfigError);
        assert.equal(err.diagnostics[0]!.component, 'lc_taken');
        return true;
      });
      assert.deepEqual(pluginReport(), before);
      assert.deepEqual(pluginSubscribers(), ['plugin:lc_a:names', 'plugin:lc_a:recorder', 'plugin:lc_taken:taken']);
      assert.equal(exporters.get('lc_good')!.shutdowns, 1);
    } finally {
      deregisterSubscriber('plugin:lc_taken:taken');
    }
  });

  it('a configuration with errors is rejected before anything runs', async () => {
    await initializePlugins(doc('lc_a'));
    await assert.rejects(initializePlugins({ version: 1, components: [{ kind: 'lc_good' }, { kind: 'lc_good' }] }), (err: unknown) => {
      assert.ok(err instanceof PluginConfigError);
      assert.deepEqual(
        err.diagnostics.map((d) => d.code),
        ['DUPLICATE_COMPONENT'],
      );
      return true;
    });
    assert.equal(exporters.has('lc_good'), false, 'register never ran');
    assert.deepEqual(pluginSubscribers(), ['plugin:lc_a:names', 'plugin:lc_a:recorder']);
  });

  it('re-initializing replaces the previous configuration cleanly', async () => {
    const one = await initializePlugins(doc({ kind: 'lc_a', config: { suffix: '1' } }));
    const aExporter = exporters.get('lc_a')!;
    const two = await initializePlugins(doc({ kind: 'lc_good', config: { suffix: '2' } }));
    assert.equal(two.generation, one.generation + 1);
    assert.deepEqual(pluginSubscribers(), ['plugin:lc_good:names', 'plugin:lc_good:recorder']);
    assert.deepEqual(pluginMiddleware(), ['tool_request_intercept:plugin:lc_good:suffix']);
    assert.equal(aExporter.shutdowns, 1);
    assert.deepEqual(cleared, ['lc_a']);
    assert.equal(await toolCallExecute('t', 'x', (a) => a), 'x2');
    // The same kinds again: names are reused without clashing.
    await initializePlugins(doc({ kind: 'lc_good', config: { suffix: '3' } }));
    assert.equal(await toolCallExecute('t', 'x', (a) => a), 'x3');
    assert.deepEqual(pluginSubscribers(), ['plugin:lc_good:names', 'plugin:lc_good:recorder']);
  });

  it('clear removes everything a configuration installed', async () => {
    await initializePlugins(doc('lc_good'));
    await clearPlugins();
    assert.deepEqual(pluginSubscribers(), []);
    assert.deepEqual(pluginMiddleware(), []);
    assert.equal(exporters.get('lc_good')!.shutdowns, 1);
    assert.deepEqual(cleared, ['lc_good']);
    const report = pluginReport();
    assert.equal(report.active, false);
    assert.deepEqual(report.components, []);
    await clearPlugins(); // idempotent
    assert.equal(exporters.get('lc_good')!.shutdowns, 1);
  });

  it('an exporter that fails to shut down is reported, not thrown', async () => {
    registerPlugin('lc_flaky_shutdown', {
      register(_c, ctx) {
        const exp = new RecordingExporter();
        exp.shutdown = async () => {
          throw new Error('disk gone');
        };
        ctx.registerExporter('flaky', exp);
      },
    });
    await initializePlugins(doc('lc_flaky_shutdown'));
    await clearPlugins();
    assert.equal(failures.failures.length, 1);
    assert.match(failures.failures[0]!.message, /plugin:lc_flaky_shutdown:flaky.*failed to shut down/);
  });

  it('disabled and unknown components are reported, not activated; warnings are kept', async () => {
    const report = await initializePlugins({ version: 1, components: [{ kind: 'lc_good', enabled: false }, { kind: 'lc_unknown' }, { kind: 'lc_a' }] });
    assert.deepEqual(
      report.components.map((c) => `${c.kind}:${c.status}`),
      ['lc_good:disabled', 'lc_unknown:skipped', 'lc_a:active'],
    );
    assert.equal(exporters.has('lc_good'), false);
    assert.deepEqual(
      report.diagnostics.map((d) => d.code),
      ['UNKNOWN_COMPONENT'],
    );
  });

  it('kinds allowed several times get distinct prefixes', async () => {
    await initializePlugins(doc('lc_multi', 'lc_multi'));
    assert.deepEqual(pluginSubscribers(), ['plugin:lc_multi:s', 'plugin:lc_multi#2:s']);
  });

  it('a plugin cannot register after its register() returned', async () => {
    let saved: PluginContext | undefined;
    registerPlugin('lc_late', { register: (_c, ctx) => void (saved = ctx) });
    await initializePlugins(doc('lc_late'));
    assert.throws(() => saved!.registerSubscriber('later', () => {}), /after register\(\) returned/);
  });

  it('a register() that never settles times out and is rolled back', async () => {
    registerPlugin('lc_hang', {
      register(_c, ctx) {
        ctx.registerSubscriber('waiting', () => {});
        return new Promise<void>(() => {});
      },
    });
    await assert.rejects(initializePlugins(doc('lc_hang'), { activationTimeoutMs: 50 }), /did not finish within 50 ms/);
    assert.deepEqual(pluginSubscribers(), []);
  });

  it('concurrent calls run in order: the last one wins', async () => {
    const results = await Promise.allSettled([
      initializePlugins(doc('lc_a')),
      initializePlugins(doc('lc_bad')),
      initializePlugins(doc('lc_good')),
      clearPlugins(),
      initializePlugins(doc('lc_good')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
    );
    assert.deepEqual(pluginSubscribers(), ['plugin:lc_good:names', 'plugin:lc_good:recorder']);
  });

  it('removing a kind leaves its active components running until the configuration is cleared', async () => {
    registerPlugin('lc_gone', { register: (_c, ctx) => void ctx.registerSubscriber('x', () => {}) });
    await initializePlugins(doc('lc_gone'));
    assert.equal(deregisterPlugin('lc_gone'), true);
    assert.deepEqual(pluginSubscribers(), ['plugin:lc_gone:x']);
    await clearPlugins();
    assert.deepEqual(pluginSubscribers(), []);
  });
});
