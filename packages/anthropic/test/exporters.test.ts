/**
 * A two-turn agent on the real SDK, exported three ways at once: ATIF (validated), OpenTelemetry
 * and OpenInference spans (decoded from the wire by the 127.0.0.1 receiver).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { SemanticConventions as SC } from '@arizeai/openinference-semantic-conventions';
import { ScopeType, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { AtifExporter, validateTrajectory } from '@nemo-flow/exporter-atif';
import { OtelExporter } from '@nemo-flow/exporter-otel';
import { createOpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { instrumentAnthropic } from '@nemo-flow/anthropic';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { jsonReply, sseReply, text, toolUse } from '../../../test/support/fake-providers/anthropic.js';
import { startOtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';

const tools = [
  { name: 'get_weather', description: 'Current weather for a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } },
];

/** Turn 1: create → tool_use → tool → create; turn 2: messages.stream() (streamed, cached prompt). */
async function agent(client: Anthropic): Promise<string> {
  return withScope(
    'weather-agent',
    ScopeType.Agent,
    async () => {
      const history: MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const first = await client.messages.create({ model: 'claude-fake-1', max_tokens: 256, system: 'Be concise.', tools, messages: history });
      history.push({ role: 'assistant', content: first.content });
      const results: ToolResultBlockParam[] = [];
      for (const b of first.content) {
        if (b.type !== 'tool_use') continue;
        const out = await toolCallExecute(b.name, b.input as { city: string }, async (a) => `${a.city}: 21 °C`, { toolCallId: b.id });
        results.push({ type: 'tool_result', tool_use_id: b.id, content: out });
      }
      history.push({ role: 'user', content: results });
      const second = await client.messages.stream({ model: 'claude-fake-1', max_tokens: 256, system: 'Be concise.', tools, messages: history }).finalMessage();
      return (second.content[0] as { text: string }).text;
    },
    { metadata: { session_id: 'sess-anthropic' } },
  );
}

function script(server: FakeServer): void {
  server.enqueue(
    jsonReply(toolUse([{ id: 'toolu_p1', name: 'get_weather', input: { city: 'Paris' } }], 'Checking.', { input_tokens: 40, output_tokens: 12 })),
    sseReply(text('Paris is 21 °C.', { input_tokens: 10, output_tokens: 7, cache_read_input_tokens: 50, cache_creation_input_tokens: 5 })),
  );
}

const byName = (spans: ReceivedSpan[], name: string): ReceivedSpan[] => spans.filter((s) => s.name === name);

describe('@nemo-flow/anthropic: exporters', () => {
  let server: FakeServer;
  let client: Anthropic;
  before(async () => {
    server = await startFakeServer();
    client = instrumentAnthropic(new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 }));
  });
  after(() => server.stop());
  beforeEach(() => server.reset());

  it('ATIF: one valid trajectory with the tool call, its observation and the token metrics (cache included)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-anth-atif-'));
    const atif = new AtifExporter({ dir }).register('atif-anthropic');
    try {
      script(server);
      assert.equal(await agent(client), 'Paris is 21 °C.');
    } finally {
      await atif.shutdown();
    }
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 1);
    const t = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
    assert.deepEqual(validateTrajectory(t), []);
    const agentSteps = t.steps.filter((s: { source: string }) => s.source === 'agent');
    assert.equal(agentSteps.length, 2);
    assert.deepEqual(agentSteps[0].tool_calls, [{ tool_call_id: 'toolu_p1', function_name: 'get_weather', arguments: { city: 'Paris' } }]);
    assert.deepEqual(
      agentSteps[0].observation.results.map((r: { source_call_id: string; content: string }) => [r.source_call_id, r.content]),
      [['toolu_p1', 'Paris: 21 °C']],
    );
    assert.equal(agentSteps[1].message, 'Paris is 21 °C.');
    assert.equal(agentSteps[1].metrics.prompt_tokens, 65);
    assert.equal(agentSteps[1].metrics.cached_tokens, 50);
    assert.equal(t.final_metrics.total_prompt_tokens, 105);
  });

  it('OpenTelemetry: GenAI spans with usage, cache tokens, server, HTTP status, attempts and time to first chunk', async () => {
    const receiver = await startOtlpReceiver();
    const otel = new OtelExporter({ endpoint: receiver.url, captureContent: true }).register('otel-anthropic');
    try {
      script(server);
      await agent(client);
      await otel.forceFlush();
      const spans = await receiver.waitForSpans(4);
      assert.equal(spans.length, 4);
      const [root] = byName(spans, 'invoke_agent weather-agent');
      const chats = byName(spans, 'chat claude-fake-1').sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
      assert.equal(chats.length, 2);
      const [tool] = byName(spans, 'execute_tool get_weather');
      for (const s of [...chats, tool!]) assert.equal(s.parentSpanId, root!.spanId);
      const port = Number(new URL(server.url).port);
      for (const c of chats) {
        assert.equal(c.attributes['gen_ai.provider.name'], 'anthropic');
        assert.equal(c.attributes['server.address'], '127.0.0.1');
        assert.equal(c.attributes['server.port'], port);
        assert.equal(c.attributes['http.response.status_code'], 200);
        assert.equal(c.attributes['nemo_flow.llm.attempts'], 1);
      }
      assert.equal(chats[0]!.attributes['gen_ai.usage.input_tokens'], 40);
      assert.deepEqual(chats[0]!.attributes['gen_ai.response.finish_reasons'], ['tool_use']);
      assert.equal(chats[1]!.attributes['gen_ai.usage.input_tokens'], 65);
      assert.equal(chats[1]!.attributes['gen_ai.usage.cache_read.input_tokens'], 50);
      assert.equal(chats[1]!.attributes['gen_ai.usage.cache_creation.input_tokens'], 5);
      assert.equal(typeof chats[1]!.attributes['gen_ai.response.time_to_first_chunk'], 'number');
      assert.equal(chats[0]!.attributes['gen_ai.response.time_to_first_chunk'], undefined);
      assert.equal(tool!.attributes['gen_ai.tool.call.id'], 'toolu_p1');
      assert.match(String(chats[1]!.attributes['gen_ai.output.messages']), /Paris is 21 °C\./);
    } finally {
      await otel.shutdown();
      await receiver.close();
    }
  });

  it('OpenInference: LLM spans with flattened messages, tool calls and token counts; a TOOL span; the session', async () => {
    const receiver = await startOtlpReceiver();
    const oi = createOpenInferenceExporter({ endpoint: receiver.url, register: 'oi-anthropic' });
    try {
      script(server);
      await agent(client);
      await oi.forceFlush();
      const spans = await receiver.waitForSpans(4);
      const kind = (k: string) => spans.filter((s) => s.attributes[SC.OPENINFERENCE_SPAN_KIND] === k);
      assert.equal(kind('AGENT').length, 1);
      assert.equal(kind('TOOL').length, 1);
      const llms = kind('LLM').sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
      assert.equal(llms.length, 2);
      assert.ok(spans.every((s) => s.attributes[SC.SESSION_ID] === 'sess-anthropic'));
      const [a, b] = llms as [ReceivedSpan, ReceivedSpan];
      assert.equal(a.attributes[SC.LLM_MODEL_NAME], 'claude-fake-1');
      assert.equal(a.attributes[`${SC.LLM_OUTPUT_MESSAGES}.0.${SC.MESSAGE_TOOL_CALLS}.0.${SC.TOOL_CALL_FUNCTION_NAME}`], 'get_weather');
      assert.equal(b.attributes[`${SC.LLM_INPUT_MESSAGES}.0.${SC.MESSAGE_ROLE}`], 'system');
      assert.equal(b.attributes[`${SC.LLM_OUTPUT_MESSAGES}.0.${SC.MESSAGE_CONTENT}`], 'Paris is 21 °C.');
      assert.equal(b.attributes[SC.LLM_TOKEN_COUNT_PROMPT], 65);
      assert.equal(b.attributes[SC.LLM_TOKEN_COUNT_COMPLETION], 7);
      assert.equal(b.attributes[SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ], 50);
    } finally {
      await oi.shutdown();
      await receiver.close();
    }
  });
});
