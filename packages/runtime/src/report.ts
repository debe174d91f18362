/**
 * Reporting of failures that must not reach the application (a throwing subscriber, an exporter
 * that cannot write). Each distinct failure is reported once and counted every time.
 */
import { errorText } from './errors.js';

export interface ReportedFailure {
  /** Stable key of the failing part, e.g. `subscriber:otel`. */
  source: string;
  /** How many times it failed. */
  count: number;
  /** The first error seen. */
  firstError: unknown;
  message: string;
}

/** Receives the first failure of each source. Defaults to a one-line warning on stderr. */
export type FailureReporter = (failure: ReportedFailure) => void;

const failures = new Map<string, ReportedFailure>();

const defaultReporter: FailureReporter = (f) => {
  const detail = errorText(f.firstError); // any thrown value, even one String() cannot convert
  process.emitWarning(`${f.message}: ${detail} (further failures of ${f.source} are counted, not printed)`, {
    code: 'NEMO_FLOW_FAILURE',
  });
};

let reporter: FailureReporter = defaultReporter;

/** Replaces the reporter (pass nothing to restore the default). Returns the previous one. */
export function setFailureReporter(next?: FailureReporter): FailureReporter {
  const prev = reporter;
  reporter = next ?? defaultReporter;
  return prev;
}

/** Records a failure of `source`; the first one per source is handed to the reporter. Never throws. */
/** Distinct sources remembered; past it, new sources are counted under `OVERFLOW_SOURCE` (a long-lived service stays bounded). */
export const MAX_FAILURE_SOURCES = 1000;
export const OVERFLOW_SOURCE = 'other-sources';

export function reportFailure(source: string, message: string, error: unknown): void {
  let known = failures.get(source);
  if (!known && failures.size >= MAX_FAILURE_SOURCES) {
    source = OVERFLOW_SOURCE;
    message = `more than ${MAX_FAILURE_SOURCES} distinct failing parts; the rest are counted together`;
    known = failures.get(source);
  }
  if (known) {
    known.count++;
    return;
  }
  const f: ReportedFailure = { source, count: 1, firstError: error, message };
  failures.set(source, f);
  try {
    reporter(f);
  } catch {
    // A reporter that throws must not turn a contained failure into an application crash.
  }
}

/** Every source that failed so far, with counts. */
export function failureCounts(): ReportedFailure[] {
  return [...failures.values()].map((f) => ({ ...f }));
}

/** Forgets recorded failures (so each source is reported again). Meant for tests and long-lived services. */
export function resetFailures(): void {
  failures.clear();
}
