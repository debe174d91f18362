/**
 * The shared smoke suite (test/runtimes/smoke.mjs) on every supported runtime: Node 20, 22 and 24,
 * Bun, Deno, and Cloudflare Workers (workerd through miniflare, `nodejs_compat`). Each runs as a
 * child process against the built packages (dist), sending spans to one OTLP receiver on 127.0.0.1;
 * the Worker gets an esbuild bundle. Runtimes come from scripts/runtimes.mjs (npm packages cached in
 * .runtimes/); one that cannot be installed fails its tests, naming what to install.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './support/otlp-receiver.js';

const root = join(__dirname, '..');
const dir = join(root, 'test', 'runtimes');
const RUNS = 50;
const RUNTIMES = ['node20', 'node22', 'node24', 'bun', 'deno', 'workerd'] as const;
type Runtime = (typeof RUNTIMES)[number];

interface FlushResult {
  settled: boolean;
  delivered: number;
  lost: number;
  pending: number;
  spans: number;
  trajectories: number;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a child to its end (killed after `timeoutMs`: a hang is a failure, not a wait). */
function run(cmd: string, args: string[], timeoutMs: number): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The executable(s) of a runtime, installed on demand; throws naming what to install. */
async function ensure(name: Runtime): Promise<string[]> {
  if (name === 'node20' && process.versions.node.startsWith('20.')) return [process.execPath];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'scripts', 'runtimes.mjs'), 'ensure', name]);
    return stdout.trim().split('\n');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`${name} is not installed and could not be: run \`node scripts/runtimes.mjs ensure ${name}\` (${why})`);
  }
}

/** How each runtime runs one of the scripts in test/runtimes (`bundle`: the Worker's esbuild output). */
function command(name: Runtime, exe: string[], script: string, args: string[]): [string, string[]] {
  const target = resolve(dir, script);
  if (name === 'deno') return [exe[0], ['run', '--allow-all', '--quiet', target, ...args]];
  if (name === 'workerd') return [exe[0], [join(dir, 'miniflare-driver.mjs'), exe[1], target, JSON.stringify(args[0] ?? {})]];
  return [exe[0], [target, ...args]];
}

const tmp = mkdtempSync(join(tmpdir(), 'nf-runtimes-'));

/**
 * Bundles a Worker entry the way a Workers build does: one ESM file, built-ins left to nodejs_compat.
 * `require('zlib')` in CommonJS dependencies cannot stay a require in an ES module, so each required
 * built-in is imported at the top of the bundle and handed out from a table.
 */
async function bundleWorker(entry: string): Promise<string> {
  const out = join(tmp, entry);
  const builtin = new RegExp(`^(node:)?(${builtinModules.join('|')})(/.*)?$`);
  const required = new Set<string>();
  const result = await build({
    entryPoints: [join(dir, entry)],
    outfile: out,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'import', 'default'],
    mainFields: ['module', 'main'],
    plugins: [
      {
        name: 'node-builtins',
        setup(b) {
          b.onResolve({ filter: builtin }, (args) => {
            const name = args.path.replace(/^node:/, '');
            if (args.kind !== 'require-call') return { path: `node:${name}`, external: true };
            required.add(name);
            return { path: name, namespace: 'required-builtin' };
          });
          b.onLoad({ filter: /.*/, namespace: 'required-builtin' }, (args) => ({
            contents: `module.exports = globalThis.__requiredBuiltins[${JSON.stringify(args.path)}];`,
            loader: 'js',
          }));
        },
      },
    ],
    logLevel: 'silent',
  });
  const names = [...required];
  const head = names.map((n, i) => `import * as __b${i} from 'node:${n}';`).join('\n');
  const table = `globalThis.__requiredBuiltins = {${names.map((n, i) => `${JSON.stringify(n)}: __b${i}.default ?? __b${i}`).join(', ')}};`;
  writeFileSync(out, `${head}\n${table}\n${result.outputFiles[0]!.text}`);
  return out;
}

describe('runtimes: the smoke suite on Node 20/22/24, Bun, Deno and Workers', function () {
  // Installing a runtime the first time fetches it from npm; later runs find it in .runtimes/.
  this.timeout(120_000);
  let receiver: OtlpReceiver;
  const smoke = new Map<Runtime, Promise<Ran>>();
  const importOnly = new Map<Runtime, Promise<Ran>>();
  const resources = new Map<Runtime, Promise<Ran>>();

  before(async () => {
    receiver = await startOtlpReceiver();
    const bundles = Promise.all([bundleWorker('worker.mjs'), bundleWorker('import-only-worker.mjs')]);
    // Every runtime at once: each is mostly waiting on its children, and the suite's time is the slowest one's.
    for (const name of RUNTIMES) {
      const exe = ensure(name);
      const smokeRun = (async () => {
        const bin = await exe;
        const [smokeScript] = name === 'workerd' ? await bundles : ['node-entry.mjs'];
        // `auto` picks fetch on Bun, Deno and Workers and node:http on Node; Node 22 takes fetch explicitly.
        const exporterOptions = name === 'node22' ? { transport: 'fetch' } : {};
        const args =
          name === 'workerd'
            ? [{ endpoint: receiver.url, serviceName: `smoke-${name}`, exporterOptions }]
            : [receiver.url, `smoke-${name}`, JSON.stringify(exporterOptions)];
        const [cmd, argv] = command(name, bin, smokeScript, args as string[]);
        return run(cmd, argv, 60_000);
      })();
      smokeRun.catch(() => {});
      smoke.set(name, smokeRun);
      const importRun = (async () => {
        const bin = await exe;
        const script = name === 'workerd' ? (await bundles)[1] : 'import-only.mjs';
        const [cmd, argv] = command(name, bin, script, []);
        return run(cmd, argv, 30_000);
      })();
      importRun.catch(() => {});
      importOnly.set(name, importRun);
      if (name !== 'workerd') {
        const resourcesRun = (async () => {
          const [cmd, argv] = command(name, await exe, 'import-resources.mjs', []);
          return run(cmd, argv, 30_000);
        })();
        resourcesRun.catch(() => {});
        resources.set(name, resourcesRun);
      }
    }
    await Promise.allSettled([...smoke.values(), ...importOnly.values(), ...resources.values()]);
  });

  after(async () => {
    await receiver?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const name of RUNTIMES) {
    describe(name, () => {
      it('keeps 50 concurrent runs isolated, blocks with a guardrail and flushes every span to OTLP', async () => {
        const ran = await smoke.get(name)!;
        assert.equal(ran.code, 0, `${name} exited ${ran.code}\nstdout:\n${ran.stdout}\nstderr:\n${ran.stderr}`);
        const lastLine = ran.stdout.trim().split('\n').at(-1) ?? '';
        const result = JSON.parse(lastLine) as {
          problems: string[];
          events: number;
          mixed: number;
          blocked: number;
          consoleRuns: number;
          flush: FlushResult;
          trajectories: number;
          validTrajectories: number;
          atofLines: number;
          fileSinkError: string | null;
          exported: number;
          dropped: number;
        };
        assert.deepEqual(result.problems, [], 'scope stacks stay per run across awaits');
        assert.equal(result.mixed, 0, 'no event lands under another run');
        assert.equal(result.blocked, RUNS, 'the guardrail blocks the forbidden tool in every run');
        assert.equal(result.consoleRuns, RUNS, 'the console exporter printed every run');
        // Outputs without files: flush() waited for every trajectory's (async) store and every ATOF line.
        assert.equal(result.trajectories, RUNS, 'one ATIF trajectory per run, handed to onTrajectory');
        assert.equal(result.validTrajectories, RUNS, 'every trajectory valid, with steps');
        assert.equal(result.atofLines, result.events, 'every event written to the ATOF WritableStream');
        if (name === 'workerd') assert.match(result.fileSinkError ?? '', /onTrajectory/, 'a file sink on Workers fails at construction, naming onTrajectory');
        else assert.equal(result.fileSinkError, null);
        assert.equal(result.dropped, 0);
        // flush() delivered everything: the spans were at the receiver when it resolved.
        assert.equal(result.flush.settled, true, 'flush() settled within its timeout');
        assert.equal(result.flush.lost, 0);
        assert.equal(result.flush.pending, 0);
        assert.ok(result.flush.spans >= 4 * RUNS, `flush() delivered ${result.flush.spans} spans`);
        assert.equal(result.flush.trajectories, RUNS, 'flush() counted every trajectory delivered');
        const spans = receiver.spans().filter((s) => s.resource['service.name'] === `smoke-${name}`);
        assert.equal(spans.length, result.flush.spans, 'every span flush() counted as delivered arrived');
        for (let i = 0; i < RUNS; i++) {
          const mine = spans.filter((s) => new RegExp(`-${i}$`).test(s.name) || s.attributes['nemo_flow.scope.name'] === `chat-${i}`);
          const rootSpan = spans.find((s) => s.name.endsWith(` run-${i}`) || s.name === `run-${i}`);
          assert.ok(rootSpan, `${name}: the span of run-${i} arrived (got ${spanNames(spans)})`);
          for (const s of mine) assert.equal(s.traceId, rootSpan.traceId, `${name}: ${s.name} is in run-${i}'s trace`);
          assert.ok(mine.length >= 3, `${name}: run-${i} has its tool, stream and step spans (got ${mine.map((s) => s.name)})`);
        }
      });

      it('does nothing observable when only imported', async () => {
        const ran = await importOnly.get(name)!;
        assert.equal(ran.code, 0, `${name} exited ${ran.code} after ${ran.ms} ms (killed: kept alive?)\nstderr:\n${ran.stderr}`);
        // The Worker's driver prints the answer to its one request; the Worker itself prints nothing.
        assert.equal(ran.stdout, name === 'workerd' ? 'ok\n' : '');
        assert.equal(ran.stderr, '');
        const probe = resources.get(name);
        if (probe) {
          // Timers, sockets, file requests or child processes left by an import would be listed here.
          const listed = await probe;
          assert.equal(listed.code, 0, `${name}: ${listed.stderr}`);
          const busy = (JSON.parse(listed.stdout) as string[] | null) ?? [];
          const started = busy.filter((r) => !/^(TTYWrap|PipeWrap|CloseReq)$/.test(r) && !r.startsWith('Signal'));
          assert.deepEqual(started, [], `${name}: importing left ${busy.join(', ')}`);
        }
      });
    });
  }
});

const spanNames = (spans: ReceivedSpan[]): string =>
  spans
    .slice(0, 8)
    .map((s) => s.name)
    .join(', ');
