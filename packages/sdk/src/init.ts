/**
 * The zero-config entry point: `init()` activates the configuration named by `NEMO_FLOW_CONFIG`,
 * or the embedded default (console on a terminal, ATOF + ATIF files in ./nemo-flow-output, OTLP
 * when `OTEL_EXPORTER_OTLP_ENDPOINT` is set), and hands back flush / shutdown.
 */
import { resolve } from 'node:path';
import { flushSubscribers, type FlushOptions, type FlushReport } from '@nemo-flow/runtime';
import { fileSystemMissing } from '@nemo-flow/runtime/exporter-kit';
import {
  clearPlugins,
  configError,
  formatDiagnostic,
  hasErrors,
  isPlainObject as isObject,
  loadConfigFile,
  pluginReport,
  checkFields,
  optionsArg,
  pluginOptionsArg,
  type FieldRule,
  type ComponentConfig,
  type Diagnostic,
  type PluginConfig,
  type PluginOptions,
  type PluginReport,
} from '@nemo-flow/runtime/plugins';
import { initializePlugins } from './components.js';
import { DEFAULT_OUTPUT_DIR } from './observability.js';

/** The environment variable naming a JSON configuration file. */
export const CONFIG_ENV = 'NEMO_FLOW_CONFIG';

const BOOLEAN: FieldRule = [(v) => typeof v === 'boolean', 'true or false'];
const DIRECTORY: FieldRule = [(v) => typeof v === 'string' && v.length > 0, 'a non-empty string (a directory)'];
const INIT_OPTION_RULES: Readonly<Record<string, FieldRule>> = {
  configFile: [(v) => typeof v === 'string' && v.length > 0, 'a non-empty string (a file path)'],
  outputDir: DIRECTORY,
  console: BOOLEAN,
  warnings: BOOLEAN,
};

export interface DefaultConfigOptions {
  /** Where ATOF and ATIF files go (default `./nemo-flow-output`). */
  outputDir?: string;
  /** Console output on or off (default: on when stdout is a terminal). */
  console?: boolean;
  /** Environment the OTLP decision reads (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The embedded default configuration: console when stdout is a TTY, ATOF events in
 * `<outputDir>/events.jsonl`, ATIF trajectories in `<outputDir>/trajectories/`, and OpenTelemetry
 * over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set. Outputs from
 * packages that are not installed are skipped with a warning.
 */
export function defaultConfig(options?: DefaultConfigOptions): PluginConfig {
  options = optionsArg<DefaultConfigOptions>('defaultConfig', 'options', options) ?? {};
  checkFields('defaultConfig', 'options', options, {
    outputDir: DIRECTORY,
    console: BOOLEAN,
    env: [isObject, 'an object of environment variables'],
  });
  const env = options.env ?? process.env;
  const otlp = Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
  const observability: Record<string, unknown> = { console: options.console ?? Boolean(process.stdout?.isTTY) };
  // No persistent filesystem (Workers): no file outputs, rather than an init() that fails.
  if (fileSystemMissing() === undefined) {
    observability.output_dir = options.outputDir ?? DEFAULT_OUTPUT_DIR;
    observability.atof = true;
    observability.atif = { optional: true };
  }
  if (otlp) observability.otel = { optional: true };
  return { version: 1, components: [{ kind: 'observability', config: observability }] };
}

export interface InitOptions extends PluginOptions {
  /** A configuration object to use instead of the file and the default. */
  config?: PluginConfig | Record<string, unknown>;
  /** A JSON configuration file to use instead of `$NEMO_FLOW_CONFIG`. */
  configFile?: string;
  /** Embedded default only: where ATOF and ATIF files go (default `./nemo-flow-output`). */
  outputDir?: string;
  /** Turns the console output on or off, whatever the configuration says. */
  console?: boolean;
  /** Print warning diagnostics with `process.emitWarning` (default true). */
  warnings?: boolean;
}

/** What `init()` returns. */
export interface NemoFlowHandle {
  /** Where the configuration came from. */
  readonly source: 'options' | 'file' | 'default';
  /** The file read, when `source` is `file`. */
  readonly configFile: string | undefined;
  /** The configuration activated (after the `console` override). */
  readonly config: unknown;
  /** Warnings and infos found while validating it. */
  readonly diagnostics: readonly Diagnostic[];
  /** The active configuration's report. */
  report(): PluginReport;
  /** Same as `flush()`: waits until every exporter has delivered (or lost) what it received so far. */
  flush(options?: FlushOptions): Promise<FlushReport>;
  /** Flushes (bounded like `flushSubscribers`), then removes the configuration and shuts its exporters down (no-op once replaced by another). */
  shutdown(options?: FlushOptions): Promise<void>;
}

/** Sets the console section of every observability component (adding one when needed to turn it on). */
function withConsole(config: unknown, on: boolean): unknown {
  if (!isObject(config) || !Array.isArray(config.components)) return config;
  let found = false;
  const components = (config.components as unknown[]).map((c): unknown => {
    if (!isObject(c) || c.kind !== 'observability') return c;
    found = true;
    const own = isObject(c.config) ? c.config : {};
    const section = isObject(own.console) ? { ...own.console, enabled: on } : on;
    return { ...c, config: { ...own, console: section } };
  });
  if (!found && on) components.push({ kind: 'observability', config: { console: true } } satisfies ComponentConfig);
  return { ...config, components };
}

/**
 * Ends a unit of work for the exporters: resolves once everything handed to them so far has been
 * delivered or counted lost, or when `timeoutMs` (default 10 s) runs out, whichever comes first.
 * Never rejects for an exporter's failure (it is reported); rejects only for a bad `timeoutMs`.
 * Works for `init()`'s exporters (embedded default or a config file) and for exporters registered
 * by hand with `registerSubscriber`. On serverless runtimes end each invocation with it:
 * `ctx.waitUntil(flush())`. The report says, per exporter, what was delivered, lost and is still
 * pending (counts since the exporter started; exporters that do not count report `flushed` only).
 */
export function flush(options?: FlushOptions): Promise<FlushReport> {
  return flushSubscribers(options);
}

/**
 * Activates observability from configuration in one call: `options.config`, else the JSON file
 * named by `options.configFile` or `$NEMO_FLOW_CONFIG`, else `defaultConfig()`. Rejects with a
 * `PluginConfigError` listing the problems when the configuration cannot be read or has errors.
 */
export async function init(options?: InitOptions): Promise<NemoFlowHandle> {
  options = pluginOptionsArg<InitOptions>('init', options, INIT_OPTION_RULES) ?? {};
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  let source: NemoFlowHandle['source'];
  let configFile: string | undefined;
  let config: unknown;
  if (options.config !== undefined) {
    source = 'options';
    config = options.config;
  } else if (options.configFile !== undefined || env[CONFIG_ENV]?.trim()) {
    source = 'file';
    configFile = resolve(cwd, options.configFile ?? env[CONFIG_ENV]!.trim());
    const loaded = await loadConfigFile(configFile);
    if (hasErrors(loaded.diagnostics)) throw configError(`cannot use configuration file ${configFile}`, loaded.diagnostics);
    config = loaded.config;
  } else {
    source = 'default';
    config = defaultConfig({ ...(options.outputDir !== undefined ? { outputDir: resolve(cwd, options.outputDir) } : {}), env });
  }
  if (options.console !== undefined) config = withConsole(config, options.console);
  const report = await initializePlugins(config, { ...options, env, cwd });
  if (options.warnings !== false) {
    for (const d of report.diagnostics) if (d.level === 'warn') process.emitWarning(formatDiagnostic(d), { code: 'NEMO_FLOW_CONFIG' });
  }
  const generation = report.generation;
  return {
    source,
    configFile,
    config,
    diagnostics: report.diagnostics,
    report: pluginReport,
    flush,
    async shutdown(options?: FlushOptions) {
      const now = pluginReport();
      if (!now.active || now.generation !== generation) return;
      await flushSubscribers(options);
      await clearPlugins({ generation });
    },
  };
}
