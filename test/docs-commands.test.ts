/**
 * Shell blocks of the docs fenced ```sh runnable (or ```bash runnable) run as written, one bash
 * script per block with `set -e`, in a fresh folder inside the repository (so `npx` finds the
 * workspace's `nemo-flow` and never the registry) with no OTLP endpoint or config file set: each
 * must exit 0. Blocks of one page share a folder and run in page order, so a later block may read
 * what an earlier one wrote. A block whose fence names a file (```json file=nemo-flow.json,
 * ```ts file=app.ts) is written there first, as a reader would save it. A block fenced
 * ```sh runnable otlp ships spans: the test points the addresses a reader's local backend would
 * have (`http://localhost:4318` for Jaeger, Tempo or a collector, `http://localhost:6006` for
 * Phoenix) at its own OTLP receiver on 127.0.0.1 and checks that spans arrived.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { documents, type Fenced, fencedBlocks, root } from './support/markdown.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';

const run = promisify(execFile);

function isRunnable(b: Fenced): boolean {
  return (b.info[0] === 'sh' || b.info[0] === 'bash') && b.info.includes('runnable');
}

function fileName(b: Fenced): string | undefined {
  return b.info.find((w) => w.startsWith('file='))?.slice('file='.length);
}

function runnable(): Map<string, Fenced[]> {
  const byDoc = new Map<string, Fenced[]>();
  for (const doc of documents()) {
    const blocks = fencedBlocks(doc).filter((b) => isRunnable(b) || fileName(b) !== undefined);
    if (blocks.some(isRunnable)) byDoc.set(blocks[0]!.doc, blocks);
  }
  return byDoc;
}

function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
    NODE_OPTIONS: '',
    NO_COLOR: '1',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
  for (const key of Object.keys(env)) if (key.startsWith('OTEL_') || key === 'NEMO_FLOW_CONFIG') delete env[key];
  return env;
}

describe('commands in the docs', function () {
  this.timeout(120_000);
  const byDoc = runnable();
  const base = join(root, 'test-output');

  it('marks the commands a user runs first as runnable', () => {
    const all = [...byDoc.values()]
      .flat()
      .filter(isRunnable)
      .map((b) => b.code)
      .join('\n');
    for (const command of ['nemo-flow demo', 'nemo-flow view', 'nemo-flow convert', 'nemo-flow validate ', 'nemo-flow validate-config']) {
      assert.ok(all.includes(command), `no runnable block runs "${command}"`);
    }
  });

  for (const [doc, blocks] of byDoc) {
    it(`${doc}: every runnable block exits 0`, async () => {
      mkdirSync(base, { recursive: true });
      const cwd = mkdtempSync(join(base, 'docs-commands-'));
      try {
        for (const b of blocks) {
          const file = fileName(b);
          if (file !== undefined) {
            writeFileSync(join(cwd, file), `${b.code}\n`);
            continue;
          }
          const receiver = b.info.includes('otlp') ? await startOtlpReceiver() : undefined;
          const code = receiver ? b.code.replace(/http:\/\/localhost:(4318|6006)/g, receiver.url) : b.code;
          try {
            await run('bash', ['-e', '-o', 'pipefail', '-c', code], { cwd, env: environment(), maxBuffer: 16 * 1024 * 1024 });
            if (receiver) assert.ok(receiver.spans().length > 0, `${b.doc}:${b.line}: no span reached the OTLP receiver\n${b.code}`);
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            const e = err as { code?: number; stdout?: string; stderr?: string };
            assert.fail(`${b.doc}:${b.line}: exit ${e.code}\n${b.code}\n--- stdout\n${e.stdout}\n--- stderr\n${e.stderr}`);
          } finally {
            await receiver?.close();
          }
        }
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});
