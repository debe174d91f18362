/**
 * Our OpenInference spans against the official instrumentation's on the same scenario: the real
 * Anthropic SDK calling the loopback fake server, once under `@arizeai/openinference-instrumentation-anthropic`
 * (in a child process) and once through `@nemo-flow/anthropic` + the OpenInference exporter
 * (decoded from the wire). The LLM span must carry the same keys with the same values.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { createOpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { instrumentAnthropic } from '@nemo-flow/anthropic';
import { startFakeServer, type FakeServer } from './support/fake-providers/server.js';
import { jsonReply, sseReply, toolUse } from './support/fake-providers/anthropic.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';

const run = promisify(execFile);
const CHILD = join(process.cwd(), 'test', 'fixtures', 'official-anthropic-openinference.ts');

const REQUEST = {
  model: 'claude-fake-1',
  max_tokens: 256,
  system: 'Be concise.',
  temperature: 0.2,
  tools: [{ name: 'get_weather', description: 'Current weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Paris: 21 °C' }] },
  ],
};

const ANSWER = () => toolUse([{ id: 'toolu_2', name: 'get_weather', input: { city: 'Lyon' } }], 'And Lyon?', { input_tokens: 40, output_tokens: 12 });

/** Keys both sides describe the call with (values and the timing-free identity of the call). */
const COMPARED =
  /^(llm\.(input_messages|output_messages|tools|token_count|model_name|request\.model_name|response\.model_name|provider|system|invocation_parameters|finish_reason)|openinference\.span\.kind|input\.mime_type)/;

function pick(attrs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(attrs).sort()) if (COMPARED.test(k)) out[k] = k === 'llm.invocation_parameters' ? JSON.parse(String(attrs[k])) : attrs[k];
  return out;
}

describe('OpenInference fidelity: Anthropic, against the official instrumentation', function () {
  this.timeout(20_000);
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
  });
  after(async () => {
    await server.stop();
  });

  for (const stream of [false, true]) {
    it(`emits the same LLM span keys and values, and status OK (${stream ? 'streamed' : 'plain'})`, async () => {
      const request = stream ? { ...REQUEST, stream: true } : REQUEST;
      const reply = () => (stream ? sseReply(ANSWER()) : jsonReply(ANSWER()));
      server.enqueue(reply());
      const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, server.url, JSON.stringify(request)], {
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      const official = JSON.parse(stdout) as { attributes: Record<string, unknown>; status: number };

      const receiver = await startOtlpReceiver();
      const oi = createOpenInferenceExporter({ endpoint: receiver.url, register: 'oi-fidelity' });
      try {
        server.enqueue(reply());
        const client = instrumentAnthropic(new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 }));
        if (stream) {
          for await (const _ of await client.messages.create(request as Anthropic.MessageCreateParamsStreaming)) {
            // drain the stream
          }
        } else {
          await client.messages.create(request as Anthropic.MessageCreateParamsNonStreaming);
        }
        await oi.forceFlush();
        const [ours] = await receiver.waitForSpans(1);
        assert.equal(official.status, 1, 'the official instrumentation sets OK');
        assert.equal(ours!.status.code, 'OK');
        const expected = pick(official.attributes);
        assert.ok(Object.keys(expected).length >= 30, `the official span carries the call (${Object.keys(expected).length} keys)`);
        assert.deepEqual(pick(ours!.attributes as Record<string, unknown>), expected);
        if (stream) {
          assert.equal(official.attributes['output.mime_type'], 'text/plain');
          assert.equal(ours!.attributes['output.mime_type'], 'text/plain');
          assert.equal(ours!.attributes['output.value'], official.attributes['output.value']);
        }
      } finally {
        await oi.shutdown();
        await receiver.close();
      }
    });
  }
});
