/**
 * What the exporter keeps between runs stays at its intended size: the remembered ended parents
 * (for late children) must not keep the id pool slices they were cut from alive. Measured in a
 * child process with a forced GC, so nothing else in the test run disturbs the heap.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CHILD = fileURLToPath(new URL('./fixtures/retained-child.ts', import.meta.url));

describe('exporter-otel: retained memory', function () {
  this.timeout(60_000);

  it('remembering 4096 ended parents of interleaved runs retains about 1.5 MB, not one id pool each (33 MB)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--conditions=nemo-flow-src', '--import', 'tsx', CHILD, '6000']);
    const { retained, stats } = JSON.parse(stdout) as { retained: number; stats: { exported: number; dropped: number } };
    assert.equal(stats.dropped, 0);
    assert.ok(retained < 2.5 * 1024 * 1024, `retained ${(retained / 1024 / 1024).toFixed(1)} MB after 6000 runs`);
  });
});
