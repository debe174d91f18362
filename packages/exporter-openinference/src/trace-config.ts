/**
 * The masking configuration, built on OpenInference's own trace config
 * (`@arizeai/openinference-core`): its option type, environment variable names, defaults and
 * redaction marker, so a Phoenix user's existing settings keep working and cannot drift. Resolution
 * order per setting: the value given in code, then the environment variable, then the default.
 * Resolution itself is ours: `generateTraceConfig` reads only `process.env` and reads a misspelt
 * value as `false` without a word (see the README).
 */
import {
  DEFAULT_BASE64_IMAGE_MAX_LENGTH,
  DEFAULT_HIDE_INPUTS,
  DEFAULT_HIDE_INPUT_IMAGES,
  DEFAULT_HIDE_INPUT_MESSAGES,
  DEFAULT_HIDE_INPUT_TEXT,
  DEFAULT_HIDE_OUTPUTS,
  DEFAULT_HIDE_OUTPUT_MESSAGES,
  DEFAULT_HIDE_OUTPUT_TEXT,
  OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH,
  OPENINFERENCE_HIDE_INPUTS,
  OPENINFERENCE_HIDE_INPUT_IMAGES,
  OPENINFERENCE_HIDE_INPUT_MESSAGES,
  OPENINFERENCE_HIDE_INPUT_TEXT,
  OPENINFERENCE_HIDE_OUTPUTS,
  OPENINFERENCE_HIDE_OUTPUT_MESSAGES,
  OPENINFERENCE_HIDE_OUTPUT_TEXT,
  REDACTED_VALUE,
  type TraceConfigOptions as OpenInferenceTraceConfigOptions,
} from '@arizeai/openinference-core';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';

/**
 * Masking switches; every one is optional (unset: environment, then default). The switches of
 * OpenInference's `TraceConfigOptions` this exporter applies (it records no embeddings, prompt
 * templates or separate tool lists for those to hide).
 */
export interface TraceConfigOptions
  extends Pick<
    OpenInferenceTraceConfigOptions,
    'hideInputs' | 'hideOutputs' | 'hideInputMessages' | 'hideOutputMessages' | 'hideInputImages' | 'hideInputText' | 'hideOutputText' | 'base64ImageMaxLength'
  > {
  /** Hide `input.value` (shown as `__REDACTED__`), input messages and the tools offered to the model. */
  hideInputs?: boolean;
  /** Hide `output.value` (shown as `__REDACTED__`) and output messages. */
  hideOutputs?: boolean;
  /** Leave `llm.input_messages.*` out. */
  hideInputMessages?: boolean;
  /** Leave `llm.output_messages.*` out. */
  hideOutputMessages?: boolean;
  /** Leave image URLs / base64 data out of input messages. */
  hideInputImages?: boolean;
  /** Replace the text of input messages with `__REDACTED__`. */
  hideInputText?: boolean;
  /** Replace the text of output messages with `__REDACTED__`. */
  hideOutputText?: boolean;
  /** Base64 (`data:image/...;base64,`) image URLs longer than this are replaced by `__REDACTED__`. Default 32000. */
  base64ImageMaxLength?: number;
}

/** A fully resolved masking configuration. */
export type TraceConfig = Readonly<Required<TraceConfigOptions>>;

/** What a hidden value is replaced by (the marker OpenInference instrumentations use). */
export { REDACTED_VALUE, DEFAULT_BASE64_IMAGE_MAX_LENGTH };

/** The environment variable read for each setting. */
export const TRACE_CONFIG_ENV: Readonly<Record<keyof TraceConfigOptions, string>> = {
  hideInputs: OPENINFERENCE_HIDE_INPUTS,
  hideOutputs: OPENINFERENCE_HIDE_OUTPUTS,
  hideInputMessages: OPENINFERENCE_HIDE_INPUT_MESSAGES,
  hideOutputMessages: OPENINFERENCE_HIDE_OUTPUT_MESSAGES,
  hideInputImages: OPENINFERENCE_HIDE_INPUT_IMAGES,
  hideInputText: OPENINFERENCE_HIDE_INPUT_TEXT,
  hideOutputText: OPENINFERENCE_HIDE_OUTPUT_TEXT,
  base64ImageMaxLength: OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH,
};

/** Everything visible, images up to 32000 characters. */
export const DEFAULT_TRACE_CONFIG: TraceConfig = Object.freeze({
  hideInputs: DEFAULT_HIDE_INPUTS,
  hideOutputs: DEFAULT_HIDE_OUTPUTS,
  hideInputMessages: DEFAULT_HIDE_INPUT_MESSAGES,
  hideOutputMessages: DEFAULT_HIDE_OUTPUT_MESSAGES,
  hideInputImages: DEFAULT_HIDE_INPUT_IMAGES,
  hideInputText: DEFAULT_HIDE_INPUT_TEXT,
  hideOutputText: DEFAULT_HIDE_OUTPUT_TEXT,
  base64ImageMaxLength: DEFAULT_BASE64_IMAGE_MAX_LENGTH,
});

type Env = Readonly<Record<string, string | undefined>>;
type Flag = Exclude<keyof TraceConfigOptions, 'base64ImageMaxLength'>;

const FLAGS: readonly Flag[] = ['hideInputs', 'hideOutputs', 'hideInputMessages', 'hideOutputMessages', 'hideInputImages', 'hideInputText', 'hideOutputText'];

const SOURCE = 'exporter-openinference:config';

function invalid(name: string, raw: string, expected: string): void {
  reportFailure(SOURCE, `${name}=${JSON.stringify(raw)} is not ${expected}; using the default`, new Error(`invalid ${name}`));
}

function envFlag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  invalid(name, raw, 'a boolean (true/false)');
  return fallback;
}

function envLength(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (Number.isInteger(n) && n >= 0) return n;
  invalid(name, raw, 'a non-negative integer');
  return fallback;
}

/**
 * The masking configuration in force: each setting from `options` when given, else from its
 * `OPENINFERENCE_*` environment variable, else the default (nothing hidden). Invalid environment
 * values are reported (once) and ignored; an invalid `base64ImageMaxLength` in code is a TypeError.
 */
export function resolveTraceConfig(options: TraceConfigOptions = {}, env: Env = process.env): TraceConfig {
  const out: Record<string, boolean | number> = {};
  for (const flag of FLAGS) {
    const v = options[flag];
    out[flag] = typeof v === 'boolean' ? v : envFlag(env, TRACE_CONFIG_ENV[flag], DEFAULT_TRACE_CONFIG[flag]);
  }
  const max = options.base64ImageMaxLength;
  if (max !== undefined && (typeof max !== 'number' || !(max >= 0) || !Number.isFinite(max))) {
    throw new TypeError(`traceConfig.base64ImageMaxLength must be a non-negative number, got ${String(max)}`);
  }
  out['base64ImageMaxLength'] = max ?? envLength(env, TRACE_CONFIG_ENV.base64ImageMaxLength, DEFAULT_BASE64_IMAGE_MAX_LENGTH);
  return Object.freeze(out) as unknown as TraceConfig;
}
