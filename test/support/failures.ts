/** Collects failures the runtime reports (instead of printing them), for tests of contained failures. */
import { setFailureReporter } from '@nemo-flow/runtime';
import { resetFailures } from '@nemo-flow/runtime/exporter-kit';
import type { ReportedFailure } from '@nemo-flow/runtime';

export function collectFailures(): { failures: ReportedFailure[]; restore(): void } {
  const failures: ReportedFailure[] = [];
  resetFailures();
  const prev = setFailureReporter((f) => failures.push(f));
  return {
    failures,
    restore: () => {
      setFailureReporter(prev);
      resetFailures();
    },
  };
}
