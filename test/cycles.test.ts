/** The import-cycle check `npm run lint` runs: it finds folder and package cycles, and the repository has none. */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findCycles } from '../scripts/check-cycles.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nf-cycles-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('import-cycle check', () => {
  it('reports folders and packages that import each other, not type-only imports', () => {
    const root = tree({
      'packages/a/src/calls/x.ts': "import { y } from '../middleware/y.js';\nexport const x = y;\n",
      'packages/a/src/middleware/y.ts': "import { z } from '../calls/z.js';\nexport const y = z;\n",
      'packages/a/src/calls/z.ts': 'export const z = 1;\n',
      'packages/a/src/scope.ts': "import type { T } from './local.js';\nexport type S = T;\n",
      'packages/a/src/local.ts': "import { s } from './scope-value.js';\nexport type T = number;\nexport const t = s;\n",
      'packages/a/src/scope-value.ts': "export type { S } from './scope.js';\nexport const s = 1;\n",
      'packages/b/src/index.ts': "import { c } from '@nemo-flow/c';\nexport const b = c;\n",
      'packages/c/src/index.ts': "import { b } from '@nemo-flow/b/sub';\nexport const c = b;\n",
    });
    try {
      assert.deepEqual(findCycles(root), ['packages/a/src: folders import each other: calls ↔ middleware', 'packages import each other: b ↔ c']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('finds none in this repository', () => {
    assert.deepEqual(findCycles(process.cwd()), []);
  });
});
