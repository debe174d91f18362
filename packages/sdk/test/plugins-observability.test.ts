/** The `observability` component: console + ATOF from the runtime, ATIF / OTel / OpenInference loaded on demand. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flushSubscribers, listSubscribers, llmCallExecute, ScopeType, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { clearPlugins, initializePlugins, PluginConfigError, type PluginOptions } from '@nemo-flow/sdk';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { collectFailures } from './helpers.js';

const obs = (config: Record<string, unknown>): unknown => ({ version: 1, components: [{ kind: 'observability', config }] });

/** One agent run with an LLM call (OpenAI chat shape) and a tool call. */
async function runAgent(session = 's-1'): Promise<void> {
  await withScope(
    'researcher',
    ScopeType.Agent,
    async () => {
      await llmCallExecute(
        'chat',
        { headers: {}, content: { model: 'gpt-test', messages: [{ role: 'user', content: 'find green tea facts' }] } },
        async () => ({
          id: 'r1',
          object: 'chat.completion',
          model: 'gpt-test',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Here you go.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
        }),
        { modelName: 'gpt-test' },
      );
      await toolCallExecute('search', { q: 'green tea' }, async () => ['result']);
    },
    { input: 'find green tea facts', metadata: { session_id: session } },
  );
}

/** Whether a package resolves at test time (the exporter packages are optional for the runtime). */
async function importable(name: string): Promise<boolean> {
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

describe('plugins: observability', () => {
  let dir: string;
  let failures: ReturnType<typeof collectFailures>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nf-obs-'));
    failures = collectFailures();
  });

  afterEach(async () => {
    await clearPlugins();
    failures.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('console and ATOF: a tree on the console and every event in the JSONL file', async () => {
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    let report;
    try {
      report = await initializePlugins(obs({ output_dir: dir, console: { color: false, payload_chars: 0 }, atof: { mode: 'overwrite' } }));
      await runAgent();
      await flushSubscribers();
    } finally {
      process.stdout.write = write;
    }
    assert.deepEqual(report.components[0]!.subscribers, ['plugin:observability:console', 'plugin:observability:atof']);
    assert.deepEqual(report.components[0]!.details, { console: { stream: 'stdout' }, atof: { path: join(dir, 'events.jsonl') } });
    const text = lines.join('');
    assert.match(text, /▶ agent researcher/);
    assert.match(text, /✔ tool search/);
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; scope_category?: string });
    assert.deepEqual(
      events.map((e) => `${e.scope_category}:${e.name}`),
      ['start:researcher', 'start:chat', 'end:chat', 'start:search', 'end:search', 'end:researcher'],
    );
    await clearPlugins();
    assert.deepEqual(
      listSubscribers().filter((n) => n.startsWith('plugin:')),
      [],
    );
  });

  it('a section can be switched off with false or "enabled": false', async () => {
    const report = await initializePlugins(obs({ output_dir: dir, console: false, atof: { enabled: false }, atif: false }));
    assert.deepEqual(report.components[0]!.subscribers, []);
    assert.equal(existsSync(join(dir, 'events.jsonl')), false);
  });

  it('an exporter that cannot start fails the activation with a diagnostic naming the section', async () => {
    await assert.rejects(initializePlugins(obs({ atof: { path: dir } }), { checks: false }), (err: unknown) => {
      assert.ok(err instanceof PluginConfigError);
      assert.equal(err.diagnostics[0]!.code, 'ACTIVATION_FAILED');
      assert.equal(err.diagnostics[0]!.component, 'observability');
      assert.match(err.diagnostics[0]!.message, /atof: AtofFileExporter: cannot open/);
      return true;
    });
    assert.deepEqual(
      listSubscribers().filter((n) => n.startsWith('plugin:')),
      [],
    );
  });

  it('a missing exporter package: an error, or a skipped section when optional', async () => {
    const importModule: PluginOptions['importModule'] = async (specifier) => {
      const err = new Error(`Cannot find package '${specifier}' imported from /app`) as NodeJS.ErrnoException;
      err.code = 'ERR_MODULE_NOT_FOUND';
      throw err;
    };
    await assert.rejects(initializePlugins(obs({ atif: { dir } }), { importModule }), (err: unknown) => {
      assert.ok(err instanceof PluginConfigError);
      assert.equal(err.diagnostics[0]!.code, 'PACKAGE_NOT_INSTALLED');
      assert.match(err.diagnostics[0]!.message, /npm install @nemo-flow\/exporter-atif/);
      return true;
    });
    // With checks off the failure surfaces at activation, still naming the package.
    await assert.rejects(initializePlugins(obs({ atif: { dir } }), { importModule, checks: false }), /@nemo-flow\/exporter-atif is not installed/);
    const report = await initializePlugins(obs({ atif: { dir, optional: true }, atof: { path: join(dir, 'e.jsonl') } }), { importModule });
    assert.deepEqual(report.components[0]!.subscribers, ['plugin:observability:atof']);
    assert.match(String((report.components[0]!.details.atif as { skipped: string }).skipped), /not installed/);
    assert.deepEqual(
      report.diagnostics.map((d) => `${d.level} ${d.code}`),
      ['warn PACKAGE_NOT_INSTALLED'],
    );
  });

  it('ATIF: one trajectory file per agent run', async function () {
    if (!(await importable('@nemo-flow/exporter-atif'))) this.skip();
    const report = await initializePlugins(obs({ atif: { dir: join(dir, 'traj'), agent_name: 'research-bot' } }));
    assert.deepEqual(report.components[0]!.details, { atif: { dir: join(dir, 'traj') } });
    await runAgent('session-42');
    await flushSubscribers();
    const files = readdirSync(join(dir, 'traj'));
    assert.deepEqual(files, ['trajectory-session-42.json']);
    const t = JSON.parse(readFileSync(join(dir, 'traj', files[0]!), 'utf8')) as { schema_version: string; session_id: string; agent: { name: string } };
    assert.equal(t.session_id, 'session-42');
    assert.equal(t.agent.name, 'research-bot');
    assert.match(t.schema_version, /^ATIF-v1\./);
  });

  describe('OTLP (receiver on 127.0.0.1)', () => {
    let receiver: OtlpReceiver;
    beforeEach(async () => {
      receiver = await startOtlpReceiver();
    });
    afterEach(async () => {
      await clearPlugins();
      await receiver.close();
    });

    it('otel: spans reach the endpoint with headers from environment variables named in the config', async function () {
      if (!(await importable('@nemo-flow/exporter-otel'))) this.skip();
      const report = await initializePlugins(
        obs({
          otel: {
            endpoint: receiver.url,
            protocol: 'http/json',
            service_name: 'configured-svc',
            headers: { 'x-team': 'research' },
            headers_env: { authorization: 'Bearer ${NF_TEST_TOKEN}' },
            scheduled_delay_ms: 60000,
          },
        }),
        { env: { NF_TEST_TOKEN: 't0k3n' } },
      );
      assert.deepEqual(report.diagnostics, []);
      await runAgent();
      await flushSubscribers();
      const spans = await receiver.waitForSpans(3);
      assert.deepEqual(spans.map((s) => s.name).sort(), ['chat gpt-test', 'execute_tool search', 'invoke_agent researcher'].sort());
      assert.equal(spans[0]!.resource['service.name'], 'configured-svc');
      const req = receiver.requests()[0]!;
      assert.equal(req.headers['authorization'], 'Bearer t0k3n');
      assert.equal(req.headers['x-team'], 'research');
      assert.equal(req.contentType, 'application/json');
    });

    it('openinference: spans with the Phoenix project and masking from the config', async function () {
      if (!(await importable('@nemo-flow/exporter-openinference'))) this.skip();
      await initializePlugins(
        obs({
          openinference: {
            endpoint: `${receiver.url}/v1/traces`,
            project_name: 'nf-tests',
            headers_env: { api_key: 'PHOENIX_API_KEY' },
            masking: { hide_inputs: true },
            scheduled_delay_ms: 60000,
          },
        }),
        { env: { PHOENIX_API_KEY: 'phx-secret' } },
      );
      await runAgent();
      await flushSubscribers();
      const spans = await receiver.waitForSpans(3);
      const agent = spans.find((s) => s.attributes['openinference.span.kind'] === 'AGENT');
      assert.ok(agent, 'an AGENT span');
      assert.equal(agent.resource['openinference.project.name'], 'nf-tests');
      assert.equal(agent.attributes['input.value'], '__REDACTED__');
      assert.equal(receiver.requests()[0]!.headers['api_key'], 'phx-secret');
    });
  });
});
