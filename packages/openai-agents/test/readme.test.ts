/** The README's example is examples/readme.ts verbatim (so it type-checks), and it runs against a fake OpenAI server. */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeServer } from '../../../test/support/fake-providers/server.js';
import { json, responseObject } from '../../../test/support/fake-providers/openai.js';

const EXAMPLE = fileURLToPath(new URL('../examples/readme.ts', import.meta.url));
const MIDDLEWARE = fileURLToPath(new URL('../examples/readme-middleware.ts', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));

describe('@nemo-flow/openai-agents: README example', () => {
  it('is quoted verbatim in the README', () => {
    assert.ok(readFileSync(README, 'utf8').includes(readFileSync(EXAMPLE, 'utf8').trim()), 'README.md must contain examples/readme.ts verbatim');
    assert.ok(readFileSync(README, 'utf8').includes(readFileSync(MIDDLEWARE, 'utf8').trim()), 'README.md must contain examples/readme-middleware.ts verbatim');
  });

  it('runs: the agent and its model call show in the tree, nothing but the model call is sent', async () => {
    const server = await startFakeServer();
    try {
      server.enqueue(json(responseObject({ text: 'Hello!', usage: { input: 8, output: 2 } })));
      const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=nemo-flow-src', '--import', 'tsx', EXAMPLE], {
        env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'sk-test' },
      });
      assert.match(stdout, /▶ agent assistant/);
      assert.match(stdout, /✔ llm gpt-4o-mini/);
      assert.match(stdout, /Hello!/);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.stop();
    }
  });
});
