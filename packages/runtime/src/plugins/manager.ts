/**
 * The active configuration: `initializePlugins` (validate → stage every component → swap in one
 * step), `clearPlugins` and `pluginReport`. Operations run one at a time, in call order.
 */
import type { Diagnostic, PluginOptions, PluginReport } from './types.js';
import { analyzeConfig } from './validate.js';
import { configError, hasErrors } from './diagnostics.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { CommitError, ComponentStaging, Installation, disposeStaging, type InstalledComponent } from './context.js';
import type { CheckedComponent } from './validate.js';
import { pluginOptionsArg } from './args.js';

interface Active {
  installation: Installation;
  diagnostics: Diagnostic[];
  generation: number;
}

let active: Active | undefined;
let generation = 0;
let tail: Promise<unknown> = Promise.resolve();

/** Runs `op` after every operation started before it. */
function serialize<T>(op: () => Promise<T>): Promise<T> {
  const run = tail.then(op, op);
  tail = run.catch(() => undefined);
  return run;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs a plugin's `register` with a time limit; the plugin cannot register anything once it is over. */
async function activate(c: CheckedComponent, staging: ComponentStaging, opts: ResolvedOptions): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const run = (async () => c.definition!.register.call(c.definition, c.config, staging))();
  run.catch(() => undefined); // a late rejection after the timeout must not be unhandled
  const timeout = new Promise<never>((_, reject) => {
    // Not unref'd: a register() that never settles must end in this error, not in a silent exit (code 13).
    timer = setTimeout(
      () => reject(new Error(`register() did not finish within ${opts.activationTimeoutMs} ms (see the activationTimeoutMs option)`)),
      opts.activationTimeoutMs,
    );
  });
  try {
    await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
    staging.seal();
  }
}

function activationFailure(c: { kind: string; index: number }, err: unknown): Diagnostic {
  return {
    level: 'error',
    code: 'ACTIVATION_FAILED',
    component: c.kind,
    index: c.index,
    field: null,
    message: `component "${c.kind}" (#${c.index}) failed to activate: ${errorMessage(err)}; the configuration was rolled back and the previous one stays active`,
  };
}

async function initialize(config: unknown, options: PluginOptions | undefined): Promise<PluginReport> {
  pluginOptionsArg('initializePlugins', options);
  const opts = resolveOptions(options);
  const analysis = await analyzeConfig(config, opts);
  if (hasErrors(analysis.diagnostics)) {
    throw configError('the configuration has errors; nothing was changed', analysis.diagnostics);
  }
  const components: InstalledComponent[] = [];
  const instances = new Map<string, number>();
  for (const c of analysis.components) {
    if (!c.definition) {
      components.push({ kind: c.kind, index: c.index, status: 'skipped', staging: undefined });
      continue;
    }
    if (!c.enabled) {
      components.push({ kind: c.kind, index: c.index, status: 'disabled', staging: undefined });
      continue;
    }
    const instance = instances.get(c.kind) ?? 0;
    instances.set(c.kind, instance + 1);
    const staging = new ComponentStaging(c.kind, c.index, instance, opts);
    components.push({ kind: c.kind, index: c.index, status: 'active', staging });
    try {
      await activate(c, staging, opts);
    } catch (err) {
      // Roll back this component and every earlier one: nothing of theirs was applied yet.
      for (const done of [...components].reverse()) if (done.staging) await disposeStaging(done.staging);
      throw configError('a component failed to activate; nothing was changed', [activationFailure(c, err), ...analysis.diagnostics], err);
    }
  }
  const next = new Installation(components);
  const previous = active;
  try {
    next.checkNames(previous?.installation);
    previous?.installation.detach();
    next.commit();
  } catch (err) {
    if (previous && !previous.installation.live) previous.installation.commit();
    await next.dispose();
    const failing = err instanceof CommitError ? err.staging : { kind: 'configuration', index: 0 };
    const cause = err instanceof CommitError ? err.cause : err;
    throw configError('the configuration could not be applied; nothing was changed', [activationFailure(failing, cause), ...analysis.diagnostics], cause);
  }
  active = { installation: next, diagnostics: analysis.diagnostics, generation: ++generation };
  if (previous) await previous.installation.dispose();
  return pluginReport();
}

/**
 * Validates `config`, then activates its enabled components in order and makes them live together.
 * Rejects with a `PluginConfigError` (carrying every diagnostic) when the configuration has errors
 * or a component fails to activate; then nothing changes and the previous configuration stays
 * active. On success the previous configuration is removed (its exporters are shut down) and the
 * report of the new one is returned.
 */
export function initializePlugins(config: unknown, options?: PluginOptions): Promise<PluginReport> {
  return serialize(() => initialize(config, options));
}

/** Options of `clearPlugins`. */
export interface ClearOptions {
  /** Clear only while the active configuration is still this one (`PluginReport.generation`). */
  generation?: number;
}

/**
 * Removes everything the active configuration installed and shuts its exporters down. With
 * `generation`, does nothing once another configuration has replaced that one.
 */
export function clearPlugins(options?: ClearOptions): Promise<void> {
  return clearGeneration(options?.generation);
}

/** Clears the active configuration when it is still generation `only` (any, when undefined). */
function clearGeneration(only: number | undefined): Promise<void> {
  return serialize(async () => {
    const current = active;
    if (!current || (only !== undefined && current.generation !== only)) return;
    active = undefined;
    await current.installation.dispose();
  });
}

/** The active configuration's components (with what each registered) and diagnostics. */
export function pluginReport(): PluginReport {
  if (!active) return { active: false, generation, components: [], diagnostics: [] };
  return {
    active: true,
    generation: active.generation,
    components: active.installation.report(),
    diagnostics: active.diagnostics.map((d) => ({ ...d })),
  };
}
