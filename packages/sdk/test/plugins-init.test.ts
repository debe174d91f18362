/** `init()`: the configuration file named by NEMO_FLOW_CONFIG, or the embedded default. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSubscribers, ScopeType, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { clearPlugins, defaultConfig, init, initializePlugins, pluginReport, PluginConfigError } from '@nemo-flow/sdk';
import { startOtlpReceiver } from '../../../test/support/otlp-receiver.js';

const pluginSubscribers = (): string[] => listSubscribers().filter((n) => n.startsWith('plugin:'));

async function run(session: string): Promise<void> {
  await withScope('agent', ScopeType.Agent, () => toolCallExecute('search', { q: 'tea' }, () => 'ok'), { metadata: { session_id: session } });
}

describe('plugins: init()', () => {
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'nf-init-'));
  });

  afterEach(async () => {
    await clearPlugins();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('the embedded default: ATOF and ATIF files in ./nemo-flow-output, console on a TTY, OTLP when the endpoint variable is set', () => {
    assert.deepEqual(defaultConfig({ env: {}, console: false }), {
      version: 1,
      components: [{ kind: 'observability', config: { output_dir: 'nemo-flow-output', console: false, atof: true, atif: { optional: true } } }],
    });
    const withOtlp = defaultConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, outputDir: '/data/out', console: true });
    assert.deepEqual(withOtlp.components[0]!.config, {
      output_dir: '/data/out',
      console: true,
      atof: true,
      atif: { optional: true },
      otel: { optional: true },
    });
  });

  it('with no configuration file it activates the default in the working directory', async () => {
    const handle = await init({ cwd, env: {}, console: false, warnings: false });
    assert.equal(handle.source, 'default');
    assert.equal(handle.configFile, undefined);
    assert.deepEqual(pluginSubscribers(), ['plugin:observability:atof', 'plugin:observability:atif']);
    assert.deepEqual(handle.report().components[0]!.details, {
      atof: { path: join(cwd, 'nemo-flow-output', 'events.jsonl') },
      atif: { dir: join(cwd, 'nemo-flow-output', 'trajectories') },
    });
    await run('default-run');
    await handle.flush();
    const events = readFileSync(join(cwd, 'nemo-flow-output', 'events.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(events.length, 4);
    assert.deepEqual(readdirSync(join(cwd, 'nemo-flow-output', 'trajectories')), ['trajectory-default-run.json']);
    await handle.shutdown();
    assert.deepEqual(pluginSubscribers(), []);
    assert.equal(pluginReport().active, false);
  });

  it('outputDir moves the default files', async () => {
    const handle = await init({ cwd, env: {}, console: false, outputDir: 'elsewhere', warnings: false });
    await run('moved');
    await handle.shutdown();
    assert.ok(existsSync(join(cwd, 'elsewhere', 'events.jsonl')));
    assert.ok(existsSync(join(cwd, 'elsewhere', 'trajectories', 'trajectory-moved.json')));
    assert.equal(existsSync(join(cwd, 'nemo-flow-output')), false);
  });

  it('NEMO_FLOW_CONFIG names a JSON file that replaces the default', async () => {
    writeFileSync(
      join(cwd, 'nemo-flow.json'),
      JSON.stringify({ version: 1, components: [{ kind: 'observability', config: { atof: { path: 'custom.jsonl' } } }, { kind: 'pii_redaction' }] }),
    );
    const handle = await init({ cwd, env: { NEMO_FLOW_CONFIG: 'nemo-flow.json' } });
    assert.equal(handle.source, 'file');
    assert.equal(handle.configFile, join(cwd, 'nemo-flow.json'));
    assert.deepEqual(
      handle.report().components.map((c) => c.kind),
      ['observability', 'pii_redaction'],
    );
    await toolCallExecute('mail', 'to bob@example.com', (a) => a);
    await handle.flush();
    assert.match(readFileSync(join(cwd, 'custom.jsonl'), 'utf8'), /\[REDACTED:EMAIL\]/);
  });

  it('a malformed or missing configuration file rejects with the diagnostics, activating nothing', async () => {
    writeFileSync(join(cwd, 'bad.json'), '{ "version": 1, "components": [ }');
    await assert.rejects(init({ cwd, env: { NEMO_FLOW_CONFIG: 'bad.json' } }), (err: unknown) => {
      assert.ok(err instanceof PluginConfigError);
      assert.equal(err.diagnostics[0]!.code, 'CONFIG_PARSE_ERROR');
      assert.match(err.message, /bad\.json.*line 1, column/);
      return true;
    });
    await assert.rejects(init({ cwd, configFile: 'missing.json' }), /CONFIG_UNREADABLE/);
    writeFileSync(join(cwd, 'wrong.json'), JSON.stringify({ version: 1, components: [{ kind: 'observability', config: { atof: { mode: 3 } } }] }));
    await assert.rejects(init({ cwd, configFile: 'wrong.json' }), /INVALID_TYPE \(observability#0 config\.atof\.mode\): expected one of "append", "overwrite"/);
    assert.deepEqual(pluginSubscribers(), []);
  });

  it('a configuration object and the console override', async () => {
    const handle = await init({ cwd, config: { version: 1, components: [{ kind: 'observability', config: { console: false } }] }, console: true });
    assert.equal(handle.source, 'options');
    assert.deepEqual(pluginSubscribers(), ['plugin:observability:console']);
    const quiet = await init({
      cwd,
      config: { version: 1, components: [{ kind: 'observability', config: { console: { color: false }, atof: { path: 'e.jsonl' } } }] },
      console: false,
    });
    assert.deepEqual(pluginSubscribers(), ['plugin:observability:atof']);
    // The first handle's configuration was replaced: its shutdown leaves the current one alone.
    await handle.shutdown();
    assert.deepEqual(pluginSubscribers(), ['plugin:observability:atof']);
    await quiet.shutdown();
    assert.deepEqual(pluginSubscribers(), []);
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT turns OTLP on in the default', async function () {
    try {
      await import('@nemo-flow/exporter-otel');
    } catch {
      this.skip();
    }
    const receiver = await startOtlpReceiver();
    try {
      const handle = await init({ cwd, console: false, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, warnings: false });
      assert.ok(pluginSubscribers().includes('plugin:observability:otel'));
      await run('otlp-run');
      await handle.flush();
      const spans = await receiver.waitForSpans(2);
      assert.ok(spans.some((s) => s.name.includes('agent')));
      await handle.shutdown();
    } finally {
      await receiver.close();
    }
  });

  it('a later initializePlugins replaces what init installed', async () => {
    const handle = await init({ cwd, env: {}, console: false, warnings: false });
    await initializePlugins({ version: 1, components: [] });
    assert.deepEqual(pluginSubscribers(), []);
    await handle.shutdown();
    assert.equal(pluginReport().active, true);
  });
});
