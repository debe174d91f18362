import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AtofFileExporter,
  ConsoleExporter,
  ScopeType,
  deregisterSubscriber,
  llmCallExecute,
  mark,
  registerSubscriber,
  toolCallExecute,
  withScope,
} from '@nemo-flow/runtime';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(exporter: ConsoleExporter | AtofFileExporter): Promise<void> {
  registerSubscriber('sink-under-test', exporter);
  try {
    await withScope('agent', ScopeType.Agent, async () => {
      await toolCallExecute('ok-tool', { q: 1 }, () => ({ hits: 2 }));
      await toolCallExecute('bad-tool', {}, () => {
        throw new Error('boom');
      }).catch(() => {});
      await llmCallExecute('llm', { headers: {}, content: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } }, () => ({
        id: 'r',
        choices: [{ index: 0, message: { role: 'assistant', content: 'yo' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
      }));
    });
  } finally {
    deregisterSubscriber('sink-under-test');
  }
}

describe('ConsoleExporter', () => {
  it('prints an indented tree with durations, errors and token counts; no colors off a TTY', async () => {
    const out = new Capture(false);
    await run(new ConsoleExporter({ stream: out }));
    const lines = out.text.trim().split('\n');
    assert.match(lines[0]!, /^▶ agent agent$/);
    assert.match(out.text, /\n  ✔ tool ok-tool \d+(\.\d+)?(µs|ms) \{"hits":2\}\n/);
    assert.match(out.text, /\n  ✖ tool bad-tool .* Error: boom\n/);
    assert.match(out.text, /\n  ✔ llm llm .* tokens 7→3\n/);
    assert.match(lines.at(-1)!, /^✔ agent agent \d/);
    assert.ok(!out.text.includes('\x1b['), 'no ANSI codes off a TTY');
  });

  it('colors on a TTY, errors in red, unless NO_COLOR is set', async () => {
    const tty = new Capture(true);
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    await run(new ConsoleExporter({ stream: tty }));
    assert.match(tty.text, /\x1b\[31m✖\x1b\[0m/);
    process.env.NO_COLOR = '1';
    const plain = new Capture(true);
    await run(new ConsoleExporter({ stream: plain }));
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
    assert.ok(!plain.text.includes('\x1b['));
  });
});

describe('AtofFileExporter', () => {
  it('writes one JSON event per line; overwrite truncates, append keeps; flush makes everything durable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-atof-'));
    const path = join(dir, 'nested', 'events.jsonl');
    const first = new AtofFileExporter({ path, mode: 'overwrite' });
    await run(first);
    await first.forceFlush();
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 8);
    assert.deepEqual(
      lines.map((e) => e.scope_category),
      ['start', 'start', 'end', 'start', 'end', 'start', 'end', 'end'],
    );
    assert.equal(lines[4].error.message, 'boom');
    await first.shutdown();
    const second = new AtofFileExporter({ path }); // append is the default
    await run(second);
    await second.shutdown();
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 16);
    const third = new AtofFileExporter({ path, mode: 'overwrite' });
    registerSubscriber('third', third);
    mark('only');
    deregisterSubscriber('third');
    await third.shutdown();
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).name, 'only');
  });

  it('past maxBufferBytes lines are written synchronously (overflow "block"), in order, and none is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-atof-'));
    const path = join(dir, 'events.jsonl');
    const exp = new AtofFileExporter({ path, maxBufferBytes: 2_000 });
    registerSubscriber('hwm', exp);
    try {
      for (let i = 0; i < 300; i++) mark(`m${i}`, { data: { i } });
      // Synchronous burst: without the bound nothing would be on disk before the next turn.
      assert.ok(readFileSync(path, 'utf8').length > 0, 'the burst was written synchronously');
    } finally {
      deregisterSubscriber('hwm');
      await exp.shutdown();
    }
    const names = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).name);
    assert.deepEqual(
      names,
      Array.from({ length: 300 }, (_, i) => `m${i}`),
    );
  });

  it('an unwritable path is a clear error at construction; bad options are named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-atof-'));
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    assert.throws(() => new AtofFileExporter({ path: join(blocker, 'events.jsonl') }), /AtofFileExporter: cannot open .*a-file\/events\.jsonl for writing/);
    assert.throws(() => new AtofFileExporter({ path: '' }), /path must be a non-empty string/);
    assert.throws(
      () => new AtofFileExporter({ path: join(dir, 'x.jsonl'), mode: 'truncate' as never }),
      /mode must be "append" or "overwrite", got "truncate"/,
    );
  });

  it('loses nothing on a normal exit without shutdown (a child process)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-atof-'));
    const path = join(dir, 'events.jsonl');
    const script = `
      import { AtofFileExporter, registerSubscriber, mark } from '@nemo-flow/runtime';
      registerSubscriber('atof', new AtofFileExporter({ path: ${JSON.stringify(path)} }));
      for (let i = 0; i < 500; i++) mark('m' + i);
    `;
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=nemo-flow-src', '--input-type=module', '-e', script], { cwd: process.cwd() });
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 500);
    assert.equal(JSON.parse(lines[499]!).name, 'm499');
  });

  it('writes what is buffered before a SIGTERM ends the process, which still ends by the signal (a child process)', async function () {
    this.timeout(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'nf-atof-'));
    const path = join(dir, 'events.jsonl');
    // The child buffers 500 events and then stays busy, so the signal arrives before any background write.
    const script = `
      import { AtofFileExporter, registerSubscriber, mark } from '@nemo-flow/runtime';
      registerSubscriber('atof', new AtofFileExporter({ path: ${JSON.stringify(path)} }));
      process.stdout.write('ready\\n');
      for (let i = 0; i < 500; i++) mark('m' + i);
      const until = Date.now() + 1500;
      while (Date.now() < until);
      setInterval(() => {}, 1000); // a late signal still finds the process alive
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=nemo-flow-src', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    await new Promise<void>((r) => child.stdout!.on('data', (d: Buffer) => String(d).includes('ready') && r()));
    child.kill('SIGTERM');
    const r = await exited;
    assert.equal(r.signal, 'SIGTERM', `exit code ${r.code}: ${stderr}`);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 500);
    assert.equal(JSON.parse(lines[499]!).name, 'm499');
  });
});
