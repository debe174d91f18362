/** Finds what a PATH given to `nemo-flow view` holds and reads it into spans. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SpanBuilder, spansFromTrajectory, type ViewSpan } from './model.js';

export interface Source {
  kind: 'events' | 'trajectories';
  /** The events file, or the trajectory files. */
  files: string[];
  /** Where the report goes unless `--out` says otherwise. */
  defaultOut: string;
}

/** Resolves PATH: an ATOF events file, an ATIF trajectory, or a directory holding them. */
export function resolveSource(path: string): Source {
  if (!existsSync(path)) throw new Error(`PATH "${path}" does not exist (expected an events.jsonl file, an ATIF trajectory or an output directory)`);
  if (statSync(path).isDirectory()) {
    const events = join(path, 'events.jsonl');
    if (existsSync(events)) return { kind: 'events', files: [events], defaultOut: join(path, 'report.html') };
    const jsonl = readdirSync(path)
      .filter((f) => f.endsWith('.jsonl'))
      .sort();
    if (jsonl.length > 0) return { kind: 'events', files: [join(path, jsonl[0]!)], defaultOut: join(path, 'report.html') };
    const dir = existsSync(join(path, 'trajectories')) ? join(path, 'trajectories') : path;
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(dir, f));
    if (files.length === 0) throw new Error(`PATH "${path}" holds no events.jsonl, *.jsonl or ATIF *.json files`);
    return { kind: 'trajectories', files, defaultOut: join(path, 'report.html') };
  }
  const out = join(dirname(path), `${basename(path).replace(/\.(jsonl|json|ndjson)$/, '')}.html`);
  if (path.endsWith('.json') && !path.endsWith('.jsonl')) return { kind: 'trajectories', files: [path], defaultOut: out };
  return { kind: 'events', files: [path], defaultOut: out };
}

/** Reads a source into spans. Trajectories referenced by another one (sub-agents) are nested, not listed twice. */
export function loadSpans(src: Source, builder = new SpanBuilder()): ViewSpan[] {
  if (src.kind === 'events') {
    const text = readFileSync(src.files[0]!, 'utf8');
    for (const line of text.split('\n')) builder.addLine(line);
    builder.take();
    return [...builder.spans.values()];
  }
  const docs = src.files.map((f) => {
    try {
      return { f, doc: JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown> };
    } catch (err) {
      throw new Error(`${f}: not JSON (${(err as Error).message})`);
    }
  });
  const out: ViewSpan[] = [];
  // Sub-agent files referenced by a trajectory in the set are shown nested under it, not as runs of their own.
  const referenced = new Set<string>();
  const loadRef =
    (from: string) =>
    (p: string): unknown => {
      const full = resolve(dirname(from), p);
      referenced.add(full);
      const known = docs.find((d) => d.f === full);
      if (known) return known.doc;
      try {
        return JSON.parse(readFileSync(full, 'utf8'));
      } catch {
        return undefined; // a missing sub-agent file leaves its parent step without children
      }
    };
  const roots = docs.map(({ f, doc }, i) => {
    const spans: ViewSpan[] = [];
    try {
      spansFromTrajectory(doc, spans, null, `t${i}`, loadRef(f));
    } catch (err) {
      throw new Error(`${f}: ${(err as Error).message}`);
    }
    return { f, spans };
  });
  for (const { f, spans } of roots) if (!referenced.has(f)) out.push(...spans);
  return out;
}
