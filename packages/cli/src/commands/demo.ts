/**
 * `nemo-flow demo`: runs the scripted research agent through the real runtime with the embedded
 * default configuration (`init()`): console tree, ATOF events file, ATIF trajectories — plus OTLP
 * spans (OpenTelemetry GenAI or OpenInference) when an endpoint is configured.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultConfig, init } from '@nemo-flow/sdk';
import { runResearchAgent } from '../demo/agent.js';
import { parseArgs, UsageError } from '../args.js';
import { renderReport } from '../view/html.js';
import { loadSpans } from '../view/load.js';

export const DEMO_USAGE = `nemo-flow demo [--out DIR] [--otlp-endpoint URL] [--format otel|openinference] [--session ID] [--quiet]

  --out DIR            where ATOF/ATIF files go (default ./nemo-flow-output)
  --otlp-endpoint URL  also ship spans over OTLP/HTTP (default: $OTEL_EXPORTER_OTLP_ENDPOINT)
  --format F           span flavour for OTLP: otel (GenAI conventions, default) or openinference (Phoenix)
  --session ID         session id of the run (default demo-session)
  --quiet              no console tree

  Writes DIR/report.html (open it in a browser; see nemo-flow view).`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, ['out', 'otlp-endpoint', 'format', 'session'], ['quiet']);
  const out = resolve(String(flags.get('out') ?? 'nemo-flow-output'));
  const session = String(flags.get('session') ?? 'demo-session');
  const format = String(flags.get('format') ?? 'otel');
  if (format !== 'otel' && format !== 'openinference') throw new UsageError(`--format must be otel or openinference, got "${format}"`);
  const endpoint = (flags.get('otlp-endpoint') as string | undefined) ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

  // The embedded default, with the demo's file names and the span flavour asked for.
  const config = defaultConfig({ outputDir: out, console: !flags.has('quiet') });
  const observability = config.components[0]!.config as Record<string, unknown>;
  observability.atof = { path: join(out, 'events.jsonl'), mode: 'overwrite' };
  observability.atif = { agent_name: 'research-agent', agent_version: '1.0.0' };
  delete observability.otel;
  if (endpoint) observability[format] = { endpoint, service_name: 'nemo-flow-demo' };

  const nemoFlow = await init({ config });
  let answer: string;
  try {
    answer = await runResearchAgent('What are the health benefits of green tea? Cite sources.', session);
  } finally {
    await nemoFlow.shutdown();
  }
  process.stdout.write(`\nanswer: ${answer}\n`);
  process.stdout.write(`events: ${join(out, 'events.jsonl')}\n`);
  const trajectories = join(out, 'trajectories');
  for (const f of readdirSync(trajectories).sort()) process.stdout.write(`trajectory: ${join(trajectories, f)}\n`);
  const report = join(out, 'report.html');
  writeFileSync(report, renderReport(loadSpans({ kind: 'events', files: [join(out, 'events.jsonl')], defaultOut: report }), { title: 'events.jsonl' }));
  process.stdout.write(`report: ${report}\n`);
  if (endpoint) process.stdout.write(`spans: sent to ${endpoint} (${format})\n`);
  return 0;
}
