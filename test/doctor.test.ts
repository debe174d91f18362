/**
 * `nemo-flow doctor` run as the real bin in a child process, against a live loopback OTLP
 * receiver, a dead port, a wrong endpoint path and a read-only output folder.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';

const bin = join(process.cwd(), 'packages', 'cli', 'bin', 'nemo-flow.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The doctor with a clean environment plus `env`, in `cwd`. */
function doctor(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('OTEL_') && !k.startsWith('NEMO_FLOW') && k !== 'NODE_OPTIONS') base[k] = v;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'doctor', ...args], { cwd, env: { ...base, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

interface Json {
  problems: { problem: string; fix: string }[];
  checks: { check: string; ok: boolean; detail: string }[];
  diagnostics: { exporters: Record<string, Record<string, unknown>>; subscribers: { name: string }[] } | null;
}

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('nemo-flow doctor', function () {
  this.timeout(60_000);
  let receiver: OtlpReceiver;
  let cwd: string;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'nf-doctor-'));
  });
  afterEach(() => {
    chmodSync(cwd, 0o755);
    rmSync(cwd, { recursive: true, force: true });
  });

  it('finds no problem with a live OTLP receiver and a writable folder, and exits 0', async () => {
    const r = await doctor(['--json'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, cwd);
    const out = JSON.parse(r.stdout) as Json;
    assert.deepEqual(out.problems, [], r.stdout);
    assert.equal(r.code, 0);
    const otlp = out.checks.find((c) => c.check.includes('OTLP endpoint'))!;
    assert.equal(otlp.ok, true);
    assert.match(otlp.detail, /HTTP 200/);
    assert.equal(out.diagnostics!.exporters['exporter-otel']!['endpoint'], receiver.tracesUrl);
    assert.ok(out.checks.some((c) => c.check.includes('folder') && c.ok));
    assert.ok(out.diagnostics!.subscribers.length > 0);
  });

  it('says nothing answers on a dead port, with what to do, and exits 1', async () => {
    const port = await deadPort();
    const r = await doctor([], { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` }, cwd);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`OTLP endpoint http://127\\.0\\.0\\.1:${port}/v1/traces does not answer: ECONNREFUSED`));
    assert.match(r.stdout, /fix: start the collector/);
    assert.match(r.stdout, /1 problem\(s\)/); // the configuration's own reachability warning is not repeated
  });

  it('names the path when the endpoint answers 404 (a traces endpoint without /v1/traces)', async () => {
    const r = await doctor(['--json'], { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/traces` }, cwd);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as Json;
    assert.match(out.problems[0]!.problem, /answered 404/);
    assert.match(out.problems[0]!.fix, /\/v1\/traces/);
  });

  it('reports a sampler that records nothing', async () => {
    const r = await doctor(['--json'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'always_off' }, cwd);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as Json;
    assert.deepEqual(
      out.problems.map((p) => p.problem),
      ['OTEL_TRACES_SAMPLER=always_off: no span is recorded'],
    );
  });

  it('reports a read-only output folder, naming it, and exits 1', async () => {
    const out = join(cwd, 'out');
    mkdirSync(out);
    // Root ignores permission bits: there the folder is made unusable by being a file instead.
    let target = out;
    if (process.getuid?.() === 0) {
      writeFileSync(join(out, 'file'), '');
      target = join(out, 'file', 'sub');
    } else chmodSync(out, 0o555);
    const config = join(cwd, 'nemo-flow.json');
    writeFileSync(config, JSON.stringify({ version: 1, components: [{ kind: 'observability', config: { output_dir: target, atof: true } }] }));
    const r = await doctor([], { NEMO_FLOW_CONFIG: config }, cwd);
    chmodSync(out, 0o755);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(target), r.stdout);
    assert.match(r.stdout, /not writable|cannot be created/);
    assert.match(r.stdout, /fix: make the output folder writable/);
  });

  it('rejects a bad --timeout, naming it', async () => {
    const r = await doctor(['--timeout', 'soon'], {}, cwd);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--timeout must be a positive whole number of milliseconds, got soon/);
  });
});
