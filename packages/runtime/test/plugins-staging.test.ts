/** Staging a configuration touches nothing outside the process; a register() that never settles fails loudly. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearPlugins, deregisterPlugin, initializePlugins, PluginConfigError, registerPlugin } from '../src/plugins/index.js';

describe('plugins: staging and activation', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nf-stage-'));
  });
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
      components: [
        { kind: 'observability', config: { output_dir: dir, console: false, atif: false, atof: { mode: 'overwrite' } } },
        { kind: 'stage_fails' },
      ],
    };
    await assert.rejects(initializePlugins(config), (err: unknown) => err instanceof PluginConfigError && /nothing was changed/.test(err.message));
    assert.equal(readFileSync(events, 'utf8'), '{"kind":"mark","name":"from the last run"}\n');
    assert.equal(statSync(events).mtimeMs, before);
  });

  it('a register() that never settles fails with a timeout error naming the plugin, not a silent exit 13 (a child process)', async function () {
    this.timeout(20_000);
    const script = `
      import { initializePlugins, registerPlugin } from '@nemo-flow/runtime/plugins';
      registerPlugin('never_settles', { register: () => new Promise(() => {}) });
      await initializePlugins({ version: 1, components: [{ kind: 'never_settles' }] }, { activationTimeoutMs: 300 });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=nemo-flow-src', '--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /component "never_settles" \(#0\) failed to activate: register\(\) did not finish within 300 ms/);
  });
});
