/** Reading the `OTEL_*` style environment variables. */

/** The trimmed value, or undefined when the variable is unset or blank. */
export function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}
