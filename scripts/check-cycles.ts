/**
 * Import-cycle check (run by `npm run lint`): no cycle between packages, and none between the
 * folders of one package's src/ (a folder, or a file at the top of src/, is one unit). Only imports
 * that load code count: `import type` / `export type` vanish at run time, and the core's types
 * (a scope holds its local middleware, middleware names its scope) refer to each other by design.
 * Prints the cycles and exits 1 when there are any.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const IMPORT = /(?:^|\n)\s*(?:import|export)(?!\s+type\b)\b[^'";]*?from\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

type Graph = Map<string, Set<string>>;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

function resolveRelative(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return undefined;
}

function addEdge(g: Graph, a: string, b: string): void {
  if (a === b) return;
  if (!g.has(a)) g.set(a, new Set());
  if (!g.has(b)) g.set(b, new Set());
  g.get(a)!.add(b);
}

/** Strongly connected components with more than one node (Tarjan). */
function cycles(g: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...g.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

export function findCycles(root: string): string[] {
  const packages = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'src')));
  const packageGraph: Graph = new Map();
  const problems: string[] = [];
  for (const pkg of packages) {
    const src = join(root, 'packages', pkg, 'src');
    const unitOf = (file: string): string => relative(src, file).split(sep)[0]!.replace(/\.ts$/, '');
    const folders: Graph = new Map();
    for (const file of tsFiles(src)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2]!;
        if (spec.startsWith('.')) {
          const target = resolveRelative(file, spec);
          if (target?.startsWith(src + sep)) addEdge(folders, unitOf(file), unitOf(target));
        } else if (spec.startsWith('@nemo-flow/')) {
          addEdge(packageGraph, pkg, spec.split('/')[1]!);
        }
      }
    }
    for (const c of cycles(folders)) problems.push(`packages/${pkg}/src: folders import each other: ${c.join(' ↔ ')}`);
  }
  for (const c of cycles(packageGraph)) problems.push(`packages import each other: ${c.join(' ↔ ')}`);
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.dirname ?? '', 'check-cycles.ts')) {
  const problems = findCycles(process.cwd());
  for (const p of problems) process.stderr.write(`${p}\n`);
  if (problems.length > 0) process.exitCode = 1;
  else process.stdout.write('no import cycles between packages or between the folders of a package\n');
}
