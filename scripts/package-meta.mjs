#!/usr/bin/env node
// Gives a workspace package the metadata every published package carries (issue 14): LICENSE,
// repository/homepage/bugs, sideEffects, engines, src/ shipped for the source maps, ./package.json
// in exports, and a TypeDoc entry. Usage: node scripts/package-meta.mjs packages/NAME
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/package-meta.mjs packages/NAME');
const name = basename(dir);
const file = join(dir, 'package.json');
const p = JSON.parse(readFileSync(file, 'utf8'));
const repo = 'https://github.com/NVIDIA/nemo-flow-ts';
const ordered = {};
for (const [k, v] of Object.entries(p)) {
  ordered[k] = v;
  if (k === 'license') {
    ordered.repository = { type: 'git', url: `git+${repo}.git`, directory: `packages/${name}` };
    ordered.homepage = `${repo}/tree/main/packages/${name}#readme`;
    ordered.bugs = { url: `${repo}/issues` };
    ordered.sideEffects = false;
  }
}
ordered.engines ??= { node: '>=20' };
ordered.exports = { ...ordered.exports, './package.json': './package.json' };
ordered.files = [...new Set([...(ordered.files ?? ['dist']), 'src', 'README.md', 'LICENSE'])];
writeFileSync(file, `${JSON.stringify(ordered, null, 2)}\n`);
copyFileSync('LICENSE', join(dir, 'LICENSE'));
const td = JSON.parse(readFileSync('typedoc.json', 'utf8'));
const entry = `packages/${name}/src/index.ts`;
if (!td.entryPoints.includes(entry)) {
  td.entryPoints.push(entry);
  writeFileSync('typedoc.json', `${JSON.stringify(td, null, 2)}\n`);
}
