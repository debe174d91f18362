/// <reference lib="dom" />
/**
 * `nemo-flow view` in a real browser (Debian chromium via playwright-core): the demo's report from
 * file://, and `--serve` updating live as events are appended.
 */
import { strict as assert } from 'node:assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';

const run = promisify(execFile);
const bin = join(process.cwd(), 'packages', 'cli', 'dist', 'bin.js');
const env = (): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1' };
  delete e.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete e.NEMO_FLOW_CONFIG;
  return e;
};
/** Screenshots land here (git-ignored); docs/images/report.png is a copy of one. */
const OUTPUT = join(process.cwd(), 'test-output', 'viewer');

describe('nemo-flow view (browser)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let close: () => Promise<void>;
  let out: string;
  let page: Page;

  before(async () => {
    ({ browser, close } = await launchBrowser());
    out = mkdtempSync(join(tmpdir(), 'nf-view-'));
    const { stdout } = await run(process.execPath, [bin, 'demo', '--quiet', '--out', out], { env: env() });
    assert.match(stdout, new RegExp(`report: ${join(out, 'report.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
  after(async () => {
    await close?.();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
  });
  afterEach(async () => {
    await page.close();
  });

  it("the demo's report from file://: the run, the tree, the failing tool, the nested sub-agent; an LLM call as a chat; search", async () => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(join(out, 'report.html')).href;
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __nfReady?: number }).__nfReady !== undefined);
    assert.deepEqual(requests, [url], 'the page fetches nothing');

    // The run with its totals.
    const runText = await page.locator('.run').first().innerText();
    assert.match(runText, /research-agent/);
    assert.match(runText, /5 LLM/);
    assert.match(runText, /4 tools/);
    assert.match(runText, /1 error\b/);
    assert.match(runText, /\$0\.\d{4,6}/);

    // The tree: the failing tool in error, the sub-agent under the summarize tool.
    const failing = page.locator('.row.error', { hasText: 'fetch_page' });
    assert.equal(await failing.count(), 1);
    const depthOf = async (text: string, kind: string): Promise<number> =>
      Number(await page.locator(`.row[data-kind="${kind}"]`, { hasText: text }).first().getAttribute('data-depth'));
    assert.equal(await depthOf('research-agent', 'agent'), 0);
    assert.equal(await depthOf('summarize', 'tool'), 1);
    assert.equal(await depthOf('summarizer', 'agent'), 2);
    assert.equal(await page.locator('.row[data-kind="mark"]').count(), 2);

    // The failing tool's details: its error.
    await failing.click();
    assert.match(await page.locator('#details .errbox').innerText(), /Error: timeout after 10s fetching https:\/\/slow\.example\.org/);
    // The events file keeps the thrown error's stack, and the details show it.
    assert.match(await page.locator('#details .errbox pre').innerText(), /^Error: timeout after 10s[\s\S]*\n\s+at /);
    assert.match(page.url(), /#span=/, 'a deep link to the span');

    // An LLM call as a chat with its tokens and cost.
    await page.locator('.row[data-kind="llm"]').first().click();
    const details = page.locator('#details');
    assert.match(await details.locator('.msg.r-system').first().innerText(), /careful research assistant/);
    assert.match(await details.locator('.msg.r-user').first().innerText(), /health benefits of green tea/);
    assert.match(await details.locator('.msg.resp').innerText(), /web_search/);
    assert.match(await details.locator('.tokens').innerText(), /input[\s\S]*cached[\s\S]*output/);
    assert.match(await details.locator('.costbig').innerText(), /^\$0\.\d{6}$/);
    await page.screenshot({ path: (mkdirSync(OUTPUT, { recursive: true }), join(OUTPUT, 'report.png')) });

    // Deep link: reloading with the hash selects the same span.
    const selectedId = await page.locator('.row.sel').getAttribute('data-id');
    const fresh = await browser.newPage();
    await fresh.goto(`${url}#span=${encodeURIComponent(selectedId!)}`);
    assert.equal(await fresh.locator('.row.sel').getAttribute('data-id'), selectedId);
    await fresh.close();

    // Keyboard: down moves the selection to the next row.
    await page.keyboard.press('ArrowDown');
    assert.notEqual(await page.locator('.row.sel').getAttribute('data-id'), selectedId);

    // Search: only matching rows and their ancestors.
    await page.keyboard.press('/');
    await page.keyboard.type('fetch');
    const names = await page.locator('.row .label').allInnerTexts();
    assert.deepEqual(names, ['research-agent', 'fetch_page', 'fetch_page']);
    await page.fill('#search', '');
    await page.selectOption('#status', 'error');
    assert.deepEqual(await page.locator('.row .label').allInnerTexts(), ['research-agent', 'fetch_page']);
  });

  it('--serve: events appended while the page is open appear in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-serve-'));
    const file = join(dir, 'events.jsonl');
    const ev = (o: object): string =>
      JSON.stringify({ atof_version: '0.1', data_schema: null, metadata: null, attributes: [], category_profile: null, data: null, ...o }) + '\n';
    const t = (ms: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString().replace('Z', '000Z');
    writeFileSync(file, ev({ kind: 'scope', scope_category: 'start', uuid: 'r1', parent_uuid: null, timestamp: t(0), name: 'live-agent', category: 'agent' }));
    const child: ChildProcess = spawn(process.execPath, [bin, 'view', dir, '--serve', '--port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let text = '';
        child.stdout!.on('data', (c: Buffer) => {
          text += c.toString();
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
          if (m) ok(m[1]!);
        });
        child.once('exit', (code) => fail(new Error(`view --serve exited with ${code}: ${text}`)));
      });
      await page.goto(url);
      await page.locator('.row', { hasText: 'live-agent' }).waitFor();
      await page.locator('#live.on').waitFor();
      appendFileSync(
        file,
        ev({ kind: 'scope', scope_category: 'start', uuid: 't1', parent_uuid: 'r1', timestamp: t(5), name: 'appended_tool', category: 'tool', data: { q: 1 } }),
      );
      await page.locator('.row[data-kind="tool"]', { hasText: 'appended_tool' }).waitFor();
      appendFileSync(
        file,
        ev({
          kind: 'scope',
          scope_category: 'end',
          uuid: 't1',
          parent_uuid: 'r1',
          timestamp: t(9),
          name: 'appended_tool',
          category: 'tool',
          status: 'error',
          error: { type: 'Error', message: 'late failure' },
        }),
      );
      await page.locator('.row.error', { hasText: 'appended_tool' }).waitFor();
      assert.match(await page.locator('.run').first().innerText(), /1 tools/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('guardrail rejections and redactions show as such; a streamed call shows its time to first chunk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-guard-'));
    const ev = (o: object): string =>
      JSON.stringify({ atof_version: '0.1', data_schema: null, metadata: null, attributes: [], category_profile: null, data: null, parent_uuid: 'r', ...o });
    const t = (ms: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
    const request = { provider_format: 'openai-chat', model: 'm', messages: [{ role: 'user', text: 'mail me at [REDACTED:EMAIL]' }], params: {}, extra: {} };
    writeFileSync(
      join(dir, 'events.jsonl'),
      [
        ev({ kind: 'scope', scope_category: 'start', uuid: 'r', parent_uuid: null, timestamp: t(0), name: 'guarded', category: 'agent' }),
        ev({ kind: 'scope', scope_category: 'start', uuid: 'g', timestamp: t(1), name: 'delete_files', category: 'tool', data: { path: '/' } }),
        ev({
          kind: 'scope',
          scope_category: 'end',
          uuid: 'g',
          timestamp: t(2),
          name: 'delete_files',
          category: 'tool',
          status: 'error',
          error: { type: 'GuardrailRejectedError', message: 'destructive tool', guardrail: 'no-deletes' },
        }),
        ev({
          kind: 'scope',
          scope_category: 'start',
          uuid: 'l',
          timestamp: t(3),
          name: 'chat',
          category: 'llm',
          attributes: ['streaming'],
          category_profile: { model_name: 'm', annotated_request: request },
        }),
        ev({
          kind: 'scope',
          scope_category: 'end',
          uuid: 'l',
          timestamp: t(9),
          name: 'chat',
          category: 'llm',
          status: 'ok',
          category_profile: {
            model_name: 'm',
            annotated_response: { provider_format: 'openai-chat', text: 'ok', tool_calls: [], usage: { input_tokens: 9, output_tokens: 1 } },
            cost: { total_usd: 0, priced: false, note: 'no price for model "m"' },
            stream: { chunks: 3, completed: true },
            transport: { time_to_first_chunk_ms: 2.5 },
          },
        }),
        ev({ kind: 'scope', scope_category: 'end', uuid: 'r', parent_uuid: null, timestamp: t(10), name: 'guarded', category: 'agent', status: 'ok' }),
      ].join('\n') + '\n',
    );
    await run(process.execPath, [bin, 'view', dir], { env: env() });
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    const blocked = page.locator('.row.guard', { hasText: 'delete_files' });
    assert.equal(await blocked.locator('.badge').innerText(), 'BLOCKED');
    await blocked.click();
    assert.match(await page.locator('#details .guardbox').innerText(), /Rejected by guardrail “no-deletes”\s+destructive tool/);
    await page.locator('.row[data-kind="llm"]').click();
    assert.equal(await page.locator('#details mark.redacted').innerText(), '[REDACTED:EMAIL]');
    assert.match(await page.locator('#details').innerText(), /time to first chunk\s+2\.5ms/);
    assert.match(await page.locator('#details').innerText(), /not priced: no price for model "m"/);
  });

  it('an ATIF trajectory opens too (agent steps as LLM calls, tool calls under them)', async () => {
    const trajectory = join(out, 'trajectories', 'trajectory-demo-session.json');
    const { stdout } = await run(process.execPath, [bin, 'view', trajectory, '--out', join(out, 'traj.html')], { env: env() });
    assert.match(stdout, /report: .*traj\.html/);
    await page.goto(pathToFileURL(join(out, 'traj.html')).href);
    assert.ok((await page.locator('.row[data-kind="llm"]').count()) >= 4);
    assert.equal(await page.locator('.row.error[data-kind="tool"]', { hasText: 'fetch_page' }).count(), 1);
    const sub = page.locator('.row[data-kind="agent"]', { hasText: 'summarizer' });
    assert.equal(await sub.getAttribute('data-depth'), '3', 'the sub-agent trajectory nested under its tool call');
    assert.equal(await page.locator('.run').count(), 1, 'the sub-agent file is not a run of its own');
    assert.ok(readFileSync(join(out, 'traj.html'), 'utf8').includes('research-agent'));
  });
});

describe('nemo-flow view (arguments)', () => {
  const fails = async (args: string[]): Promise<{ code: number; stderr: string }> => {
    try {
      await run(process.execPath, [bin, 'view', ...args], { env: env() });
      return { code: 0, stderr: '' };
    } catch (err) {
      const e = err as { code: number; stderr: string };
      return { code: e.code, stderr: e.stderr };
    }
  };

  it('--open hands the report to the desktop opener', async () => {
    const bin2 = mkdtempSync(join(tmpdir(), 'nf-opener-'));
    const log = join(bin2, 'opened.txt');
    // Written aside and renamed, so the file appears whole (the redirect alone creates it empty first).
    writeFileSync(join(bin2, 'xdg-open'), `#!/bin/sh\necho "$1" > ${log}.tmp && mv ${log}.tmp ${log}\n`, { mode: 0o755 });
    const dir = mkdtempSync(join(tmpdir(), 'nf-open-'));
    writeFileSync(join(dir, 'events.jsonl'), '');
    await run(process.execPath, [bin, 'view', dir, '--open'], { env: { ...env(), PATH: `${bin2}:${process.env.PATH}` } });
    const deadline = Date.now() + 5_000;
    while (!existsSync(log) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20)); // the opener runs detached
    assert.equal(readFileSync(log, 'utf8').trim(), join(dir, 'report.html'));
  });

  it('bad input is a clear error naming the argument', async () => {
    assert.deepEqual(await fails([]).then((r) => [r.code, /expected one PATH, got 0/.test(r.stderr)]), [2, true]);
    const missing = await fails(['/nonexistent/events.jsonl']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /PATH "\/nonexistent\/events.jsonl" does not exist/);
    const port = await fails([mkdtempSync(join(tmpdir(), 'nf-empty-')), '--port', '80']);
    assert.match(port.stderr, /--port needs --serve/);
    const bad = await fails([tmpdir(), '--serve', '--port', 'x']);
    assert.match(bad.stderr, /--port must be an integer from 0 to 65535, got "x"/);
    const dir = mkdtempSync(join(tmpdir(), 'nf-badtraj-'));
    writeFileSync(join(dir, 'trajectory.json'), '{"not":"atif"}');
    assert.match((await fails([join(dir, 'trajectory.json')])).stderr, /trajectory\.json: not an ATIF trajectory/);
  });
});
