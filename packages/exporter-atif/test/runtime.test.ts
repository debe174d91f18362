/** End to end: the real runtime API drives the exporter; the written files must validate. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ScopeType,
  flushSubscribers,
  llmCallExecute,
  llmStreamCallExecute,
  mark,
  registerToolConditionalExecutionGuardrail,
  toolCallExecute,
  withScope,
} from '@nemo-flow/runtime';
import { AtifExporter, validateTrajectory, type AtifOutputVersion, type AtifTrajectory } from '@nemo-flow/exporter-atif';

const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];

function completion(message: Record<string, unknown>, usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }) {
  return { id: 'c', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message, finish_reason: 'stop' }], usage };
}

async function* chunks(): AsyncGenerator<Record<string, unknown>> {
  for (const piece of ['Stre', 'amed ', 'answer.'])
    yield { id: 's', object: 'chat.completion.chunk', model: 'gpt-4o', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] };
  yield {
    id: 's',
    object: 'chat.completion.chunk',
    model: 'gpt-4o',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    usage: { prompt_tokens: 40, completion_tokens: 3, total_tokens: 43 },
  };
}

/** A small agent: an LLM turn asking for two tools (one rejected by a guardrail), a subagent inside a tool, a streamed answer. */
async function agentRun(session: string): Promise<string> {
  return withScope(
    'support_agent',
    ScopeType.Agent,
    async (scope) => {
      registerToolConditionalExecutionGuardrail('no-delete', 0, (name) => (name === 'delete_all' ? 'deleting is not allowed' : undefined), { scope });
      const messages: Record<string, unknown>[] = [
        { role: 'system', content: 'Help the user.' },
        { role: 'user', content: 'Find the order and clean up.' },
      ];
      const first = completion({
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_lookup', type: 'function', function: { name: 'lookup', arguments: '{"q":"order 7"}' } },
          { id: 'call_delete', type: 'function', function: { name: 'delete_all', arguments: '{}' } },
        ],
      });
      await llmCallExecute('openai.chat', { headers: {}, content: { model: 'gpt-4o', messages, tools } }, async () => first, { codec: 'auto' });
      messages.push(first.choices[0]!.message);
      const found = await toolCallExecute(
        'lookup',
        { q: 'order 7' },
        async () =>
          // The tool delegates to a subagent.
          withScope('order_db_agent', ScopeType.Agent, async () => {
            const r = completion({ role: 'assistant', content: 'Order 7 shipped.' });
            await llmCallExecute(
              'openai.chat',
              { headers: {}, content: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'status of order 7' }] } },
              async () => r,
              {
                codec: 'auto',
              },
            );
            return 'shipped';
          }),
        { toolCallId: 'call_lookup' },
      );
      messages.push({ role: 'tool', tool_call_id: 'call_lookup', content: String(found) });
      await assert.rejects(toolCallExecute('delete_all', {}, async () => 'deleted', { toolCallId: 'call_delete' }));
      messages.push({ role: 'tool', tool_call_id: 'call_delete', content: 'rejected' });
      mark('cleanup_skipped', { data: { reason: 'guardrail' } });
      const stream = await llmStreamCallExecute('openai.chat', { headers: {}, content: { model: 'gpt-4o', messages, stream: true } }, () => chunks(), {
        codec: 'auto',
      });
      let text = '';
      for await (const c of stream) {
        const delta = (c as { choices: { delta: { content?: string } }[] }).choices[0]!.delta.content;
        if (delta) text += delta;
      }
      return text;
    },
    { metadata: { session_id: session }, input: 'Find the order and clean up.' },
  );
}

for (const version of ['ATIF-v1.6', 'ATIF-v1.7'] as AtifOutputVersion[]) {
  describe(`AtifExporter with the runtime (${version})`, () => {
    let dir: string;
    let exporter: AtifExporter;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'atif-runtime-'));
      exporter = new AtifExporter({ dir, schemaVersion: version, agentVersion: '1.0.0' }).register(`atif-e2e-${version}`);
    });
    afterEach(async () => {
      await exporter.shutdown();
      rmSync(dir, { recursive: true, force: true });
    });

    it('writes valid trajectories for concurrent runs made through the real API', async () => {
      const answers = await Promise.all([agentRun('e2e-one'), agentRun('e2e-two')]);
      assert.deepEqual(answers, ['Streamed answer.', 'Streamed answer.']);
      await flushSubscribers();
      const files = readdirSync(dir).sort();
      const expected =
        version === 'ATIF-v1.6'
          ? ['trajectory-e2e-one--order_db_agent-1.json', 'trajectory-e2e-one.json', 'trajectory-e2e-two--order_db_agent-1.json', 'trajectory-e2e-two.json']
          : ['trajectory-e2e-one.json', 'trajectory-e2e-two.json'];
      assert.deepEqual(files, expected);
      for (const f of files) {
        const t = JSON.parse(readFileSync(join(dir, f), 'utf8')) as AtifTrajectory;
        assert.deepEqual(validateTrajectory(t), [], f);
      }
      const t = JSON.parse(readFileSync(join(dir, 'trajectory-e2e-one.json'), 'utf8')) as AtifTrajectory;
      assert.deepEqual(
        t.steps.map((s) => [s.source, typeof s.message === 'string' ? s.message : '']),
        [
          ['system', 'Help the user.'],
          ['user', 'Find the order and clean up.'],
          ['agent', ''],
          ['system', 'cleanup_skipped'],
          ['agent', 'Streamed answer.'],
        ],
      );
      const results = t.steps[2]!.observation!.results;
      assert.equal(results[0]!.source_call_id, 'call_lookup');
      assert.equal(results[0]!.content, 'shipped');
      assert.equal(results[0]!.subagent_trajectory_ref!.length, 1);
      assert.equal(results[1]!.source_call_id, 'call_delete');
      assert.match(String(results[1]!.content), /no-delete.*deleting is not allowed/);
      assert.deepEqual(t.steps[2]!.extra!['errors'], [
        { tool_call_id: 'call_delete', tool: 'delete_all', type: 'GuardrailRejectedError', message: String(results[1]!.content), guardrail: 'no-delete' },
      ]);
      assert.deepEqual(t.steps[4]!.metrics, { prompt_tokens: 40, completion_tokens: 3, extra: { total_tokens: 43 } });
      assert.equal((t.steps[4]!.extra!['llm_call'] as Record<string, unknown>)['streaming'], true);
      assert.equal(t.agent.version, '1.0.0');
      if (version === 'ATIF-v1.7') assert.equal(t.subagent_trajectories![0]!.agent.name, 'order_db_agent');
    });
  });
}
