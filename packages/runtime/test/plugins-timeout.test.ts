/** A register() that never settles fails loudly instead of letting the process exit silently. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';

describe('plugins: activation timeout', () => {
  it('a register() that never settles fails with a timeout error naming the plugin, not a silent exit 13 (a child process)', async function () {
    this.timeout(20_000);
    const script = `
      import { initializePlugins, registerPlugin } from '@nemo-flow/runtime/plugins';
      registerPlugin('never_settles', { register: () => new Promise(() => {}) });
      await initializePlugins({ version: 1, components: [{ kind: 'never_settles' }] }, { activationTimeoutMs: 300 });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=nemo-flow-src', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /component "never_settles" \(#0\) failed to activate: register\(\) did not finish within 300 ms/);
  });
});
