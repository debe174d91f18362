/** Reading the `OTEL_*` style environment variables. */

/** The trimmed value, or undefined when the variable is unset or blank. */
export function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * The environment as a record: `process.env` where a process exists (Node, Bun, Deno, Workers with
 * `nodejs_compat`), an empty record elsewhere (browsers), so reading a variable never throws.
 */
export function processEnv(): Record<string, string | undefined> {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env ?? {};
}

/** One variable of `processEnv()`. */
export function envVar(name: string): string | undefined {
  return processEnv()[name];
}
