/** `init()` and `defaultConfig()` with wrong arguments: a TypeError naming the function, the argument and what was expected. */
import { strict as assert } from 'node:assert';
import { defaultConfig, init, pluginReport, validateConfig } from '@nemo-flow/sdk';

const bad = <T>(v: unknown): T => v as T;

function typeError(pattern: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  };
}

describe('sdk: argument validation', () => {
  it('init: options must be an object; init(42) never falls back to the default outputs', async () => {
    await assert.rejects(init(bad(null)), typeError(/^init: options must be an object \(or left out\), got null$/));
    await assert.rejects(init(bad(42)), typeError(/^init: options must be an object \(or left out\), got number 42$/));
    await assert.rejects(init(bad('nemo-flow.json')), typeError(/^init: options must be an object/));
    assert.equal(pluginReport().active, false, 'nothing was activated');
    await assert.rejects(init(bad({ console: 'yes' })), typeError(/^init: options\.console must be true or false, got the string "yes"$/));
    await assert.rejects(init(bad({ configFile: 7 })), typeError(/^init: options\.configFile must be a non-empty string/));
    await assert.rejects(init(bad({ env: 5 })), typeError(/^init: options\.env must be an object of environment variables/));
    await assert.rejects(
      init(bad({ activationTimeoutMs: -1 })),
      typeError(/^init: options\.activationTimeoutMs must be a finite number of milliseconds > 0, got number -1$/),
    );
    assert.equal(pluginReport().active, false);
    assert.throws(() => defaultConfig(bad(7)), typeError(/^defaultConfig: options must be an object/));
    assert.throws(() => defaultConfig(bad({ outputDir: 3 })), typeError(/^defaultConfig: options\.outputDir must be a non-empty string/));
  });

  it("the sdk's validateConfig checks its options too", async () => {
    await assert.rejects(
      validateConfig({ version: 1, components: [] }, bad({ checks: 'no' })),
      typeError(/^validateConfig: options\.checks must be true or false/),
    );
  });
});
