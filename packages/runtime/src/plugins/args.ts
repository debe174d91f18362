/**
 * Argument checks of the public configuration and PII functions (and of packages that extend
 * them, like `@nemo-flow/sdk`'s `init`). A wrong argument is a mistake in code, not in a
 * configuration document: it is a TypeError naming the function, the argument and what was
 * expected (configuration documents get diagnostics instead).
 */
import type { PluginOptions } from './types.js';
import { isObject } from './reader.js';

/** A value as messages show it: its type, and the value itself when short. */
export function describeArg(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return v.length <= 40 ? `the string ${JSON.stringify(v)}` : 'a string';
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof v} ${String(v)}`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      return 'an object';
  }
}

/** `fn: arg must be expected, got …`. */
export function argError(fn: string, arg: string, expected: string, got: unknown): TypeError {
  return new TypeError(`${fn}: ${arg} must be ${expected}, got ${describeArg(got)}`);
}

/** Checks an optional options argument; returns it typed (undefined stays undefined). */
export function optionsArg<T extends object>(fn: string, arg: string, v: unknown, expected = 'an object'): T | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw argError(fn, arg, `${expected} (or left out)`, v);
  return v as T;
}

/** A field rule: a test of the value, and what was expected (for the message). */
export type FieldRule = readonly [test: (v: unknown) => boolean, expected: string];
type Check = FieldRule[0];
const isString: Check = (v) => typeof v === 'string';
const isNonEmptyString: Check = (v) => typeof v === 'string' && v.length > 0;
const isBoolean: Check = (v) => typeof v === 'boolean';
const isFunction: Check = (v) => typeof v === 'function';
const isNonNegative: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isPositive: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Checks each present field of an options object against `rules` (`[check, expected]`). */
export function checkFields(fn: string, arg: string, options: object, rules: Readonly<Record<string, FieldRule>>): void {
  for (const [key, [ok, expected]] of Object.entries(rules)) {
    const v = (options as Record<string, unknown>)[key];
    if (v !== undefined && !ok(v)) throw argError(fn, `${arg}.${key}`, expected, v);
  }
}

function isEnv(v: unknown): boolean {
  if (!isObject(v)) return false;
  for (const x of Object.values(v)) if (x !== undefined && typeof x !== 'string') return false;
  return true;
}

const PLUGIN_OPTION_RULES = {
  env: [isEnv, 'an object of environment variables (string values)'],
  cwd: [isNonEmptyString, 'a non-empty string (a directory)'],
  checks: [isBoolean, 'true or false'],
  connectTimeoutMs: [isNonNegative, 'a finite number of milliseconds ≥ 0'],
  importModule: [isFunction, 'a function (specifier) => Promise<module>'],
  activationTimeoutMs: [isPositive, 'a finite number of milliseconds > 0'],
} as const satisfies Record<keyof PluginOptions, FieldRule>;

/** Checks a `PluginOptions` argument named `options` (and, with `extra`, the fields a caller adds to it). */
export function pluginOptionsArg<T extends PluginOptions>(fn: string, v: unknown, extra: Readonly<Record<string, FieldRule>> = {}): T | undefined {
  const options = optionsArg<T>(fn, 'options', v);
  if (options) checkFields(fn, 'options', options, { ...PLUGIN_OPTION_RULES, ...extra });
  return options;
}

/** @internal Predicates for field rules. */
export const checks = { isString, isNonEmptyString, isBoolean, isFunction, isObject: isObject as Check };
