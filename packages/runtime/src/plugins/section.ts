/**
 * The contract of one output of the `observability` component (console, ATOF, ATIF, OTel,
 * OpenInference): how its config section maps to exporter options, what to check, and how to
 * build the exporter. Each exporter package implements it for its own section (`<package>/config`);
 * `@nemo-flow/sdk` assembles the component from them.
 */
import type { EventExporter } from '../subscribers.js';
import type { FieldReader } from './reader.js';
import type { ValidationContext } from './types.js';

/** What a section's mapping may look at. */
export interface SectionEnv {
  /** Base of relative paths. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The component's `output_dir`, resolved: default home of files. */
  outputDir: string;
}

/** The exporter class, imported on demand so that an unused output costs no load time. */
export interface PackageRef {
  specifier: string;
  exportName: string;
}

export interface ObservabilitySection<O> {
  /** Key of the section in the component's config. */
  readonly name: string;
  /** Set when the exporter lives in a package imported on demand; sections with the class at hand leave it undefined. */
  readonly package?: PackageRef;
  /** Maps the section's fields (besides `enabled` / `optional`) to exporter options, reporting problems. */
  read(r: FieldReader, env: SectionEnv): O;
  /** Checks against the environment, run by validation when checks are on. */
  check?(options: O, ctx: ValidationContext, r: FieldReader): Promise<void> | void;
  /** Builds the exporter. `loaded` is the package's class when `package` is set. */
  create(options: O, loaded: unknown): EventExporter;
  /** Facts for the report (output paths, endpoint). */
  describe(options: O): Record<string, unknown>;
}

/** A section whose options type is erased (the component handles sections uniformly; methods are bivariant). */
export type AnySection = ObservabilitySection<unknown>;
