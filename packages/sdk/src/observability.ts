/**
 * The `observability` component: turns on outputs of the lifecycle stream from configuration.
 * Each output is a section (`console`, `atof`, `atif`, `otel`, `openinference`) owned by the
 * package of its exporter; `true` enables it with defaults, an object sets options, `false` or
 * `"enabled": false` turns it off. Exporters living in other packages are imported when first needed.
 */
import { resolve } from 'node:path';
import type { EventExporter } from '@nemo-flow/runtime';
import {
  FieldReader,
  SILENT,
  isPlainObject as isObject,
  jsonType,
  loadExport,
  type AnySection,
  type Findings,
  type PluginContext,
  type PluginDefinition,
  type SectionEnv,
  type ValidationContext,
} from '@nemo-flow/runtime/plugins';
import { atifSection } from '@nemo-flow/exporter-atif/config';
import { otelSection } from '@nemo-flow/exporter-otel/config';
import { openInferenceSection } from '@nemo-flow/exporter-openinference/config';
import { consoleSection } from './sections/console.js';
import { atofSection } from './sections/atof.js';
import { readPricing } from './sections/pricing.js';
import { setModelPrices, type ModelPrice } from '@nemo-flow/runtime/models';

/** Every output, in the order they are registered (console first, so it prints before files are written). */
export const SECTIONS: readonly AnySection[] = [consoleSection, atofSection, atifSection, otelSection, openInferenceSection] as readonly AnySection[];

/** Default home of ATOF and ATIF files when `output_dir` is not set. */
export const DEFAULT_OUTPUT_DIR = 'nemo-flow-output';

interface EnabledSection {
  spec: AnySection;
  options: unknown;
  /** A missing package skips the section with a warning instead of failing. */
  optional: boolean;
  reader: FieldReader;
}

function readSections(
  config: Readonly<Record<string, unknown>>,
  findings: Findings,
  cwd: string,
  env: SectionEnv['env'],
): { sections: EnabledSection[]; pricing: Record<string, ModelPrice> | undefined } {
  const root = new FieldReader(findings, config, '');
  const pricing = readPricing(root);
  const outputDir = resolve(cwd, root.string('output_dir') ?? DEFAULT_OUTPUT_DIR);
  const sectionEnv: SectionEnv = { cwd, env, outputDir };
  const out: EnabledSection[] = [];
  for (const spec of SECTIONS) {
    const raw = root.raw(spec.name);
    if (raw === undefined || raw === false) continue;
    if (raw !== true && !isObject(raw)) {
      findings.report({ code: 'INVALID_TYPE', field: spec.name, message: `expected true, false or an object of ${spec.name} options, got ${jsonType(raw)}` });
      continue;
    }
    const r = new FieldReader(findings, raw === true ? {} : raw, spec.name);
    const enabled = r.boolean('enabled') ?? true;
    const optional = spec.package ? (r.boolean('optional') ?? false) : false;
    const options = spec.read(r, sectionEnv);
    r.done();
    if (enabled) out.push({ spec, options, optional, reader: r });
  }
  root.done();
  return { sections: out, pricing };
}

async function checkSection(s: EnabledSection, ctx: ValidationContext): Promise<void> {
  if (s.spec.package) {
    const loaded = await loadExport(ctx.importModule, s.spec.package.specifier, s.spec.package.exportName);
    if (!loaded.ok) {
      ctx.report({
        level: s.optional ? 'warn' : 'error',
        code: loaded.code,
        field: s.spec.name,
        message: `${loaded.message}${s.optional ? '; the section is optional and will be skipped' : ` (needed by the "${s.spec.name}" output; or set "optional": true to skip it when missing)`}`,
      });
      return;
    }
  }
  await s.spec.check?.(s.options, ctx, s.reader);
}

export const observabilityPlugin: PluginDefinition<Record<string, unknown>> = {
  description: 'Console, ATOF, ATIF, OpenTelemetry and OpenInference outputs of the lifecycle stream',
  async validate(config, ctx) {
    const { sections } = readSections(config, ctx, ctx.cwd, ctx.env);
    if (ctx.checks) await Promise.all(sections.map((s) => checkSection(s, ctx)));
  },
  async register(config, ctx: PluginContext) {
    const { sections, pricing } = readSections(config, SILENT, ctx.cwd, ctx.env);
    const details: Record<string, unknown> = {};
    if (pricing) {
      setModelPrices(pricing);
      details.pricing = { models: Object.keys(pricing) };
    }
    for (const s of sections) {
      let loaded: unknown;
      if (s.spec.package) {
        const r = await loadExport(ctx.importModule, s.spec.package.specifier, s.spec.package.exportName);
        if (!r.ok) {
          if (s.optional) {
            details[s.spec.name] = { skipped: r.message };
            continue;
          }
          throw new Error(`${s.spec.name}: ${r.message}`);
        }
        loaded = r.value;
      }
      let exporter: EventExporter;
      try {
        exporter = s.spec.create(s.options, loaded);
      } catch (err) {
        throw new Error(`${s.spec.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      ctx.registerExporter(s.spec.name, exporter);
      details[s.spec.name] = s.spec.describe(s.options);
    }
    ctx.setDetails(details);
  },
};
