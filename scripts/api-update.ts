/** `npm run api:update`: rewrites test/api/*.api.md from the built declarations (build first). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildApiReports } from './api-report.js';

const root = process.cwd();
const { files, diagnostics } = buildApiReports(root);
for (const [file, text] of files) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
  process.stdout.write(`wrote ${file}\n`);
}
if (diagnostics.length > 0) {
  process.stderr.write(`type errors in the shipped declarations:\n${diagnostics.join('\n')}\n`);
  process.exitCode = 1;
}
