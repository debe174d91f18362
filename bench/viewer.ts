/// <reference lib="dom" />
/**
 * `nemo-flow view` on a big run: 100,000 ATOF events (20 concurrent agent runs of LLM and tool
 * calls with chat messages, usage and cost). Measures the CLI's report time, the HTML size, the time
 * Debian's chromium takes to open the file (navigation start → first render), and the median and slowest
 * step while scrolling the tree from top to bottom.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Writes `events` ATOF events and returns the file path. */
export function writeBigRun(dir: string, events = 100_000): string {
  const lines: string[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  const ts = (us: number): string => new Date(t0 + Math.floor(us / 1000)).toISOString().replace('Z', `${String(us % 1000).padStart(3, '0')}Z`);
  const base = { atof_version: '0.1', data_schema: null, metadata: null, attributes: [] as string[] };
  const runs = 20;
  let n = 0;
  let id = 0;
  const uuid = (): string => `0190a000-0000-7000-8000-${String(++id).padStart(12, '0')}`;
  const perRun = Math.floor(events / runs);
  for (let r = 0; r < runs && n < events; r++) {
    const root = uuid();
    let t = r * 1000;
    lines.push(
      JSON.stringify({
        ...base,
        kind: 'scope',
        scope_category: 'start',
        uuid: root,
        parent_uuid: null,
        timestamp: ts(t),
        name: `agent-${r}`,
        category: 'agent',
        data: { task: `task ${r}` },
        category_profile: null,
      }),
    );
    n++;
    let made = 2;
    for (let i = 0; made + 4 <= perRun; i++) {
      const llm = uuid();
      const messages = [
        { role: 'system', text: 'You are a helpful agent.' },
        { role: 'user', text: `Step ${i}: look up item ${i} and report.` },
      ];
      lines.push(
        JSON.stringify({
          ...base,
          kind: 'scope',
          scope_category: 'start',
          uuid: llm,
          parent_uuid: root,
          timestamp: ts((t += 50)),
          name: 'openai.chat',
          category: 'llm',
          data: null,
          category_profile: {
            model_name: 'gpt-4o-mini',
            annotated_request: { provider_format: 'openai-chat', model: 'gpt-4o-mini', messages, params: { temperature: 0 }, extra: {} },
          },
        }),
      );
      const usage = { input_tokens: 900 + i, output_tokens: 40, cache_read_tokens: 512 };
      lines.push(
        JSON.stringify({
          ...base,
          kind: 'scope',
          scope_category: 'end',
          uuid: llm,
          parent_uuid: root,
          timestamp: ts((t += 900)),
          name: 'openai.chat',
          category: 'llm',
          status: 'ok',
          data: null,
          category_profile: {
            model_name: 'gpt-4o-mini',
            annotated_response: {
              provider_format: 'openai-chat',
              text: '',
              tool_calls: [{ id: `c${i}`, name: 'lookup', arguments: { item: i } }],
              finish_reason: 'tool_calls',
              usage,
            },
            cost: { total_usd: 0.0001, priced: true },
          },
        }),
      );
      const tool = uuid();
      lines.push(
        JSON.stringify({
          ...base,
          kind: 'scope',
          scope_category: 'start',
          uuid: tool,
          parent_uuid: root,
          timestamp: ts((t += 10)),
          name: 'lookup',
          category: 'tool',
          data: { item: i },
          category_profile: { tool_call_id: `c${i}` },
        }),
      );
      const failed = i % 97 === 0;
      lines.push(
        JSON.stringify({
          ...base,
          kind: 'scope',
          scope_category: 'end',
          uuid: tool,
          parent_uuid: root,
          timestamp: ts((t += 200)),
          name: 'lookup',
          category: 'tool',
          status: failed ? 'error' : 'ok',
          ...(failed ? { error: { type: 'Error', message: 'not found' } } : {}),
          data: failed ? null : { item: i, value: 'x'.repeat(40) },
          category_profile: { tool_call_id: `c${i}` },
        }),
      );
      made += 4;
      n += 4;
    }
    lines.push(
      JSON.stringify({
        ...base,
        kind: 'scope',
        scope_category: 'end',
        uuid: root,
        parent_uuid: null,
        timestamp: ts(t + 10),
        name: `agent-${r}`,
        category: 'agent',
        status: 'ok',
        data: null,
        category_profile: null,
      }),
    );
    n++;
  }
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Runs the viewer workload; returns a markdown table (or a line saying why it could not run). */
export async function runViewer(cliBin: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'nf-bench-view-'));
  try {
    const file = writeBigRun(dir);
    const events = 100_000;
    const t = performance.now();
    const html = join(dir, 'report.html');
    execFileSync(process.execPath, [cliBin, 'view', file, '--out', html], { stdio: 'ignore' });
    const cliMs = performance.now() - t;
    const sizeMb = statSync(html).size / 1e6;
    const eventsMb = statSync(file).size / 1e6;
    const rows = [
      ['measure', 'value'],
      ['---', '---'],
      ['events', `${events.toLocaleString('en-US')} (${eventsMb.toFixed(1)} MB JSONL)`],
      ['`nemo-flow view` (whole CLI process)', `${cliMs.toFixed(0)} ms`],
      ['HTML report size', `${sizeMb.toFixed(1)} MB`],
    ];
    if (!existsSync(CHROMIUM)) {
      rows.push(['browser open / scroll', `not measured: ${CHROMIUM} is missing (apt-get install -y chromium)`]);
      return rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const opens: number[] = [];
      let steps: number[] = [];
      for (let i = 0; i < 3; i++) {
        const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        await page.goto(pathToFileURL(html).href);
        await page.waitForFunction(() => (window as unknown as { __nfReady?: number }).__nfReady !== undefined, undefined, { timeout: 60_000 });
        opens.push(await page.evaluate(() => (window as unknown as { __nfReady: number }).__nfReady));
        if (i === 0) {
          // Scroll the first run's tree top to bottom in 60 steps; the slowest step is the stall a user would feel.
          steps = await page.evaluate(async () => {
            const el = document.getElementById('scroller')!;
            const out: number[] = [];
            for (let s = 1; s <= 60; s++) {
              const start = performance.now();
              el.scrollTop = (el.scrollHeight * s) / 60;
              await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
              out.push(performance.now() - start);
            }
            return out;
          });
        }
        await page.close();
      }
      opens.sort((a, b) => a - b);
      rows.push(['open in chromium (navigation → first render, median of 3)', `${opens[1]!.toFixed(0)} ms`]);
      steps.sort((a, b) => a - b);
      rows.push([
        'scroll step, median / slowest of 60 (each includes 2 animation frames, ≈33 ms)',
        `${steps[30]!.toFixed(1)} ms / ${steps[59]!.toFixed(1)} ms`,
      ]);
    } finally {
      await browser.close();
    }
    return rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
