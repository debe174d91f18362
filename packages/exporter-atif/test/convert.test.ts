/**
 * Offline conversion and validation: `nemo-flow convert` on a recorded ATOF file (from the
 * reference package, and from our own runtime), `nemo-flow validate` on good and bad files.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AtofFileExporter,
  ScopeType,
  deregisterSubscriber,
  flushSubscribers,
  llmCallExecute,
  mark,
  registerSubscriber,
  toolCallExecute,
  withScope,
} from '@nemo-flow/runtime';
import { AtifExporter, buildTrajectories, parseAtofJsonl, validateTrajectory, type AtifTrajectory } from '@nemo-flow/exporter-atif';
import { convertCommand } from '../../cli/src/commands/convert.js';
import { validateCommand } from '../../cli/src/commands/validate.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const REFERENCE_ATOF = join(FIXTURES, 'reference-atof.jsonl');
const REFERENCE_ATIF = join(FIXTURES, 'reference-atif-output.json');

/** Runs a command with stdout/stderr captured. */
async function run(fn: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((err += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await fn(argv);
    return { code, out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

function read(path: string): AtifTrajectory {
  return JSON.parse(readFileSync(path, 'utf8')) as AtifTrajectory;
}

describe('nemo-flow convert', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'atif-convert-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("converts the reference package's ATOF file into valid trajectories", async () => {
    const { code, out, err } = await run(convertCommand, [REFERENCE_ATOF, '--to', 'atif', '--out', dir]);
    assert.equal(code, 0, err);
    assert.match(err, /26 event\(s\) → 3 trajectory file\(s\)/);
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['trajectory-ref-session-a--fact_checker-1.json', 'trajectory-ref-session-a.json', 'trajectory-ref-session-b.json']);
    for (const f of files) {
      assert.ok(out.includes(join(dir, f)));
      assert.deepEqual(validateTrajectory(read(join(dir, f))), [], f);
    }

    // Run A: OpenAI chat with parallel tools, a mark, a subagent, an own tool step, the answer.
    const a = read(join(dir, 'trajectory-ref-session-a.json'));
    assert.deepEqual(a.agent.version, '0.2.0');
    assert.deepEqual(
      a.steps.map((s) => s.source),
      ['system', 'user', 'agent', 'system', 'system', 'agent', 'agent'],
    );
    const turn = a.steps[2]!;
    assert.deepEqual(
      turn.tool_calls!.map((c) => [c.tool_call_id, c.function_name, c.arguments]),
      [
        ['call_search_1', 'search', { q: 'green tea health benefits' }],
        ['call_fetch_1', 'fetch', { url: 'https://example.org/tea' }],
      ],
    );
    assert.deepEqual(
      turn.observation!.results.map((r) => r.source_call_id),
      ['call_fetch_1', 'call_search_1'],
    );
    assert.deepEqual(turn.metrics, { prompt_tokens: 120, completion_tokens: 40, cached_tokens: 64, extra: { total_tokens: 160 } });
    assert.equal(a.steps[3]!.message, 'sources_collected');
    assert.deepEqual(a.steps[4]!.observation!.results[0]!.subagent_trajectory_ref, [
      { session_id: 'ref-session-a--fact_checker-1', trajectory_path: 'trajectory-ref-session-a--fact_checker-1.json' },
    ]);
    assert.equal(a.steps[5]!.tool_calls![0]!.function_name, 'save_note');
    assert.match(String(a.steps[6]!.message), /catechins such as EGCG/);
    assert.equal(a.final_metrics!.total_steps, 7);

    // The subagent: Anthropic Messages with thinking and a tool_use answered by a tool event.
    const sub = read(join(dir, 'trajectory-ref-session-a--fact_checker-1.json'));
    assert.deepEqual(
      sub.steps.map((s) => s.source),
      ['system', 'user', 'agent', 'agent'],
    );
    assert.equal(sub.steps[2]!.reasoning_content, 'I should look this up.');
    assert.deepEqual(sub.steps[2]!.observation!.results, [{ source_call_id: 'toolu_01', content: 'Supported by several studies.' }]);
    assert.equal(sub.steps[2]!.metrics!.prompt_tokens, 300, 'Anthropic cache reads count as prompt tokens');

    // Run B (interleaved with A in the file): OpenAI Responses.
    const b = read(join(dir, 'trajectory-ref-session-b.json'));
    assert.deepEqual(
      b.steps.map((s) => [s.source, s.message]),
      [
        ['system', 'Be concise.'],
        ['user', 'Summarize: green tea contains catechins.'],
        ['agent', 'Green tea has catechins, which are antioxidants.'],
        ['system', 'summary_ready'],
      ],
    );
  });

  it('converts with ATIF-v1.7 into one file per top-level run with embedded subagents', async () => {
    const { code } = await run(convertCommand, [REFERENCE_ATOF, '--to=atif', '--out', dir, '--schema-version', 'ATIF-v1.7', '--agent-name', 'Researcher']);
    assert.equal(code, 0);
    assert.deepEqual(readdirSync(dir).sort(), ['trajectory-ref-session-a.json', 'trajectory-ref-session-b.json']);
    const a = read(join(dir, 'trajectory-ref-session-a.json'));
    assert.deepEqual(validateTrajectory(a), []);
    assert.equal(a.agent.name, 'Researcher');
    assert.equal(a.subagent_trajectories![0]!.agent.name, 'fact_checker');
  });

  it('gives the same trajectory offline as the live exporter gave for the same run', async () => {
    const live = join(dir, 'live');
    const offline = join(dir, 'offline');
    const atof = new AtofFileExporter({ path: join(dir, 'events.jsonl'), mode: 'overwrite' });
    const exporter = new AtifExporter({ dir: live });
    registerSubscriber('convert-test-atof', atof);
    exporter.register('convert-test-atif');
    try {
      await withScope(
        'agent',
        ScopeType.Agent,
        async () => {
          const reply = {
            object: 'chat.completion',
            model: 'gpt-4o',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 't', arguments: '{"x":1}' } }] },
              },
            ],
          };
          await llmCallExecute('llm', { headers: {}, content: { model: 'gpt-4o', messages: [{ role: 'user', content: 'go' }] } }, async () => reply, {
            codec: 'auto',
          });
          await toolCallExecute('t', { x: 1 }, async () => ({ ok: true }), { toolCallId: 'c1' });
          mark('done', { data: { n: 1 } });
        },
        { metadata: { session_id: 'same-run' } },
      );
      await flushSubscribers();
    } finally {
      deregisterSubscriber('convert-test-atof');
      exporter.deregister();
      await atof.shutdown();
      await exporter.shutdown();
    }
    const { code, err } = await run(convertCommand, [join(dir, 'events.jsonl'), '--to', 'atif', '--out', offline]);
    assert.equal(code, 0, err);
    assert.equal(readFileSync(join(offline, 'trajectory-same-run.json'), 'utf8'), readFileSync(join(live, 'trajectory-same-run.json'), 'utf8'));
  });

  it('reports lines that are not events, converts the rest, and exits 1', async () => {
    const lines = readFileSync(REFERENCE_ATOF, 'utf8').split('\n');
    lines.splice(3, 0, '{not json', '{"kind":"other"}');
    const input = join(dir, 'broken.jsonl');
    writeFileSync(input, lines.join('\n'));
    const { code, err } = await run(convertCommand, [input, '--to', 'atif', '--out', join(dir, 'out')]);
    assert.equal(code, 1);
    assert.match(err, /broken\.jsonl:4: skipped: not JSON/);
    assert.match(err, /broken\.jsonl:5: skipped: unknown kind "other"/);
    assert.equal(readdirSync(join(dir, 'out')).length, 3);
  });

  it('closes runs the file does not end as partial', () => {
    const { events } = parseAtofJsonl(readFileSync(REFERENCE_ATOF, 'utf8'));
    const truncated = events.slice(0, 10);
    const built = buildTrajectories(truncated);
    assert.ok(built.length >= 1);
    const a = built.find((t) => t.sessionId === 'ref-session-a')!;
    assert.equal(a.partial, true);
    assert.deepEqual(validateTrajectory(a.trajectory), []);
  });

  it('rejects bad usage', async () => {
    await assert.rejects(run(convertCommand, [REFERENCE_ATOF, '--out', dir]), /--to must be "atif"/);
    await assert.rejects(run(convertCommand, [REFERENCE_ATOF, '--to', 'otel', '--out', dir]), /--to must be "atif"/);
    await assert.rejects(run(convertCommand, [REFERENCE_ATOF, '--to', 'atif']), /--out DIR is required/);
    await assert.rejects(run(convertCommand, ['--to', 'atif', '--out', dir]), /expected one events file/);
    await assert.rejects(run(convertCommand, [REFERENCE_ATOF, '--to', 'atif', '--out', dir, '--schema-version', 'ATIF-v1.5']), /schema-version/);
    const missing = await run(convertCommand, [join(dir, 'nope.jsonl'), '--to', 'atif', '--out', dir]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read/);
  });
});

describe('nemo-flow validate', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'atif-validate-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts valid files with exit code 0', async () => {
    await run(convertCommand, [REFERENCE_ATOF, '--to', 'atif', '--out', dir]);
    const files = readdirSync(dir).map((f) => join(dir, f));
    const { code, out } = await run(validateCommand, files);
    assert.equal(code, 0);
    assert.match(out, /3 of 3 file\(s\) valid/);
  });

  it("rejects the reference package's own ATIF output, printing each violation with its path", async () => {
    const { code, out } = await run(validateCommand, [REFERENCE_ATIF]);
    assert.equal(code, 1);
    assert.match(out, /reference-atif-output\.json: \d+ violation\(s\)/);
    // raw message lists and whole response objects as messages; tool results not linked to calls
    assert.match(out, /\$\.steps\[0\]\.message\[0\]\.role: unknown key/);
    assert.match(out, /\$\.steps\[\d+\]\.message: must be a string or an array of content parts, got an object/);
    assert.match(out, /\$\.steps\[\d+\]\.observation\.results\[\d+\]\.source_call_id: "call_search_1" names no tool_call_id of this step's tool_calls/);
    assert.match(out, /\$\.steps\[\d+\]\.observation\.results\[0\]\.content: must be a string or an array of content parts/);
  });

  it('reports unreadable files and checks against a forced version', async () => {
    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        schema_version: 'ATIF-v1.7',
        trajectory_id: 't',
        agent: { name: 'a', version: '1' },
        steps: [{ step_id: 1, source: 'user', message: 'hi' }],
      }),
    );
    const notJson = join(dir, 'bad.json');
    writeFileSync(notJson, '{');
    const r1 = await run(validateCommand, [good]);
    assert.equal(r1.code, 0);
    const r2 = await run(validateCommand, [good, '--schema-version', 'ATIF-v1.6']);
    assert.equal(r2.code, 1);
    assert.match(r2.out, /\$\.session_id: required/);
    const r3 = await run(validateCommand, [notJson, '--quiet']);
    assert.equal(r3.code, 1);
    assert.match(r3.out, /bad\.json: cannot read/);
    await assert.rejects(run(validateCommand, []), /expected at least one file/);
  });
});
