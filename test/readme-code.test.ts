/**
 * Every ```ts block of the READMEs, docs/ and package docs type-checks against the built packages as a
 * module of its own (as pasted into a file), unless its fence says ```ts fragment. A block that
 * compiles names nothing it does not import or define, so it cannot throw a ReferenceError as
 * pasted.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import ts from 'typescript';
import { documents, fencedBlocks, root } from './support/markdown.js';

interface Block {
  doc: string;
  line: number;
  code: string;
}

function blocks(): { checked: Block[]; fragments: number } {
  const checked: Block[] = [];
  let fragments = 0;
  for (const doc of documents()) {
    for (const b of fencedBlocks(doc)) {
      if (b.info[0] !== 'ts' && b.info[0] !== 'typescript') continue;
      if (b.info.includes('fragment')) fragments++;
      else checked.push({ doc: b.doc, line: b.line, code: b.code });
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
