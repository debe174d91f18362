/**
 * @nemo-flow/sdk — NeMo Flow in one call. `init()` activates the configuration named by
 * `NEMO_FLOW_CONFIG` or the embedded default (console, ATOF and ATIF files, OTLP when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set). It knows every exporter package; the runtime knows none.
 *
 * @module @nemo-flow/sdk
 */
export { init, flush, defaultConfig, CONFIG_ENV } from './init.js';
export type { FlushOptions, FlushReport } from '@nemo-flow/runtime';
export type { InitOptions, NemoFlowHandle, DefaultConfigOptions } from './init.js';
export { initializePlugins, validateConfig, registerComponents } from './components.js';
export { observabilityPlugin, DEFAULT_OUTPUT_DIR } from './observability.js';
export { PluginConfigError, clearPlugins, pluginReport, formatDiagnostic, hasErrors, loadConfigFile } from '@nemo-flow/runtime/plugins';
export type { Diagnostic, PluginConfig, PluginOptions, PluginReport } from '@nemo-flow/runtime/plugins';
