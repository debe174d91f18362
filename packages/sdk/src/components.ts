/**
 * The component kinds the SDK adds to the runtime's plugin registry (`observability`, `adaptive`),
 * and the registry operations with those kinds in place. They are registered on first use rather
 * than at import, so importing the package has no side effect.
 */
import {
  initializePlugins as runtimeInitialize,
  listPluginKinds,
  registerPlugin,
  validateConfig as runtimeValidate,
  type Diagnostic,
  type PluginDefinition,
  type PluginOptions,
  type PluginReport,
} from '@nemo-flow/runtime/plugins';
import { adaptivePlugin, ADAPTIVE_PLUGIN_KIND } from '@nemo-flow/adaptive';
import { observabilityPlugin } from './observability.js';

/** The kinds this package provides, by name. */
const KINDS: ReadonlyArray<readonly [string, PluginDefinition<Record<string, unknown>>]> = [
  ['observability', observabilityPlugin],
  [ADAPTIVE_PLUGIN_KIND, adaptivePlugin as unknown as PluginDefinition<Record<string, unknown>>],
];

/** Registers `observability` and `adaptive` unless they are registered already (idempotent). */
export function registerComponents(): void {
  const known = new Set(listPluginKinds());
  for (const [kind, definition] of KINDS) if (!known.has(kind)) registerPlugin(kind, definition);
}

/** `validateConfig` of `@nemo-flow/runtime/plugins`, with this package's component kinds known. */
export function validateConfig(config: unknown, options?: PluginOptions): Promise<Diagnostic[]> {
  registerComponents();
  return runtimeValidate(config, options);
}

/** `initializePlugins` of `@nemo-flow/runtime/plugins`, with this package's component kinds known. */
export function initializePlugins(config: unknown, options?: PluginOptions): Promise<PluginReport> {
  registerComponents();
  return runtimeInitialize(config, options);
}
