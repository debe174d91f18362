/**
 * `nemo-flow doctor`: activates the current configuration (`NEMO_FLOW_CONFIG`, else the default
 * with the `OTEL_*` environment), prints `diagnostics()` readably, probes each OTLP endpoint once,
 * checks that output folders are writable, and says what to do about each problem.
 */
import { dirname } from 'node:path';
import { CONFIG_ENV, init, type NemoFlowHandle } from '@nemo-flow/sdk';
import { checkWritableDir } from '@nemo-flow/runtime/plugins';
import { diagnostics, type Diagnostics, type ExporterState } from '@nemo-flow/runtime/diagnostics';
import { parseArgs, UsageError } from '../args.js';
import { probeOtlp } from '../doctor/probe.js';
import { folderAdvice, initAdvice, otlpAdvice, samplerAdvice, type Problem } from '../doctor/advice.js';

export const DOCTOR_USAGE = `nemo-flow doctor [--json] [--timeout MS]

  --json         print one JSON object (configuration, diagnostics, checks, problems)
  --timeout MS   how long to wait for each OTLP endpoint (default 3000)

exit code: 0 no problem found; 1 problems found (each printed with what to do); 2 usage error.`;

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  config: { source: string; file: string | null };
  diagnostics: Diagnostics | null;
  checks: Check[];
  problems: Problem[];
}

export async function doctorCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, ['timeout'], ['json']);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}\n\n${DOCTOR_USAGE}`);
  const rawTimeout = flags.get('timeout');
  const timeoutMs = rawTimeout === undefined ? 3000 : Number(rawTimeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(`--timeout must be a positive whole number of milliseconds, got ${String(rawTimeout)}`);
  const report = await examine(timeoutMs);
  process.stdout.write(flags.has('json') ? JSON.stringify(report, null, 2) + '\n' : render(report));
  return report.problems.length > 0 ? 1 : 0;
}

async function examine(timeoutMs: number): Promise<DoctorReport> {
  const checks: Check[] = [];
  const problems: Problem[] = [];
  const envFile = process.env[CONFIG_ENV]?.trim();
  let handle: NemoFlowHandle;
  try {
    handle = await init({ console: false, warnings: false });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    problems.push(initAdvice(message));
    return { config: { source: envFile ? 'file' : 'default', file: envFile ?? null }, diagnostics: null, checks, problems };
  }
  try {
    for (const d of handle.diagnostics) {
      // The doctor probes each endpoint itself (one request, with advice): no second report of it.
      if (d.level === 'warn' && d.code !== 'ENDPOINT_UNREACHABLE')
        problems.push({ problem: `configuration: ${d.message}`, fix: d.field ? `see the "${d.field}" section of the configuration` : 'see the configuration' });
    }
    const snap = diagnostics();
    if (snap.subscribers.length === 0) {
      problems.push({
        problem: 'no subscriber or exporter is registered: events go nowhere',
        fix: 'enable an output in the configuration (console, atof, atif, otel, openinference)',
      });
    }
    for (const [name, state] of Object.entries(snap.exporters)) {
      if (state.error !== undefined) {
        problems.push({ problem: `exporter ${name}: its state could not be read: ${state.error}`, fix: 'a bug in that exporter: report it' });
        continue;
      }
      await checkExporter(name, state, timeoutMs, checks, problems);
    }
    for (const f of snap.failures)
      problems.push({
        problem: `${f.source} failed ${f.count} time(s): ${f.message}: ${f.error}`,
        fix: 'see the message; the part named is skipped until fixed',
      });
    return { config: { source: handle.source, file: handle.configFile ?? null }, diagnostics: snap, checks, problems };
  } finally {
    await handle.shutdown({ timeoutMs: 2000 });
  }
}

async function checkExporter(name: string, state: ExporterState, timeoutMs: number, checks: Check[], problems: Problem[]): Promise<void> {
  const endpoint = state.endpoint;
  if (typeof endpoint !== 'string') return;
  if (/^https?:\/\//.test(endpoint)) {
    const protocol = typeof state['protocol'] === 'string' ? state['protocol'] : 'http/protobuf';
    const r = await probeOtlp(endpoint, protocol, timeoutMs);
    checks.push({ check: `${name}: OTLP endpoint ${endpoint}`, ok: r.ok, detail: r.ok ? `answered HTTP ${r.status}` : r.reason });
    const p = otlpAdvice(endpoint, protocol, r);
    if (p) problems.push(p);
    const sampler = typeof state['sampler'] === 'string' ? state['sampler'] : undefined;
    const s = samplerAdvice(sampler, typeof state['samplerArg'] === 'string' ? state['samplerArg'] : undefined);
    if (s) problems.push(s);
    return;
  }
  if (!endpoint.startsWith('/')) return; // stdout, a stream, a custom exporter
  // A file's folder, or the folder itself (ATIF writes into a directory it creates).
  const folder = name.startsWith('exporter-atif') ? endpoint : dirname(endpoint);
  const why = checkWritableDir(folder);
  checks.push({ check: `${name}: folder ${folder}`, ok: why === undefined, detail: why ?? 'writable' });
  if (why !== undefined) problems.push(folderAdvice(folder, why));
}

function render(r: DoctorReport): string {
  const out: string[] = ['nemo-flow doctor', ''];
  out.push(
    `configuration: ${r.config.source === 'file' ? `file ${r.config.file} (${CONFIG_ENV})` : r.config.source === 'default' ? `embedded default (${CONFIG_ENV} not set)` : r.config.source}`,
  );
  const d = r.diagnostics;
  if (d) {
    out.push('', 'subscribers:');
    if (d.subscribers.length === 0) out.push('  (none)');
    for (const s of d.subscribers)
      out.push(`  ${s.name}${s.exporter ? ' (exporter)' : ''}${s.scope ? ` on scope ${s.scope.name}` : ''}: ${s.delivered} delivered, ${s.failed} failed`);
    const families = Object.entries(d.middleware);
    out.push('', 'middleware:');
    if (families.length === 0) out.push('  (none)');
    for (const [family, list] of families)
      out.push(`  ${family}: ${list.map((m) => `${m.name} (priority ${m.priority}${m.scope ? `, scope ${m.scope.name}` : ''})`).join(', ')}`);
    out.push('', 'exporters:');
    const exporters = Object.entries(d.exporters);
    if (exporters.length === 0) out.push('  (none)');
    for (const [name, state] of exporters) {
      const fields = Object.entries(state)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      out.push(`  ${name}`, ...fields.map((f) => `    ${f}`));
    }
  }
  if (r.checks.length > 0) {
    out.push('', 'checks:');
    for (const c of r.checks) out.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`);
  }
  out.push('');
  if (r.problems.length === 0) out.push('no problem found');
  else {
    out.push(`${r.problems.length} problem(s):`);
    for (const p of r.problems) out.push(`  - ${p.problem}`, `    fix: ${p.fix}`);
  }
  return out.join('\n') + '\n';
}
