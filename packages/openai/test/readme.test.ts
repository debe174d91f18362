/** The README's example is examples/readme.ts verbatim (so it type-checks), and it runs against a fake OpenAI server. */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeServer } from '../../../test/support/fake-providers/server.js';
import { chatCompletion, json } from '../../../test/support/fake-providers/openai.js';

const EXAMPLE = fileURLToPath(new URL('../examples/readme.ts', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));

describe('@nemo-flow/openai: README example', () => {
  it('is quoted verbatim in the README', () => {
    assert.ok(readFileSync(README, 'utf8').includes(readFileSync(EXAMPLE, 'utf8').trim()), 'README.md must contain examples/readme.ts verbatim');
  });

  it('runs: the class is instrumented and the call shows under the agent', async () => {
    const server = await startFakeServer();
    try {
      server.enqueue(json(chatCompletion({ text: 'Hello there.', usage: { input: 8, output: 3 } })));
      const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=nemo-flow-src', '--import', 'tsx', EXAMPLE], {
        env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'sk-test' },
      });
      assert.match(stdout, /▶ agent support-agent/);
      assert.match(stdout, /✔ llm openai\.chat\.completions/);
      assert.match(stdout, /Hello there\./);
    } finally {
      await server.stop();
    }
  });
});
