/** The beta tool runner: its turns are LLM calls, its tool executions managed tool calls. */
import { strict as assert } from 'node:assert';
import Anthropic from '@anthropic-ai/sdk';
import { betaTool } from '@anthropic-ai/sdk/helpers/beta/json-schema';
import { deregisterToolConditionalExecutionGuardrail, registerToolConditionalExecutionGuardrail, withScope, type ScopeEvent } from '@nemo-flow/runtime';
import { instrumentAnthropic } from '@nemo-flow/anthropic';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { jsonReply, sseReply, text, toolUse } from '../../../test/support/fake-providers/anthropic.js';
import { capture, collectFailures } from '../../runtime/test/helpers.js';

const weather = (seen: unknown[]) =>
  betaTool({
    name: 'get_weather',
    description: 'Current weather for a city',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    run: (args) => {
      seen.push(args);
      return `Sunny in ${args.city}`;
    },
  });

describe('@nemo-flow/anthropic: beta tool runner', () => {
  let server: FakeServer;
  let client: Anthropic;
  let cap: ReturnType<typeof capture>;
  let failures: ReturnType<typeof collectFailures>;

  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    client = instrumentAnthropic(new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 }));
    cap = capture();
    failures = collectFailures();
  });
  afterEach(() => {
    cap.stop();
    failures.restore();
    assert.deepEqual(failures.failures, [], 'no failure reported');
  });

  const sequence = (): string[] =>
    cap
      .scopes()
      .filter((e) => e.category !== 'agent')
      .map((e) => `${e.scope_category}:${e.category}:${e.name}`);

  for (const stream of [false, true]) {
    it(`${stream ? 'streaming' : 'plain'} turns are LLM calls and each tool run a managed tool call linked to its tool_use id`, async () => {
      const reply = stream ? sseReply : jsonReply;
      server.enqueue(reply(toolUse([{ id: 'toolu_w1', name: 'get_weather', input: { city: 'Paris' } }], 'Checking.')), reply(text('It is sunny in Paris.')));
      const seen: unknown[] = [];
      const final = await withScope('agent', 'agent', async () => {
        const runner = client.beta.messages.toolRunner({
          model: 'claude-fake-1',
          max_tokens: 128,
          messages: [{ role: 'user', content: 'Weather in Paris?' }],
          tools: [weather(seen)],
          ...(stream ? { stream: true as const } : {}),
        });
        for await (const item of runner) {
          if (stream) await (item as { finalMessage(): Promise<unknown> }).finalMessage();
        }
        return runner.done();
      });
      assert.equal((final.content[0] as { text: string }).text, 'It is sunny in Paris.');
      assert.deepEqual(seen, [{ city: 'Paris' }]);
      assert.equal(server.requests.length, 2);
      const second = server.requests[1].body as { messages: Array<{ role: string; content: unknown }> };
      const last = second.messages.at(-1)!;
      assert.deepEqual(last.content, [{ type: 'tool_result', tool_use_id: 'toolu_w1', content: 'Sunny in Paris' }]);
      const name = 'anthropic.beta.messages.create';
      assert.deepEqual(sequence(), [
        `start:llm:${name}`,
        `end:llm:${name}`,
        'start:tool:get_weather',
        'end:tool:get_weather',
        `start:llm:${name}`,
        `end:llm:${name}`,
      ]);
      const tool = cap.scopes().find((e) => e.category === 'tool' && e.scope_category === 'end') as ScopeEvent;
      assert.equal((tool.category_profile as { tool_call_id?: string }).tool_call_id, 'toolu_w1');
      assert.equal(tool.data, 'Sunny in Paris');
      const ends = cap.scopes().filter((e) => e.category === 'llm' && e.scope_category === 'end');
      const first = (ends[0].category_profile as Record<string, any>).annotated_response;
      assert.deepEqual(first.tool_calls, [{ id: 'toolu_w1', name: 'get_weather', arguments: { city: 'Paris' } }]);
      const agent = cap.scopes()[0];
      assert.ok(
        cap
          .scopes()
          .slice(1, -1)
          .every((e) => e.parent_uuid === agent.uuid),
        'every call under the agent scope',
      );
    });
  }

  it('tools added to a running loop with addTools() are managed too', async () => {
    server.enqueue(
      jsonReply(text('Nothing yet.')),
      jsonReply(toolUse([{ id: 'toolu_a', name: 'get_weather', input: { city: 'Rome' } }])),
      jsonReply(text('Sunny.')),
    );
    const seen: unknown[] = [];
    const runner = client.beta.messages.toolRunner({ model: 'claude-fake-1', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], tools: [] });
    let turn = 0;
    for await (const _ of runner) {
      if (++turn === 1) {
        runner.addTools(weather(seen));
        runner.pushMessages({ role: 'user', content: 'Rome?' });
      }
    }
    assert.deepEqual(seen, [{ city: 'Rome' }]);
    assert.equal(cap.scopes().filter((e) => e.category === 'tool' && e.scope_category === 'end').length, 1);
  });

  it('captureContent: false keeps prompts, answers, tool arguments and results out of every event', async () => {
    const quiet = instrumentAnthropic(new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 }), { captureContent: false });
    server.enqueue(
      sseReply(toolUse([{ id: 'toolu_s', name: 'get_weather', input: { city: 'SecretCity' } }], 'secret preface')),
      sseReply(text('secret answer', { input_tokens: 9, output_tokens: 4 })),
    );
    const seen: unknown[] = [];
    const runner = quiet.beta.messages.toolRunner({
      model: 'claude-fake-1',
      max_tokens: 64,
      system: 'secret system',
      messages: [{ role: 'user', content: 'secret question' }],
      tools: [weather(seen)],
      stream: true,
    });
    for await (const s of runner) await s.finalMessage();
    assert.deepEqual(seen, [{ city: 'SecretCity' }], 'the tool got the real arguments');
    const events = cap.scopes();
    assert.equal(events.length, 6);
    for (const e of events) assert.ok(!JSON.stringify(e).toLowerCase().includes('secret'), `${e.scope_category} ${e.name} shows no content`);
    const tool = events.find((e) => e.category === 'tool' && e.scope_category === 'end')!;
    assert.equal((tool.category_profile as { tool_call_id?: string }).tool_call_id, 'toolu_s');
    const last = events.at(-1)!.category_profile as Record<string, any>;
    assert.equal(last.model_name, 'claude-fake-1');
    assert.deepEqual(last.annotated_response.usage, { input_tokens: 9, output_tokens: 4, total_tokens: 13 });
  });

  it('a tool guardrail blocks the tool: the runner sends the SDK error result back, the tool never runs', async () => {
    registerToolConditionalExecutionGuardrail('no-weather', 1, () => 'weather is off limits');
    try {
      server.enqueue(jsonReply(toolUse([{ id: 'toolu_b', name: 'get_weather', input: { city: 'Oslo' } }])), jsonReply(text('Sorry.')));
      const seen: unknown[] = [];
      await client.beta.messages
        .toolRunner({ model: 'claude-fake-1', max_tokens: 64, messages: [{ role: 'user', content: 'Oslo?' }], tools: [weather(seen)] })
        .runUntilDone();
      assert.deepEqual(seen, []);
      const result = (server.requests[1].body as { messages: Array<{ content: Array<Record<string, unknown>> }> }).messages.at(-1)!.content[0];
      assert.equal(result.is_error, true);
      assert.match(String(result.content), /weather is off limits/);
    } finally {
      deregisterToolConditionalExecutionGuardrail('no-weather');
    }
  });
});
