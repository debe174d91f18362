/** The exporter as a subscriber: files, names, atomic writes, partial runs, failures. */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFailureReporter, type LifecycleEvent, type ReportedFailure } from '@nemo-flow/runtime';
import { resetFailures } from '@nemo-flow/runtime/exporter-kit';
import { AtifExporter, validateTrajectory, type AtifTrajectory, type WrittenTrajectory } from '@nemo-flow/exporter-atif';
import { EventLog } from './events.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'atif-exporter-'));
}

function read(path: string): AtifTrajectory {
  return JSON.parse(readFileSync(path, 'utf8')) as AtifTrajectory;
}

/** Captures reportFailure calls for the duration of a test. */
function captureFailures(): { failures: ReportedFailure[]; restore: () => void } {
  resetFailures();
  const failures: ReportedFailure[] = [];
  const prev = setFailureReporter((f) => failures.push(f));
  return { failures, restore: () => (setFailureReporter(prev), resetFailures()) };
}

function feed(exporter: AtifExporter, events: LifecycleEvent[]): void {
  for (const e of events) exporter.onEvent(e);
}

describe('AtifExporter', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one valid file per top-level run when the run ends, and nothing else', async () => {
    const written: WrittenTrajectory[] = [];
    const exporter = new AtifExporter({ dir, onWritten: (f) => written.push(f) });
    const log = new EventLog();
    const run = log.agent('a', null, { metadata: { session_id: 'abc' } });
    log.mark(run, 'started');
    feed(exporter, log.events);
    await exporter.forceFlush();
    assert.deepEqual(readdirSync(dir), ['.trajectory-abc.json.lock'], 'nothing but the name claim while the run is open');
    log.end(run, 'done');
    exporter.onEvent(log.events.at(-1)!);
    await exporter.forceFlush();
    assert.deepEqual(readdirSync(dir), ['trajectory-abc.json'], 'no temporary files are left');
    const t = read(join(dir, 'trajectory-abc.json'));
    assert.deepEqual(validateTrajectory(t), []);
    assert.equal(t.session_id, 'abc');
    assert.deepEqual(written, [{ path: join(dir, 'trajectory-abc.json'), sessionId: 'abc', trajectoryId: run, valid: true, violations: [], partial: false }]);
    assert.equal(exporter.openRuns, 0);
  });

  it('never lets two runs share a file, even with the same session id or an existing file', async () => {
    writeFileSync(join(dir, 'trajectory-same.json'), '{"keep":"me"}');
    const exporter = new AtifExporter({ dir });
    const log = new EventLog();
    const a = log.agent('a', null, { metadata: { session_id: 'same' } });
    const b = log.agent('b', null, { metadata: { session_id: 'same' } });
    log.mark(a, 'from a');
    log.mark(b, 'from b');
    log.end(b);
    log.end(a);
    feed(exporter, log.events);
    await exporter.forceFlush();
    const c = new EventLog();
    c.end(c.agent('c', null, { metadata: { session_id: 'same' } }));
    feed(exporter, c.events);
    await exporter.shutdown();
    assert.deepEqual(readdirSync(dir).sort(), ['trajectory-same-2.json', 'trajectory-same-3.json', 'trajectory-same-4.json', 'trajectory-same.json']);
    assert.equal(readFileSync(join(dir, 'trajectory-same.json'), 'utf8'), '{"keep":"me"}');
    const names = ['trajectory-same-2.json', 'trajectory-same-3.json'].map((n) => read(join(dir, n)).agent.name);
    assert.deepEqual(names, ['a', 'b']);
  });

  it('uses the filename template and rejects unsafe ones', async () => {
    assert.throws(() => new AtifExporter({ dir, filenameTemplate: '../{session_id}.json' }), TypeError);
    assert.throws(() => new AtifExporter({ dir, filenameTemplate: 'fixed.json' }), TypeError);
    assert.throws(() => new AtifExporter({ dir, filenameTemplate: '{session}.json' }), TypeError);
    const exporter = new AtifExporter({ dir, filenameTemplate: '{agent_name}_{session_id}.atif.json' });
    const log = new EventLog();
    log.end(log.agent('My Agent', null, { metadata: { session_id: 's/1' } }));
    feed(exporter, log.events);
    await exporter.shutdown();
    assert.deepEqual(readdirSync(dir), ['My_Agent_s_1.atif.json']);
  });

  it('writes runs still open at shutdown as partial, with a note', async () => {
    const exporter = new AtifExporter({ dir });
    const log = new EventLog();
    const run = log.agent('a', null, { metadata: { session_id: 'open' } });
    log.tool(run, 'slow', { n: 1 }, 't1');
    feed(exporter, log.events);
    await exporter.shutdown();
    const t = read(join(dir, 'trajectory-open.json'));
    assert.deepEqual(validateTrajectory(t), []);
    assert.match(t.notes!, /^Partial trajectory: The run was still open when the exporter shut down\./);
    assert.equal(t.extra!['partial'], true);
    assert.equal(t.steps[0]!.observation!.results[0]!.content, 'No result: the tool call had not finished when the run ended.');
    // events after shutdown are ignored
    exporter.onEvent(log.events[0]!);
    assert.equal(exporter.openRuns, 0);
  });

  it('reports an unwritable directory once and keeps running', async () => {
    const { failures, restore } = captureFailures();
    try {
      const file = join(dir, 'not-a-dir');
      writeFileSync(file, '');
      const errors: string[] = [];
      const exporter = new AtifExporter({ dir: join(file, 'sub'), onWriteError: (_e, path) => errors.push(path) });
      for (let i = 0; i < 3; i++) {
        const log = new EventLog();
        log.end(log.agent('a', null, { metadata: { session_id: `s${i}` } }));
        feed(exporter, log.events);
      }
      await exporter.shutdown();
      assert.equal(errors.length, 3);
      const mine = failures.filter((f) => f.source.startsWith('exporter-atif:write'));
      assert.equal(mine.length, 1, 'reported once');
      assert.match(mine[0]!.message, /cannot write trajectories to .*not-a-dir/);
    } finally {
      restore();
    }
  });

  it('writes an invalid trajectory as .invalid.json and reports the violations as a bug', async () => {
    const { failures, restore } = captureFailures();
    try {
      const written: WrittenTrajectory[] = [];
      // Options are checked at construction; one that turns into a number afterwards stands in for a
      // builder bug: the document breaks a rule.
      let reads = 0;
      const options = {
        dir,
        onWritten: (f: WrittenTrajectory) => written.push(f),
        get agentVersion() {
          return (reads++ === 0 ? '1' : 2) as unknown as string;
        },
      };
      const exporter = new AtifExporter(options);
      const log = new EventLog();
      log.end(log.agent('a', null, { metadata: { session_id: 'bad' } }));
      feed(exporter, log.events);
      await exporter.shutdown();
      assert.deepEqual(readdirSync(dir), ['trajectory-bad.invalid.json']);
      assert.equal(written[0]!.valid, false);
      assert.deepEqual(written[0]!.violations, [{ path: '$.agent.version', message: 'must be a string, got the number 2' }]);
      const report = failures.find((f) => f.source === 'exporter-atif:invalid')!;
      assert.match(report.message, /bug/);
      assert.match((report.firstError as Error).message, /\$\.agent\.version: must be a string/);
    } finally {
      restore();
    }
  });

  it('never throws from onEvent, even on events it cannot read', async () => {
    const { failures, restore } = captureFailures();
    try {
      const exporter = new AtifExporter({ dir });
      const log = new EventLog();
      const run = log.agent('a');
      feed(exporter, log.events);
      const hostile = {
        ...log.events[0]!,
        uuid: 'x',
        parent_uuid: run,
        category: 'tool',
        get data(): unknown {
          throw new Error('getter exploded');
        },
      } as unknown as LifecycleEvent;
      assert.doesNotThrow(() => exporter.onEvent(hostile));
      assert.doesNotThrow(() => exporter.onEvent(null as unknown as LifecycleEvent));
      await exporter.shutdown();
      assert.ok(failures.some((f) => f.source === 'exporter-atif'));
    } finally {
      restore();
    }
  });

  it('writes v1.6 subagent files next to the parent, with the paths the parent references', async () => {
    const exporter = new AtifExporter({ dir });
    const log = new EventLog();
    const root = log.agent('p', null, { metadata: { session_id: 'P' } });
    const sub = log.agent('c', root);
    log.mark(sub, 'x');
    log.end(sub);
    log.end(root);
    feed(exporter, log.events);
    await exporter.shutdown();
    const parent = read(join(dir, 'trajectory-P.json'));
    const ref = parent.steps[0]!.observation!.results[0]!.subagent_trajectory_ref![0]!;
    const child = read(join(dir, ref.trajectory_path!));
    assert.equal(child.session_id, ref.session_id);
    assert.deepEqual(validateTrajectory(child), []);
  });

  it('writes pending and open runs synchronously when the process exits without shutdown', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
    const script = `
      import { AtifExporter } from '@nemo-flow/exporter-atif';
      const ex = new AtifExporter({ dir: ${JSON.stringify(dir)} });
      const base = { atof_version: '0.1', data: null, data_schema: null, attributes: [], category_profile: null, timestamp: '2026-01-01T00:00:00.000001Z', parent_uuid: 'root', metadata: null };
      const ev = (o) => ex.onEvent({ ...base, kind: 'scope', ...o });
      ev({ scope_category: 'start', category: 'agent', uuid: 'a', name: 'still-open', metadata: { session_id: 'open' } });
      ev({ scope_category: 'start', category: 'tool', uuid: 't', parent_uuid: 'a', name: 'slow', category_profile: { tool_call_id: null } });
      ev({ scope_category: 'start', category: 'agent', uuid: 'b', name: 'finished', metadata: { session_id: 'done' } });
      ev({ scope_category: 'end', category: 'agent', uuid: 'b', name: 'finished', status: 'ok' });
      process.exit(3);
    `;
    const r = spawnSync(process.execPath, ['--conditions=nemo-flow-src', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ['trajectory-done.json', 'trajectory-open.json'], 'no temporary files left');
    const open = read(join(dir, 'trajectory-open.json'));
    assert.deepEqual(validateTrajectory(open), []);
    assert.match(open.notes!, /Partial trajectory: The process exited while the run was still open\./);
    assert.equal(open.steps[0]!.observation!.results[0]!.content, 'No result: the tool call had not finished when the run ended.');
    assert.deepEqual(validateTrajectory(read(join(dir, 'trajectory-done.json'))), []);
  });

  describe('signals', () => {
    /** A child that opens a run, says "ready" and waits; `appHandler` adds its own SIGINT handler. */
    function openRunChild(appHandler: boolean): {
      child: ChildProcess;
      exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
      ready: Promise<void>;
    } {
      const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
      const script = `
        import { AtifExporter } from '@nemo-flow/exporter-atif';
        const ex = new AtifExporter({ dir: ${JSON.stringify(dir)} });
        const base = { atof_version: '0.1', data: null, data_schema: null, attributes: [], category_profile: null, timestamp: '2026-01-01T00:00:00.000001Z', parent_uuid: 'root', metadata: null };
        ex.onEvent({ ...base, kind: 'scope', scope_category: 'start', category: 'agent', uuid: 'a', name: 'interrupted', metadata: { session_id: 'sig' } });
        ${appHandler ? "process.on('SIGINT', () => process.exit(7));" : ''}
        setInterval(() => {}, 1000);
        process.stdout.write('ready\\n');
      `;
      const child = spawn(process.execPath, ['--conditions=nemo-flow-src', '--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const ready = new Promise<void>((r) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('ready')) r();
        });
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) =>
        child.on('exit', (code, signal) => r({ code, signal, stderr })),
      );
      // A child that dies before it is ready fails the test with its stderr instead of a timeout.
      const early = exited.then((e) => Promise.reject(new Error(`child exited before ready (${e.code ?? e.signal}): ${e.stderr}`)));
      return { child, exited, ready: Promise.race([ready, early]) };
    }

    it('Ctrl-C (SIGINT) writes the open run as a valid partial trajectory, then ends the process by the signal', async function () {
      this.timeout(20_000);
      const { child, exited, ready } = openRunChild(false);
      await ready;
      child.kill('SIGINT');
      const r = await exited;
      assert.equal(r.signal, 'SIGINT', `exit code ${r.code}: ${r.stderr}`);
      assert.deepEqual(readdirSync(dir), ['trajectory-sig.json'], 'no temporary files left');
      const t = read(join(dir, 'trajectory-sig.json'));
      assert.deepEqual(validateTrajectory(t), []);
      assert.match(t.notes!, /Partial trajectory: The process received SIGINT while the run was still open\./);
    });

    it('a SIGINT the application handles is left to it; its process.exit() still writes the run', async function () {
      this.timeout(20_000);
      const { child, exited, ready } = openRunChild(true);
      await ready;
      child.kill('SIGINT');
      const r = await exited;
      assert.equal(r.code, 7, r.stderr);
      assert.match(read(join(dir, 'trajectory-sig.json')).notes!, /The process exited while the run was still open\./);
    });
  });

  it('releases run state as runs end (many sequential runs)', async () => {
    const exporter = new AtifExporter({ dir });
    for (let i = 0; i < 50; i++) {
      const log = new EventLog();
      const run = log.agent('a', null, { metadata: { session_id: `r${i}` } });
      const t = log.tool(run, 'f', { i }, null);
      log.end(t, i);
      log.end(run);
      feed(exporter, log.events);
      assert.equal(exporter.openRuns, 0);
    }
    await exporter.shutdown();
    assert.equal(readdirSync(dir).length, 50);
  });
});
