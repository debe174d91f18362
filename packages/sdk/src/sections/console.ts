/** `observability.console` → `ConsoleExporter` options. */
import { ConsoleExporter, type ConsoleExporterOptions } from '@nemo-flow/runtime';
import type { ObservabilitySection } from '@nemo-flow/runtime/plugins';

export interface ConsoleSection {
  options: ConsoleExporterOptions;
  stream: 'stdout' | 'stderr';
}

export const consoleSection: ObservabilitySection<ConsoleSection> = {
  name: 'console',
  read(r) {
    const stream = r.oneOf('stream', ['stdout', 'stderr'] as const) ?? 'stdout';
    const options: ConsoleExporterOptions = { stream: stream === 'stderr' ? process.stderr : process.stdout };
    const color = r.boolean('color');
    if (color !== undefined) options.color = color;
    const chars = r.number('payload_chars', { integer: true, min: 0 });
    if (chars !== undefined) options.payloadChars = chars;
    const summary = r.boolean('summary');
    if (summary !== undefined) options.summary = summary;
    return { options, stream };
  },
  create: (s) => new ConsoleExporter(s.options),
  describe: (s) => ({ stream: s.stream }),
};
