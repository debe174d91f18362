/**
 * Importing a package does nothing observable: no timer, no process listener, no filesystem call,
 * no connection or request, no child process, until the app calls something. (A Worker module is
 * evaluated at deploy and on every cold start; a timer or listener there is an error, and work done
 * at import runs in every process that merely loads the code.) Every entry point and sub-path
 * export of every package is imported from its build, in a child process whose preload records
 * those calls. The SDKs the integrations instrument (their peer dependencies) are imported first
 * and what they do themselves is not counted: an app that uses them imports them anyway (e.g.
 * `@openai/agents` sets up its trace provider's exit listeners at import).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();

interface PackageJson {
  name: string;
  exports?: Record<string, unknown>;
  peerDependencies?: Record<string, string>;
}

function packages(): PackageJson[] {
  return readdirSync(join(root, 'packages')).map((dir) => JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as PackageJson);
}

/** The third-party SDKs our packages instrument or plug into. */
function peerSdks(): string[] {
  return [...new Set(packages().flatMap((p) => Object.keys(p.peerDependencies ?? {})))].sort();
}

/** `@nemo-flow/x` and `@nemo-flow/x/sub` for every package export but `./package.json`. */
function entryPoints(): string[] {
  const out: string[] = [];
  for (const pkg of packages()) {
    for (const key of Object.keys(pkg.exports ?? {})) {
      if (key === './package.json') continue;
      out.push(key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`);
    }
  }
  return out.sort();
}

interface Effect {
  effect: string;
  at: string;
}

function importEffects(specifiers: readonly string[], preload: readonly string[] = []): { effects: Effect[]; imported: string[] } {
  const script = `
    for (const s of ${JSON.stringify(preload)}) await import(s).catch(() => undefined);
    await globalThis.__importEffects.reset();
    const imported = [];
    for (const s of ${JSON.stringify(specifiers)}) { await import(s); imported.push(s); }
    const effects = await globalThis.__importEffects.stop();
    process.stdout.write(JSON.stringify({ effects, imported }));
  `;
  const r = spawnSync(process.execPath, ['--import', './test/support/import-effects-hooks.mjs', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  assert.equal(r.status, 0, `the import script failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as { effects: Effect[]; imported: string[] };
}

describe('importing a package has no side effect', function () {
  this.timeout(60_000);

  it('every entry point and sub-path export: no timer, listener, file, network or process', () => {
    const specifiers = entryPoints();
    assert.ok(specifiers.length >= 20, `found ${specifiers.length} entry points`);
    const { effects, imported } = importEffects(specifiers, peerSdks());
    assert.deepEqual(imported, specifiers);
    assert.deepEqual(effects, []);
  });

  it('the recorder sees effects (a module that sets a timer and reads a file at import)', () => {
    const probe = `data:text/javascript,${encodeURIComponent("import { readFileSync } from 'node:fs'; setTimeout(() => {}, 1); readFileSync('package.json'); process.on('SIGTERM', () => {});")}`;
    const { effects } = importEffects([probe]);
    assert.deepEqual(effects.map((e) => e.effect).sort(), ['fs.readFileSync', 'globalThis.setTimeout', 'process.on']);
  });
});
