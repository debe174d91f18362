/**
 * The `adaptive` plugin component: configuration diagnostics (unknown fields, bad values,
 * out-of-range thresholds) and activation through the plugin system.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { llmCallExecute, withScope } from '@nemo-flow/runtime';
import { Adaptive, adaptivePlugin, getAdaptive } from '@nemo-flow/adaptive';
import { clearPlugins, initializePlugins, listPluginKinds, pluginReport, registerPlugin, validateConfig } from '@nemo-flow/runtime/plugins';
import type { Diagnostic } from '@nemo-flow/runtime/plugins';

const doc = (config: Record<string, unknown>) => ({ version: 1, components: [{ kind: 'adaptive', config }] });
const find = (ds: Diagnostic[], code: string, field: string) => ds.find((d) => d.code === code && d.field === field);

describe('adaptive: plugin component', () => {
  before(() => {
    if (!listPluginKinds().includes('adaptive')) registerPlugin('adaptive', adaptivePlugin);
  });
  afterEach(() => clearPlugins());

  it('accepts a full configuration without findings', async () => {
    const ds = await validateConfig(
      doc({
        state: { max_runs_per_agent: 50, max_agents: 10 },
        telemetry: { learners: ['call_stats', 'tool_concurrency', 'prefix_stability'], max_positions: 32, max_prefix_messages: 4, max_open_runs: 100 },
        cache_governor: {
          priority: 900,
          anthropic: true,
          openai: true,
          min_observations: 3,
          min_stability: 0.4,
          cold_start: 'none',
          conversation: true,
          max_breakpoints: 3,
          lookback_blocks: 20,
          min_tokens: { 'my-proxy': 1024 },
          mirror_size: 1000,
          openai_cached_input_price: 0.25,
        },
        hints: {
          header: 'x-agent-hints',
          body_path: 'nvext.agent_hints',
          latency_sensitivity: 1.2,
          fields: ['osl', 'prefix_id'],
          min_observations: 2,
          priority: 910,
        },
        tool_parallelism: { mode: 'observe_only', min_observations: 3, mark: false },
      }),
      { checks: false },
    );
    assert.deepEqual(ds, []);
  });

  it('reports unknown fields, bad types, bad values and out-of-range thresholds', async () => {
    const ds = await validateConfig(
      doc({
        cache_govenor: {},
        state: { max_runs_per_agent: 0, bogus: 1 },
        telemetry: { learners: ['call_stats', 'oracle'] },
        cache_governor: { min_stability: 1.5, max_breakpoints: 5, cold_start: 'always', conversation: 'yes', min_tokens: { x: -1 } },
        hints: { header: 'bad header', body_path: 'nvext..hints', latency_sensitivity: -2, fields: ['osl', 'mood'] },
        tool_parallelism: { mode: 'schedule' },
      }),
      { checks: false },
    );
    const expect: Array<[string, string]> = [
      ['UNKNOWN_FIELD', 'config.cache_govenor'],
      ['UNKNOWN_FIELD', 'config.state.bogus'],
      ['INVALID_VALUE', 'config.state.max_runs_per_agent'],
      ['UNSUPPORTED_VALUE', 'config.telemetry.learners[1]'],
      ['INVALID_VALUE', 'config.cache_governor.min_stability'],
      ['INVALID_VALUE', 'config.cache_governor.max_breakpoints'],
      ['UNSUPPORTED_VALUE', 'config.cache_governor.cold_start'],
      ['INVALID_TYPE', 'config.cache_governor.conversation'],
      ['INVALID_VALUE', 'config.cache_governor.min_tokens.x'],
      ['INVALID_VALUE', 'config.hints.header'],
      ['INVALID_VALUE', 'config.hints.body_path'],
      ['INVALID_VALUE', 'config.hints.latency_sensitivity'],
      ['UNSUPPORTED_VALUE', 'config.hints.fields[1]'],
      ['UNSUPPORTED_VALUE', 'config.tool_parallelism.mode'],
    ];
    for (const [code, field] of expect) assert.ok(find(ds, code, field), `${code} at ${field}; got ${JSON.stringify(ds.map((d) => `${d.code} ${d.field}`))}`);
    for (const d of ds) assert.equal(d.component, 'adaptive');
    assert.equal(find(ds, 'UNKNOWN_FIELD', 'config.cache_govenor')!.level, 'warn');
    assert.equal(find(ds, 'INVALID_VALUE', 'config.cache_governor.min_stability')!.level, 'error');
  });

  it('needs somewhere to put hints, and warns when learning is turned off', async () => {
    const none = await validateConfig(doc({ hints: { header: null, body_path: null } }), { checks: false });
    assert.ok(find(none, 'INVALID_VALUE', 'config.hints.body_path'));
    const off = await validateConfig(doc({ telemetry: false }), { checks: false });
    assert.equal(find(off, 'INVALID_VALUE', 'config.telemetry.enabled')?.level, 'warn');
  });

  it('activates: registers its subscriber and intercepts under the plugin namespace, and works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adaptive-'));
    const seed = new Adaptive();
    writeFileSync(join(dir, 'state.json'), JSON.stringify(seed.exportState()));
    const report = await initializePlugins(doc({ state: { import_file: 'state.json' }, hints: { header: 'x-hints', latency_sensitivity: 2 } }), {
      cwd: dir,
      checks: true,
    });
    const c = report.components[0]!;
    assert.equal(c.status, 'active');
    assert.deepEqual(c.subscribers, ['plugin:adaptive:telemetry']);
    assert.deepEqual(c.middleware.map((m) => `${m.name}@${m.priority}`).sort(), [
      'plugin:adaptive:cache_governor@900',
      'plugin:adaptive:hints@910',
      'plugin:adaptive:tool_parallelism@890',
    ]);
    assert.deepEqual(pluginReport().components[0]!.details.imported, { imported: 0, duplicates: 0, invalid: 0 });
    const adaptive = getAdaptive();
    assert.ok(adaptive instanceof Adaptive);

    let headers: Record<string, unknown> = {};
    await withScope('agent-x', 'agent', () =>
      llmCallExecute('llm', { headers: {}, content: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } }, (req) => {
        headers = req.headers;
        return {
          id: 'c',
          object: 'chat.completion',
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 1 },
        };
      }),
    );
    assert.equal(JSON.parse(headers['x-hints'] as string).latency_sensitivity, 2);
    assert.equal(adaptive.runs('agent-x').length, 1);

    await clearPlugins();
    assert.equal(getAdaptive(), undefined);
  });

  it('turns sections off', async () => {
    const report = await initializePlugins(doc({ cache_governor: false, tool_parallelism: { enabled: false } }), { checks: false });
    assert.deepEqual(report.components[0]!.middleware, []);
    assert.deepEqual(report.components[0]!.subscribers, ['plugin:adaptive:telemetry']);
  });
});
