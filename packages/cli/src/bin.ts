#!/usr/bin/env node
/** The `nemo-flow` command line. */
import { demoCommand, DEMO_USAGE } from './commands/demo.js';
import { UsageError } from './args.js';

const USAGE = `usage: nemo-flow <command> [options]

commands:
  demo             run the scripted demo agent (console, ATOF and ATIF files; OTLP when configured)
  convert          convert an ATOF events file: nemo-flow convert events.jsonl --to atif --out DIR
  validate         check ATIF trajectory files: nemo-flow validate FILE...
  validate-config  check a plugin configuration file: nemo-flow validate-config FILE...
  view             one self-contained HTML report of a run: nemo-flow view PATH [--open] [--serve]
  doctor           check the current configuration: exporters, OTLP endpoint, output folders [--json]
  help             this text

${DEMO_USAGE}`;

type Command = (argv: string[]) => Promise<number>;

/** Commands load lazily so `nemo-flow demo` does not pay for the converters and vice versa. */
async function load(name: string): Promise<Command | undefined> {
  switch (name) {
    case 'demo':
      return demoCommand;
    case 'convert':
      return (await import('./commands/convert.js')).convertCommand;
    case 'validate':
      return (await import('./commands/validate.js')).validateCommand;
    case 'view':
      return (await import('./commands/view.js')).viewCommand;
    case 'doctor':
      return (await import('./commands/doctor.js')).doctorCommand;
    case 'validate-config':
      return (await import('./commands/validate-config.js')).validateConfigCommand;
    default:
      return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const command = await load(name);
  if (!command) {
    process.stderr.write(`nemo-flow: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`nemo-flow ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`nemo-flow ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`nemo-flow: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
