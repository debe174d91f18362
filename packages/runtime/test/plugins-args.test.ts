/** Wrong arguments to the configuration and PII functions: a TypeError naming the function, the argument and what was expected. */
import { strict as assert } from 'node:assert';
import {
  createPiiRedactor,
  deregisterPlugin,
  findPii,
  initializePlugins,
  loadConfigFile,
  parseConfig,
  registerPlugin,
  validateConfig,
} from '@nemo-flow/runtime/plugins';

const bad = <T>(v: unknown): T => v as T;

function typeError(pattern: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  };
}

describe('plugins: argument validation', () => {
  it('parseConfig and loadConfigFile', async () => {
    assert.throws(() => parseConfig(bad(42)), typeError(/^parseConfig: text must be a string holding a JSON document, got number 42$/));
    assert.throws(() => parseConfig(bad(undefined)), typeError(/^parseConfig: text must be .*, got undefined$/));
    await assert.rejects(loadConfigFile(bad(42)), typeError(/^loadConfigFile: path must be a non-empty string \(a file path\), got number 42$/));
    await assert.rejects(loadConfigFile(''), typeError(/^loadConfigFile: path must be a non-empty string/));
  });

  it('validateConfig and initializePlugins: a bad config is diagnostics, bad options a TypeError', async () => {
    const diags = await validateConfig(42);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['CONFIG_NOT_OBJECT'],
    );
    await assert.rejects(
      validateConfig({ version: 1, components: [] }, bad(42)),
      typeError(/^validateConfig: options must be an object \(or left out\), got number 42$/),
    );
    await assert.rejects(
      validateConfig({ version: 1, components: [] }, bad({ cwd: 1 })),
      typeError(/^validateConfig: options\.cwd must be a non-empty string/),
    );
    await assert.rejects(
      validateConfig({ version: 1, components: [] }, bad({ importModule: 'x' })),
      typeError(/^validateConfig: options\.importModule must be a function/),
    );
    await assert.rejects(
      validateConfig({ version: 1, components: [] }, bad({ connectTimeoutMs: NaN })),
      typeError(/^validateConfig: options\.connectTimeoutMs must be a finite number/),
    );
    await assert.rejects(initializePlugins({ version: 1, components: [] }, bad('x')), typeError(/^initializePlugins: options must be an object/));
  });

  it('registerPlugin and deregisterPlugin', () => {
    assert.throws(
      () => registerPlugin('args_x', bad<never>(null)),
      typeError(/^registerPlugin\("args_x"\): definition must be an object like \{ register\(config, ctx\) \{ … \} \}, got null$/),
    );
    assert.throws(() => registerPlugin('args_x', bad<never>(42)), typeError(/definition must be an object/));
    assert.throws(() => registerPlugin('args_x', bad<never>({ register: 'no' })), typeError(/needs a register\(config, ctx\) function, got the string "no"/));
    assert.throws(
      () => registerPlugin('args_x', bad<never>({ register() {}, multiple: 'yes' })),
      typeError(/^registerPlugin\("args_x"\): definition\.multiple must be true or false/),
    );
    assert.throws(() => registerPlugin('args_x', bad<never>({ register() {}, validate: 1 })), typeError(/definition\.validate must be a function/));
    assert.throws(() => registerPlugin(bad(Symbol('k')), { register() {} }), typeError(/^registerPlugin: kind must be .*, got a symbol$/));
    assert.throws(() => deregisterPlugin(bad(7)), typeError(/^deregisterPlugin: kind must be a string, got number 7$/));
    assert.ok(!deregisterPlugin('args_x'), 'nothing was registered');
  });

  it('findPii and createPiiRedactor', () => {
    assert.throws(() => findPii(bad(42)), typeError(/^findPii: text must be a string, got number 42$/));
    assert.throws(() => findPii('x', bad(3)), typeError(/^findPii: options must be an object/));
    assert.throws(() => createPiiRedactor(bad(null)), typeError(/^createPiiRedactor: options must be an object \(or left out\), got null$/));
    assert.throws(() => createPiiRedactor(bad('mask')), typeError(/^createPiiRedactor: options must be an object/));
    assert.throws(() => createPiiRedactor(bad({ detectors: 'email' })), typeError(/^createPiiRedactor: options\.detectors must be an array of detector names/));
    assert.throws(() => createPiiRedactor(bad({ rules: [5] })), typeError(/^createPiiRedactor: options\.rules\[0\] must be an object like/));
    assert.throws(
      () => createPiiRedactor(bad({ rules: [{ name: 'x', pattern: 'y', replacement: 1 }] })),
      typeError(/options\.rules\[0\]\.replacement must be a string/),
    );
    assert.throws(
      () => createPiiRedactor(bad({ action: Symbol('a') })),
      typeError(/^createPiiRedactor: options\.action must be one of redact, mask, hash, remove, got a symbol$/),
    );
    assert.throws(() => createPiiRedactor(bad({ actions: { email: 'x' } })), typeError(/options\.actions\.email must be one of/));
    assert.throws(() => createPiiRedactor(bad({ paths: 'a.b' })), typeError(/options\.paths must be an array of field paths/));
    assert.throws(() => createPiiRedactor(bad({ hashSalt: 1 })), typeError(/options\.hashSalt must be a string, got number 1/));
    assert.equal(createPiiRedactor()('bob@example.com'), '[REDACTED:EMAIL]', 'no options is fine');
  });
});
