/**
 * `nemo-flow validate-config FILE...`: checks NeMo Flow configuration files without activating
 * anything and prints every diagnostic. Exit code 1 when any file has an error-level diagnostic.
 */
import { formatDiagnostic, hasErrors, loadConfigFile, validateConfig } from '@nemo-flow/sdk';
import type { Diagnostic } from '@nemo-flow/sdk';
import { parseArgs, UsageError } from '../args.js';

export const VALIDATE_CONFIG_USAGE = `nemo-flow validate-config FILE... [--json] [--no-checks]

  --json        print the diagnostics as JSON: [{ "file", "diagnostics": [...] }]
  --no-checks   skip checks that touch the environment (endpoint reachability, directories, packages)

Exit code 0 when no file has an error (warnings allowed), 1 otherwise, 2 on a usage mistake.`;

async function diagnose(file: string, checks: boolean): Promise<Diagnostic[]> {
  const parsed = await loadConfigFile(file);
  if (hasErrors(parsed.diagnostics)) return parsed.diagnostics;
  return [...parsed.diagnostics, ...(await validateConfig(parsed.config, { checks }))];
}

export async function validateConfigCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, [], ['json', 'no-checks']);
  if (positionals.length === 0) throw new UsageError(`expected a configuration file\n\n${VALIDATE_CONFIG_USAGE}`);
  const checks = !flags.has('no-checks');
  const results = [];
  for (const file of positionals) results.push({ file, diagnostics: await diagnose(file, checks) });
  if (flags.has('json')) {
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  } else {
    for (const { file, diagnostics } of results) {
      if (diagnostics.length === 0) {
        process.stdout.write(`${file}: ok\n`);
        continue;
      }
      const errors = diagnostics.filter((d) => d.level === 'error').length;
      const warnings = diagnostics.filter((d) => d.level === 'warn').length;
      process.stdout.write(`${file}: ${errors} error(s), ${warnings} warning(s)\n`);
      for (const d of diagnostics) process.stdout.write(`  ${formatDiagnostic(d)}\n`);
    }
  }
  return results.some((r) => hasErrors(r.diagnostics)) ? 1 : 0;
}
