/** `nemo-flow validate-config FILE`: prints the diagnostics; exit 1 when any is an error. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfigCommand } from '../../cli/src/commands/validate-config.js';

/** Runs the command with stdout captured. */
async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await validateConfigCommand(argv);
    return { code, out: chunks.join('') };
  } finally {
    process.stdout.write = write;
  }
}

describe('nemo-flow validate-config', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nf-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a valid file prints ok and exits 0', async () => {
    const f = file('ok.json', JSON.stringify({ version: 1, components: [{ kind: 'pii_redaction' }] }));
    assert.deepEqual(await run([f]), { code: 0, out: `${f}: ok\n` });
  });

  it('warnings alone exit 0; errors exit 1; each line names the code, component and field', async () => {
    const warn = file('warn.json', JSON.stringify({ version: 1, components: [{ kind: 'pii_redaction', colour: 1 }] }));
    const bad = file(
      'bad.json',
      JSON.stringify({ version: 1, components: [{ kind: 'observability', config: { otel: { protocol: 'grpc', check_endpoint: false } } }] }),
    );
    const w = await run([warn]);
    assert.equal(w.code, 0);
    assert.match(w.out, /0 error\(s\), 1 warning\(s\)\n {2}warn UNKNOWN_FIELD \(pii_redaction#0 colour\): unknown field/);
    const b = await run([warn, bad, '--no-checks']);
    assert.equal(b.code, 1);
    assert.match(b.out, /error UNSUPPORTED_VALUE \(observability#0 config\.otel\.protocol\): "grpc" is not supported; expected one of/);
  });

  it('malformed JSON and missing files are errors', async () => {
    const broken = file('broken.json', '{ "version": 1, }');
    const r = await run([broken, join(dir, 'missing.json')]);
    assert.equal(r.code, 1);
    assert.match(r.out, /error CONFIG_PARSE_ERROR: .*broken\.json: not valid JSON: line 1, column 17: trailing comma/);
    assert.match(r.out, /error CONFIG_UNREADABLE: .*missing\.json: no such file/);
  });

  it('--json prints machine-readable diagnostics', async () => {
    const f = file('v.json', JSON.stringify({ version: 3, components: [] }));
    const r = await run([f, '--json']);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.out), [
      {
        file: f,
        diagnostics: [
          {
            level: 'error',
            code: 'VERSION_UNSUPPORTED',
            component: null,
            index: null,
            field: 'version',
            message: 'version 3 is not supported by this runtime; expected 1',
          },
        ],
      },
    ]);
  });

  it('no file is a usage error', async () => {
    await assert.rejects(validateConfigCommand([]), /expected a configuration file/);
    await assert.rejects(validateConfigCommand(['--bogus', 'x']), /unknown option --bogus/);
  });
});
