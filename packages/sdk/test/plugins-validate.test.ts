/** Configuration validation: every diagnostic code, policies, environment checks. Nothing is activated. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMiddleware, listSubscribers } from '@nemo-flow/runtime';
import {
  DIAGNOSTIC_CODES,
  deregisterPlugin,
  loadConfigFile,
  parseConfig,
  registerPlugin,
  type Diagnostic,
  type PluginOptions,
} from '@nemo-flow/runtime/plugins';
import { validateConfig } from '@nemo-flow/sdk';

/** `level code component field` of each diagnostic, for compact assertions. */
const brief = (ds: readonly Diagnostic[]): string[] => ds.map((d) => `${d.level} ${d.code} ${d.component ?? '-'} ${d.field ?? '-'}`);
const only = (ds: readonly Diagnostic[], code: string): Diagnostic[] => ds.filter((d) => d.code === code);
const obs = (config: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown => ({
  version: 1,
  components: [{ kind: 'observability', config }],
  ...extra,
});
const noChecks: PluginOptions = { checks: false };

/** A 127.0.0.1 port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('plugins: reading configuration text', () => {
  it('malformed JSON → CONFIG_PARSE_ERROR with the line and column', () => {
    const { config, diagnostics } = parseConfig('{\n  "version": 1,\n  "components": [,]\n}');
    assert.equal(config, undefined);
    assert.deepEqual(brief(diagnostics), ['error CONFIG_PARSE_ERROR - -']);
    assert.match(diagnostics[0]!.message, /line 3, column 18: a value is missing/);
    assert.match(parseConfig('{"a": 1,}').diagnostics[0]!.message, /line 1, column 9: trailing comma/);
    assert.match(parseConfig('{"a": 1 // note\n}').diagnostics[0]!.message, /comments are not allowed/);
    assert.match(parseConfig('version: 1\ncomponents: []').diagnostics[0]!.message, /YAML is not supported/);
    assert.deepEqual(brief(parseConfig('  ').diagnostics), ['error CONFIG_PARSE_ERROR - -']);
  });

  it('a BOM is allowed; a valid document parses', () => {
    assert.deepEqual(parseConfig('\ufeff{"version":1,"components":[]}'), { config: { version: 1, components: [] }, diagnostics: [] });
  });

  it('a missing file → CONFIG_UNREADABLE naming it', async () => {
    const { diagnostics } = await loadConfigFile('/nonexistent/nemo-flow.json');
    assert.deepEqual(brief(diagnostics), ['error CONFIG_UNREADABLE - -']);
    assert.match(diagnostics[0]!.message, /\/nonexistent\/nemo-flow\.json: no such file/);
  });

  it('file parse errors name the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-cfg-'));
    try {
      writeFileSync(join(dir, 'bad.json'), '{ "version": 1, ');
      const { diagnostics } = await loadConfigFile(join(dir, 'bad.json'));
      assert.equal(diagnostics[0]!.code, 'CONFIG_PARSE_ERROR');
      assert.ok(diagnostics[0]!.message.startsWith(join(dir, 'bad.json')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('plugins: document and component shape', () => {
  it('a configuration that is not an object → CONFIG_NOT_OBJECT', async () => {
    for (const bad of [null, [], 'observability', 3]) {
      const ds = await validateConfig(bad);
      assert.deepEqual(brief(ds), ['error CONFIG_NOT_OBJECT - -']);
      assert.match(ds[0]!.message, /expected|must be a JSON object/);
    }
  });

  it('version: missing, wrong type, unsupported', async () => {
    assert.deepEqual(brief(await validateConfig({ components: [] })), ['error VERSION_MISSING - version']);
    assert.deepEqual(brief(await validateConfig({ version: '1', components: [] })), ['error INVALID_TYPE - version']);
    assert.deepEqual(brief(await validateConfig({ version: 2, components: [] })), ['error VERSION_UNSUPPORTED - version']);
    assert.deepEqual(await validateConfig({ version: 1, components: [] }), []);
  });

  it('components: missing, not an array, entries that are not objects or lack a usable kind', async () => {
    assert.deepEqual(brief(await validateConfig({ version: 1 })), ['error MISSING_FIELD - components']);
    assert.deepEqual(brief(await validateConfig({ version: 1, components: {} })), ['error INVALID_TYPE - components']);
    const ds = await validateConfig({ version: 1, components: ['observability', {}, { kind: 7 }, { kind: 'observability', enabled: 'yes', config: [] }] });
    assert.deepEqual(brief(ds), [
      'error CONFIG_NOT_OBJECT - -',
      'error MISSING_FIELD - kind',
      'error INVALID_TYPE - kind',
      'error INVALID_TYPE observability enabled',
      'error INVALID_TYPE observability config',
    ]);
    assert.deepEqual(
      ds.map((d) => d.index),
      [0, 1, 2, 3, 3],
    );
    for (const d of ds) assert.match(d.message, /expected/);
  });

  it('unknown component kinds follow the unknown_components policy (warn by default) and suggest a fix', async () => {
    const config = (policy?: unknown): unknown => ({ version: 1, components: [{ kind: 'observabilty' }], ...(policy ? { policy } : {}) });
    const ds = await validateConfig(config());
    assert.deepEqual(brief(ds), ['warn UNKNOWN_COMPONENT observabilty kind']);
    assert.match(ds[0]!.message, /did you mean "observability"/);
    assert.deepEqual(brief(await validateConfig(config({ unknown_components: 'error' }))), ['error UNKNOWN_COMPONENT observabilty kind']);
    assert.deepEqual(await validateConfig(config({ unknown_components: 'ignore' })), []);
  });

  it('unknown fields follow the unknown_fields policy; keys starting with $ are comments', async () => {
    const doc = { version: 1, $comment: 'ok', extra: 1, components: [{ kind: 'observability', note: 'x', config: { consle: true, $schema: 'x' } }] };
    assert.deepEqual(brief(await validateConfig(doc)), [
      'warn UNKNOWN_FIELD - extra',
      'warn UNKNOWN_FIELD observability note',
      'warn UNKNOWN_FIELD observability config.consle',
    ]);
    const typo = only(await validateConfig(doc), 'UNKNOWN_FIELD')[2]!;
    assert.match(typo.message, /did you mean "console"/);
    assert.deepEqual(brief(await validateConfig({ ...doc, policy: { unknown_fields: 'error' } })).filter((s) => s.startsWith('error')).length, 3);
    assert.deepEqual(await validateConfig({ ...doc, policy: { unknown_fields: 'ignore' } }), []);
  });

  it('unsupported values follow the unsupported_values policy (error by default)', async () => {
    const doc = (policy?: unknown): unknown => obs({ otel: { protocol: 'grpc', check_endpoint: false } }, policy ? { policy } : {});
    const ds = await validateConfig(doc(), noChecks);
    assert.deepEqual(brief(ds), ['error UNSUPPORTED_VALUE observability config.otel.protocol']);
    assert.match(ds[0]!.message, /expected one of "http\/protobuf", "http\/json"/);
    assert.deepEqual(brief(await validateConfig(doc({ unsupported_values: 'warn' }), noChecks)), ['warn UNSUPPORTED_VALUE observability config.otel.protocol']);
    assert.deepEqual(await validateConfig(doc({ unsupported_values: 'ignore' }), noChecks), []);
  });

  it('an invalid policy is an error', async () => {
    const ds = await validateConfig({ version: 1, components: [], policy: { unknown_fields: 'loud', unknown_components: 1, typo: 'warn' } });
    assert.deepEqual(brief(ds), [
      'error INVALID_TYPE - policy.unknown_components',
      'error INVALID_VALUE - policy.unknown_fields',
      'warn UNKNOWN_FIELD - policy.typo',
    ]);
    assert.deepEqual(brief(await validateConfig({ version: 1, components: [], policy: 'strict' })), ['error INVALID_TYPE - policy']);
  });

  it('a single-instance component enabled twice → DUPLICATE_COMPONENT (a disabled copy is fine)', async () => {
    const ds = await validateConfig({ version: 1, components: [{ kind: 'pii_redaction' }, { kind: 'pii_redaction' }] });
    assert.deepEqual(brief(ds), ['error DUPLICATE_COMPONENT pii_redaction kind']);
    assert.equal(ds[0]!.index, 1);
    assert.match(ds[0]!.message, /already component #0/);
    assert.deepEqual(await validateConfig({ version: 1, components: [{ kind: 'pii_redaction' }, { kind: 'pii_redaction', enabled: false }] }), []);
  });

  it('validating activates nothing and creates nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-val-'));
    try {
      const subs = listSubscribers().length;
      const mws = listMiddleware().length;
      const ds = await validateConfig({
        version: 1,
        components: [{ kind: 'observability', config: { output_dir: join(dir, 'out'), console: true, atof: true, atif: true } }, { kind: 'pii_redaction' }],
      });
      assert.deepEqual(ds, []);
      assert.equal(listSubscribers().length, subs);
      assert.equal(listMiddleware().length, mws);
      assert.equal(existsSync(join(dir, 'out')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every diagnostic code is documented in docs/plugins.md', () => {
    const doc = readFileSync(new URL('../../runtime/docs/plugins.md', import.meta.url), 'utf8');
    for (const code of DIAGNOSTIC_CODES) assert.ok(doc.includes(`\`${code}\``), `${code} is not documented`);
  });
});

describe('plugins: observability options', () => {
  it('wrong types and values name the section and field and say what is expected', async () => {
    const ds = await validateConfig(
      obs({
        console: 3,
        atof: { path: 7, mode: 'truncate' },
        otel: { endpoint: 'not a url', max_queue_size: 0, headers: { a: 1 }, flush_on_exit: 'yes', check_endpoint: false },
        openinference: { endpoint: 'ftp://phoenix:21', masking: { hide_inputs: 'yes' }, check_endpoint: false },
      }),
      noChecks,
    );
    assert.deepEqual(brief(ds), [
      'error INVALID_TYPE observability config.console',
      'error INVALID_TYPE observability config.atof.path',
      'error UNSUPPORTED_VALUE observability config.atof.mode',
      'error INVALID_VALUE observability config.otel.endpoint',
      'error INVALID_TYPE observability config.otel.headers.a',
      'error INVALID_TYPE observability config.otel.flush_on_exit',
      'error INVALID_VALUE observability config.otel.max_queue_size',
      'error UNSUPPORTED_VALUE observability config.openinference.endpoint',
      'error INVALID_TYPE observability config.openinference.masking.hide_inputs',
    ]);
    for (const d of ds) assert.match(d.message, /expected|not supported/);
  });

  it('an unreachable OTLP endpoint → ENDPOINT_UNREACHABLE warning; a listening one → nothing', async () => {
    const port = await closedPort();
    const ds = await validateConfig(obs({ otel: { endpoint: `http://127.0.0.1:${port}` } }));
    assert.deepEqual(brief(ds), ['warn ENDPOINT_UNREACHABLE observability config.otel.endpoint']);
    assert.match(ds[0]!.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    const server: Server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const open = (server.address() as { port: number }).port;
      assert.deepEqual(
        await validateConfig(obs({ otel: { endpoint: `http://127.0.0.1:${open}` }, openinference: { endpoint: `http://127.0.0.1:${open}/v1/traces` } })),
        [],
      );
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    assert.deepEqual(await validateConfig(obs({ otel: { endpoint: `http://127.0.0.1:${port}`, check_endpoint: false } })), []);
    assert.deepEqual(await validateConfig(obs({ otel: { endpoint: `http://127.0.0.1:${port}` } }), noChecks), []);
  });

  it('the endpoint check uses OTEL_EXPORTER_OTLP_ENDPOINT when the section names none', async () => {
    const port = await closedPort();
    const ds = await validateConfig(obs({ otel: {} }), { env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` } });
    assert.deepEqual(brief(ds), ['warn ENDPOINT_UNREACHABLE observability config.otel.endpoint']);
  });

  it('an unwritable directory → DIRECTORY_UNWRITABLE (ATIF dir under a file, ATOF path that is a directory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-dir-'));
    try {
      writeFileSync(join(dir, 'file'), 'x');
      const ds = await validateConfig(obs({ atif: { dir: join(dir, 'file', 'trajectories') }, atof: { path: dir } }));
      assert.deepEqual(brief(ds), ['error DIRECTORY_UNWRITABLE observability config.atof.path', 'error DIRECTORY_UNWRITABLE observability config.atif.dir']);
      assert.match(ds[0]!.message, /is a directory; expected a file path/);
      assert.match(ds[1]!.message, /is a file, not a directory.*expected a writable directory/);
      // Relative paths resolve against cwd; the default output_dir is fine in a writable cwd.
      assert.deepEqual(await validateConfig(obs({ atof: true, atif: true }), { cwd: dir }), []);
      assert.deepEqual(brief(await validateConfig(obs({ output_dir: 'file/out', atof: true }), { cwd: dir })), [
        'error DIRECTORY_UNWRITABLE observability config.atof.path',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('secrets come from environment variables named in headers_env; inline credentials are flagged', async () => {
    const doc = obs({
      otel: {
        headers: { Authorization: 'Bearer abc', 'x-team': 'a' },
        headers_env: { api_key: 'PHX_KEY', 'x-auth': 'Bearer ${PHX_TOKEN}', bad: 'not a name' },
        check_endpoint: false,
      },
    });
    const ds = await validateConfig(doc, { ...noChecks, env: {} });
    assert.deepEqual(brief(ds), [
      'warn SECRET_IN_CONFIG observability config.otel.headers.Authorization',
      'warn ENV_VAR_MISSING observability config.otel.headers_env.api_key',
      'warn ENV_VAR_MISSING observability config.otel.headers_env.x-auth',
      'error INVALID_VALUE observability config.otel.headers_env.bad',
    ]);
    assert.match(only(ds, 'ENV_VAR_MISSING')[1]!.message, /PHX_TOKEN is not set/);
    const set = await validateConfig(obs({ otel: { headers_env: { api_key: 'PHX_KEY', 'x-auth': 'Bearer ${PHX_TOKEN}' }, check_endpoint: false } }), {
      ...noChecks,
      env: { PHX_KEY: 'k', PHX_TOKEN: 't' },
    });
    assert.deepEqual(set, []);
  });

  it('a missing exporter package → PACKAGE_NOT_INSTALLED naming it (a warning when the section is optional)', async () => {
    const importModule = async (specifier: string): Promise<unknown> => {
      const err = new Error(`Cannot find package '${specifier}' imported from /app/index.js`) as NodeJS.ErrnoException;
      err.code = 'ERR_MODULE_NOT_FOUND';
      throw err;
    };
    const ds = await validateConfig(obs({ atif: true, otel: { check_endpoint: false }, openinference: { optional: true } }), { importModule });
    assert.deepEqual(brief(ds), [
      'error PACKAGE_NOT_INSTALLED observability config.atif',
      'error PACKAGE_NOT_INSTALLED observability config.otel',
      'warn PACKAGE_NOT_INSTALLED observability config.openinference',
    ]);
    assert.match(ds[0]!.message, /npm install @nemo-flow\/exporter-atif/);
    assert.match(ds[1]!.message, /@nemo-flow\/exporter-otel/);
    assert.match(ds[2]!.message, /optional and will be skipped/);
  });

  it('a package without the expected class → PACKAGE_LOAD_FAILED', async () => {
    const ds = await validateConfig(obs({ atif: true }), { importModule: async () => ({ SomethingElse: class {} }) });
    assert.deepEqual(brief(ds), ['error PACKAGE_LOAD_FAILED observability config.atif']);
    assert.match(ds[0]!.message, /does not export a class named AtifExporter/);
  });

  it('ATIF options are checked (schema version, file name template, pricing)', async () => {
    const ds = await validateConfig(
      obs({
        atif: {
          schema_version: 'ATIF-v9',
          filename_template: 'run.json',
          pricing: { 'gpt-x': { input_per_mtok: 1 }, m: { input_per_mtok: -1, output_per_mtok: 2 } },
        },
      }),
      noChecks,
    );
    assert.deepEqual(brief(ds), [
      'error INVALID_VALUE observability config.atif.filename_template',
      'error UNSUPPORTED_VALUE observability config.atif.schema_version',
      'error MISSING_FIELD observability config.atif.pricing.gpt-x',
      'error INVALID_VALUE observability config.atif.pricing.m.input_per_mtok',
      'error MISSING_FIELD observability config.atif.pricing.m',
    ]);
  });
});

describe('plugins: pii_redaction options', () => {
  it('reports bad rules, detectors, actions, paths and targets', async () => {
    const ds = await validateConfig(
      {
        version: 1,
        components: [
          {
            kind: 'pii_redaction',
            config: {
              detectors: ['email', 'ssn'],
              action: 'shred',
              actions: { phone: 'mask', fax: 'redact' },
              rules: [{ name: 'x', pattern: '(' }, { pattern: 'a' }, 'b'],
              paths: ['ok.path', 'bad..path'],
              targets: ['tool_request', 'llm_stream'],
              priority: 'high',
            },
          },
        ],
      },
      noChecks,
    );
    assert.deepEqual(brief(ds), [
      'error UNSUPPORTED_VALUE pii_redaction config.detectors[1]',
      'error UNSUPPORTED_VALUE pii_redaction config.action',
      'warn UNKNOWN_FIELD pii_redaction config.actions.fax',
      'error INVALID_VALUE pii_redaction config.rules[0].pattern',
      'error MISSING_FIELD pii_redaction config.rules[1].name',
      'error INVALID_TYPE pii_redaction config.rules[2]',
      'error INVALID_VALUE pii_redaction config.paths[1]',
      'error UNSUPPORTED_VALUE pii_redaction config.targets[1]',
      'error INVALID_TYPE pii_redaction config.priority',
    ]);
    assert.match(ds[3]!.message, /invalid regular expression/);
  });

  it('an unset hash salt variable is a warning', async () => {
    const ds = await validateConfig(
      { version: 1, components: [{ kind: 'pii_redaction', config: { action: 'hash', hash_salt_env: 'PII_SALT' } }] },
      { env: {} },
    );
    assert.deepEqual(brief(ds), ['warn ENV_VAR_MISSING pii_redaction config.hash_salt_env']);
  });
});

describe('plugins: custom plugin validation', () => {
  afterEach(() => {
    for (const k of ['vt_throws', 'vt_reports', 'vt_multi']) deregisterPlugin(k);
  });

  it('a validate that throws → PLUGIN_VALIDATE_FAILED, never a crash', async () => {
    registerPlugin('vt_throws', {
      validate() {
        throw new Error('boom');
      },
      register() {},
    });
    const ds = await validateConfig({ version: 1, components: [{ kind: 'vt_throws' }] });
    assert.deepEqual(brief(ds), ['error PLUGIN_VALIDATE_FAILED vt_throws config']);
    assert.match(ds[0]!.message, /boom/);
  });

  it('findings a plugin returns or reports get defaults and a config. prefix; helpers follow the policy', async () => {
    registerPlugin<{ url?: unknown }>('vt_reports', {
      validate(config, ctx) {
        ctx.unknownField('colour', ['color']);
        ctx.unsupportedValue('mode', 'mode "x" is not supported');
        if (typeof config.url !== 'string')
          return [
            { field: 'url', message: 'expected a URL string' },
            { level: 'info', code: 'MY_NOTE', message: 'note' },
          ];
        return undefined;
      },
      register() {},
    });
    const ds = await validateConfig({
      version: 1,
      components: [{ kind: 'vt_reports', config: {} }],
      policy: { unknown_fields: 'error', unsupported_values: 'warn' },
    });
    assert.deepEqual(brief(ds), [
      'error UNKNOWN_FIELD vt_reports config.colour',
      'warn UNSUPPORTED_VALUE vt_reports config.mode',
      'error PLUGIN_INVALID_CONFIG vt_reports config.url',
      'info MY_NOTE vt_reports config',
    ]);
  });

  it('multiple: true kinds may appear more than once', async () => {
    registerPlugin('vt_multi', { multiple: true, register() {} });
    assert.deepEqual(await validateConfig({ version: 1, components: [{ kind: 'vt_multi' }, { kind: 'vt_multi' }] }), []);
  });

  it('registerPlugin refuses bad kinds, duplicates, built-ins and definitions without register', () => {
    assert.throws(() => registerPlugin('1bad', { register() {} }), /kind must be/);
    assert.throws(() => registerPlugin('pii_redaction', { register() {} }), /built-in/);
    assert.throws(() => registerPlugin('observability', { register() {} }), /already registered/);
    assert.throws(() => registerPlugin('vt_multi', {} as never), /register\(config, ctx\)/);
    registerPlugin('vt_multi', { register() {} });
    assert.throws(() => registerPlugin('vt_multi', { register() {} }), /already registered/);
    assert.throws(() => deregisterPlugin('pii_redaction'), /built-in/);
  });
});
