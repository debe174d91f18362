/**
 * The masking configuration is OpenInference's own: same option names, environment variables,
 * defaults and marker as `@arizeai/openinference-core`, and the same result for valid settings.
 */
import { strict as assert } from 'node:assert';
import { generateTraceConfig, REDACTED_VALUE as CORE_REDACTED, type TraceConfigOptions as CoreOptions } from '@arizeai/openinference-core';
import { DEFAULT_TRACE_CONFIG, REDACTED_VALUE, TRACE_CONFIG_ENV, resolveTraceConfig, type TraceConfigOptions } from '@nemo-flow/exporter-openinference';
import { withEnv } from './helpers.js';

const KEYS = Object.keys(TRACE_CONFIG_ENV) as Array<keyof TraceConfigOptions>;

describe('OpenInference masking config: built on openinference-core', () => {
  it('options are a subset of core TraceConfigOptions; marker and defaults are core’s', () => {
    const ours: TraceConfigOptions = { hideInputs: true, base64ImageMaxLength: 10 };
    const theirs: CoreOptions = ours; // compiles only while every option of ours is one of core's
    assert.equal(theirs.hideInputs, true);
    assert.equal(REDACTED_VALUE, CORE_REDACTED);
    const core = generateTraceConfig({});
    for (const k of KEYS) assert.equal(DEFAULT_TRACE_CONFIG[k], core[k], k);
  });

  it('resolves code > environment > default exactly as core does for valid settings', async () => {
    const env: Record<string, string> = {};
    KEYS.forEach((k, i) => (env[TRACE_CONFIG_ENV[k]] = k === 'base64ImageMaxLength' ? '77' : i % 2 ? 'true' : 'false'));
    await withEnv(env, () => {
      const code: TraceConfigOptions = { hideOutputs: false, hideInputText: true };
      const core = generateTraceConfig(code);
      const ours = resolveTraceConfig(code);
      for (const k of KEYS) assert.equal(ours[k], core[k], k);
    });
  });
});
