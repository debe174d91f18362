import { strict as assert } from 'node:assert';
import { isIsoTimestamp, validateTrajectory } from '@nemo-flow/exporter-atif';

// Tests build and break documents freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

/** A valid v1.6 document touching every structure the rules talk about. */
function validV16(): Doc {
  return {
    schema_version: 'ATIF-v1.6',
    session_id: 's-1',
    agent: { name: 'agent', version: '1.0', model_name: 'gpt-4o', tool_definitions: [{ type: 'function' }], extra: {} },
    steps: [
      { step_id: 1, timestamp: '2026-11-24T03:06:37.428899Z', source: 'system', message: 'You are helpful.' },
      {
        step_id: 2,
        source: 'user',
        message: [
          { type: 'text', text: 'look' },
          { type: 'image', source: { media_type: 'image/png', path: 'a.png' } },
        ],
      },
      {
        step_id: 3,
        source: 'agent',
        model_name: 'gpt-4o',
        reasoning_effort: 'high',
        message: '',
        reasoning_content: 'thinking',
        tool_calls: [{ tool_call_id: 'c1', function_name: 'f', arguments: {} }],
        observation: {
          results: [
            { source_call_id: 'c1', content: 'ok' },
            { content: 'no call', subagent_trajectory_ref: [{ session_id: 'sub', trajectory_path: 'sub.json', extra: {} }] },
          ],
        },
        metrics: {
          prompt_tokens: 1,
          completion_tokens: 2,
          cached_tokens: 0,
          cost_usd: 0.5,
          prompt_token_ids: [1],
          completion_token_ids: [2],
          logprobs: [-0.1],
          extra: {},
        },
        is_copied_context: false,
        extra: { any: 'thing' },
      },
    ],
    notes: 'n',
    final_metrics: { total_prompt_tokens: 1, total_completion_tokens: 2, total_cached_tokens: 0, total_cost_usd: 0.5, total_steps: 3, extra: {} },
    continued_trajectory_ref: 'next.json',
    extra: {},
  };
}

function validV17(): Doc {
  const sub = validV16();
  sub.schema_version = 'ATIF-v1.7';
  sub.trajectory_id = 'sub-1';
  sub.steps[2].observation.results[1].subagent_trajectory_ref = [{ trajectory_id: 'x', trajectory_path: 'x.json' }];
  const doc = validV16();
  doc.schema_version = 'ATIF-v1.7';
  doc.trajectory_id = 'root';
  delete doc.session_id;
  doc.steps[2].llm_call_count = 1;
  doc.steps[2].tool_calls[0].extra = { raw_arguments: '{' };
  doc.steps[2].observation.results[1].subagent_trajectory_ref = [{ trajectory_id: 'sub-1', session_id: 's-1' }];
  doc.subagent_trajectories = [sub];
  return doc;
}

interface Case {
  rule: string;
  base?: () => Doc;
  mutate: (d: Doc) => unknown;
  path: string;
}

const cases: Case[] = [
  { rule: 'schema_version required', mutate: (d) => delete d.schema_version, path: '$.schema_version' },
  { rule: 'schema_version known', mutate: (d) => (d.schema_version = 'ATIF-v2'), path: '$.schema_version' },
  { rule: 'session_id required before v1.7', mutate: (d) => delete d.session_id, path: '$.session_id' },
  { rule: 'session_id is a string', mutate: (d) => (d.session_id = 5), path: '$.session_id' },
  { rule: 'unknown root key', mutate: (d) => (d.foo = 1), path: '$.foo' },
  { rule: 'trajectory_id only in v1.7', mutate: (d) => (d.trajectory_id = 't'), path: '$.trajectory_id' },
  { rule: 'agent required', mutate: (d) => delete d.agent, path: '$.agent' },
  { rule: 'agent is an object', mutate: (d) => (d.agent = 'a'), path: '$.agent' },
  { rule: 'agent.name required', mutate: (d) => delete d.agent.name, path: '$.agent.name' },
  { rule: 'agent.version is a string', mutate: (d) => (d.agent.version = 1), path: '$.agent.version' },
  { rule: 'agent.model_name is a string', mutate: (d) => (d.agent.model_name = {}), path: '$.agent.model_name' },
  { rule: 'agent unknown key', mutate: (d) => (d.agent.model = 'x'), path: '$.agent.model' },
  { rule: 'agent.tool_definitions is an array', mutate: (d) => (d.agent.tool_definitions = {}), path: '$.agent.tool_definitions' },
  { rule: 'tool definitions are objects', mutate: (d) => (d.agent.tool_definitions = ['f']), path: '$.agent.tool_definitions[0]' },
  { rule: 'agent.extra is an object', mutate: (d) => (d.agent.extra = []), path: '$.agent.extra' },
  { rule: 'notes is a string', mutate: (d) => (d.notes = ['x']), path: '$.notes' },
  { rule: 'continued_trajectory_ref is a string', mutate: (d) => (d.continued_trajectory_ref = 1), path: '$.continued_trajectory_ref' },
  { rule: 'root extra is an object', mutate: (d) => (d.extra = 'x'), path: '$.extra' },
  { rule: 'steps required', mutate: (d) => delete d.steps, path: '$.steps' },
  { rule: 'steps is an array', mutate: (d) => (d.steps = {}), path: '$.steps' },
  { rule: 'steps non-empty', mutate: (d) => (d.steps = []), path: '$.steps' },
  { rule: 'a step is an object', mutate: (d) => (d.steps[0] = 'step'), path: '$.steps[0]' },
  { rule: 'step_id required', mutate: (d) => delete d.steps[0].step_id, path: '$.steps[0].step_id' },
  { rule: 'step_id integer', mutate: (d) => (d.steps[0].step_id = 1.5), path: '$.steps[0].step_id' },
  { rule: 'step_id sequential', mutate: (d) => (d.steps[1].step_id = 3), path: '$.steps[1].step_id' },
  { rule: 'timestamp ISO 8601', mutate: (d) => (d.steps[0].timestamp = 'yesterday'), path: '$.steps[0].timestamp' },
  { rule: 'timestamp is a string', mutate: (d) => (d.steps[0].timestamp = 1700000000), path: '$.steps[0].timestamp' },
  { rule: 'source required', mutate: (d) => delete d.steps[0].source, path: '$.steps[0].source' },
  { rule: 'source enum', mutate: (d) => (d.steps[0].source = 'tool'), path: '$.steps[0].source' },
  { rule: 'message required', mutate: (d) => delete d.steps[0].message, path: '$.steps[0].message' },
  { rule: 'message not null', mutate: (d) => (d.steps[0].message = null), path: '$.steps[0].message' },
  { rule: 'message not an object', mutate: (d) => (d.steps[0].message = { role: 'user', content: 'x' }), path: '$.steps[0].message' },
  { rule: 'content part is an object', mutate: (d) => (d.steps[1].message = ['x']), path: '$.steps[1].message[0]' },
  { rule: 'content part type', mutate: (d) => (d.steps[1].message[0].type = 'audio'), path: '$.steps[1].message[0].type' },
  { rule: 'text part needs text', mutate: (d) => delete d.steps[1].message[0].text, path: '$.steps[1].message[0].text' },
  {
    rule: 'text part has no source',
    mutate: (d) => (d.steps[1].message[0].source = { media_type: 'image/png', path: 'p' }),
    path: '$.steps[1].message[0].source',
  },
  { rule: 'image part needs source', mutate: (d) => delete d.steps[1].message[1].source, path: '$.steps[1].message[1].source' },
  { rule: 'image part has no text', mutate: (d) => (d.steps[1].message[1].text = 'x'), path: '$.steps[1].message[1].text' },
  { rule: 'image media type', mutate: (d) => (d.steps[1].message[1].source.media_type = 'image/bmp'), path: '$.steps[1].message[1].source.media_type' },
  { rule: 'image path', mutate: (d) => delete d.steps[1].message[1].source.path, path: '$.steps[1].message[1].source.path' },
  { rule: 'image source unknown key', mutate: (d) => (d.steps[1].message[1].source.url = 'u'), path: '$.steps[1].message[1].source.url' },
  { rule: 'content part unknown key', mutate: (d) => (d.steps[1].message[0].cache = true), path: '$.steps[1].message[0].cache' },
  { rule: 'unknown step key', mutate: (d) => (d.steps[0].role = 'system'), path: '$.steps[0].role' },
  { rule: 'llm_call_count only in v1.7', mutate: (d) => (d.steps[2].llm_call_count = 1), path: '$.steps[2].llm_call_count' },
  ...(['model_name', 'reasoning_effort', 'reasoning_content', 'tool_calls', 'metrics'] as const).map(
    (k): Case => ({
      rule: `${k} only on agent steps`,
      mutate: (d) => (d.steps[1][k] = d.steps[2][k]),
      path: `$.steps[1].${k}`,
    }),
  ),
  { rule: 'model_name is a string', mutate: (d) => (d.steps[2].model_name = 1), path: '$.steps[2].model_name' },
  { rule: 'reasoning_effort string or number', mutate: (d) => (d.steps[2].reasoning_effort = true), path: '$.steps[2].reasoning_effort' },
  { rule: 'reasoning_content is a string', mutate: (d) => (d.steps[2].reasoning_content = ['x']), path: '$.steps[2].reasoning_content' },
  { rule: 'is_copied_context boolean', mutate: (d) => (d.steps[2].is_copied_context = 'yes'), path: '$.steps[2].is_copied_context' },
  { rule: 'step extra is an object', mutate: (d) => (d.steps[2].extra = 1), path: '$.steps[2].extra' },
  { rule: 'tool_calls is an array', mutate: (d) => (d.steps[2].tool_calls = {}), path: '$.steps[2].tool_calls' },
  { rule: 'tool call is an object', mutate: (d) => (d.steps[2].tool_calls = ['c']), path: '$.steps[2].tool_calls[0]' },
  { rule: 'tool_call_id required', mutate: (d) => delete d.steps[2].tool_calls[0].tool_call_id, path: '$.steps[2].tool_calls[0].tool_call_id' },
  { rule: 'function_name is a string', mutate: (d) => (d.steps[2].tool_calls[0].function_name = 1), path: '$.steps[2].tool_calls[0].function_name' },
  { rule: 'arguments required', mutate: (d) => delete d.steps[2].tool_calls[0].arguments, path: '$.steps[2].tool_calls[0].arguments' },
  { rule: 'arguments is an object', mutate: (d) => (d.steps[2].tool_calls[0].arguments = '{}'), path: '$.steps[2].tool_calls[0].arguments' },
  { rule: 'tool call extra only in v1.7', mutate: (d) => (d.steps[2].tool_calls[0].extra = {}), path: '$.steps[2].tool_calls[0].extra' },
  {
    rule: 'tool_call_id unique in a step',
    mutate: (d) => d.steps[2].tool_calls.push({ tool_call_id: 'c1', function_name: 'g', arguments: {} }),
    path: '$.steps[2].tool_calls[1].tool_call_id',
  },
  { rule: 'observation is an object', mutate: (d) => (d.steps[2].observation = []), path: '$.steps[2].observation' },
  { rule: 'observation results required', mutate: (d) => (d.steps[2].observation = {}), path: '$.steps[2].observation.results' },
  { rule: 'observation unknown key', mutate: (d) => (d.steps[2].observation.status = 'ok'), path: '$.steps[2].observation.status' },
  { rule: 'observation result is an object', mutate: (d) => (d.steps[2].observation.results[0] = 'ok'), path: '$.steps[2].observation.results[0]' },
  { rule: 'observation result unknown key', mutate: (d) => (d.steps[2].observation.results[0].extra = {}), path: '$.steps[2].observation.results[0].extra' },
  {
    rule: 'source_call_id names a call of the same step',
    mutate: (d) => (d.steps[2].observation.results[0].source_call_id = 'c9'),
    path: '$.steps[2].observation.results[0].source_call_id',
  },
  {
    rule: 'source_call_id needs tool_calls on the step',
    mutate: (d) => (d.steps[0].observation = { results: [{ source_call_id: 'c1', content: 'x' }] }),
    path: '$.steps[0].observation.results[0].source_call_id',
  },
  {
    rule: 'source_call_id is a string',
    mutate: (d) => (d.steps[2].observation.results[0].source_call_id = 1),
    path: '$.steps[2].observation.results[0].source_call_id',
  },
  {
    rule: 'result content not an object',
    mutate: (d) => (d.steps[2].observation.results[0].content = { temp: 20 }),
    path: '$.steps[2].observation.results[0].content',
  },
  {
    rule: 'subagent_trajectory_ref is an array',
    mutate: (d) => (d.steps[2].observation.results[1].subagent_trajectory_ref = { session_id: 's' }),
    path: '$.steps[2].observation.results[1].subagent_trajectory_ref',
  },
  {
    rule: 'v1.6 ref needs session_id',
    mutate: (d) => delete d.steps[2].observation.results[1].subagent_trajectory_ref[0].session_id,
    path: '$.steps[2].observation.results[1].subagent_trajectory_ref[0].session_id',
  },
  {
    rule: 'v1.6 ref has no trajectory_id',
    mutate: (d) => (d.steps[2].observation.results[1].subagent_trajectory_ref[0].trajectory_id = 't'),
    path: '$.steps[2].observation.results[1].subagent_trajectory_ref[0].trajectory_id',
  },
  {
    rule: 'ref trajectory_path is a string',
    mutate: (d) => (d.steps[2].observation.results[1].subagent_trajectory_ref[0].trajectory_path = 1),
    path: '$.steps[2].observation.results[1].subagent_trajectory_ref[0].trajectory_path',
  },
  { rule: 'metrics is an object', mutate: (d) => (d.steps[2].metrics = 5), path: '$.steps[2].metrics' },
  { rule: 'metrics unknown key', mutate: (d) => (d.steps[2].metrics.total_tokens = 3), path: '$.steps[2].metrics.total_tokens' },
  { rule: 'prompt_tokens integer', mutate: (d) => (d.steps[2].metrics.prompt_tokens = 1.5), path: '$.steps[2].metrics.prompt_tokens' },
  { rule: 'cost_usd number', mutate: (d) => (d.steps[2].metrics.cost_usd = '0.1'), path: '$.steps[2].metrics.cost_usd' },
  { rule: 'token ids integers', mutate: (d) => (d.steps[2].metrics.prompt_token_ids = [1, 'a']), path: '$.steps[2].metrics.prompt_token_ids[1]' },
  { rule: 'logprobs numbers', mutate: (d) => (d.steps[2].metrics.logprobs = 0.5), path: '$.steps[2].metrics.logprobs' },
  { rule: 'final_metrics is an object', mutate: (d) => (d.final_metrics = 1), path: '$.final_metrics' },
  { rule: 'final_metrics unknown key', mutate: (d) => (d.final_metrics.total_tokens = 1), path: '$.final_metrics.total_tokens' },
  { rule: 'total_steps integer', mutate: (d) => (d.final_metrics.total_steps = '3'), path: '$.final_metrics.total_steps' },
  { rule: 'total_cost_usd number', mutate: (d) => (d.final_metrics.total_cost_usd = 'x'), path: '$.final_metrics.total_cost_usd' },
  // ATIF-v1.7
  { rule: 'v1.7 session_id optional but a string', base: validV17, mutate: (d) => (d.session_id = 1), path: '$.session_id' },
  { rule: 'v1.7 trajectory_id is a string', base: validV17, mutate: (d) => (d.trajectory_id = 1), path: '$.trajectory_id' },
  {
    rule: 'v1.7 ref needs trajectory_id or trajectory_path',
    base: validV17,
    mutate: (d) => (d.steps[2].observation.results[1].subagent_trajectory_ref = [{ session_id: 's-1' }]),
    path: '$.steps[2].observation.results[1].subagent_trajectory_ref[0]',
  },
  {
    rule: 'v1.7 path-less ref resolves to an embedded trajectory',
    base: validV17,
    mutate: (d) => (d.steps[2].observation.results[1].subagent_trajectory_ref = [{ trajectory_id: 'nope' }]),
    path: '$.steps[2].observation.results[1].subagent_trajectory_ref[0].trajectory_id',
  },
  {
    rule: 'v1.7 embedded trajectories need trajectory_id',
    base: validV17,
    mutate: (d) => delete d.subagent_trajectories[0].trajectory_id,
    path: '$.subagent_trajectories[0].trajectory_id',
  },
  {
    rule: 'v1.7 embedded trajectory ids unique',
    base: validV17,
    mutate: (d) => d.subagent_trajectories.push(structuredClone(d.subagent_trajectories[0])),
    path: '$.subagent_trajectories[1].trajectory_id',
  },
  { rule: 'v1.7 subagent_trajectories is an array', base: validV17, mutate: (d) => (d.subagent_trajectories = {}), path: '$.subagent_trajectories' },
  {
    rule: 'v1.7 embedded trajectories are validated',
    base: validV17,
    mutate: (d) => (d.subagent_trajectories[0].steps[0].step_id = 7),
    path: '$.subagent_trajectories[0].steps[0].step_id',
  },
  { rule: 'v1.7 llm_call_count >= 0', base: validV17, mutate: (d) => (d.steps[2].llm_call_count = -1), path: '$.steps[2].llm_call_count' },
  { rule: 'v1.7 llm_call_count 0 means no metrics', base: validV17, mutate: (d) => (d.steps[2].llm_call_count = 0), path: '$.steps[2].metrics' },
  { rule: 'v1.7 tool call extra is an object', base: validV17, mutate: (d) => (d.steps[2].tool_calls[0].extra = 'x'), path: '$.steps[2].tool_calls[0].extra' },
];

describe('validateTrajectory', () => {
  it('accepts a valid v1.6 document using every structure', () => {
    assert.deepEqual(validateTrajectory(validV16()), []);
  });

  it('accepts a valid v1.7 document with an embedded subagent', () => {
    assert.deepEqual(validateTrajectory(validV17()), []);
  });

  it('accepts null for optional fields, as Harbor does', () => {
    const d = validV16();
    d.notes = null;
    d.steps[0].timestamp = null;
    d.steps[2].observation.results[0].content = null;
    assert.deepEqual(validateTrajectory(d), []);
  });

  it('rejects a non-object document', () => {
    assert.deepEqual(validateTrajectory([]), [{ path: '$', message: 'a trajectory must be an object, got an array' }]);
  });

  for (const c of cases) {
    it(`fails: ${c.rule}`, () => {
      const d = (c.base ?? validV16)();
      c.mutate(d);
      const violations = validateTrajectory(d);
      assert.ok(
        violations.some((v) => v.path === c.path),
        `expected a violation at ${c.path}, got ${JSON.stringify(violations, null, 1)}`,
      );
    });
  }

  it('reports every violation, not only the first', () => {
    const d = validV16();
    d.foo = 1;
    d.steps[0].step_id = 9;
    d.steps[1].tool_calls = [];
    d.steps[2].observation.results[0].source_call_id = 'zz';
    const paths = validateTrajectory(d).map((v) => v.path);
    assert.deepEqual(paths.sort(), ['$.foo', '$.steps[0].step_id', '$.steps[1].tool_calls', '$.steps[2].observation.results[0].source_call_id'].sort());
  });

  it('can validate a document against another version', () => {
    const d = validV17();
    assert.deepEqual(validateTrajectory(d), []);
    const as16 = validateTrajectory(d, { schemaVersion: 'ATIF-v1.6' }).map((v) => v.path);
    assert.ok(as16.includes('$.trajectory_id'));
    assert.ok(as16.includes('$.session_id'));
  });
});

describe('isIsoTimestamp', () => {
  it('accepts what Python datetime.fromisoformat accepts in extended format', () => {
    for (const s of [
      '2026-11-24',
      '2026-11-24T03:06',
      '2026-11-24T03:06:37Z',
      '2026-11-24T03:06:37.428899984+00:00',
      '2026-11-24 03:06:37,5',
      '2024-02-29T00:00:00-05:30',
    ])
      assert.ok(isIsoTimestamp(s), s);
  });
  it('rejects impossible dates and other text', () => {
    for (const s of ['2026-02-29T00:00:00Z', '2026-13-01', '2026-11-24T24:00:00Z', '2026-11-24T03:60', 'now', '1700000000', '2026-11-24T03:06:37.5 UTC'])
      assert.ok(!isIsoTimestamp(s), s);
  });
});
