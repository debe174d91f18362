/** The exporter's files under hostile conditions: short writes, concurrent processes, long names, killed writers. */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AtifExporter, buildTrajectories, validateTrajectory, type AtifTrajectory, type WrittenTrajectory } from '@nemo-flow/exporter-atif';
import { EventLog } from './events.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const eventsModule = JSON.stringify(pathToFileURL(join(here, 'events.ts')).href);

interface Child {
  child: ChildProcess;
  /** Resolves with stdout once the child printed `marker` (rejects when it exits first). */
  said(marker: string): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

/** Runs an ES module script with the workspace sources; `ulimitBlocks` adds a file-size limit (1 KiB blocks). */
function child(script: string, ulimitBlocks?: number): Child {
  const args = [process.execPath, '--conditions=nemo-flow-src', '--import', 'tsx', '--input-type=module', '-e', script];
  const c =
    ulimitBlocks === undefined
      ? spawn(args[0]!, args.slice(1), { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('bash', ['-c', `ulimit -f ${ulimitBlocks}; exec ${args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`], {
          cwd: root,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
  let out = '';
  let err = '';
  const waiting: Array<{ marker: string; resolve: (s: string) => void }> = [];
  c.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiting.splice(0)) out.includes(w.marker) ? w.resolve(out) : waiting.push(w);
  });
  c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((r) =>
    c.on('exit', (code, signal) => r({ code, signal, out, err })),
  );
  const said = (marker: string): Promise<string> =>
    Promise.race([
      new Promise<string>((r) => (out.includes(marker) ? r(out) : waiting.push({ marker, resolve: r }))),
      exited.then((e) => Promise.reject(new Error(`child exited (${e.code ?? e.signal}) before saying ${marker}: ${e.err}`))),
    ]);
  return { child: c, said, exited };
}

function read(path: string): AtifTrajectory {
  return JSON.parse(readFileSync(path, 'utf8')) as AtifTrajectory;
}

describe('AtifExporter: files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'atif-files-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const how of ['shutdown', 'process.exit'] as const) {
    it(`a short write (file-size limit) is never published; onWriteError gets it, onWritten does not (${how}, a child process)`, async function () {
      this.timeout(20_000);
      const script = `
        import { AtifExporter } from '@nemo-flow/exporter-atif';
        import { setFailureReporter } from '@nemo-flow/runtime';
        import { EventLog } from ${eventsModule};
        setFailureReporter(() => {});
        const report = { written: [], errors: [] };
        const ex = new AtifExporter({
          dir: ${JSON.stringify(dir)},
          onWritten: (f) => report.written.push(f.path),
          onWriteError: (e, p) => report.errors.push({ code: e.code, message: e.message, path: p }),
        });
        const log = new EventLog();
        const a = log.agent('big', null, { metadata: { session_id: 'big' } });
        const t = log.tool(a, 'fetch', {}, 'call-1');
        log.end(t, 'x'.repeat(200000));
        log.end(a);
        process.on('exit', () => process.stdout.write(JSON.stringify(report)));
        for (const e of log.events) ex.onEvent(e);
        ${how === 'shutdown' ? 'await ex.shutdown();' : 'process.exit(0);'}
      `;
      const r = await child(script, 64).exited; // 64 KiB: the ~200 KB document cannot fit
      assert.equal(r.code, 0, r.err);
      const report = JSON.parse(r.out) as { written: string[]; errors: Array<{ code: string; message: string; path: string }> };
      assert.deepEqual(report.written, []);
      assert.equal(report.errors.length, 1);
      assert.match(report.errors[0]!.code, /^(EFBIG|ESHORTWRITE)$/);
      assert.equal(report.errors[0]!.path, join(dir, 'trajectory-big.json'));
      assert.deepEqual(readdirSync(dir), [], 'no partial file, no temp file, no lock left');
    });
  }

  it('four processes writing the same session id into one directory keep all four files', async function () {
    this.timeout(30_000);
    const script = `
      import { AtifExporter } from '@nemo-flow/exporter-atif';
      import { EventLog } from ${eventsModule};
      const ex = new AtifExporter({ dir: ${JSON.stringify(dir)} });
      const log = new EventLog();
      const a = log.agent('worker-' + process.pid, null, { metadata: { session_id: 'same' } });
      for (const e of log.events) ex.onEvent(e);
      process.stdout.write('started\\n');
      process.stdin.once('data', async () => {
        log.end(a);
        ex.onEvent(log.events.at(-1));
        await ex.shutdown();
        process.exit(0);
      });
    `;
    const children = Array.from({ length: 4 }, () => child(script));
    // Every run has picked its name before any of them is written: the race the names must survive.
    await Promise.all(children.map((c) => c.said('started')));
    for (const c of children) c.child.stdin!.end('go\n');
    for (const r of await Promise.all(children.map((c) => c.exited))) assert.equal(r.code, 0, r.err);
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['trajectory-same-2.json', 'trajectory-same-3.json', 'trajectory-same-4.json', 'trajectory-same.json']);
    const agents = files.map((f) => read(join(dir, f))).map((t) => (assert.deepEqual(validateTrajectory(t), []), t.agent.name));
    assert.equal(new Set(agents).size, 4, 'four different runs');
  });

  it('a name another process published meanwhile is never replaced', async () => {
    const ex = new AtifExporter({ dir });
    const log = new EventLog();
    const a = log.agent('mine', null, { metadata: { session_id: 'raced' } });
    for (const e of log.events) ex.onEvent(e);
    // Another writer (no claim, e.g. an older version) publishes the same name while the run is open.
    const other = child(`import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(join(dir, 'trajectory-raced.json'))}, '{"theirs":true}');`);
    assert.equal((await other.exited).code, 0);
    log.end(a);
    ex.onEvent(log.events.at(-1)!);
    await ex.shutdown();
    assert.deepEqual(readdirSync(dir).sort(), ['trajectory-raced-2.json', 'trajectory-raced.json']);
    assert.equal(readFileSync(join(dir, 'trajectory-raced.json'), 'utf8'), '{"theirs":true}');
    assert.equal(read(join(dir, 'trajectory-raced-2.json')).agent.name, 'mine');
  });

  it('process.exit() right after a file was published does not write it a second time (a child process)', async function () {
    this.timeout(20_000);
    const script = `
      import { readdirSync } from 'node:fs';
      import { AtifExporter } from '@nemo-flow/exporter-atif';
      import { EventLog } from ${eventsModule};
      const dir = ${JSON.stringify(dir)};
      const ex = new AtifExporter({ dir });
      const log = new EventLog();
      log.end(log.agent('once', null, { metadata: { session_id: 'once' } }));
      for (const e of log.events) ex.onEvent(e);
      // Exit as soon as the file is in place, while the write is still cleaning up after itself.
      const poll = () => (readdirSync(dir).includes('trajectory-once.json') ? process.exit(0) : setImmediate(poll));
      poll();
    `;
    const r = await child(script).exited;
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readdirSync(dir), ['trajectory-once.json']);
  });

  it('long ids and long templates: every name, temp names included, fits in 255 bytes, and every run is written', async () => {
    const long = 'id'.repeat(250);
    const templates = [`{session_id}-{run_id}-{agent_name}-{trajectory_id}-${'t'.repeat(100)}.json`, `${'ü'.repeat(120)}-{session_id}.json`];
    for (const filenameTemplate of templates) {
      const sub = join(dir, String(templates.indexOf(filenameTemplate)));
      const written: WrittenTrajectory[] = [];
      const errors: unknown[] = [];
      const ex = new AtifExporter({ dir: sub, filenameTemplate, onWritten: (f) => written.push(f), onWriteError: (e) => errors.push(e) });
      const log = new EventLog();
      for (let i = 0; i < 3; i++) log.end(log.agent(long, null, { metadata: { session_id: long } }));
      for (const e of log.events) ex.onEvent(e);
      await ex.shutdown();
      assert.deepEqual(errors, []);
      assert.equal(written.length, 3);
      const files = readdirSync(sub);
      assert.equal(files.length, 3);
      for (const f of files) {
        assert.ok(Buffer.byteLength(f) <= 255 - 22, `${Buffer.byteLength(f)} bytes: ${f}`); // room for the lock name
        assert.ok(f.endsWith('.json'));
        assert.deepEqual(validateTrajectory(read(join(sub, f))), []);
      }
    }
  });

  it('a new exporter removes the temp files of a writer killed mid-write (SIGKILL), not those of a live one', async function () {
    this.timeout(30_000);
    /** A child writing an ~8 MB trajectory that stops once its temp file exists: it kills itself, or blocks. */
    const writer = (end: 'kill' | 'block', session: string): Child =>
      child(`
        import { readdirSync } from 'node:fs';
        import { AtifExporter } from '@nemo-flow/exporter-atif';
        import { EventLog } from ${eventsModule};
        const dir = ${JSON.stringify(dir)};
        const ex = new AtifExporter({ dir, writeOnExit: false });
        const log = new EventLog();
        const a = log.agent('writer', null, { metadata: { session_id: ${JSON.stringify(session)} } });
        log.end(log.tool(a, 'fetch', {}, 'c1'), 'x'.repeat(8000000));
        log.end(a);
        for (const e of log.events) ex.onEvent(e);
        const poll = () => {
          if (!readdirSync(dir).some((n) => n.includes(${JSON.stringify(session)}) && n.endsWith('.tmp'))) return setImmediate(poll);
          if (${JSON.stringify(end)} === 'kill') process.kill(process.pid, 'SIGKILL');
          process.stdout.write('mid-write\\n');
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // stays alive, the write never finishes
        };
        poll();
      `);
    const killed = writer('kill', 'killed');
    const dead = await killed.exited;
    assert.equal(dead.signal, 'SIGKILL', dead.err);
    const live = writer('block', 'alive');
    try {
      await live.said('mid-write');
      const leftovers = readdirSync(dir).sort();
      assert.equal(leftovers.filter((n) => n.endsWith('.tmp')).length, 2, leftovers.join(' '));
      assert.ok(!leftovers.some((n) => n.endsWith('.json')), 'nothing was published');
      const ex = new AtifExporter({ dir });
      const log = new EventLog();
      log.end(log.agent('new', null, { metadata: { session_id: 'new' } }));
      for (const e of log.events) ex.onEvent(e);
      await ex.shutdown();
      const after = readdirSync(dir).sort();
      assert.ok(!after.some((n) => n.includes('killed')), `the dead writer's temp and lock are gone: ${after.join(' ')}`);
      assert.equal(after.filter((n) => n.includes('alive')).length, 2, `the live writer's temp and lock stay: ${after.join(' ')}`);
      assert.ok(after.includes('trajectory-new.json'));
    } finally {
      live.child.kill('SIGKILL');
    }
    await live.exited;
    // Once that writer is dead too, the next exporter removes its files as well.
    const ex = new AtifExporter({ dir });
    const log = new EventLog();
    log.end(log.agent('later', null, { metadata: { session_id: 'later' } }));
    for (const e of log.events) ex.onEvent(e);
    await ex.shutdown();
    assert.deepEqual(readdirSync(dir).sort(), ['trajectory-later.json', 'trajectory-new.json']);
  });

  it('bad options are TypeErrors naming the option', () => {
    assert.throws(() => new AtifExporter(null as never), /AtifExporter: options must be an object, got null/);
    assert.throws(
      () => new AtifExporter({ filenameTemplate: 42 as never }),
      (e: unknown) => e instanceof TypeError && /filenameTemplate must be a non-empty string .*, got 42/.test(e.message),
    );
    assert.throws(() => new AtifExporter({ dir: '' }), /dir must be a non-empty string \(a directory path\), got ""/);
    assert.throws(() => new AtifExporter({ onWritten: 'log' as never }), /onWritten must be a function, got "log"/);
    assert.throws(() => new AtifExporter({ onWriteError: {} as never }), /onWriteError must be a function, got an object/);
    assert.throws(() => new AtifExporter({ writeOnExit: 'yes' as never }), /writeOnExit must be a boolean, got "yes"/);
    assert.throws(() => new AtifExporter({ schemaVersion: '1.6' as never }), /schemaVersion must be "ATIF-v1.6" or "ATIF-v1.7", got "1.6"/);
    assert.throws(
      () => new AtifExporter({ pricing: { m: { inputPerMTok: NaN, outputPerMTok: 1 } } }),
      /pricing.m.inputPerMTok must be a finite number ≥ 0 .*, got NaN/,
    );
    assert.throws(() => new AtifExporter({ pricing: { m: { inputPerMTok: 1, outputPerMTok: -2 } } }), /pricing.m.outputPerMTok must be a finite number ≥ 0/);
  });
});

describe('buildTrajectories: arguments', () => {
  it('bad events or options are TypeErrors naming them', () => {
    assert.throws(() => buildTrajectories(42 as never), /buildTrajectories: events must be an iterable of lifecycle events \(e\.g\. an array\), got 42/);
    assert.throws(() => buildTrajectories(null as never), /events must be an iterable .*, got null/);
    assert.throws(() => buildTrajectories([], { filenameTemplate: 7 as never }), /buildTrajectories: filenameTemplate must be a non-empty string .*, got 7/);
    assert.throws(() => buildTrajectories([], 'x' as never), /buildTrajectories: options must be an object, got "x"/);
    assert.deepEqual(buildTrajectories([]), []);
  });
});
