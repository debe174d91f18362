/**
 * Every ```ts block of the READMEs and package docs type-checks against the built packages as a
 * module of its own (as pasted into a file), unless its fence says ```ts fragment. A block that
 * compiles names nothing it does not import or define, so it cannot throw a ReferenceError as
 * pasted.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = process.cwd();

/** The Markdown files whose code blocks are checked. */
function documents(): string[] {
  const out = [join(root, 'README.md'), join(root, 'CONTRIBUTING.md'), join(root, 'docs', 'troubleshooting.md')];
  for (const pkg of readdirSync(join(root, 'packages'))) {
    out.push(join(root, 'packages', pkg, 'README.md'));
    const docs = join(root, 'packages', pkg, 'docs');
    if (existsSync(docs)) for (const f of readdirSync(docs)) if (f.endsWith('.md')) out.push(join(docs, f));
  }
  return out.filter((f) => existsSync(f));
}

interface Block {
  doc: string;
  line: number;
  code: string;
}

function blocks(): { checked: Block[]; fragments: number } {
  const checked: Block[] = [];
  let fragments = 0;
  for (const doc of documents()) {
    const lines = readFileSync(doc, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const fence = /^```(ts|typescript)(\s+fragment)?\s*$/.exec(lines[i]!);
      if (!fence) continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !lines[end]!.startsWith('```')) end++;
      if (fence[2]) fragments++;
      else checked.push({ doc: relative(root, doc), line: start + 1, code: lines.slice(start, end).join('\n') });
      i = end;
    }
  }
  return { checked, fragments };
}

describe('README code blocks', function () {
  this.timeout(60_000);

  it('every ```ts block compiles against the packages (or is marked ```ts fragment)', () => {
    const { checked } = blocks();
    assert.ok(checked.length >= 10, `only ${checked.length} blocks found`);
    // Virtual files next to the repository's node_modules, so `@nemo-flow/*` resolves as for a user.
    const files = new Map(checked.map((b, i) => [join(root, 'test', `readme-block-${i}.mts`), b]));
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, onError, create) => {
      const b = files.get(name);
      return b ? ts.createSourceFile(name, b.code, version) : getSourceFile(name, version, onError, create);
    };
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => files.has(name) || fileExists(name);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems: string[] = [];
    for (const [name, b] of files) {
      const sf = program.getSourceFile(name)!;
      for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
        const { line } = d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start) : { line: 0 };
        problems.push(`${b.doc}:${b.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
