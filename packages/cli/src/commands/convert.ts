/**
 * `nemo-flow convert events.jsonl --to atif --out DIR`: ATOF events (ours, or the reference
 * NeMo Flow package's) → ATIF trajectory files, through the same builder the live exporter uses.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AtifExporter, parseAtofJsonl, type AtifOutputVersion, type WrittenTrajectory } from '@nemo-flow/exporter-atif';
import { parseArgs, UsageError } from '../args.js';

export const CONVERT_USAGE = `nemo-flow convert EVENTS.jsonl --to atif --out DIR [options]

  --to atif                 output format (only atif)
  --out DIR                 directory for the trajectory files (created when needed)
  --schema-version V        ATIF-v1.6 (default; subagents in their own files) or ATIF-v1.7 (embedded)
  --agent-name NAME         agent.name of top-level trajectories (default: the agent scope name)
  --agent-version VERSION   agent.version (default: agent_version metadata, else "unknown")
  --filename-template T     default trajectory-{session_id}.json
  --no-validate             skip the ATIF rule check before writing

exit code: 0 all trajectories written and valid; 1 a line was not an event, a trajectory broke an
ATIF rule (written as *.invalid.json) or a file could not be written; 2 usage error.`;

export async function convertCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, ['to', 'out', 'schema-version', 'agent-name', 'agent-version', 'filename-template'], ['no-validate']);
  if (positionals.length !== 1) throw new UsageError(`expected one events file, got ${positionals.length}\n\n${CONVERT_USAGE}`);
  const to = flags.get('to');
  if (to !== 'atif') throw new UsageError(`--to must be "atif"${to === undefined ? ' (required)' : `, got "${String(to)}"`}`);
  const out = flags.get('out');
  if (typeof out !== 'string') throw new UsageError('--out DIR is required');
  const version = flags.get('schema-version') ?? 'ATIF-v1.6';
  if (version !== 'ATIF-v1.6' && version !== 'ATIF-v1.7') throw new UsageError(`--schema-version must be ATIF-v1.6 or ATIF-v1.7, got "${String(version)}"`);

  const input = resolve(positionals[0]!);
  let text: string;
  try {
    text = await readFile(input, 'utf8');
  } catch (err) {
    process.stderr.write(`nemo-flow convert: cannot read ${input}: ${(err as Error).message}\n`);
    return 1;
  }
  const { events, errors } = parseAtofJsonl(text);
  for (const e of errors) process.stderr.write(`${input}:${e.line}: skipped: ${e.message}\n`);

  const written: WrittenTrajectory[] = [];
  const failed: string[] = [];
  const str = (k: string): string | undefined => {
    const v = flags.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const exporter = new AtifExporter({
    dir: resolve(out),
    schemaVersion: version as AtifOutputVersion,
    agentName: str('agent-name'),
    agentVersion: str('agent-version'),
    filenameTemplate: str('filename-template'),
    validate: !flags.has('no-validate'),
    onWritten: (f) => written.push(f),
    onWriteError: (err, path) => failed.push(`${path}: ${err instanceof Error ? err.message : String(err)}`),
  });
  for (const e of events) exporter.onEvent(e);
  exporter.closeOpenRuns('The event stream ended before the run did.');
  await exporter.shutdown();

  written.sort((a, b) => a.path.localeCompare(b.path));
  for (const f of written) {
    const tags = [f.partial ? 'partial' : '', f.valid ? '' : `INVALID (${f.violations.length} violation(s))`].filter(Boolean);
    process.stdout.write(`${f.path}${tags.length ? `  [${tags.join(', ')}]` : ''}\n`);
    for (const v of f.violations) process.stdout.write(`  ${v.path}: ${v.message}\n`);
  }
  for (const f of failed) process.stderr.write(`nemo-flow convert: cannot write ${f}\n`);
  process.stderr.write(`${events.length} event(s) → ${written.length} trajectory file(s) in ${exporter.dir}\n`);
  if (events.length === 0) process.stderr.write('nemo-flow convert: no events found\n');
  else if (written.length === 0 && failed.length === 0)
    process.stderr.write('nemo-flow convert: no agent runs found (trajectories are built from agent scopes)\n');
  const bad = errors.length > 0 || failed.length > 0 || written.some((f) => !f.valid) || events.length === 0;
  return bad ? 1 : 0;
}
