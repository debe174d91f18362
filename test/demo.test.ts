/** The main job: `npm run demo` as a user runs it (built CLI, no server), checked end to end. */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validateTrajectory } from '@nemo-flow/exporter-atif';
import { startOtlpReceiver } from './support/otlp-receiver.js';

const run = promisify(execFile);
const bin = join(process.cwd(), 'packages', 'cli', 'dist', 'bin.js');

describe('demo (main job)', () => {
  it('prints the tree and writes ATOF events and valid ATIF trajectories for the run and its sub-agent', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nf-demo-'));
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1' };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete env.NEMO_FLOW_CONFIG;
    const { stdout } = await run(process.execPath, [bin, 'demo', '--out', out], { env });
    assert.match(stdout, /▶ agent research-agent/);
    assert.match(stdout, /✖ tool fetch_page .*timeout after 10s/);
    assert.match(stdout, /▶ agent summarizer/);
    assert.match(stdout, /answer: Green tea is rich in catechins/);
    assert.match(stdout, /^■ agent research-agent done · .* · 5 LLM calls · 4 tool calls · 1 error · tokens \d+ in \/ \d+ out \/ \d+ cached · \$0\.\d{4}$/m);
    assert.ok(stdout.includes(`report: ${join(out, 'report.html')}\n`));

    const events = readFileSync(join(out, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byKind = (k: string) => events.filter((e) => e.kind === 'scope' && e.category === k && e.scope_category === 'end');
    assert.equal(byKind('agent').length, 2);
    assert.equal(byKind('llm').length, 5);
    assert.equal(byKind('tool').length, 4);
    assert.equal(byKind('tool').filter((e) => e.status === 'error').length, 1);
    assert.equal(events.filter((e) => e.kind === 'mark').length, 2);
    const stream = byKind('llm').find((e) => e.attributes.includes('streaming'));
    assert.equal(stream.category_profile.stream.completed, true);

    // Every LLM end event carries its cost (gpt-4o-mini is in the price table).
    const costs = byKind('llm').map((e) => e.category_profile.cost);
    assert.ok(costs.every((c) => c.priced === true && c.total_usd > 0 && c.price_key === 'gpt-4o-mini'));
    const total = costs.reduce((n, c) => n + c.total_usd, 0);

    const dir = join(out, 'trajectories');
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['trajectory-demo-session--summarizer-1.json', 'trajectory-demo-session.json']);
    for (const f of files) {
      const doc = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      assert.deepEqual(validateTrajectory(doc), [], `${f} must pass the ATIF rules`);
      for (const st of doc.steps) if (st.source === 'agent' && st.metrics) assert.ok(st.metrics.cost_usd > 0, 'per-step cost_usd');
    }
    const main = JSON.parse(readFileSync(join(dir, 'trajectory-demo-session.json'), 'utf8'));
    const sub = JSON.parse(readFileSync(join(dir, 'trajectory-demo-session--summarizer-1.json'), 'utf8'));
    assert.ok(
      Math.abs(main.final_metrics.total_cost_usd + sub.final_metrics.total_cost_usd - total) < 1e-12,
      'final_metrics.total_cost_usd adds up to the events',
    );
  });

  it('--otlp-endpoint ships the run as GenAI spans: one trace, the failing tool in error, the sub-agent nested', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const out = mkdtempSync(join(tmpdir(), 'nf-demo-'));
      await run(process.execPath, [bin, 'demo', '--quiet', '--out', out, '--otlp-endpoint', receiver.url], { env: { ...process.env, NODE_OPTIONS: '' } });
      const spans = await receiver.waitForSpans(11);
      assert.equal(new Set(spans.map((s) => s.traceId)).size, 1, 'one trace for the run');
      const byName = (n: string) => spans.filter((s) => s.name === n);
      const root = byName('invoke_agent research-agent')[0]!;
      assert.equal(root.parentSpanId, undefined);
      assert.equal(root.resource['service.name'], 'nemo-flow-demo');
      assert.equal(byName('chat gpt-4o-mini').length, 5);
      assert.ok(
        byName('chat gpt-4o-mini').every((s) => (s.attributes['nemo_flow.llm.cost_usd'] as number) > 0),
        'each LLM span carries its cost',
      );
      const failed = byName('execute_tool fetch_page').find((s) => s.status.code === 'ERROR');
      assert.ok(failed, 'the failing tool has status ERROR');
      assert.ok(failed.events.some((e) => e.name === 'exception'));
      const sub = byName('invoke_agent summarizer')[0]!;
      assert.equal(sub.parentSpanId, byName('execute_tool summarize')[0]!.spanId);

      // GenAI client metrics of the same run, flushed at exit: counts, sums and attributes match the spans.
      const exports = receiver.metricExports();
      assert.ok(exports.length >= 1, 'metrics were exported');
      const last = exports[exports.length - 1]!;
      const metric = (name: string) => {
        const m = last.find((x) => x.name === name);
        assert.ok(m, `${name} among ${last.map((x) => x.name).join(', ')}`);
        return m;
      };
      const chats = byName('chat gpt-4o-mini');
      const usage = metric('gen_ai.client.token.usage');
      assert.equal(usage.resource['service.name'], 'nemo-flow-demo');
      const tokens = (type: string) => usage.points.filter((p) => p.attributes['gen_ai.token.type'] === type);
      const total = (key: string) => chats.reduce((n, s) => n + Number(s.attributes[key] ?? 0), 0);
      assert.equal(
        tokens('input').reduce((n, p) => n + p.count, 0),
        chats.filter((s) => s.attributes['gen_ai.usage.input_tokens'] !== undefined).length,
      );
      assert.ok(total('gen_ai.usage.input_tokens') > 0);
      assert.equal(
        tokens('input').reduce((n, p) => n + p.sum, 0),
        total('gen_ai.usage.input_tokens'),
      );
      assert.equal(
        tokens('output').reduce((n, p) => n + p.sum, 0),
        total('gen_ai.usage.output_tokens'),
      );
      for (const p of usage.points) {
        assert.equal(p.attributes['gen_ai.operation.name'], 'chat');
        assert.equal(p.attributes['gen_ai.provider.name'], 'openai');
        assert.equal(p.attributes['gen_ai.request.model'], 'gpt-4o-mini');
      }
      const duration = metric('gen_ai.client.operation.duration');
      const ops = (op: string, extra: (a: Record<string, unknown>) => boolean = () => true) =>
        duration.points.filter((p) => p.attributes['gen_ai.operation.name'] === op && extra(p.attributes)).reduce((n, p) => n + p.count, 0);
      assert.equal(ops('chat'), chats.length);
      assert.equal(ops('invoke_agent'), spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'invoke_agent').length);
      assert.equal(ops('execute_tool'), spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'execute_tool').length);
      assert.equal(
        ops('execute_tool', (a) => a['error.type'] !== undefined),
        1,
        'the failing tool is its own series',
      );
      assert.equal(
        ops('execute_tool', (a) => a['gen_ai.tool.name'] === 'fetch_page'),
        byName('execute_tool fetch_page').length,
      );
    } finally {
      await receiver.close();
    }
  });

  it('--format openinference ships OpenInference spans (kinds, flattened messages, session)', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const out = mkdtempSync(join(tmpdir(), 'nf-demo-'));
      await run(process.execPath, [bin, 'demo', '--quiet', '--out', out, '--format', 'openinference', '--otlp-endpoint', receiver.tracesUrl], {
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      const spans = await receiver.waitForSpans(11);
      const kinds = new Set(spans.map((s) => s.attributes['openinference.span.kind']));
      assert.deepEqual([...kinds].sort(), ['AGENT', 'LLM', 'TOOL']);
      const llm = spans.find((s) => s.attributes['openinference.span.kind'] === 'LLM')!;
      assert.equal(llm.attributes['llm.input_messages.0.message.role'], 'system');
      const cost = llm.attributes['llm.cost.total'] as number;
      assert.ok(cost > 0, 'llm.cost.total as Phoenix reads it');
      const parts = ['llm.cost.prompt', 'llm.cost.completion'].map((k) => llm.attributes[k] as number);
      assert.ok(Math.abs(parts[0]! + parts[1]! - cost) < 1e-12);
      assert.ok((llm.attributes['llm.cost.prompt_details.cache_read'] as number) > 0);
      assert.ok(spans.every((s) => s.attributes['session.id'] === 'demo-session'));
    } finally {
      await receiver.close();
    }
  });

  it('a bad option is a clear usage error with exit code 2', async () => {
    const err = await run(process.execPath, [bin, 'demo', '--format', 'xml']).catch((e: { code: number; stderr: string }) => e);
    assert.equal((err as { code: number }).code, 2);
    assert.match((err as { stderr: string }).stderr, /--format must be otel or openinference, got "xml"/);
  });
});
