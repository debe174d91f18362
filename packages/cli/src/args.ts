/**
 * Command-line arguments, parsed by Node's `util.parseArgs` (strict: an unknown option or a
 * missing value is an error naming it). Commands read the result as a map of flags.
 */
import { parseArgs as parseNodeArgs } from 'node:util';

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
}

/** Parses argv; `known` lists options that take a value, `booleans` those that take none. */
export function parseArgs(argv: readonly string[], known: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of known) options[name] = { type: 'string' };
  for (const name of booleans) options[name] = { type: 'boolean' };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseNodeArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (err) {
    throw usageErrorOf(err);
  }
  const flags = new Map<string, string | true>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') flags.set(name, value);
    else if (value === true) flags.set(name, true);
  }
  return { flags, positionals: parsed.positionals };
}

/** Node's parse errors, reworded the way the CLI prints usage errors. */
function usageErrorOf(err: unknown): UsageError {
  const e = err as { code?: string; message?: string };
  const option = /'(-{1,2}[^'\s]+)/.exec(e.message ?? '')?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${option ?? ''}`.trim());
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError(`option ${option ?? ''} needs a value`.replace('  ', ' '));
  return new UsageError(e.message ?? String(err));
}

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
