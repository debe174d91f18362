#!/usr/bin/env node
// The `nemo-flow` command. Committed JavaScript (not build output) so that npm links the bin at
// install time, before anything is built: in a fresh clone, `npm ci && npx nemo-flow demo` works.
// An installed package runs the built CLI; a checkout without `dist/` runs the TypeScript sources
// through tsx (a devDependency of the repository) in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL(process.env.NEMO_FLOW_CLI_DIST ?? '../dist/bin.js', import.meta.url));
const src = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

if (existsSync(dist)) {
  await import(pathToFileURL(dist).href);
} else if (existsSync(src)) {
  let tsx;
  try {
    tsx = createRequire(import.meta.url).resolve('tsx');
  } catch {
    process.stderr.write('nemo-flow: the CLI is not built; run `npm run build` (or `npm install tsx`)\n');
    process.exit(1);
  }
  const run = spawnSync(process.execPath, ['--conditions=nemo-flow-src', '--import', pathToFileURL(tsx).href, src, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (run.signal) process.kill(process.pid, run.signal);
  process.exitCode = run.status ?? 1;
} else {
  process.stderr.write(`nemo-flow: ${dist} is missing; reinstall @nemo-flow/cli\n`);
  process.exit(1);
}
