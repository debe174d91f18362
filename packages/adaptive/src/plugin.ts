/**
 * The `adaptive` plugin component: builds an `Adaptive` from the configuration and registers its
 * subscriber and intercepts through the plugin context (so they are named `plugin:adaptive:*`
 * and removed with the configuration). `getAdaptive()` returns the active instance, for the
 * guidance and reports the application reads.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PluginContext, PluginDefinition, ValidationContext } from '@nemo-flow/runtime/plugins';
import { SILENT } from '@nemo-flow/runtime/plugins';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';
import { Adaptive } from './adaptive.js';
import { readAdaptiveConfig } from './config.js';

export const ADAPTIVE_PLUGIN_KIND = 'adaptive';

/** Instances of active (or activating) configurations, newest last. */
const live: Adaptive[] = [];

/** The `Adaptive` of the active configuration, or undefined when no adaptive component is active. */
export function getAdaptive(): Adaptive | undefined {
  return live[live.length - 1];
}

function readSnapshot(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export const adaptivePlugin: PluginDefinition<Record<string, unknown>> = {
  description: 'Learns from agent runs: prompt-cache planning, router hints and tool-parallelism guidance',
  validate(config, ctx: ValidationContext) {
    const s = readAdaptiveConfig(config, ctx);
    try {
      // Constructing checks cross-field rules the reader cannot see; nothing is registered.
      new Adaptive(s.options);
    } catch (err) {
      ctx.report({ code: 'INVALID_VALUE', field: null, message: (err as Error).message });
    }
    if (ctx.checks && s.importFile !== undefined) {
      try {
        readSnapshot(resolve(ctx.cwd, s.importFile));
      } catch (err) {
        ctx.report({
          level: 'warn',
          code: 'INVALID_VALUE',
          field: 'state.import_file',
          message: `cannot read the snapshot (${(err as Error).message}); the component starts without it`,
        });
      }
    }
  },
  register(config, ctx: PluginContext) {
    const s = readAdaptiveConfig(config, SILENT);
    const adaptive = new Adaptive(s.options);
    const details: Record<string, unknown> = { telemetry: s.telemetry };
    if (s.importFile !== undefined) {
      const path = resolve(ctx.cwd, s.importFile);
      try {
        details.imported = adaptive.importState(readSnapshot(path));
      } catch (err) {
        // Warm-up data is an optimisation: without it the component still learns from scratch.
        reportFailure('adaptive:import_file', `the adaptive snapshot ${path} could not be imported`, err);
      }
    }
    if (s.telemetry) ctx.registerSubscriber('telemetry', adaptive.subscriber);
    if (adaptive.cacheGovernor) ctx.registerLlmRequestIntercept('cache_governor', adaptive.priorities.cacheGovernor, adaptive.cacheGovernor);
    if (adaptive.hints) ctx.registerLlmRequestIntercept('hints', adaptive.priorities.hints, adaptive.hints);
    if (adaptive.toolParallelismMarker)
      ctx.registerLlmRequestIntercept('tool_parallelism', adaptive.priorities.toolParallelism, adaptive.toolParallelismMarker);
    details.cache_governor = adaptive.cacheGovernor !== undefined;
    details.hints = adaptive.hints !== undefined;
    details.tool_parallelism = adaptive.toolParallelismMarker !== undefined;
    ctx.setDetails(details);
    live.push(adaptive);
    ctx.onClear(() => {
      const i = live.indexOf(adaptive);
      if (i >= 0) live.splice(i, 1);
    });
  },
};
