/**
 * An agent run as Phoenix groups it: span kinds per scope category, TOOL spans with the tool's
 * definition, sessions/users/tags/metadata on every descendant span, errors and guardrail
 * rejections, marks. Real runtime API, decoded OTLP bytes.
 */
import { strict as assert } from 'node:assert';
import {
  ScopeType,
  deregisterToolConditionalExecutionGuardrail,
  llmCallExecute,
  mark,
  popScope,
  pushScope,
  registerToolConditionalExecutionGuardrail,
  toolCallExecute,
  withScope,
} from '@nemo-flow/runtime';
import { OpenInferenceSpanKind, SemanticConventions as SC } from '@arizeai/openinference-semantic-conventions';
import { childrenOf } from '../../../test/support/otlp-receiver.js';
import { CHAT_RESPONSE, CHAT_TOOL_CALL_RESPONSE, chatRequest } from './fixtures.js';
import { json, only, setup, type Harness } from './helpers.js';

const K = SC.OPENINFERENCE_SPAN_KIND;

/** One turn of a weather agent: the model asks for two tools, both run, the model answers. */
async function weatherTurn(question: string): Promise<string> {
  const first = await llmCallExecute('openai.chat', chatRequest({ messages: [{ role: 'user', content: question }] }), async () => CHAT_TOOL_CALL_RESPONSE, {
    codec: 'auto',
  });
  for (const call of first.choices[0]!.message.tool_calls) {
    const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
    await toolCallExecute(call.function.name, args, async (a) => (call.function.name === 'get_weather' ? { city: a['city'], temp_c: 18 } : 'AF7712 08:05'), {
      toolCallId: call.id,
    });
  }
  const final = await llmCallExecute('openai.chat', chatRequest(), async () => CHAT_RESPONSE, { codec: 'auto' });
  return final.choices[0]!.message.content;
}

describe('exporter-openinference: agent runs', () => {
  let h: Harness;
  afterEach(async () => {
    await h.done();
  });

  it('maps every scope category to its OpenInference span kind', async () => {
    h = await setup();
    const kinds: Array<[ScopeType, OpenInferenceSpanKind]> = [
      [ScopeType.Agent, OpenInferenceSpanKind.AGENT],
      [ScopeType.Function, OpenInferenceSpanKind.CHAIN],
      [ScopeType.Custom, OpenInferenceSpanKind.CHAIN],
      [ScopeType.Unknown, OpenInferenceSpanKind.CHAIN],
      [ScopeType.Retriever, OpenInferenceSpanKind.RETRIEVER],
      [ScopeType.Embedder, OpenInferenceSpanKind.EMBEDDING],
      [ScopeType.Reranker, OpenInferenceSpanKind.RERANKER],
      [ScopeType.Guardrail, OpenInferenceSpanKind.GUARDRAIL],
      [ScopeType.Evaluator, OpenInferenceSpanKind.EVALUATOR],
      [ScopeType.Tool, OpenInferenceSpanKind.TOOL],
      [ScopeType.Llm, OpenInferenceSpanKind.LLM],
    ];
    for (const [type] of kinds) await withScope(`scope-${type}`, type, () => undefined);
    const spans = await h.spans(kinds.length);
    for (const [type, kind] of kinds) assert.equal(only(spans, `scope-${type}`).attributes[K], kind, type);
  });

  it('records scope input and output as text or JSON, with the agent name', async () => {
    h = await setup();
    await withScope(
      'planner',
      ScopeType.Agent,
      async () => {
        await withScope('retrieve', ScopeType.Retriever, () => [{ id: 'doc-1', score: 0.9 }], { input: { query: 'paris weather' } });
        return 'Take an umbrella.';
      },
      { input: 'Plan my day in Paris' },
    );
    const spans = await h.spans(2);
    const agent = only(spans, 'planner').attributes;
    assert.equal(agent[SC.AGENT_NAME], 'planner');
    assert.equal(agent[SC.INPUT_VALUE], 'Plan my day in Paris');
    assert.equal(agent[SC.INPUT_MIME_TYPE], 'text/plain');
    assert.equal(agent[SC.OUTPUT_VALUE], 'Take an umbrella.');
    assert.equal(agent[SC.OUTPUT_MIME_TYPE], 'text/plain');
    const retrieve = only(spans, 'retrieve').attributes;
    assert.deepEqual(json(retrieve, SC.INPUT_VALUE), { query: 'paris weather' });
    assert.equal(retrieve[SC.INPUT_MIME_TYPE], 'application/json');
    assert.deepEqual(json(retrieve, SC.OUTPUT_VALUE), [{ id: 'doc-1', score: 0.9 }]);
    assert.equal(retrieve[SC.OUTPUT_MIME_TYPE], 'application/json');
  });

  it('TOOL spans: name, call id, arguments and result, and the description and schema the model was offered', async () => {
    h = await setup();
    const answer = await withScope('weather-agent', ScopeType.Agent, () => weatherTurn('Weather in Lyon, and a flight?'));
    assert.equal(answer, 'It is 21 °C and clear in Paris.');
    const spans = await h.spans(5);
    const agent = only(spans, 'weather-agent');
    assert.deepEqual(
      childrenOf(spans, agent).map((s) => `${s.name}:${String(s.attributes[K])}`),
      ['openai.chat:LLM', 'get_weather:TOOL', 'search_flights:TOOL', 'openai.chat:LLM'],
    );
    const weather = only(spans, 'get_weather').attributes;
    assert.equal(weather[SC.TOOL_NAME], 'get_weather');
    assert.equal(weather[SC.TOOL_CALL_ID], 'call_a');
    assert.equal(weather[SC.TOOL_ID], 'call_a');
    assert.equal(weather[SC.TOOL_DESCRIPTION], 'Current weather for a city');
    assert.deepEqual(json(weather, SC.TOOL_PARAMETERS), {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city'],
      additionalProperties: false,
    });
    assert.deepEqual(json(weather, SC.INPUT_VALUE), { city: 'Lyon' });
    assert.equal(weather[SC.INPUT_MIME_TYPE], 'application/json');
    assert.deepEqual(json(weather, SC.OUTPUT_VALUE), { city: 'Lyon', temp_c: 18 });
    const flights = only(spans, 'search_flights').attributes;
    assert.equal(flights[SC.TOOL_DESCRIPTION], 'Search flights');
    assert.equal(flights[SC.OUTPUT_VALUE], 'AF7712 08:05');
    assert.equal(flights[SC.OUTPUT_MIME_TYPE], 'text/plain');
  });

  it('a tool no model was offered has no description or schema; a tool that throws ends in ERROR', async () => {
    h = await setup();
    await assert.rejects(
      withScope('agent', ScopeType.Agent, () =>
        toolCallExecute('read_file', { path: '/etc/app.conf' }, () => {
          throw Object.assign(new Error('EACCES: permission denied'), { name: 'PermissionError' });
        }),
      ),
      /EACCES/,
    );
    const spans = await h.spans(2);
    const tool = only(spans, 'read_file');
    assert.equal(tool.attributes[SC.TOOL_NAME], 'read_file');
    assert.equal(tool.attributes[SC.TOOL_DESCRIPTION], undefined);
    assert.equal(tool.attributes[SC.TOOL_PARAMETERS], undefined);
    assert.deepEqual(json(tool.attributes, SC.INPUT_VALUE), { path: '/etc/app.conf' });
    assert.equal(tool.status.code, 'ERROR');
    assert.equal(tool.status.message, 'EACCES: permission denied');
    assert.equal(tool.events[0]?.name, 'exception');
    assert.equal(tool.events[0]?.attributes['exception.type'], 'PermissionError');
    const agent = only(spans, 'agent');
    assert.equal(agent.status.code, 'ERROR', 'the error escaped the agent too');
  });

  it('a guardrail rejection is a TOOL span in ERROR naming the guardrail, like the OTel exporter', async () => {
    h = await setup();
    registerToolConditionalExecutionGuardrail('no-shell', 0, (name) => (name === 'shell' ? 'shell commands are not allowed' : undefined));
    try {
      await withScope('agent', ScopeType.Agent, async () => {
        await assert.rejects(
          toolCallExecute('shell', { cmd: 'rm -rf /' }, () => 'never runs'),
          { name: 'GuardrailRejectedError' },
        );
      });
    } finally {
      deregisterToolConditionalExecutionGuardrail('no-shell');
    }
    const spans = await h.spans(2);
    const shell = only(spans, 'shell');
    assert.equal(shell.attributes[K], 'TOOL');
    assert.equal(shell.status.code, 'ERROR');
    assert.match(shell.status.message, /shell commands are not allowed/);
    assert.equal(shell.attributes['error.type'], 'GuardrailRejectedError');
    assert.equal(shell.attributes['nemo_flow.guardrail'], 'no-shell');
    assert.equal(shell.events.find((e) => e.name === 'exception')?.attributes['exception.type'], 'GuardrailRejectedError');
    assert.equal(only(spans, 'agent').status.code, 'UNSET', 'the agent handled the rejection');
  });

  it('session, user, tags and metadata from the agent scope reach every descendant span; two runs of one session share session.id', async () => {
    h = await setup();
    const meta = { session_id: 'conv-42', user_id: 'user-7', tags: ['travel', 'beta'], agent_version: '1.3.0' };
    await withScope(
      'weather-agent',
      ScopeType.Agent,
      async () => {
        await withScope('think', ScopeType.Function, () => weatherTurn('Lyon?'));
      },
      { metadata: meta },
    );
    await withScope('weather-agent', ScopeType.Agent, () => weatherTurn('And tomorrow?'), { metadata: { ...meta, turn: 2 } });
    await withScope('other-agent', ScopeType.Agent, () => llmCallExecute('openai.chat', chatRequest(), async () => CHAT_RESPONSE, { codec: 'auto' }), {
      metadata: { session_id: 'conv-99' },
    });
    const spans = await h.spans(13);
    const agents = spans.filter((s) => s.name === 'weather-agent');
    assert.equal(agents.length, 2);
    assert.notEqual(agents[0]!.traceId, agents[1]!.traceId, 'each run is its own trace');
    const runSpans = spans.filter((s) => s.traceId === agents[0]!.traceId || s.traceId === agents[1]!.traceId);
    assert.equal(runSpans.length, 11);
    for (const s of runSpans) {
      assert.equal(s.attributes[SC.SESSION_ID], 'conv-42', `${s.name} carries the session`);
      assert.equal(s.attributes[SC.USER_ID], 'user-7', `${s.name} carries the user`);
      assert.deepEqual(s.attributes[SC.TAG_TAGS], ['travel', 'beta'], `${s.name} carries the tags`);
      const m = json(s.attributes, SC.METADATA) as Record<string, unknown>;
      assert.equal(m['agent_version'], '1.3.0', `${s.name} carries the run metadata`);
    }
    const secondRun = runSpans.filter((s) => s.traceId === agents[1]!.traceId);
    for (const s of secondRun) assert.equal((json(s.attributes, SC.METADATA) as Record<string, unknown>)['turn'], 2);
    const other = spans.filter((s) => s.traceId === only(spans, 'other-agent').traceId);
    assert.equal(other.length, 2);
    for (const s of other) {
      assert.equal(s.attributes[SC.SESSION_ID], 'conv-99');
      assert.equal(s.attributes[SC.USER_ID], undefined, 'no user leaks from another run');
    }
  });

  it('nested scope metadata is merged over the run metadata; a nested session_id wins for its subtree', async () => {
    h = await setup();
    await withScope(
      'router',
      ScopeType.Agent,
      async () => {
        await toolCallExecute('lookup', { q: 1 }, () => 1, { metadata: { attempt: 2 } });
        await withScope('sub-agent', ScopeType.Agent, () => toolCallExecute('inner', {}, () => 2), { metadata: { session_id: 'sub-session', role: 'helper' } });
      },
      { metadata: { session_id: 'main', user_id: 'u1', region: 'eu' } },
    );
    const spans = await h.spans(4);
    const lookup = only(spans, 'lookup').attributes;
    assert.equal(lookup[SC.SESSION_ID], 'main');
    assert.deepEqual(json(lookup, SC.METADATA), { session_id: 'main', user_id: 'u1', region: 'eu', attempt: 2 });
    const inner = only(spans, 'inner').attributes;
    assert.equal(inner[SC.SESSION_ID], 'sub-session');
    assert.equal(inner[SC.USER_ID], 'u1', 'the user is inherited from the outer run');
    assert.deepEqual(json(inner, SC.METADATA), { session_id: 'sub-session', user_id: 'u1', region: 'eu', role: 'helper' });
    assert.equal(only(spans, 'router').attributes[SC.SESSION_ID], 'main');
  });

  it('session, user, tags and metadata from exporter options apply to runs that do not set them; scope metadata wins', async () => {
    h = await setup({ sessionId: 'default-session', userId: 'service-account', tags: ['batch'], metadata: { deployment: 'staging' } });
    await withScope('nightly', ScopeType.Agent, () => toolCallExecute('cleanup', {}, () => 'ok'));
    await withScope('interactive', ScopeType.Agent, () => toolCallExecute('answer', {}, () => 'ok'), { metadata: { session_id: 'chat-1', tags: ['chat'] } });
    const spans = await h.spans(4);
    for (const name of ['nightly', 'cleanup']) {
      const a = only(spans, name).attributes;
      assert.equal(a[SC.SESSION_ID], 'default-session', name);
      assert.equal(a[SC.USER_ID], 'service-account', name);
      assert.deepEqual(a[SC.TAG_TAGS], ['batch'], name);
      assert.deepEqual(json(a, SC.METADATA), { deployment: 'staging' }, name);
    }
    for (const name of ['interactive', 'answer']) {
      const a = only(spans, name).attributes;
      assert.equal(a[SC.SESSION_ID], 'chat-1', name);
      assert.equal(a[SC.USER_ID], 'service-account', name);
      assert.deepEqual(a[SC.TAG_TAGS], ['chat'], name);
      assert.deepEqual(json(a, SC.METADATA), { deployment: 'staging', session_id: 'chat-1', tags: ['chat'] }, name);
    }
  });

  it('work started after its parent scope ended (fire-and-forget) still carries the run context', async () => {
    h = await setup();
    const scope = pushScope('agent', ScopeType.Agent, { metadata: { session_id: 'late-session' } });
    await toolCallExecute('plan', {}, () => 'plan', { parent: scope });
    popScope(scope);
    await toolCallExecute('background_sync', {}, () => 'done', { parent: scope });
    // A scope that had no children while open: the OTel bridge forgets its span, the session stays.
    const lone = pushScope('lone-agent', ScopeType.Agent, { metadata: { session_id: 'lone-session' } });
    popScope(lone);
    await toolCallExecute('late_audit', {}, () => 'done', { parent: lone });
    const spans = await h.spans(5);
    const late = only(spans, 'background_sync');
    assert.equal(late.parentSpanId, only(spans, 'agent').spanId);
    assert.equal(late.attributes[SC.SESSION_ID], 'late-session');
    assert.equal(only(spans, 'late_audit').attributes[SC.SESSION_ID], 'lone-session');
  });

  it('marks become span events with their data and metadata', async () => {
    h = await setup();
    await withScope('agent', ScopeType.Agent, () => {
      mark('plan_ready', { data: { steps: 3 }, metadata: { source: 'planner' } });
    });
    const [agent] = await h.spans(1);
    const ev = agent!.events.find((e) => e.name === 'plan_ready');
    assert.ok(ev, 'mark event');
    assert.deepEqual(JSON.parse(ev.attributes['nemo_flow.data'] as string), { steps: 3 });
    assert.deepEqual(JSON.parse(ev.attributes['nemo_flow.metadata'] as string), { source: 'planner' });
  });
});
