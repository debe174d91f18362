/**
 * `npx nemo-flow` in a fresh clone: the bin is committed JavaScript, so npm links it at `npm ci`
 * before anything is built, and without `dist/` it runs the CLI from its TypeScript sources.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = process.cwd();
const wrapper = join(root, 'packages', 'cli', 'bin', 'nemo-flow.js');

describe('nemo-flow bin', () => {
  it('is a committed file, and the one npm links as node_modules/.bin/nemo-flow', async () => {
    const { stdout } = await run('git', ['ls-files', '--error-unmatch', 'packages/cli/bin/nemo-flow.js'], { cwd: root });
    assert.equal(stdout.trim(), 'packages/cli/bin/nemo-flow.js');
    assert.equal(realpathSync(join(root, 'node_modules', '.bin', 'nemo-flow')), realpathSync(wrapper));
  });

  it('runs the CLI from its sources when dist/ is missing (a fresh clone after npm ci)', async () => {
    const env = { ...process.env, NODE_OPTIONS: '', NEMO_FLOW_CLI_DIST: '../dist/not-built.js' };
    // One run (tsx compiles on the fly): the exit code and stderr come through the wrapper.
    await assert.rejects(run(process.execPath, [wrapper, 'nope'], { cwd: root, env }), (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr ?? '', /unknown command "nope"[\s\S]*usage: nemo-flow <command>/);
      return true;
    });
  });
});
