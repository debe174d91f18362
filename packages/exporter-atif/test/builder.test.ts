/**
 * Mapping features, through buildTrajectories (the same builder the exporter runs). Every
 * trajectory built here is also checked with validateTrajectory.
 */
import { strict as assert } from 'node:assert';
import {
  buildTrajectories,
  validateTrajectory,
  TrajectoryBuilder,
  type AtifTrajectory,
  type BuildOptions,
  type BuiltTrajectory,
  type CompletedTrajectory,
} from '@nemo-flow/exporter-atif';
import { EventLog } from './events.js';

type Msg = Record<string, unknown>;

/** One OpenAI-chat LLM call (start + end) with raw provider payloads. */
function chat(
  log: EventLog,
  parent: string,
  messages: Msg[],
  reply: { content?: string | null; tool_calls?: { id: string; name: string; args?: string }[]; usage?: Msg },
  opts: { model?: string; metadata?: unknown } = {},
): Msg {
  const l = log.llm(parent, { model: opts.model ?? 'gpt-4o', messages }, { model: opts.model ?? 'gpt-4o' });
  const message: Msg = { role: 'assistant', content: reply.content ?? null };
  if (reply.tool_calls)
    message['tool_calls'] = reply.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.args ?? '{}' } }));
  log.llmEnd(
    l,
    {
      id: 'x',
      object: 'chat.completion',
      model: opts.model ?? 'gpt-4o',
      choices: [{ index: 0, message, finish_reason: 'stop' }],
      ...(reply.usage ? { usage: reply.usage } : {}),
    },
    { metadata: opts.metadata },
  );
  return message;
}

function build(log: EventLog, opts: BuildOptions = {}): BuiltTrajectory[] {
  const out = buildTrajectories(log.events, opts);
  for (const t of out) {
    assert.deepEqual(t.violations, [], `builder violations in ${t.fileName}`);
    assert.deepEqual(validateTrajectory(t.trajectory), [], `invalid ${t.fileName}`);
  }
  return out;
}

function only(log: EventLog, opts: BuildOptions = {}): AtifTrajectory {
  const out = build(log, opts);
  assert.equal(out.length, 1);
  return out[0]!.trajectory;
}

const sources = (t: AtifTrajectory) => t.steps.map((s) => s.source);
const userSteps = (t: AtifTrajectory) => t.steps.filter((s) => s.source === 'user');

describe('trajectory mapping', () => {
  it('numbers steps 1..n and keeps every message a string or content parts', () => {
    const log = new EventLog();
    const run = log.agent('a');
    chat(log, run, [{ role: 'user', content: 'hi' }], { content: null });
    log.mark(run, 'm', { x: 1 });
    log.end(run);
    const t = only(log);
    assert.deepEqual(
      t.steps.map((s) => s.step_id),
      t.steps.map((_, i) => i + 1),
    );
    for (const s of t.steps) assert.ok(typeof s.message === 'string' || Array.isArray(s.message));
    assert.equal(t.steps[1]!.message, '', 'an assistant turn without text has an empty message');
  });

  it('makes user steps only for messages new since the previous call of the run', () => {
    const log = new EventLog();
    const run = log.agent('a');
    const m1 = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'first question' },
    ];
    const a1 = chat(log, run, m1, { content: 'first answer' });
    const m2 = [...m1, a1, { role: 'user', content: 'second question' }];
    const a2 = chat(log, run, m2, { content: 'second answer' });
    // The same history again (a retry): nothing new.
    chat(log, run, m2, { content: 'second answer, retried' });
    const m3 = [...m2, a2, { role: 'user', content: 'third question' }];
    chat(log, run, m3, { content: 'third answer' });
    log.end(run);
    const t = only(log);
    assert.deepEqual(
      userSteps(t).map((s) => s.message),
      ['first question', 'second question', 'third question'],
    );
    assert.deepEqual(sources(t), ['system', 'user', 'agent', 'user', 'agent', 'agent', 'user', 'agent']);
    assert.equal(t.steps.filter((s) => s.source === 'system').length, 1, 'the system prompt is not repeated');
  });

  it('keeps separate conversations in one run apart (a side call does not replay the main history)', () => {
    const log = new EventLog();
    const run = log.agent('a');
    const main1 = [{ role: 'user', content: 'main question' }];
    const a1 = chat(log, run, main1, { content: 'main answer' });
    chat(log, run, [{ role: 'user', content: 'summarize: main answer' }], { content: 'summary' });
    chat(log, run, [...main1, a1, { role: 'user', content: 'main follow-up' }], { content: 'done' });
    log.end(run);
    assert.deepEqual(
      userSteps(only(log)).map((s) => s.message),
      ['main question', 'summarize: main answer', 'main follow-up'],
    );
  });

  it('marks history supplied with the first request as copied context', () => {
    const log = new EventLog();
    const run = log.agent('a');
    chat(
      log,
      run,
      [
        { role: 'user', content: 'earlier question' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'old_1', type: 'function', function: { name: 'lookup', arguments: '{"k":1}' } }] },
        { role: 'tool', tool_call_id: 'old_1', content: 'old result' },
        { role: 'assistant', content: 'earlier answer' },
        { role: 'user', content: 'new question' },
      ],
      { content: 'new answer' },
    );
    log.end(run);
    const t = only(log);
    assert.deepEqual(
      t.steps.map((s) => [s.source, s.message, s.is_copied_context ?? false]),
      [
        ['user', 'earlier question', true],
        ['agent', '', true],
        ['agent', 'earlier answer', true],
        ['user', 'new question', false],
        ['agent', 'new answer', false],
      ],
    );
    assert.deepEqual(t.steps[1]!.observation, { results: [{ source_call_id: 'old_1', content: 'old result' }] });
  });

  it('links tool results to the agent step that requested them, by source_call_id', () => {
    const log = new EventLog();
    const run = log.agent('a');
    chat(log, run, [{ role: 'user', content: 'q' }], {
      tool_calls: [
        { id: 'c1', name: 'f' },
        { id: 'c2', name: 'g' },
      ],
    });
    const t2 = log.tool(run, 'g', { y: 2 }, 'c2');
    const t1 = log.tool(run, 'f', { x: 1 }, 'c1');
    log.end(t1, 'one');
    log.end(t2, { two: 2 });
    log.end(run);
    const step = only(log).steps[1]!;
    assert.deepEqual(
      step.tool_calls!.map((c) => c.tool_call_id),
      ['c1', 'c2'],
    );
    assert.deepEqual(step.observation, {
      results: [
        { source_call_id: 'c1', content: 'one' },
        { source_call_id: 'c2', content: '{"two":2}' },
      ],
    });
  });

  it('matches a tool event without a tool_call_id to an open call of the same name', () => {
    const log = new EventLog();
    const run = log.agent('a');
    chat(log, run, [{ role: 'user', content: 'q' }], { tool_calls: [{ id: 'c1', name: 'search' }] });
    const t = log.tool(run, 'search', { q: 'x' }, null);
    log.end(t, 'found');
    log.end(run);
    const traj = only(log);
    assert.equal(traj.steps.length, 2);
    assert.deepEqual(traj.steps[1]!.observation, { results: [{ source_call_id: 'c1', content: 'found' }] });
  });

  it('turns a tool called outside an LLM turn into its own agent step with a synthesized call', () => {
    const log = new EventLog();
    const run = log.agent('a');
    const withId = log.tool(run, 'save', { k: 'v' }, 'my-call');
    log.end(withId, true);
    const noId = log.tool(run, 'ping', 'payload', null);
    log.end(noId, 'pong');
    log.end(run);
    const t = only(log);
    assert.deepEqual(sources(t), ['agent', 'agent']);
    assert.deepEqual(t.steps[0]!.tool_calls, [{ tool_call_id: 'my-call', function_name: 'save', arguments: { k: 'v' } }]);
    assert.deepEqual(t.steps[0]!.observation, { results: [{ source_call_id: 'my-call', content: 'true' }] });
    assert.deepEqual(t.steps[1]!.tool_calls, [{ tool_call_id: noId, function_name: 'ping', arguments: { input: 'payload' } }]);
    assert.equal(t.steps[1]!.observation!.results[0]!.source_call_id, noId);
    assert.equal(t.steps[1]!.message, '');
    assert.equal(t.steps[1]!.extra!['tool_call_without_llm_turn'], true);
  });

  it('v1.7 marks steps without an LLM call with llm_call_count 0', () => {
    const log = new EventLog();
    const run = log.agent('a');
    log.end(log.tool(run, 'save', {}, 'c'), 'ok');
    chat(log, run, [{ role: 'user', content: 'q' }], { content: 'a' });
    log.end(run);
    const t = only(log, { schemaVersion: 'ATIF-v1.7' });
    assert.deepEqual(
      t.steps.map((s) => s.llm_call_count),
      [0, undefined, 1],
    );
  });

  it('takes tool results from tool messages in the next request when tools are not instrumented', () => {
    const log = new EventLog();
    const run = log.agent('a');
    const m1 = [{ role: 'user', content: 'q' }];
    const a1 = chat(log, run, m1, { tool_calls: [{ id: 'c1', name: 'f' }] });
    chat(log, run, [...m1, a1, { role: 'tool', tool_call_id: 'c1', content: 'from the request' }], { content: 'done' });
    log.end(run);
    const t = only(log);
    assert.deepEqual(sources(t), ['user', 'agent', 'agent']);
    assert.deepEqual(t.steps[1]!.observation, { results: [{ source_call_id: 'c1', content: 'from the request' }] });
  });

  it('records a tool result that answers no known call without source_call_id', () => {
    const log = new EventLog();
    const run = log.agent('a');
    const m1 = [{ role: 'user', content: 'q' }];
    const a1 = chat(log, run, m1, { content: 'x' });
    chat(log, run, [...m1, a1, { role: 'tool', tool_call_id: 'ghost', content: 'orphan result' }], { content: 'y' });
    log.end(run);
    const step = only(log).steps.find((s) => s.observation)!;
    assert.equal(step.source, 'system');
    assert.deepEqual(step.observation, { results: [{ content: 'orphan result' }] });
    assert.equal(step.extra!['tool_call_id'], 'ghost');
  });

  it('maps marks to system steps with string messages and the data in extra', () => {
    const log = new EventLog();
    const run = log.agent('a');
    log.mark(run, 'checkpoint', { progress: 0.5 }, { phase: 'search' });
    log.mark(run, 'note', 'plain text data');
    log.mark(run, 'bare');
    log.end(run);
    const t = only(log);
    assert.deepEqual(
      t.steps.map((s) => [s.source, s.message, s.extra]),
      [
        ['system', 'checkpoint', { mark: { name: 'checkpoint', data: { progress: 0.5 }, metadata: { phase: 'search' } } }],
        ['system', 'plain text data', { mark: { name: 'note', data: 'plain text data' } }],
        ['system', 'bare', { mark: { name: 'bare' } }],
      ],
    );
  });

  it('keeps tool errors and guardrail rejections visible in the observation and in extra', () => {
    const log = new EventLog();
    const run = log.agent('a');
    chat(log, run, [{ role: 'user', content: 'q' }], {
      tool_calls: [
        { id: 'c1', name: 'rm' },
        { id: 'c2', name: 'ls' },
      ],
    });
    log.end(log.tool(run, 'rm', { path: '/' }, 'c1'), null, {
      status: 'error',
      error: { type: 'GuardrailRejectedError', message: 'destructive', guardrail: 'no-rm' },
    });
    log.end(log.tool(run, 'ls', {}, 'c2'), null, { status: 'error', error: { type: 'Error', message: 'ENOENT' } });
    log.end(run);
    const step = only(log).steps[1]!;
    assert.deepEqual(step.observation!.results, [
      { source_call_id: 'c1', content: 'Guardrail "no-rm" rejected tool "rm": destructive' },
      { source_call_id: 'c2', content: 'tool "ls" failed: Error: ENOENT' },
    ]);
    assert.deepEqual(step.extra!['errors'], [
      { tool_call_id: 'c1', tool: 'rm', type: 'GuardrailRejectedError', message: 'destructive', guardrail: 'no-rm' },
      { tool_call_id: 'c2', tool: 'ls', type: 'Error', message: 'ENOENT' },
    ]);
  });

  it('records failed and rejected LLM calls, failed scopes and a failed run as system steps', () => {
    const log = new EventLog();
    const run = log.agent('a');
    const l1 = log.llm(run, { model: 'm', messages: [{ role: 'user', content: 'q' }] });
    log.llmEnd(l1, null, { status: 'error', error: { type: 'GuardrailRejectedError', message: 'pii', guardrail: 'pii-filter' } });
    const l2 = log.llm(run, { model: 'm', messages: [{ role: 'user', content: 'q' }] });
    log.llmEnd(l2, null, { status: 'error', error: { type: 'APIError', message: '429' } });
    const fn = log.start('function', 'plan', run);
    log.end(fn, null, { status: 'error', error: { type: 'TypeError', message: 'x is undefined' } });
    log.end(run, null, { status: 'error', error: { type: 'TypeError', message: 'x is undefined' } });
    const t = only(log);
    assert.deepEqual(
      t.steps.map((s) => [s.source, s.message]),
      [
        ['user', 'q'],
        ['system', 'Guardrail "pii-filter" rejected LLM call "chat": pii'],
        ['system', 'LLM call "chat" failed: APIError: 429'],
        ['system', 'function "plan" failed: TypeError: x is undefined'],
        ['system', 'Agent run "a" failed: TypeError: x is undefined'],
      ],
    );
    assert.match(t.notes ?? '', /error/);
    assert.equal((t.extra!['run'] as Record<string, unknown>)['status'], 'error');
  });

  it('fills metrics, cost and final_metrics totals', () => {
    const log = new EventLog();
    const run = log.agent('a');
    const m1 = [{ role: 'user', content: 'q' }];
    const a1 = chat(
      log,
      run,
      m1,
      { content: 'a', usage: { prompt_tokens: 100, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 50 } } },
      { metadata: { cost_usd: 0.25 } },
    );
    const a2 = chat(log, run, [...m1, a1, { role: 'user', content: 'q2' }], { content: 'b', usage: { prompt_tokens: 200, completion_tokens: 20, cost: 0.5 } });
    chat(
      log,
      run,
      [...m1, a1, { role: 'user', content: 'q2' }, a2, { role: 'user', content: 'q3' }],
      { content: 'c', usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 } },
      { model: 'priced' },
    );
    log.end(run);
    const t = only(log, { pricing: { priced: { inputPerMTok: 2, outputPerMTok: 8 } } });
    const agents = t.steps.filter((s) => s.source === 'agent');
    assert.deepEqual(
      agents.map((s) => s.metrics?.cost_usd),
      [0.25, 0.5, 10],
    );
    assert.deepEqual(agents[0]!.metrics, { prompt_tokens: 100, completion_tokens: 10, cached_tokens: 50, cost_usd: 0.25, extra: { total_tokens: 110 } });
    assert.deepEqual(t.final_metrics, {
      total_prompt_tokens: 1_000_300,
      total_completion_tokens: 1_000_030,
      total_cached_tokens: 50,
      total_cost_usd: 10.75,
      total_steps: t.steps.length,
    });
  });

  it('fills the agent block: name, version, model, tool definitions seen', () => {
    const log = new EventLog();
    const run = log.agent('scope-name', null, { metadata: { user_id: 'u1', tags: ['t'] } });
    const l = log.llm(run, {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'q' }],
      tools: [{ type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object' } } }],
    });
    log.llmEnd(l, { object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'a' }, finish_reason: 'stop' }] });
    chat(log, run, [{ role: 'user', content: 'other' }], { content: 'b' }, { model: 'gpt-4o-mini' });
    log.end(run);
    const t = only(log, { agentName: 'My Agent', agentVersion: '3.1.4' });
    assert.deepEqual(t.agent, {
      name: 'My Agent',
      version: '3.1.4',
      model_name: 'gpt-4o',
      tool_definitions: [{ type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object' } } }],
      extra: { framework: 'nemo-flow', user_id: 'u1', tags: ['t'], models: ['gpt-4o', 'gpt-4o-mini'] },
    });
    assert.equal(t.steps.find((s) => s.message === 'b')!.model_name, 'gpt-4o-mini');
  });

  it('never uses a whole response object as the message when the format is unknown', () => {
    const log = new EventLog();
    const run = log.agent('a');
    const l = log.llm(run, { prompt: 'legacy completion' });
    log.llmEnd(l, { generated_text: 'hello' });
    log.end(run);
    const t = only(log);
    assert.equal(t.steps.length, 1);
    assert.equal(t.steps[0]!.message, '');
    assert.deepEqual(t.steps[0]!.extra!['response'], { generated_text: 'hello' });
  });

  it('makes duplicate tool call ids within one response unique', () => {
    const log = new EventLog();
    const run = log.agent('a');
    chat(log, run, [{ role: 'user', content: 'q' }], {
      tool_calls: [
        { id: 'dup', name: 'f' },
        { id: 'dup', name: 'g' },
      ],
    });
    log.end(run);
    const step = only(log).steps[1]!;
    assert.deepEqual(
      step.tool_calls!.map((c) => c.tool_call_id),
      ['dup', 'dup#2'],
    );
  });

  it('writes one trajectory per concurrent top-level run, none sharing steps', () => {
    const log = new EventLog();
    const r1 = log.agent('a', null, { metadata: { session_id: 'one' } });
    const r2 = log.agent('b', null, { metadata: { session_id: 'two' } });
    const l1 = log.llm(r1, { model: 'm', messages: [{ role: 'user', content: 'for one' }] });
    const l2 = log.llm(r2, { model: 'm', messages: [{ role: 'user', content: 'for two' }] });
    const t2 = log.tool(r2, 'tool-two', {}, 'x');
    log.mark(r1, 'mark-one');
    log.end(t2, 'two');
    log.llmEnd(l1, { object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'answer one' } }] });
    log.llmEnd(l2, { object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'answer two' } }] });
    log.end(r2);
    log.end(r1);
    const out = build(log);
    assert.deepEqual(
      out.map((t) => [t.sessionId, t.fileName]),
      [
        ['two', 'trajectory-two.json'],
        ['one', 'trajectory-one.json'],
      ],
    );
    const text = (t: AtifTrajectory) => t.steps.map((s) => (typeof s.message === 'string' ? s.message : '')).join('|');
    assert.equal(text(out[1]!.trajectory), 'for one|mark-one|answer one');
    assert.equal(text(out[0]!.trajectory), 'for two||answer two');
  });

  it('ignores work outside any agent run, and starts a run at an agent under a non-agent scope', () => {
    const log = new EventLog();
    const fn = log.start('function', 'request-handler', null);
    log.end(log.tool(fn, 'outside', {}, null), 'ignored');
    const run = log.agent('inner', fn);
    log.mark(run, 'inside');
    log.end(run);
    log.end(fn);
    const out = build(log);
    assert.equal(out.length, 1);
    assert.deepEqual(
      out[0]!.trajectory.steps.map((s) => s.message),
      ['inside'],
    );
  });

  it('writes a run with nothing in it as one system step', () => {
    const log = new EventLog();
    log.end(log.agent('empty'), null);
    const t = only(log);
    assert.deepEqual(sources(t), ['system']);
  });

  it('closes runs missing their end event as partial, saying so', () => {
    const log = new EventLog();
    const run = log.agent('a');
    chat(log, run, [{ role: 'user', content: 'q' }], { tool_calls: [{ id: 'c1', name: 'slow' }] });
    log.tool(run, 'slow', {}, 'c1');
    log.llm(run, { model: 'm', messages: [{ role: 'user', content: 'q' }] });
    const [built] = build(log);
    assert.equal(built!.partial, true);
    assert.match(built!.trajectory.notes!, /^Partial trajectory: The event stream ended before the run did\./);
    assert.equal(built!.trajectory.extra!['partial'], true);
    const step = built!.trajectory.steps[1]!;
    assert.deepEqual(step.observation!.results, [{ source_call_id: 'c1', content: 'No result: the tool call had not finished when the run ended.' }]);
    assert.match(String(built!.trajectory.steps.at(-1)!.message), /had not finished/);
  });

  describe('session ids', () => {
    it('takes metadata session_id first, then the option, else the run uuid', () => {
      const log = new EventLog();
      log.end(log.agent('a', null, { metadata: { session_id: 'from-meta' } }));
      const plain = log.agent('b');
      log.end(plain);
      const [a, b] = build(log, { sessionId: 'from-option' });
      assert.equal(a!.trajectory.session_id, 'from-meta');
      assert.equal(b!.trajectory.session_id, 'from-option');
      const [c] = build(single('c'));
      assert.equal(c!.trajectory.session_id, c!.trajectoryId);
    });

    it('keeps file names safe: no separators, no traversal, bounded length, unique', () => {
      const log = new EventLog();
      for (const id of ['../../etc/passwd', 'a/b\\c', '..', 'x'.repeat(500), 'same', 'same', 'CON'])
        log.end(log.agent('a', null, { metadata: { session_id: id } }));
      const names = build(log).map((t) => t.fileName);
      for (const n of names) {
        assert.doesNotMatch(n, /[/\\]/);
        assert.ok(!n.startsWith('.'), n);
        assert.ok(n.length < 130, n);
      }
      assert.equal(new Set(names).size, names.length);
      assert.deepEqual(names.slice(0, 2), ['trajectory-etc_passwd.json', 'trajectory-a_b_c.json']);
      assert.match(names[2]!, /^trajectory-00000000-0000-7000-8000-[0-9a-f]{12}\.json$/, 'an unusable id falls back to the run uuid');
      assert.deepEqual(names.slice(4, 6), ['trajectory-same.json', 'trajectory-same-2.json']);
      assert.equal(names[6], 'trajectory-_CON.json', 'device names are never produced, whatever the template');
    });

    it('keeps the original session id inside the document', () => {
      const log = new EventLog();
      log.end(log.agent('a', null, { metadata: { session_id: 'user/42' } }));
      assert.equal(only(log).session_id, 'user/42');
    });
  });

  describe('subagents', () => {
    function nested(): EventLog {
      const log = new EventLog();
      const root = log.agent('planner', null, { metadata: { session_id: 'S' } });
      chat(log, root, [{ role: 'user', content: 'plan' }], { tool_calls: [{ id: 'call_research', name: 'research' }] });
      // agent-as-tool: the subagent runs inside the tool call the LLM asked for
      const tool = log.tool(root, 'research', {}, 'call_research');
      const sub = log.agent('researcher', tool);
      chat(log, sub, [{ role: 'user', content: 'research it' }], { content: 'found', usage: { prompt_tokens: 5, completion_tokens: 1 } });
      const deeper = log.agent('verifier', sub);
      log.mark(deeper, 'verified');
      log.end(deeper, 'ok');
      log.end(sub, 'research done');
      log.end(tool, 'research done');
      // a subagent started directly by the run
      const side = log.agent('side', root);
      log.mark(side, 'side work');
      log.end(side, { side: true });
      log.end(root);
      return log;
    }

    it('v1.6: writes subagents as their own files referenced from the parent observation', () => {
      const out = build(nested());
      assert.deepEqual(
        out.map((t) => t.fileName),
        ['trajectory-S--researcher-1--verifier-1.json', 'trajectory-S--researcher-1.json', 'trajectory-S--side-2.json', 'trajectory-S.json'],
      );
      const byName = new Map(out.map((t) => [t.fileName, t.trajectory]));
      const root = byName.get('trajectory-S.json')!;
      const toolStep = root.steps[1]!;
      assert.deepEqual(toolStep.observation!.results, [
        {
          source_call_id: 'call_research',
          content: 'research done',
          subagent_trajectory_ref: [{ session_id: 'S--researcher-1', trajectory_path: 'trajectory-S--researcher-1.json' }],
        },
      ]);
      const side = root.steps[2]!;
      assert.equal(side.source, 'system');
      assert.deepEqual(side.observation!.results, [
        { subagent_trajectory_ref: [{ session_id: 'S--side-2', trajectory_path: 'trajectory-S--side-2.json' }], content: '{"side":true}' },
      ]);
      // every reference names a trajectory that exists, with that session id
      for (const t of out)
        for (const s of t.trajectory.steps)
          for (const r of s.observation?.results ?? [])
            for (const ref of r.subagent_trajectory_ref ?? []) assert.equal(byName.get(ref.trajectory_path!)?.session_id, ref.session_id);
      const researcher = byName.get('trajectory-S--researcher-1.json')!;
      assert.equal(researcher.agent.name, 'researcher');
      assert.deepEqual(researcher.extra!['parent'], { session_id: 'S', trajectory_id: out[3]!.trajectoryId });
      assert.deepEqual(root.final_metrics!.extra, { including_subagents: { total_prompt_tokens: 5, total_completion_tokens: 1 }, subagents: 2 });
    });

    it('v1.7: embeds subagents with trajectory_id, referenced by trajectory_id', () => {
      const out = build(nested(), { schemaVersion: 'ATIF-v1.7' });
      assert.equal(out.length, 1);
      const root = out[0]!.trajectory;
      assert.equal(root.trajectory_id, out[0]!.trajectoryId);
      const subs = root.subagent_trajectories!;
      assert.deepEqual(
        subs.map((s) => s.agent.name),
        ['researcher', 'side'],
      );
      assert.equal(subs[0]!.subagent_trajectories![0]!.agent.name, 'verifier');
      assert.deepEqual(root.steps[1]!.observation!.results[0]!.subagent_trajectory_ref, [{ trajectory_id: subs[0]!.trajectory_id!, session_id: 'S' }]);
      assert.equal(subs[0]!.session_id, 'S', 'embedded subagents share the run-scoped session id');
    });

    it('closes a subagent still open when its parent ends as partial', () => {
      const log = new EventLog();
      const root = log.agent('p', null, { metadata: { session_id: 'P' } });
      const sub = log.agent('child', root);
      log.mark(sub, 'started');
      log.end(root);
      const out = build(log);
      assert.equal(out.length, 2);
      assert.equal(out[0]!.partial, true);
      assert.match(out[0]!.trajectory.notes!, /parent run "p" ended before this subagent/);
      assert.equal(out[1]!.partial, false);
    });
  });

  it('keeps settled steps as a few flat text blocks, not one piece per step', () => {
    const done: CompletedTrajectory[] = [];
    const builder = new TrajectoryBuilder({ reserveName: (v) => `${v.session_id}.json`, complete: (t) => done.push(t) });
    const log = new EventLog();
    const run = log.agent('a');
    for (let i = 0; i < 400; i++) log.mark(run, `note ${i} ${'x'.repeat(400)}`);
    log.end(run);
    for (const e of log.events) builder.push(e);
    assert.equal(done.length, 1);
    // About 200 KB of steps: a handful of blocks (a piece per step, and its separator, before).
    assert.ok(done[0]!.chunks.length < 20, `${done[0]!.chunks.length} chunks`);
    const doc = JSON.parse(done[0]!.chunks.join('')) as AtifTrajectory;
    assert.deepEqual(validateTrajectory(doc), []);
    assert.deepEqual(
      doc.steps.map((s) => s.step_id),
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
    assert.equal(doc.steps[399]!.message, `note 399 ${'x'.repeat(400)}`);
  });

  it('releases per-run state when runs end', () => {
    const done: CompletedTrajectory[] = [];
    const builder = new TrajectoryBuilder({ reserveName: (v) => `${v.session_id}.json`, complete: (t) => done.push(t) });
    const log = new EventLog();
    for (let i = 0; i < 20; i++) {
      const run = log.agent('a');
      const sub = log.agent('sub', run);
      chat(log, sub, [{ role: 'user', content: `q${i}` }], { tool_calls: [{ id: `c${i}`, name: 'f' }] });
      log.tool(sub, 'f', {}, `c${i}`); // never ends
      log.start('function', 'never-ends', run);
      log.end(run);
    }
    for (const e of log.events) builder.push(e);
    assert.equal(done.length, 40);
    assert.equal(builder.openRuns, 0);
    assert.equal(builder.trackedScopes, 0);
  });
});

function single(name: string): EventLog {
  const log = new EventLog();
  log.end(log.agent(name));
  return log;
}
