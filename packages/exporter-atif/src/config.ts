/**
 * @nemo-flow/exporter-atif/config — the `atif` section of the `observability` component: its
 * schema, validation, defaults and construction. The exporter is imported only when used.
 *
 * @module @nemo-flow/exporter-atif/config
 */
import { join, resolve } from 'node:path';
import { checkWritableDir, type ObservabilitySection } from '@nemo-flow/runtime/plugins';
import type { AtifExporter, AtifExporterOptions } from './exporter.js';

/** The options the section produces: the directory is always resolved. */
type AtifSectionOptions = AtifExporterOptions & { dir: string };

export const atifSection: ObservabilitySection<AtifSectionOptions> = {
  name: 'atif',
  package: { specifier: '@nemo-flow/exporter-atif', exportName: 'AtifExporter' },
  read(r, env) {
    const dir = r.string('dir');
    const o: AtifSectionOptions = { dir: dir === undefined ? join(env.outputDir, 'trajectories') : resolve(env.cwd, dir) };
    const template = r.string('filename_template');
    if (template !== undefined) {
      if (/[/\\]/.test(template))
        r.findings.report({ code: 'INVALID_VALUE', field: r.field('filename_template'), message: 'expected a plain file name (no path separators)' });
      else if (!/\{(session_id|run_id|trajectory_id)\}/.test(template)) {
        r.findings.report({
          code: 'INVALID_VALUE',
          field: r.field('filename_template'),
          message: 'expected a name containing {session_id}, {run_id} or {trajectory_id}',
        });
      } else o.filenameTemplate = template;
    }
    const version = r.oneOf('schema_version', ['ATIF-v1.6', 'ATIF-v1.7'] as const);
    if (version) o.schemaVersion = version;
    const agentName = r.string('agent_name');
    if (agentName !== undefined) o.agentName = agentName;
    const agentVersion = r.string('agent_version');
    if (agentVersion !== undefined) o.agentVersion = agentVersion;
    const sessionId = r.string('session_id');
    if (sessionId !== undefined) o.sessionId = sessionId;
    const validate = r.boolean('validate');
    if (validate !== undefined) o.validate = validate;
    const pricing = r.object('pricing');
    if (pricing) {
      o.pricing = {};
      for (const model of Object.keys(pricing.obj)) {
        if (model.startsWith('$')) continue;
        const p = pricing.object(model);
        if (!p) continue;
        const input = p.number('input_per_mtok', { min: 0 });
        const output = p.number('output_per_mtok', { min: 0 });
        const cached = p.number('cached_input_per_mtok', { min: 0 });
        p.done();
        if (input === undefined || output === undefined) {
          p.findings.report({
            code: 'MISSING_FIELD',
            field: p.path,
            message: 'expected { "input_per_mtok": number, "output_per_mtok": number } (USD per million tokens)',
          });
          continue;
        }
        o.pricing[model] = { inputPerMTok: input, outputPerMTok: output, ...(cached !== undefined ? { cachedInputPerMTok: cached } : {}) };
      }
    }
    return o;
  },
  check(o, ctx, r) {
    const problem = checkWritableDir(o.dir);
    if (problem)
      ctx.report({ code: 'DIRECTORY_UNWRITABLE', field: r.field('dir'), message: `${problem}; expected a writable directory (it is created when missing)` });
  },
  create: (o, loaded) => new (loaded as typeof AtifExporter)(o),
  describe: (o) => ({ dir: o.dir }),
};
