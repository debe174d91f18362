/**
 * @nemo-flow/exporter-atif — ATIF trajectories (Harbor's Agent Trajectory Interchange Format)
 * from the NeMo Flow lifecycle stream, and a validator for them.
 *
 * @module @nemo-flow/exporter-atif
 */
export { AtifExporter } from './exporter.js';
export type { AtifExporterOptions, TrajectoryInfo, WrittenTrajectory } from './exporter.js';
export { TrajectoryBuilder } from './builder.js';
export type { BuilderOptions, TrajectorySink } from './builder.js';
export type { CompletedTrajectory } from './run.js';
export { buildTrajectories } from './build.js';
export type { BuildOptions, BuiltTrajectory } from './build.js';
export { validateTrajectory, isIsoTimestamp } from './validate.js';
export type { ValidateOptions } from './validate.js';
export { parseAtofJsonl } from './atof.js';
export type { AtofParseResult } from './atof.js';
export { sanitizeSessionId, DEFAULT_FILENAME_TEMPLATE } from './naming.js';
export type { ModelPricing } from './mapping.js';
export * from './types.js';
