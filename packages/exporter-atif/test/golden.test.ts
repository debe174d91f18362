/**
 * Golden-file tests: one conversation per provider format, carried as raw provider payloads in
 * the LLM events (no codec annotations, so the exporter decodes them itself), compared with the
 * reviewed trajectories under test/golden/. Regenerate after an intended change with
 * `UPDATE_GOLDEN=1 npx mocha packages/exporter-atif/test/golden.test.ts` and review the diff.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTrajectories, validateTrajectory, type AtifOutputVersion, type AtifTrajectory } from '@nemo-flow/exporter-atif';
import { EventLog } from './events.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');

/** OpenAI Chat Completions: parallel tool calls, a malformed argument string, a follow-up question. */
function openaiChat(): EventLog {
  const log = new EventLog();
  const run = log.agent('weather_agent', null, { metadata: { session_id: 'golden-openai-chat', agent_version: '1.2.0' }, input: 'weather' });
  const tools = [
    {
      type: 'function',
      function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    },
    { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
  ];
  const m1 = [
    { role: 'system', content: 'You answer weather questions.' },
    { role: 'user', content: 'Weather and time in Paris and Oslo?' },
  ];
  const l1 = log.llm(run, { model: 'gpt-4o', messages: m1, tools, reasoning_effort: 'low' }, { model: 'gpt-4o' });
  const assistant1 = {
    role: 'assistant',
    content: 'Checking.',
    tool_calls: [
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      { id: 'call_c', type: 'function', function: { name: 'get_time', arguments: '{not json' } },
    ],
  };
  log.llmEnd(l1, {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, message: assistant1, finish_reason: 'tool_calls' }],
    usage: { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130, prompt_tokens_details: { cached_tokens: 40 } },
  });
  const ta = log.tool(run, 'get_weather', { city: 'Paris' }, 'call_a');
  const tb = log.tool(run, 'get_weather', { city: 'Oslo' }, 'call_b');
  log.end(tb, { temp_c: 3 });
  log.end(ta, { temp_c: 12 });
  const tc = log.tool(run, 'get_time', {}, 'call_c');
  log.end(tc, null, { status: 'error', error: { type: 'SyntaxError', message: 'bad arguments' } });
  const m2 = [
    ...m1,
    assistant1,
    { role: 'tool', tool_call_id: 'call_a', content: '{"temp_c":12}' },
    { role: 'tool', tool_call_id: 'call_b', content: '{"temp_c":3}' },
    { role: 'tool', tool_call_id: 'call_c', content: 'error: bad arguments' },
  ];
  const l2 = log.llm(run, { model: 'gpt-4o', messages: m2, tools }, { model: 'gpt-4o' });
  const answer = { role: 'assistant', content: 'Paris 12°C, Oslo 3°C. Time is unavailable.' };
  log.llmEnd(l2, {
    id: 'chatcmpl-2',
    object: 'chat.completion',
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, message: answer, finish_reason: 'stop' }],
    usage: { prompt_tokens: 180, completion_tokens: 15, total_tokens: 195 },
  });
  const m3 = [...m2, answer, { role: 'user', content: 'And in Rome?' }];
  const l3 = log.llm(run, { model: 'gpt-4o', messages: m3, tools }, { model: 'gpt-4o' });
  log.llmEnd(l3, {
    id: 'chatcmpl-3',
    object: 'chat.completion',
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, message: { role: 'assistant', content: 'I would need to check Rome.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 200, completion_tokens: 8, total_tokens: 208 },
  });
  log.end(run, 'Paris 12°C, Oslo 3°C.');
  return log;
}

/** OpenAI Responses: instructions, a reasoning item, function_call / function_call_output items. */
function openaiResponses(): EventLog {
  const log = new EventLog();
  const run = log.agent('math_agent', null, { metadata: { session_id: 'golden-openai-responses' } });
  const tools = [
    { type: 'function', name: 'calculator', description: 'Evaluates arithmetic', parameters: { type: 'object', properties: { expr: { type: 'string' } } } },
  ];
  const input1 = [{ role: 'user', content: [{ type: 'input_text', text: 'What is 17 * 23?' }] }];
  const l1 = log.llm(
    run,
    { model: 'o4-mini', instructions: 'Use the calculator.', input: input1, tools, reasoning: { effort: 'medium' } },
    { model: 'o4-mini' },
  );
  const output1 = [
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Multiply with the tool.' }] },
    { type: 'function_call', id: 'fc_1', call_id: 'call_calc', name: 'calculator', arguments: '{"expr":"17*23"}', status: 'completed' },
  ];
  log.llmEnd(l1, {
    id: 'resp_1',
    object: 'response',
    model: 'o4-mini-2025-04-16',
    status: 'completed',
    output: output1,
    usage: {
      input_tokens: 50,
      output_tokens: 20,
      total_tokens: 70,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 12 },
    },
  });
  const t = log.tool(run, 'calculator', { expr: '17*23' }, 'call_calc');
  log.end(t, 391);
  const input2 = [...input1, ...output1, { type: 'function_call_output', call_id: 'call_calc', output: '391' }];
  const l2 = log.llm(
    run,
    { model: 'o4-mini', instructions: 'Use the calculator.', input: input2, tools, reasoning: { effort: 'medium' } },
    { model: 'o4-mini' },
  );
  log.llmEnd(l2, {
    id: 'resp_2',
    object: 'response',
    model: 'o4-mini-2025-04-16',
    status: 'completed',
    output: [
      { type: 'message', id: 'msg_2', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: '17 * 23 = 391', annotations: [] }] },
    ],
    usage: { input_tokens: 90, output_tokens: 10, total_tokens: 100 },
  });
  log.end(run, '391');
  return log;
}

/** Anthropic Messages: system, thinking, tool_use / tool_result, prompt caching, an image by URL. */
function anthropic(): EventLog {
  const log = new EventLog();
  const run = log.agent('vision_agent', null, { metadata: { session_id: 'golden-anthropic', tags: ['golden'] } });
  const tools = [{ name: 'zoom', description: 'Zoom into the image', input_schema: { type: 'object', properties: { factor: { type: 'number' } } } }];
  const user1 = {
    role: 'user',
    content: [
      { type: 'text', text: 'What animal is this?' },
      { type: 'image', source: { type: 'url', url: 'https://example.org/cat.png' } },
    ],
  };
  const base = {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: [{ type: 'text', text: 'You describe images.', cache_control: { type: 'ephemeral' } }],
    tools,
  };
  const l1 = log.llm(run, { ...base, messages: [user1] }, { model: 'claude-sonnet-4-5' });
  const content1 = [
    { type: 'thinking', thinking: 'Looks feline; zoom to be sure.', signature: 'sig1' },
    { type: 'tool_use', id: 'toolu_zoom', name: 'zoom', input: { factor: 2 } },
  ];
  log.llmEnd(l1, {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: content1,
    stop_reason: 'tool_use',
    usage: { input_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0, output_tokens: 40 },
  });
  const t = log.tool(run, 'zoom', { factor: 2 }, 'toolu_zoom');
  log.end(t, 'zoomed: whiskers visible');
  const messages2 = [
    user1,
    { role: 'assistant', content: content1 },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_zoom', content: 'zoomed: whiskers visible' }] },
  ];
  const l2 = log.llm(run, { ...base, messages: messages2 }, { model: 'claude-sonnet-4-5' });
  log.llmEnd(l2, {
    id: 'msg_2',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text', text: 'It is a cat.' }],
    stop_reason: 'end_turn',
    usage: { input_tokens: 60, cache_read_input_tokens: 1000, output_tokens: 6 },
  });
  log.end(run, 'cat');
  return log;
}

/** Streamed OpenAI chat: the end event carries the finalizer's aggregate (a chat completion). */
function streamingChat(): EventLog {
  const log = new EventLog();
  const run = log.agent('stream_agent', null, { metadata: { session_id: 'golden-streaming' } });
  const l1 = log.llm(
    run,
    { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Say hi and look up the date.' }] },
    { model: 'gpt-4o', streaming: true },
  );
  log.llmEnd(l1, {
    id: 'chatcmpl-s1',
    object: 'chat.completion',
    model: 'gpt-4o',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hi!', tool_calls: [{ id: 'call_date', type: 'function', function: { name: 'date', arguments: '{}' } }] },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
  });
  const t = log.tool(run, 'date', {}, 'call_date');
  log.end(t, '2026-11-24');
  log.end(run, 'done');
  return log;
}

const scenarios: Record<string, () => EventLog> = {
  'openai-chat': openaiChat,
  'openai-responses': openaiResponses,
  'anthropic-messages': anthropic,
  'streaming-openai-chat': streamingChat,
};

function golden(name: string, actual: AtifTrajectory): void {
  const file = join(GOLDEN, `${name}.json`);
  const text = JSON.stringify(actual, null, 2) + '\n';
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
    if (process.env['UPDATE_GOLDEN'] !== '1') assert.fail(`golden file ${file} was missing and has been written: review it and re-run`);
  }
  assert.deepEqual(actual, JSON.parse(readFileSync(file, 'utf8')), `trajectory differs from ${file}`);
}

describe('golden trajectories per provider format', () => {
  for (const [name, make] of Object.entries(scenarios)) {
    for (const version of ['ATIF-v1.6', 'ATIF-v1.7'] as AtifOutputVersion[]) {
      it(`${name} (${version})`, () => {
        const built = buildTrajectories(make().events, { schemaVersion: version });
        assert.equal(built.length, 1);
        const t = built[0]!;
        assert.deepEqual(t.violations, []);
        assert.deepEqual(validateTrajectory(t.trajectory), []);
        golden(version === 'ATIF-v1.6' ? name : `${name}.v17`, t.trajectory);
      });
    }
  }

  it('maps a streamed call like the same call made without streaming', () => {
    const streamed = buildTrajectories(streamingChat().events)[0]!.trajectory;
    const log = streamingChat();
    for (const e of log.events) if (e.kind === 'scope') (e as { attributes: readonly string[] }).attributes = [];
    const plain = buildTrajectories(log.events)[0]!.trajectory;
    const strip = (t: AtifTrajectory) =>
      t.steps.map((s) => {
        const { extra, ...rest } = s;
        const llm = (extra?.['llm_call'] ?? {}) as Record<string, unknown>;
        return { ...rest, llm: { ...llm, streaming: undefined } };
      });
    assert.deepEqual(strip(streamed), strip(plain));
    assert.equal((streamed.steps[1]!.extra!['llm_call'] as Record<string, unknown>)['streaming'], true);
  });
});
