/** The ATOF section of the configuration: staging touches no file; the buffer bound and overflow policy are configurable. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearPlugins, initializePlugins, PluginConfigError } from '@nemo-flow/sdk';
import { deregisterPlugin, registerPlugin } from '@nemo-flow/runtime/plugins';

describe('sdk: staging touches no file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nf-stage-'))));
  afterEach(async () => {
    await clearPlugins();
    deregisterPlugin('stage_fails');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a configuration that fails and rolls back has not touched events.jsonl (ATOF mode "overwrite")', async () => {
    const events = join(dir, 'events.jsonl');
    writeFileSync(events, '{"kind":"mark","name":"from the last run"}\n');
    const before = statSync(events).mtimeMs;
    registerPlugin('stage_fails', {
      register() {
        throw new Error('cannot start');
      },
    });
    const config = {
      version: 1,
      components: [{ kind: 'observability', config: { output_dir: dir, console: false, atif: false, atof: { mode: 'overwrite' } } }, { kind: 'stage_fails' }],
    };
    await assert.rejects(initializePlugins(config), (err: unknown) => {
      assert.ok(err instanceof PluginConfigError);
      // The observability component was staged (its ATOF sink built) before the second one failed.
      assert.deepEqual(
        err.diagnostics.filter((d) => d.level === 'error').map((d) => [d.code, d.component]),
        [['ACTIVATION_FAILED', 'stage_fails']],
      );
      return true;
    });
    assert.equal(readFileSync(events, 'utf8'), '{"kind":"mark","name":"from the last run"}\n');
    assert.equal(statSync(events).mtimeMs, before);
  });

  it('observability.atof takes max_buffer_bytes and overflow; bad values are diagnostics naming the field', async () => {
    const obs = (atof: Record<string, unknown>): unknown => ({
      version: 1,
      components: [{ kind: 'observability', config: { output_dir: dir, console: false, atif: false, atof } }],
    });
    await assert.rejects(initializePlugins(obs({ max_buffer_bytes: -1, overflow: 'wait' })), (err: unknown) => {
      assert.ok(err instanceof PluginConfigError);
      const fields = err.diagnostics.map((d) => `${d.code} ${d.field ?? ''}`).sort();
      assert.deepEqual(fields, ['INVALID_VALUE config.atof.max_buffer_bytes', 'UNSUPPORTED_VALUE config.atof.overflow'].sort());
      return true;
    });
    const report = await initializePlugins(obs({ max_buffer_bytes: 65536, overflow: 'drop' }));
    assert.deepEqual(report.components[0]!.subscribers, ['plugin:observability:atof']);
  });
});
