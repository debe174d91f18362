/**
 * The Markdown that users read (root files, docs/, package READMEs and package docs) and its fenced
 * blocks, for the tests that keep that Markdown true: code compiles, commands run, links resolve.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const root = process.cwd();

function markdownUnder(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    // docs/api/ is TypeDoc's output (ignored by git), not hand-written pages.
    if (relative(root, path) === join('docs', 'api')) continue;
    if (statSync(path).isDirectory()) markdownUnder(path, out);
    else if (name.endsWith('.md')) out.push(path);
  }
}

/** Absolute paths of every hand-written Markdown file a user reads. */
export function documents(): string[] {
  const out = ['README.md', 'CONTRIBUTING.md', 'AGENTS.md'].map((f) => join(root, f));
  markdownUnder(join(root, 'docs'), out);
  for (const pkg of readdirSync(join(root, 'packages'))) {
    out.push(join(root, 'packages', pkg, 'README.md'));
    markdownUnder(join(root, 'packages', pkg, 'docs'), out);
  }
  return out.filter((f) => existsSync(f));
}

export interface Fenced {
  /** Path relative to the repository root. */
  doc: string;
  /** 1-based line of the block's first content line. */
  line: number;
  /** The fence's info string split on spaces: ['ts', 'fragment'], ['sh', 'runnable']. */
  info: string[];
  code: string;
}

/** Every fenced block (``` only) of a Markdown file. */
export function fencedBlocks(doc: string): Fenced[] {
  const lines = readFileSync(doc, 'utf8').split('\n');
  const out: Fenced[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(.*)$/.exec(lines[i]!);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    out.push({ doc: relative(root, doc), line: start + 1, info: fence[1]!.trim().split(/\s+/).filter(Boolean), code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return out;
}
