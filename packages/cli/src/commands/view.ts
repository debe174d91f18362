/**
 * `nemo-flow view PATH`: writes one self-contained HTML report of a run (ATOF events or ATIF
 * trajectories) and prints its path; `--open` opens it, `--serve` serves it on 127.0.0.1 and
 * pushes new events to the page as the app appends them.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { basename, resolve } from 'node:path';
import { parseArgs, UsageError } from '../args.js';
import { renderReport } from '../view/html.js';
import { loadSpans, resolveSource, type Source } from '../view/load.js';
import { SpanBuilder } from '../view/model.js';

export const VIEW_USAGE = `nemo-flow view PATH [--out FILE] [--open] [--serve [--port N]]

  PATH        an ATOF events.jsonl, an ATIF trajectory (.json) or an output directory holding them
  --out FILE  where the HTML report goes (default: report.html next to the events, or FILE.html)
  --open      open the report in the default browser
  --serve     serve the report on http://127.0.0.1 and update it live as events are appended
  --port N    port for --serve (default 7878; 0 picks a free one)`;

export async function viewCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, ['out', 'port'], ['open', 'serve']);
  if (positionals.length !== 1) throw new UsageError(`expected one PATH, got ${positionals.length}\n\n${VIEW_USAGE}`);
  let port = 7878;
  if (flags.has('port')) {
    port = Number(flags.get('port'));
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be an integer from 0 to 65535, got "${String(flags.get('port'))}"`);
    if (!flags.has('serve')) throw new UsageError('--port needs --serve');
  }
  // Flags are checked first: a usage mistake is reported the same whatever PATH holds.
  const src = resolveSource(resolve(positionals[0]!));
  if (flags.has('serve')) return serve(src, port, flags.has('open'));
  const out = resolve(String(flags.get('out') ?? src.defaultOut));
  const started = performance.now();
  const spans = loadSpans(src);
  writeFileSync(out, renderReport(spans, { title: basename(src.files[0]!) }));
  process.stdout.write(`report: ${out} (${spans.length} spans, ${(performance.now() - started).toFixed(0)} ms)\n`);
  if (flags.has('open')) openInBrowser(out);
  return 0;
}

/** Opens a file or URL with the desktop's opener; a failure is printed, never thrown. */
function openInBrowser(target: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [target]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', target]] : ['xdg-open', [target]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', (err) => process.stderr.write(`nemo-flow view: could not open a browser (${err.message}); open ${target} yourself\n`));
    child.unref();
  } catch (err) {
    process.stderr.write(`nemo-flow view: could not open a browser (${(err as Error).message}); open ${target} yourself\n`);
  }
}

/** Serves the page and an event stream of span updates; tails the events file (polling: works on every filesystem). */
async function serve(src: Source, port: number, open: boolean): Promise<number> {
  const builder = new SpanBuilder();
  const title = basename(src.files[0]!);
  const clients = new Set<ServerResponse>();
  let offset = 0;
  let partial = '';
  const file = src.files[0]!;
  const poll = (): void => {
    if (src.kind !== 'events') return;
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return; // not there yet (or moved): try again next tick
    }
    if (size < offset) {
      // Truncated (a new run in overwrite mode): start over.
      offset = 0;
      partial = '';
      builder.spans.clear();
    }
    if (size === offset) return;
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      const n = readSync(fd, buf, 0, buf.length, offset);
      offset += n;
      const text = partial + buf.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) builder.addLine(l);
    } finally {
      closeSync(fd);
    }
    const changed = builder.take();
    if (changed.length === 0) return;
    const msg = `data: ${JSON.stringify(changed)}\n\n`;
    for (const c of clients) c.write(msg);
  };
  if (src.kind === 'events') poll();
  else loadSpans(src).forEach((s) => builder.spans.set(s.id, s));
  builder.take();
  const timer = setInterval(poll, 200);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      // Everything known now: the page may have been rendered before the latest lines arrived.
      res.write(`data: ${JSON.stringify([...builder.spans.values()])}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(renderReport([...builder.spans.values()], { title, live: true }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      fail(err.code === 'EADDRINUSE' ? new Error(`port ${port} is in use on 127.0.0.1; pick another with --port`) : err),
    );
    server.listen(port, '127.0.0.1', () => ok());
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/`;
  process.stdout.write(`serving ${file} at ${url} (Ctrl+C to stop)\n`);
  if (open) openInBrowser(url);
  await new Promise<void>((done) => {
    const stop = (): void => {
      clearInterval(timer);
      for (const c of clients) c.end();
      server.close(() => done());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
