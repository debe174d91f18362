/** AtofFileExporter under a slow reader, a full disk and short writes: bounded memory, nothing torn, losses counted. ConsoleExporter options. */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtofFileExporter, ConsoleExporter, deregisterSubscriber, mark, registerSubscriber } from '@nemo-flow/runtime';
import { collectFailures, tick } from './helpers.js';

/**
 * A child process reading a FIFO: `paceMs` between 16 KiB reads, and (when `wait`) nothing at all
 * until it reads a line on stdin. At EOF it prints how many lines it got and how many were not JSON.
 */
function fifoReader(
  fifo: string,
  opts: { paceMs: number; wait: boolean },
): { child: ChildProcess; result: Promise<{ lines: number; bad: number; bytes: number }> } {
  const script = `
    const fs = require('node:fs');
    const fd = fs.openSync(${JSON.stringify(fifo)}, 'r');
    let rest = '', lines = 0, bad = 0, bytes = 0;
    const buf = Buffer.alloc(16384);
    const take = (s) => { for (const l of s) { lines++; try { JSON.parse(l); } catch { bad++; } } };
    const step = () => fs.read(fd, buf, 0, buf.length, null, (err, n) => {
      if (err) throw err;
      if (n === 0) { if (rest) take([rest]); process.stdout.write(JSON.stringify({ lines, bad, bytes })); return; }
      bytes += n;
      const parts = (rest + buf.toString('utf8', 0, n)).split('\\n');
      rest = parts.pop();
      take(parts);
      setTimeout(step, ${opts.paceMs});
    });
    if (${opts.wait}) process.stdin.once('data', step); else step();
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const result = new Promise<{ lines: number; bad: number; bytes: number }>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`reader exited with ${code}`))));
  });
  return { child, result };
}

const KB = 'x'.repeat(1000);

/** Runs a script in a child process under a file-size limit (`ulimit -f`, 1 KiB blocks): real short writes, then EFBIG. */
function underFileSizeLimit(blocks: number, script: string): Promise<string> {
  const node = [process.execPath, '--import', 'tsx', '--conditions=nemo-flow-src', '--input-type=module', '-e', script]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const child = spawn('bash', ['-c', `ulimit -f ${blocks}; exec ${node}`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}: ${err}`)))));
}

describe('AtofFileExporter: limits', () => {
  let dir: string;
  let failures: ReturnType<typeof collectFailures>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nf-atof-lim-'));
    failures = collectFailures();
  });
  afterEach(() => {
    failures.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('overflow "drop": a stalled FIFO reader keeps the buffer under maxBufferBytes; drops are counted; every written line is whole', async function () {
    this.timeout(30_000);
    const fifo = join(dir, 'events.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = fifoReader(fifo, { paceMs: 0, wait: true });
    const max = 1024 * 1024;
    const exp = new AtofFileExporter({ path: fifo, overflow: 'drop', maxBufferBytes: max });
    registerSubscriber('atof-drop', exp);
    const total = 32_000; // ~40 MB of lines against a 1 MiB bound and a reader that reads nothing yet
    let peak = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    try {
      for (let i = 0; i < total; i++) {
        mark(`m${i}`, { data: { i, pad: KB } });
        peak = Math.max(peak, exp.stats.bufferedBytes);
        if (i % 200 === 0) {
          await tick(); // lets the background write start (and block on the full pipe)
          heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        }
      }
    } finally {
      deregisterSubscriber('atof-drop');
    }
    const stalled = exp.stats;
    reader.child.stdin!.end('go\n');
    await exp.shutdown();
    const got = await reader.result;
    const s = exp.stats;
    console.log(
      `      [figures] drop: peak buffer ${peak} B (bound ${max}), heap growth ${((heapPeak - heapBefore) / 1e6).toFixed(1)} MB, written ${s.writtenLines}, dropped ${s.droppedLines}`,
    );
    assert.ok(peak <= max, `buffer peaked at ${peak} bytes`);
    assert.ok(heapPeak - heapBefore < 32e6, `heap grew by ${heapPeak - heapBefore} bytes`);
    assert.ok(stalled.droppedLines > total / 2, `dropped ${stalled.droppedLines}`);
    assert.equal(s.writtenLines + s.droppedLines, total);
    assert.equal(s.failedLines, 0);
    assert.deepEqual({ lines: got.lines, bad: got.bad }, { lines: s.writtenLines, bad: 0 });
    const dropped = failures.failures.find((f) => f.source.endsWith(':dropped'));
    assert.equal(dropped?.count, s.droppedLines);
    assert.match(dropped!.message, /dropped lines .* more than 1048576 bytes were waiting/);
    assert.ok(failures.failures.some((f) => f.source.endsWith(':lost') && /dropped/.test(String((f.firstError as Error).message))));
  });

  it('overflow "block" (default): a slow FIFO reader slows the writer down; the buffer stays bounded and nothing is lost', async function () {
    this.timeout(30_000);
    const fifo = join(dir, 'events.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = fifoReader(fifo, { paceMs: 1, wait: false });
    const max = 256 * 1024;
    const exp = new AtofFileExporter({ path: fifo, maxBufferBytes: max });
    registerSubscriber('atof-block', exp);
    const total = 6_000;
    let peak = 0;
    const started = Date.now();
    try {
      for (let i = 0; i < total; i++) {
        mark(`m${i}`, { data: { i, pad: KB } });
        peak = Math.max(peak, exp.stats.bufferedBytes);
        if (i % 500 === 0) await tick();
      }
    } finally {
      deregisterSubscriber('atof-block');
    }
    await exp.shutdown();
    const got = await reader.result;
    console.log(
      `      [figures] block: peak buffer ${peak} B (bound ${max}), ${(got.bytes / 1e6 / ((Date.now() - started) / 1000)).toFixed(1)} MB/s through the paced reader`,
    );
    assert.ok(peak <= max, `buffer peaked at ${peak} bytes`);
    assert.deepEqual(exp.stats, { writtenLines: total, droppedLines: 0, failedLines: 0, bufferedBytes: 0 });
    assert.deepEqual({ lines: got.lines, bad: got.bad }, { lines: total, bad: 0 });
  });

  it('a full device (ENOSPC, /dev/full): every line is counted as failed and reported', async function () {
    if (!existsSync('/dev/full')) this.skip();
    for (const overflow of ['block', 'drop'] as const) {
      failures.restore();
      failures = collectFailures();
      const exp = new AtofFileExporter({ path: '/dev/full', overflow });
      registerSubscriber('atof-full', exp);
      for (let i = 0; i < 10; i++) mark(`m${i}`);
      deregisterSubscriber('atof-full');
      await exp.shutdown();
      assert.deepEqual(exp.stats, { writtenLines: 0, droppedLines: 0, failedLines: 10, bufferedBytes: 0 });
      const f = failures.failures.find((x) => x.source === 'atof-file:/dev/full');
      assert.equal((f?.firstError as NodeJS.ErrnoException | undefined)?.code, 'ENOSPC');
      assert.match(f!.message, /could not write 10 line\(s\) to \/dev\/full/);
    }
  });

  for (const [overflow, mode] of [
    ['block', 'append'],
    ['drop', 'overwrite'],
  ] as const) {
    it(`short writes at a file-size limit (overflow "${overflow}", mode "${mode}"): no torn line, the rest counted as failed (a child process)`, async function () {
      this.timeout(20_000);
      const path = join(dir, 'events.jsonl');
      const script = `
        import { AtofFileExporter, registerSubscriber, deregisterSubscriber, mark, setFailureReporter } from '@nemo-flow/runtime';
        const seen = [];
        setFailureReporter((f) => seen.push(f.message + ': ' + f.firstError.code));
        const exp = new AtofFileExporter({ path: ${JSON.stringify(path)}, overflow: ${JSON.stringify(overflow)}, mode: ${JSON.stringify(mode)} });
        registerSubscriber('atof', exp);
        for (let i = 0; i < 40; i++) { mark('m' + i, { data: { pad: 'y'.repeat(300 + i) } }); if (i % 7 === 0) await new Promise((r) => setImmediate(r)); }
        deregisterSubscriber('atof');
        await exp.shutdown();
        process.stdout.write(JSON.stringify({ stats: exp.stats, seen }));
      `;
      const out = JSON.parse(await underFileSizeLimit(8, script)) as { stats: { writtenLines: number; failedLines: number }; seen: string[] };
      const text = readFileSync(path, 'utf8');
      assert.ok(text.length <= 8192 && text.length > 0);
      assert.ok(text.endsWith('\n'), 'the file ends on a whole line');
      const lines = text.slice(0, -1).split('\n');
      for (const l of lines) JSON.parse(l);
      assert.equal(lines.length, out.stats.writtenLines);
      assert.equal(out.stats.writtenLines + out.stats.failedLines, 40);
      assert.ok(out.stats.failedLines > 0);
      assert.ok(
        out.seen.some((m) => /could not write \d+ line\(s\).*EFBIG$/.test(m)),
        out.seen.join('\n'),
      );
    });
  }

  for (const mode of ['append', 'overwrite'] as const) {
    it(`after a cut-off line is removed, the next line that fits lands right after the last whole one (mode "${mode}", a child process)`, async function () {
      this.timeout(20_000);
      const path = join(dir, 'events.jsonl');
      const script = `
        import { AtofFileExporter, registerSubscriber, deregisterSubscriber, mark, setFailureReporter } from '@nemo-flow/runtime';
        setFailureReporter(() => {});
        const exp = new AtofFileExporter({ path: ${JSON.stringify(path)}, mode: ${JSON.stringify(mode)} });
        registerSubscriber('atof', exp);
        for (const [name, pad] of [['big', 6000], ['cut', 3000], ['small', 10]]) {
          mark(name, { data: { pad: 'y'.repeat(pad) } });
          await exp.forceFlush(); // one write each: 6.3 KB fits, the next only in part, the last one fits again
        }
        deregisterSubscriber('atof');
        await exp.shutdown();
        process.stdout.write(JSON.stringify(exp.stats));
      `;
      const stats = JSON.parse(await underFileSizeLimit(8, script)) as { writtenLines: number; failedLines: number };
      const text = readFileSync(path, 'utf8');
      assert.ok(!text.includes('\0'), 'no hole where the cut-off line was');
      assert.deepEqual(
        text
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l).name),
        ['big', 'small'],
      );
      assert.deepEqual([stats.writtenLines, stats.failedLines], [2, 1]);
    });
  }

  it('append mode after a torn last line starts on a fresh line', async () => {
    const path = join(dir, 'events.jsonl');
    writeFileSync(path, '{"kind":"mark","name":"whole"}\n{"kind":"mark","na');
    const exp = new AtofFileExporter({ path });
    registerSubscriber('atof-torn', exp);
    mark('after-1');
    mark('after-2');
    deregisterSubscriber('atof-torn');
    await exp.shutdown();
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.deepEqual(lines.slice(0, 2), ['{"kind":"mark","name":"whole"}', '{"kind":"mark","na']);
    assert.deepEqual(
      lines.slice(2, 4).map((l) => JSON.parse(l).name),
      ['after-1', 'after-2'],
    );
    assert.equal(lines[4], '');
  });

  it('construction touches no file: overwrite truncates on the first line, not before', async () => {
    const path = join(dir, 'sub', 'events.jsonl');
    const unused = new AtofFileExporter({ path, mode: 'overwrite' });
    await unused.shutdown();
    assert.equal(existsSync(join(dir, 'sub')), false, 'not even the folder was created');
    const kept = join(dir, 'kept.jsonl');
    writeFileSync(kept, 'old\n');
    const idle = new AtofFileExporter({ path: kept, mode: 'overwrite' });
    assert.equal(readFileSync(kept, 'utf8'), 'old\n');
    await idle.shutdown();
    assert.equal(readFileSync(kept, 'utf8'), 'old\n');
    const used = new AtofFileExporter({ path: kept, mode: 'overwrite' });
    registerSubscriber('atof-ow', used);
    mark('new');
    deregisterSubscriber('atof-ow');
    await used.shutdown();
    assert.equal(JSON.parse(readFileSync(kept, 'utf8')).name, 'new');
  });

  it('bad options are TypeErrors naming the option and what was expected', () => {
    const path = join(dir, 'e.jsonl');
    assert.throws(() => new AtofFileExporter(null as never), /AtofFileExporter: options must be an object with a path, got null/);
    assert.throws(() => new AtofFileExporter(42 as never), /AtofFileExporter: options must be an object, got 42/);
    assert.throws(() => new AtofFileExporter({ path: '' }), /AtofFileExporter: path must be a non-empty string, got ""/);
    for (const bad of [NaN, -1, 0, 1.5, Infinity, '1024'] as never[]) {
      assert.throws(
        () => new AtofFileExporter({ path, maxBufferBytes: bad }),
        (e: unknown) => e instanceof TypeError && /AtofFileExporter: maxBufferBytes must be a positive integer \(bytes\), got/.test(e.message),
      );
    }
    assert.throws(() => new AtofFileExporter({ path, overflow: 'wait' as never }), /AtofFileExporter: overflow must be "block" or "drop", got "wait"/);
    assert.throws(() => new AtofFileExporter({ path, mode: 'truncate' as never }), /AtofFileExporter: mode must be "append" or "overwrite", got "truncate"/);
  });
});

describe('ConsoleExporter: options', () => {
  it('payloadChars must be an integer ≥ 0: NaN, fractions, Infinity and strings are TypeErrors', () => {
    for (const bad of [NaN, -1, 2.5, Infinity, '80'] as never[]) {
      assert.throws(
        () => new ConsoleExporter({ payloadChars: bad }),
        (e: unknown) => e instanceof TypeError && /^ConsoleExporter: payloadChars must be a non-negative integer, got/.test(e.message),
      );
    }
    assert.doesNotThrow(() => new ConsoleExporter({ payloadChars: 0, color: false, stream: process.stderr }));
  });
});
