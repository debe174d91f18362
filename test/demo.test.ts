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

    const dir = join(out, 'trajectories');
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['trajectory-demo-session--summarizer-1.json', 'trajectory-demo-session.json']);
    for (const f of files) {
      const doc = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      assert.deepEqual(validateTrajectory(doc), [], `${f} must pass the ATIF rules`);
    }
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
      const failed = byName('execute_tool fetch_page').find((s) => s.status.code === 'ERROR');
      assert.ok(failed, 'the failing tool has status ERROR');
      assert.ok(failed.events.some((e) => e.name === 'exception'));
      const sub = byName('invoke_agent summarizer')[0]!;
      assert.equal(sub.parentSpanId, byName('execute_tool summarize')[0]!.spanId);
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
