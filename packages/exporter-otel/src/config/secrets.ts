/**
 * Secrets named, not written, in configuration: `headers_env` maps a header to an environment
 * variable (`"authorization": "PHOENIX_API_KEY"`) or to a template of variables
 * (`"authorization": "Bearer ${PHOENIX_API_KEY}"`), so config files hold no credentials.
 */
import type { FieldReader } from '@nemo-flow/runtime/plugins';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** Header names that carry credentials: writing their values in a config file is reported. */
export const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|api[-_]?key|x-api-key|.*token.*|.*secret.*|.*password.*)$/i;

/** Resolves `headers_env` of a section into header values. Unset variables are reported and left out. */
export function readHeadersEnv(r: FieldReader, env: Readonly<Record<string, string | undefined>>): Record<string, string> | undefined {
  const spec = r.stringRecord('headers_env');
  if (!spec) return undefined;
  const out: Record<string, string> = {};
  for (const [header, value] of Object.entries(spec)) {
    const field = `${r.field('headers_env')}.${header}`;
    const template = value.includes('${');
    const names = template ? [...value.matchAll(PLACEHOLDER)].map((m) => m[1]!) : [value];
    const bad = names.find((n) => !ENV_NAME.test(n));
    if (bad !== undefined || names.length === 0) {
      r.findings.report({
        code: 'INVALID_VALUE',
        field,
        message: `expected an environment variable name (letters, digits, "_") or a template like "Bearer \${NAME}", got ${JSON.stringify(value)}`,
      });
      continue;
    }
    const missing = names.filter((n) => env[n] === undefined || env[n] === '');
    if (missing.length > 0) {
      r.findings.report({
        level: 'warn',
        code: 'ENV_VAR_MISSING',
        field,
        message: `environment variable ${missing.join(', ')} is not set; header "${header}" will not be sent`,
      });
      continue;
    }
    out[header] = template ? value.replace(PLACEHOLDER, (_, n: string) => env[n]!) : env[value]!;
  }
  return out;
}

/** Reports credential-like headers written inline (they belong in `headers_env`). */
export function warnInlineSecrets(r: FieldReader, headers: Record<string, string> | undefined): void {
  for (const name of Object.keys(headers ?? {})) {
    if (!SECRET_HEADER.test(name)) continue;
    r.findings.report({
      level: 'warn',
      code: 'SECRET_IN_CONFIG',
      field: `${r.field('headers')}.${name}`,
      message: `header "${name}" looks like a credential; name an environment variable in "headers_env" instead of writing the value in the file`,
    });
  }
}
