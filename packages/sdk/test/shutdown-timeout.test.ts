/** The shutdown returned by `init()` is bounded like `flushSubscribers()`: a stuck subscriber is reported, not awaited forever. */
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deregisterSubscriber, mark, registerSubscriber } from '@nemo-flow/runtime';
import { init, pluginReport } from '@nemo-flow/sdk';
import { collectFailures } from './helpers.js';

describe('init(): shutdown with a stuck subscriber', () => {
  it('returns after the timeout, reports the subscriber and still removes the configuration', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nf-shutdown-'));
    const handle = await init({ cwd, env: {}, config: { version: 1, components: [{ kind: 'observability', config: { console: false } }] }, warnings: false });
    const f = collectFailures();
    registerSubscriber('never-settles', () => new Promise(() => {}));
    try {
      mark('m');
      await handle.shutdown({ timeoutMs: 50 });
    } finally {
      deregisterSubscriber('never-settles');
      f.restore();
    }
    assert.deepEqual(
      f.failures.map((x) => x.source),
      ['flush:never-settles'],
    );
    assert.equal(pluginReport().active, false);
  });
});
