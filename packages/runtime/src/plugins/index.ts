/**
 * @nemo-flow/runtime/plugins — the plugin registry and configuration machinery, for plugin authors:
 * validate and activate a JSON configuration, register component kinds, read config sections.
 * `@nemo-flow/sdk` adds the `observability` and `adaptive` kinds. See docs/plugins.md.
 *
 * @module @nemo-flow/runtime/plugins
 */
export { validateConfig } from './validate.js';
export { initializePlugins, clearPlugins, pluginReport } from './manager.js';
export type { ClearOptions } from './manager.js';
export { registerPlugin, deregisterPlugin, listPluginKinds } from './registry.js';
export { parseConfig, loadConfigFile } from './parse.js';
export type { ParsedConfig } from './parse.js';
export { DIAGNOSTIC_CODES, PluginConfigError, configError, formatDiagnostic, hasErrors } from './diagnostics.js';
export type { DiagnosticCode } from './diagnostics.js';
export { FieldReader, SILENT, jsonType } from './reader.js';
export { isPlainObject } from '../object.js';
export { argError, describeArg, optionsArg, checkFields, pluginOptionsArg } from './args.js';
export type { FieldRule } from './args.js';
export type { Findings, NumberRule } from './reader.js';
export { checkReachable, checkWritableDir, checkWritableFile, loadExport } from './checks.js';
export type { LoadResult } from './checks.js';
export type { ObservabilitySection, AnySection, SectionEnv, PackageRef } from './section.js';
export { createPiiRedactor, findPii, PII_ACTIONS } from './pii/redactor.js';
export type { PiiAction, PiiRedactor, PiiRedactorOptions, PiiRule, PiiFinding } from './pii/redactor.js';
export { PII_DETECTORS } from './pii/detectors.js';
export type { PiiDetectorName } from './pii/detectors.js';
export { luhnCheck } from './pii/luhn.js';
export type {
  ComponentConfig,
  ComponentReport,
  ConfigPolicy,
  Diagnostic,
  DiagnosticLevel,
  PluginConfig,
  PluginContext,
  PluginDefinition,
  PluginDiagnostic,
  PluginEnvironment,
  PluginMiddlewareEntry,
  PluginMiddlewareOptions,
  PluginOptions,
  PluginReport,
  PolicyAction,
  ValidationContext,
} from './types.js';
