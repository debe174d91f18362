/** The class form under plain ESM: `node script.mjs`, no loader hooks, the built packages. */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFakeServer } from '../../../test/support/fake-providers/server.js';
import { jsonReply, sseReply, text } from '../../../test/support/fake-providers/anthropic.js';

const run = promisify(execFile);

describe('@nemo-flow/anthropic: plain ESM', () => {
  it('instrumentAnthropic(Anthropic) instruments clients constructed afterwards, without loader hooks', async () => {
    const server = await startFakeServer();
    try {
      server.enqueue(jsonReply(text('plain')), sseReply(text('streamed')));
      const script = join(process.cwd(), 'packages', 'anthropic', 'test', 'fixtures', 'esm-class.mjs');
      const { stdout } = await run(process.execPath, [script], {
        env: { ...process.env, NODE_OPTIONS: '', ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test-key' },
      });
      assert.deepEqual(JSON.parse(stdout), {
        text: 'plain',
        streamed: 'streamed',
        seen: ['start:anthropic.messages.create:-', 'end:anthropic.messages.create:1', 'start:anthropic.messages.create:-', 'end:anthropic.messages.create:1'],
      });
    } finally {
      await server.stop();
    }
  });
});
