/**
 * Every relative link of the READMEs, docs/ and package docs points at a file or folder that exists,
 * and its #anchor (when it has one) at a heading of that Markdown file, slugged as GitHub does.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { documents, root } from './support/markdown.js';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutFences(markdown).split('\n')) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const base = h[1]!
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The text with fenced blocks blanked (line numbers kept). */
function withoutFences(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, (m) => m.replace(/[^\n]/g, ' '));
}

/** The text with fenced blocks and code spans blanked, so that code is never read as a link. */
function withoutCode(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, (m) => ' '.repeat(m.length));
}

function links(markdown: string): Array<{ line: number; target: string }> {
  const out: Array<{ line: number; target: string }> = [];
  withoutCode(markdown)
    .split('\n')
    .forEach((text, i) => {
      for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ line: i + 1, target: m[1]! });
    });
  return out;
}

describe('links in the docs', () => {
  it('every relative link resolves to an existing file, folder or heading', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const doc of documents()) {
      const markdown = readFileSync(doc, 'utf8');
      for (const { line, target } of links(markdown)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
        checked++;
        const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
        const path = pathPart === '' ? doc : join(dirname(doc), decodeURIComponent(pathPart));
        const where = `${relative(root, doc)}:${line}: ${target}`;
        if (!existsSync(path)) {
          problems.push(`${where}: no such file`);
          continue;
        }
        if (anchor === undefined || anchor === '') continue;
        if (statSync(path).isDirectory() || !path.endsWith('.md')) {
          problems.push(`${where}: an anchor into a file that is not Markdown`);
          continue;
        }
        if (!anchors(readFileSync(path, 'utf8')).has(anchor)) problems.push(`${where}: no heading with anchor #${anchor}`);
      }
    }
    assert.ok(checked >= 50, `only ${checked} relative links found`);
    assert.deepEqual(problems, []);
  });

  it('slugs headings as GitHub does', () => {
    const a = anchors('# Plugins and configuration\n## `init(options?)`\n### `otel` and `openinference` (OTLP)\n## Events\n## Events\n');
    assert.deepEqual([...a], ['plugins-and-configuration', 'initoptions', 'otel-and-openinference-otlp', 'events', 'events-1']);
  });
});
