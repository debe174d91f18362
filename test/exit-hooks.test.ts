/**
 * One exit mechanism: sinks and exporters use the runtime's exit hooks, so many instances in one
 * process add one listener per process event (no MaxListenersExceededWarning) and still write
 * what they hold when the process exits.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CHILD = join(process.cwd(), 'test', 'fixtures', 'many-sinks.ts');

describe('exit hooks', () => {
  it('12 ATOF sinks, ATIF and OTel exporters share one listener per event and all write at process.exit()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-exit-'));
    try {
      const { stdout, stderr } = await run(process.execPath, ['--conditions=nemo-flow-src', '--import', 'tsx', CHILD, dir], {
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      assert.doesNotMatch(stderr, /MaxListenersExceededWarning/);
      const counts = JSON.parse(stdout.trim()) as Record<string, number>;
      assert.deepEqual(counts, { exit: 1, beforeExit: 1, SIGINT: 1, SIGTERM: 1 });
      for (let i = 0; i < 12; i++) {
        const lines = readFileSync(join(dir, `events-${i}.jsonl`), 'utf8')
          .trim()
          .split('\n');
        assert.equal(lines.length, 4, `events-${i}.jsonl: agent and tool, start and end`);
        assert.equal(readdirSync(join(dir, `atif-${i}`)).filter((f) => f.endsWith('.json')).length, 1, `atif-${i}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
