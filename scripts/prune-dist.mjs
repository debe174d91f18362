// Removes build outputs whose source is gone (a moved or deleted file): `tsc -b` never deletes
// them, and `npm pack` would ship them with source maps pointing at nothing. Run after the build.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const OUTPUT = /\.(d\.ts\.map|d\.ts|js\.map|js)$/;
let removed = 0;
for (const pkg of readdirSync('packages')) {
  const dist = join('packages', pkg, 'dist');
  if (!existsSync(dist)) continue;
  for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
    if (!OUTPUT.test(file)) continue;
    const source = join('packages', pkg, 'src', file.replace(OUTPUT, '.ts'));
    if (!existsSync(source)) {
      rmSync(join(dist, file));
      removed++;
    }
  }
}
if (removed > 0) process.stdout.write(`prune-dist: removed ${removed} outputs of sources that no longer exist\n`);
