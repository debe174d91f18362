/** Helpers that were copied between modules have one definition each; this keeps it that way. */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();

function sources(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src');
    let files: string[];
    try {
      files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    } catch {
      continue;
    }
    for (const f of files) out.push({ file: relative(root, join(src, f)), text: readFileSync(join(src, f), 'utf8') });
  }
  return out;
}

/** Files that define a function whose body is exactly this check. */
function definitions(body: RegExp): string[] {
  return sources()
    .filter(({ text }) => body.test(text))
    .map(({ file }) => file)
    .sort();
}

describe('one helper each', () => {
  it('"is a plain object" is defined once (runtime/src/object.ts, exported as isPlainObject)', () => {
    assert.deepEqual(
      definitions(
        /return typeof (\w+) === 'object' && \1 !== null && !Array\.isArray\(\1\);|=> typeof (\w+) === 'object' && \2 !== null && !Array\.isArray\(\2\)/,
      ),
      ['packages/runtime/src/object.ts'],
    );
  });

  it('nonEmpty is defined once (exporter-otel/src/env.ts)', () => {
    assert.deepEqual(definitions(/function nonEmpty\(/), ['packages/exporter-otel/src/env.ts']);
  });
});
