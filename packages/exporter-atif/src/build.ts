/**
 * In-memory conversion: a list of lifecycle events (for example read back from an ATOF file)
 * → ATIF trajectory objects, through the same builder the exporter uses.
 */
import type { LifecycleEvent } from '@nemo-flow/runtime';
import { TrajectoryBuilder, type BuilderOptions } from './builder.js';
import { DEFAULT_FILENAME_TEMPLATE, checkFilenameTemplate, numberedName, renderFilename } from './naming.js';
import type { AtifTrajectory, AtifViolation } from './types.js';
import { describeValue } from '@nemo-flow/runtime/exporter-kit';
import { checkExporterOptions } from './options.js';

export interface BuildOptions extends BuilderOptions {
  /** Template for the suggested `fileName` of each trajectory (see the exporter option). */
  filenameTemplate?: string;
}

export interface BuiltTrajectory {
  /** The file name the exporter would use (unique within this result). */
  fileName: string;
  sessionId: string;
  trajectoryId: string;
  trajectory: AtifTrajectory;
  /** ATIF rule violations found while building (empty when valid). */
  violations: AtifViolation[];
  /** True for runs whose end event was not in `events`. */
  partial: boolean;
}

/**
 * Builds one trajectory per top-level agent run in `events` (plus one per subagent with
 * `ATIF-v1.6`), in the order the runs ended. Runs without an end event are closed as partial.
 */
export function buildTrajectories(events: Iterable<LifecycleEvent>, options: BuildOptions = {}): BuiltTrajectory[] {
  if (events === null || typeof events !== 'object' || typeof (events as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`buildTrajectories: events must be an iterable of lifecycle events (e.g. an array), got ${describeValue(events)}`);
  }
  checkExporterOptions(options, 'buildTrajectories');
  const template = options.filenameTemplate ?? DEFAULT_FILENAME_TEMPLATE;
  checkFilenameTemplate(template);
  const names = new Set<string>();
  const out: BuiltTrajectory[] = [];
  const builder = new TrajectoryBuilder(
    {
      reserveName(vars) {
        const base = renderFilename(template, vars);
        let name = base;
        for (let n = 2; names.has(name); n++) name = numberedName(base, n);
        names.add(name);
        return name;
      },
      complete(t) {
        out.push({
          fileName: t.fileName,
          sessionId: t.sessionId,
          trajectoryId: t.trajectoryId,
          trajectory: JSON.parse(t.chunks.join('')) as AtifTrajectory,
          violations: t.violations,
          partial: t.partial,
        });
      },
    },
    options,
  );
  for (const e of events) builder.push(e);
  builder.closeAll('The event stream ended before the run did.');
  return out;
}
