/**
 * PII redaction on large strings: one string holding many findings (20,000 e-mail addresses), and
 * a long run of labels ("password: " repeated) that used to make the `key: value` detector
 * re-scan. Both must stay linear; the target is 20,000 e-mails in under 100 ms.
 */
import { createPiiRedactor } from '@nemo-flow/runtime/plugins';
import { measure } from './measure.js';

export interface PiiCase {
  name: string;
  what: string;
  input: string;
  /** Milliseconds one redaction may take. */
  targetMs?: number;
}

export const piiCases: PiiCase[] = [
  { name: 'pii_emails_5k', what: '5,000 e-mails in one string', input: emails(5_000) },
  { name: 'pii_emails_20k', what: '20,000 e-mails in one string', input: emails(20_000), targetMs: 100 },
  { name: 'pii_password_80kb', what: '80 KB of "password: "', input: 'password: '.repeat(8_000) },
  { name: 'pii_whitespace_80kb', what: '"Bearer" then 80 KB of spaces', input: 'Bearer' + ' '.repeat(80_000) },
  { name: 'pii_digit_groups_160kb', what: '80,000 one-digit groups ("1 1 1 …", one card candidate)', input: '1 '.repeat(80_000) },
];

function emails(n: number): string {
  return Array.from({ length: n }, (_, i) => `user${i}@example.com`).join(' ');
}

/** Median milliseconds per redaction of each case, printed as a table; returns the table. */
export async function runPii(): Promise<string> {
  const redact = createPiiRedactor();
  const rows = [
    ['workload', 'what', 'ms per redaction', 'target'],
    ['---', '---', '---', '---'],
  ];
  for (const c of piiCases) {
    const { nsPerOp } = await measure(
      (n) => {
        for (let i = 0; i < n; i++) redact(c.input);
      },
      3,
      5,
    );
    const ms = nsPerOp / 1e6;
    const target = c.targetMs === undefined ? '' : ms <= c.targetMs ? `✔ ≤${c.targetMs} ms` : `✖ >${c.targetMs} ms`;
    rows.push([c.name, c.what, ms.toFixed(1), target]);
    process.stdout.write(`${c.name.padEnd(24)} ${ms.toFixed(1).padStart(8)} ms  ${target}\n`);
  }
  const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
  process.stdout.write(`\nPII redaction (one string, default detectors):\n${table}\n`);
  return table;
}
