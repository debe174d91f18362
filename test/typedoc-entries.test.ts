/**
 * `npm run docs` documents every public entry point: each sub-path a package exports (its
 * `nemo-flow-src` file) is a TypeDoc entry point, so the API reference has a page for it.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();

describe('API reference entry points', () => {
  it('typedoc.json lists the source of every exported sub-path of every package', () => {
    const entries = new Set<string>((JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] }).entryPoints);
    const missing: string[] = [];
    for (const pkg of readdirSync(join(root, 'packages'))) {
      const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')) as {
        name: string;
        exports: Record<string, string | Record<string, string>>;
      };
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        if (typeof target === 'string') continue; // ./package.json
        const src = target['nemo-flow-src'];
        assert.ok(src, `${manifest.name} ${subpath} has no nemo-flow-src condition`);
        const entry = join('packages', pkg, src).split('\\').join('/');
        if (!entries.has(entry)) missing.push(`${manifest.name}${subpath.slice(1)}: ${entry}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
