/**
 * The plugin kinds a configuration may name: the built-in `pii_redaction` and those added with
 * `registerPlugin` (`@nemo-flow/sdk` adds `observability` and `adaptive`).
 */
import type { PluginDefinition } from './types.js';
import { piiRedactionPlugin } from './pii/component.js';
import { argError, checkFields, checks, describeArg } from './args.js';

type AnyDefinition = PluginDefinition<Record<string, unknown>>;

const BUILTINS: ReadonlyMap<string, AnyDefinition> = new Map<string, AnyDefinition>([['pii_redaction', piiRedactionPlugin as unknown as AnyDefinition]]);

const custom = new Map<string, AnyDefinition>();

const KIND = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/**
 * Adds a plugin kind. `kind` is letters, digits, `_`, `.` and `-`, starting with a letter; a kind
 * already registered (or built in) is an error.
 */
export function registerPlugin<C extends object = Record<string, unknown>>(kind: string, definition: PluginDefinition<C>): void {
  if (typeof kind !== 'string' || !KIND.test(kind)) {
    throw new TypeError(`registerPlugin: kind must be letters, digits, "_", "." or "-" starting with a letter, got ${describeArg(kind)}`);
  }
  if (BUILTINS.has(kind)) throw new TypeError(`registerPlugin: "${kind}" is a built-in plugin kind`);
  if (custom.has(kind)) throw new TypeError(`registerPlugin: a plugin of kind "${kind}" is already registered`);
  const where = `registerPlugin("${kind}")`;
  if (!checks.isObject(definition)) throw argError(where, 'definition', 'an object like { register(config, ctx) { … } }', definition);
  if (typeof definition.register !== 'function') {
    throw new TypeError(`${where}: the definition needs a register(config, ctx) function, got ${describeArg(definition.register)}`);
  }
  checkFields(where, 'definition', definition, {
    validate: [checks.isFunction, 'a function (config, ctx) => diagnostics'],
    description: [checks.isString, 'a string'],
    multiple: [checks.isBoolean, 'true or false'],
  });
  custom.set(kind, definition as unknown as AnyDefinition);
}

/**
 * Removes a custom plugin kind (built-ins cannot be removed). Components of that kind already
 * active stay active until the configuration is cleared or replaced. Returns whether it existed.
 */
export function deregisterPlugin(kind: string): boolean {
  if (typeof kind !== 'string') throw argError('deregisterPlugin', 'kind', 'a string', kind);
  if (BUILTINS.has(kind)) throw new TypeError(`deregisterPlugin: "${kind}" is a built-in plugin kind`);
  return custom.delete(kind);
}

/** Every plugin kind: built-ins first, then custom kinds in registration order. */
export function listPluginKinds(): string[] {
  return [...BUILTINS.keys(), ...custom.keys()];
}

/** @internal */
export function getPlugin(kind: string): AnyDefinition | undefined {
  return BUILTINS.get(kind) ?? custom.get(kind);
}
