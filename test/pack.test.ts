/**
 * The packages as a user installs them: `npm pack` every workspace, install the tarballs into a
 * fresh application offline (third-party dependencies from the npm cache), type-check an ESM and a
 * CommonJS consumer against the published declarations, and run both.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = process.cwd();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const fixtures = join(root, 'test', 'fixtures', 'consumer');

interface LockEntry {
  version?: string;
  resolved?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/**
 * A lockfile for the application, cut from the repository's: the tarballs for our packages, the
 * repository's resolved versions for everything they need. `npm ci --offline` then installs from the
 * npm cache (which has the tarballs of the repository's lockfile, not the registry's indexes).
 */
function appLock(tarballs: Record<string, string>, extra: Record<string, string>): unknown {
  const repo = (JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
  /** Where Node would find `dep` from the package installed at `from` (a lockfile path). */
  const find = (from: string, dep: string): string | undefined => {
    for (let base = from; ; base = base.includes('/node_modules/') ? base.slice(0, base.lastIndexOf('/node_modules/')) : '') {
      const path = base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`;
      if (repo[path]) return repo[path]!.link ? repo[path]!.resolved : path;
      if (!base) return undefined;
    }
  };
  // Workspace folders become the installed tarballs' folders.
  const appPath = (path: string): string => path.replace(/^packages\/([^/]+)/, (_, n: string) => `node_modules/@nemo-flow/${n}`);
  const out: Record<string, LockEntry> = {};
  const visit = (path: string): void => {
    const target = appPath(path);
    if (out[target]) return;
    const { dev: _d, devOptional: _o, peer: _p, ...entry } = repo[path]!;
    out[target] = path.startsWith('packages/') ? { ...entry, resolved: `file:../${tarballs[entry.name as string]}` } : entry;
    const needs = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const dep of Object.keys(needs)) {
      const found = find(path, dep);
      if (found) visit(found);
      else if (!entry.peerDependenciesMeta?.[dep]?.optional && !entry.optionalDependencies?.[dep])
        throw new Error(`${path}: ${dep} is not in package-lock.json`);
    }
  };
  for (const name of Object.keys(tarballs)) visit(`packages/${name.replace('@nemo-flow/', '')}`);
  for (const dep of Object.keys(extra)) visit(find('', dep)!);
  const dependencies = { ...Object.fromEntries(Object.entries(tarballs).map(([n, t]) => [n, `file:../${t}`])), ...extra };
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages: { '': { name: 'consumer', dependencies }, ...out } };
}

describe('npm pack: a fresh application', function () {
  this.timeout(120_000);
  let dir: string;
  let app: string;
  const env = { ...process.env, NODE_OPTIONS: '', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nf-pack-'));
    await run(npm, ['pack', '--workspaces', '--pack-destination', dir, '--ignore-scripts', '--silent'], { cwd: root, env });
    const tarballs = Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.tgz'))
        .map((t) => [`@nemo-flow/${t.replace(/^nemo-flow-/, '').replace(/-\d+\.\d+\.\d+\.tgz$/, '')}`, t]),
    );
    app = join(dir, 'app');
    mkdirSync(app);
    const lock = appLock(tarballs, { '@types/node': '^20.19.0', '@opentelemetry/api': '^1.9.0' }) as {
      packages: { '': { dependencies: Record<string, string> } };
    };
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: lock.packages[''].dependencies }, null, 2),
    );
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lock, null, 2));
    await run(npm, ['ci', '--offline', '--ignore-scripts'], { cwd: app, env });
    for (const f of ['esm.ts', 'cjs.cts']) copyFileSync(join(fixtures, f), join(app, f));
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          types: ['node'],
          outDir: 'out',
          skipLibCheck: true,
        },
        files: ['esm.ts', 'cjs.cts'],
      }),
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('type-checks against the published declarations', async () => {
    await run(process.execPath, [tsc, '-p', app], { cwd: app, env });
  });

  it('runs as ESM: init() from the sdk, every package and sub-path importable', async () => {
    const { stdout } = await run(process.execPath, [join(app, 'out', 'esm.js')], { cwd: app, env });
    const facts = JSON.parse(stdout);
    assert.equal(facts.result, 3);
    assert.equal(facts.events, 4);
    assert.equal(facts.codec, 'openai-chat');
    assert.deepEqual(facts.kinds, ['adaptive', 'observability', 'pii_redaction']);
    assert.equal(facts.minTokens, 1024);
    assert.deepEqual(facts.classes, ['Adaptive', 'OtelExporter', 'OpenInferenceExporter', 'AtifExporter']);
    assert.equal(facts.section, 'otel');
  });

  it('runs as CommonJS through require(esm)', async () => {
    const { stdout } = await run(process.execPath, [join(app, 'out', 'cjs.cjs')], { cwd: app, env });
    assert.deepEqual(JSON.parse(stdout), { value: 42, init: 'function' });
  });

  it('every package ships LICENSE and README, and every source map points at a shipped file', () => {
    const scope = join(app, 'node_modules', '@nemo-flow');
    let maps = 0;
    for (const name of readdirSync(scope)) {
      const pkg = join(scope, name);
      assert.ok(existsSync(join(pkg, 'LICENSE')) && existsSync(join(pkg, 'README.md')), `${name}: LICENSE and README.md`);
      const files = readdirSync(join(pkg, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.map'));
      for (const f of files) {
        const map = join(pkg, 'dist', f);
        for (const source of (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources) {
          assert.ok(existsSync(resolve(dirname(map), source)), `${name}/dist/${f} points at ${source}, which is not in the package`);
        }
        maps++;
      }
    }
    assert.ok(maps > 100, `only ${maps} source maps checked`);
  });

  it('the nemo-flow bin of the installed cli runs', async () => {
    const { stdout } = await run(process.execPath, [join(app, 'node_modules', '.bin', 'nemo-flow'), 'help'], { cwd: app, env });
    assert.match(stdout, /usage: nemo-flow <command>/);
  });
});
