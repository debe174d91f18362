/**
 * @nemo-flow/runtime/exporter-kit — what subscriber and exporter authors need beyond the app API:
 * raw payload reads, safe serialization, failure reporting, exit hooks and time helpers.
 *
 * @module @nemo-flow/runtime/exporter-kit
 */
/** For exporters that only read payloads: skips the read-only proxy (reading through it costs per access). */
export { unwrapView } from './readonly.js';
export { toJsonSafe, stringifySafe, serializeEvent } from './payload.js';
export { reportFailure, failureCounts, resetFailures, setFailureReporter } from './report.js';
export type { ReportedFailure, FailureReporter } from './report.js';
export { addExitHook, addSyncExitHook } from './exit-hook.js';
export type { ExitFlush, ExitReason } from './exit-hook.js';
export { eventTimeMicros } from './events.js';
export { nowMicros, formatMicros, parseTimestampMicros } from './time.js';
export { uuidv7 } from './uuid.js';
export { isPlainObject } from './object.js';
export { ATOF_VERSION, SCOPE_TYPES } from './types.js';
export { REDACTED_MARKER } from './event-redaction.js';
/** A short rendering of a wrong argument for error messages (`42`, `"x"`, `null`, `an array`). */
export { describeValue } from './errors.js';
// Outputs for runtimes without a filesystem (Workers, browsers): ATOF to a stream or callback.
export { AtofStreamExporter } from './sinks/atof-stream.js';
export type { AtofStreamExporterOptions, TextWritableStream } from './sinks/atof-stream.js';
export { fileSystemMissing } from './sinks/file-system.js';
/** Publish an exporter's state in `diagnostics().exporters` (see `@nemo-flow/runtime/diagnostics`). */
export { registerDiagnosticsSource } from './diagnostics.js';
export type { ExporterState } from './diagnostics.js';
