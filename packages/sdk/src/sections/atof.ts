/** `observability.atof` → `AtofFileExporter` options. */
import { join, resolve } from 'node:path';
import { AtofFileExporter, type AtofFileExporterOptions } from '@nemo-flow/runtime';
import { checkWritableFile, type ObservabilitySection } from '@nemo-flow/runtime/plugins';

export const atofSection: ObservabilitySection<AtofFileExporterOptions> = {
  name: 'atof',
  read(r, env) {
    const path = r.string('path');
    const mode = r.oneOf('mode', ['append', 'overwrite'] as const);
    const maxBufferBytes = r.number('max_buffer_bytes', { integer: true, min: 1 });
    const overflow = r.oneOf('overflow', ['block', 'drop'] as const);
    return {
      path: path === undefined ? join(env.outputDir, 'events.jsonl') : resolve(env.cwd, path),
      ...(mode ? { mode } : {}),
      ...(maxBufferBytes !== undefined ? { maxBufferBytes } : {}),
      ...(overflow ? { overflow } : {}),
    };
  },
  check(options, ctx, r) {
    const problem = checkWritableFile(options.path);
    if (problem) ctx.report({ code: 'DIRECTORY_UNWRITABLE', field: r.field('path'), message: `${problem}; expected a file path in a writable directory` });
  },
  create: (o) => new AtofFileExporter(o),
  describe: (o) => ({ path: o.path }),
};
