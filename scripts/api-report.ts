/**
 * API reports: the public surface of every package, read from the built declarations (`dist/*.d.ts`,
 * what the tarball ships), one Markdown file per package under test/api/. test/api.test.ts compares
 * them with the checked-in copies, so the surface cannot change by accident; `npm run api:update`
 * rewrites them after a deliberate change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface EntryReport {
  /** Import specifier, e.g. `@nemo-flow/runtime/codecs`. */
  specifier: string;
  values: string[];
  types: string[];
}

export interface ApiReports {
  /** test/api/<folder>.api.md → its text. */
  files: Map<string, string>;
  entries: EntryReport[];
  /** Type errors inside the shipped declarations (should be none). */
  diagnostics: string[];
}

interface PackageJson {
  name: string;
  exports: Record<string, string | { types?: string }>;
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** The package folder a file belongs to (`runtime` for packages/runtime/dist/x.d.ts). */
function folderOf(root: string, file: string): string | undefined {
  const rel = relative(join(root, 'packages'), file).split(sep);
  return rel.length > 1 && rel[0] !== '..' ? rel[0] : undefined;
}

function declarationText(decl: ts.Declaration): string {
  const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  return printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile()).trim();
}

export function buildApiReports(root: string): ApiReports {
  const folders = readdirSync(join(root, 'packages')).sort();
  const entries: Array<{ folder: string; pkg: PackageJson; specifier: string; file: string }> = [];
  for (const folder of folders) {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) as PackageJson;
    for (const [key, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string' || !target.types) continue;
      entries.push({ folder, pkg, specifier: key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`, file: resolve(root, 'packages', folder, target.types) });
    }
  }
  const program = ts.createProgram(
    entries.map((e) => e.file),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      types: ['node'],
      noEmit: true,
    },
  );
  const checker = program.getTypeChecker();
  const diagnostics: string[] = [];
  for (const sf of program.getSourceFiles()) {
    if (folderOf(root, sf.fileName) === undefined || sf.fileName.includes(`${sep}node_modules${sep}`)) continue;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      diagnostics.push(`${relative(root, sf.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  const files = new Map<string, string>();
  const reports: EntryReport[] = [];
  for (const folder of folders) {
    const mine = entries.filter((e) => e.folder === folder);
    if (mine.length === 0) continue;
    const lines: string[] = [
      `# API report: ${mine[0]!.pkg.name}`,
      '',
      '<!-- Generated from the built declarations by `npm run api:update`; checked by test/api.test.ts. -->',
    ];
    for (const e of mine) {
      const sf = program.getSourceFile(e.file);
      if (!sf) throw new Error(`${e.file} is missing: run \`npm run build\` first`);
      const moduleSymbol = checker.getSymbolAtLocation(sf);
      const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
      const report: EntryReport = { specifier: e.specifier, values: [], types: [] };
      const body: string[] = [];
      for (const sym of [...exports].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
        const isValue = (target.flags & ts.SymbolFlags.Value) !== 0 && !isTypeOnlyExport(sym);
        (isValue ? report.values : report.types).push(sym.name);
        const decls = target.declarations ?? [];
        const home = decls.length > 0 ? folderOf(root, decls[0]!.getSourceFile().fileName) : undefined;
        if (home !== folder) {
          const from = home ? `@nemo-flow/${home}` : 'a dependency';
          body.push(`// ${sym.name}: re-exported from ${from}`);
          continue;
        }
        const texts = decls.map(declarationText);
        const shown = sym.name === target.name ? texts : texts.map((t) => `// as ${sym.name}\n${t}`);
        body.push(...shown);
      }
      reports.push(report);
      lines.push('', `## \`${e.specifier}\``, '', `${report.values.length} values, ${report.types.length} types.`, '', '```ts', ...body, '```');
    }
    files.set(join('test', 'api', `${folder}.api.md`), lines.join('\n') + '\n');
  }
  return { files, entries: reports, diagnostics };
}

/** `export type { X }` of a class or const: a type-only export, whatever the target is. */
function isTypeOnlyExport(sym: ts.Symbol): boolean {
  return (sym.declarations ?? []).some((d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly));
}
