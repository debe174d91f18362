import { strict as assert } from 'node:assert';
import {
  AnthropicMessagesCodec,
  CODEC_NAMES,
  GeminiCodec,
  OpenAIChatCodec,
  OpenAIResponsesCodec,
  detectCodec,
  detectResponseCodec,
  getCodec,
  resolveCodec,
  type CodecName,
  type LlmCodec,
} from '@nemo-flow/runtime/codecs';
import { fixture } from './fixtures/codecs/load.js';

const nameOf = (c: LlmCodec | undefined): string | undefined => c?.name;

describe('codecs: detection and lookup', () => {
  it('detects each provider from its request fixture', () => {
    assert.equal(nameOf(detectCodec(fixture('openai-chat-request.json'))), 'openai-chat');
    assert.equal(nameOf(detectCodec(fixture('openai-responses-request.json'))), 'openai-responses');
    assert.equal(nameOf(detectCodec(fixture('anthropic-request.json'))), 'anthropic-messages');
    assert.equal(nameOf(detectCodec(fixture('gemini-request.json'))), 'gemini');
    assert.equal(nameOf(detectCodec(fixture('gemini-sdk-request.json'))), 'gemini');
    assert.equal(nameOf(detectCodec({ model: 'gemini-2.5-flash', contents: 'hi' })), 'gemini', 'the SDK accepts a string');
  });

  it('tells Chat and Anthropic apart from single distinguishing features', () => {
    const user = { role: 'user', content: 'hi' };
    const cases: [unknown, CodecName][] = [
      [{ model: 'gpt-4o', messages: [user] }, 'openai-chat'],
      [{ model: 'claude-haiku-4-5', max_tokens: 64, messages: [user] }, 'anthropic-messages'],
      [{ model: 'claude-3-5-sonnet', messages: [{ role: 'system', content: 'x' }, user] }, 'openai-chat'], // LiteLLM-style proxy
      [{ model: 'm', max_tokens: 64, system: 'x', messages: [user] }, 'anthropic-messages'],
      [{ model: 'm', messages: [user], stop_sequences: ['x'] }, 'anthropic-messages'],
      [{ model: 'm', messages: [user], max_completion_tokens: 5 }, 'openai-chat'],
      [{ model: 'm', messages: [user], tools: [{ name: 'f', input_schema: {} }] }, 'anthropic-messages'],
      [{ model: 'm', messages: [user], tools: [{ type: 'function', function: { name: 'f' } }] }, 'openai-chat'],
      [{ model: 'm', messages: [user], tool_choice: { type: 'any' } }, 'anthropic-messages'],
      [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'y' }] }] }, 'anthropic-messages'],
      [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'u' } }] }] }, 'anthropic-messages'],
      [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'u' } }] }] }, 'openai-chat'],
      [{ model: 'm', messages: [{ role: 'assistant', content: null, tool_calls: [] }] }, 'openai-chat'],
      [{ model: 'm', input: 'hi' }, 'openai-responses'],
      [{ model: 'm', previous_response_id: 'resp_1' }, 'openai-responses'],
    ];
    for (const [content, name] of cases) assert.equal(nameOf(detectCodec(content)), name, JSON.stringify(content));
  });

  it('reads Claude model ids as Bedrock, Vertex and routers spell them', () => {
    const plain = (model: string): unknown => ({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    for (const model of [
      'claude-3-5-haiku-20241022',
      'anthropic.claude-3-5-haiku-20241022-v1:0',
      'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0',
      'claude-3-5-haiku@20241022',
      'anthropic/claude-3.5-sonnet',
      'anthropic/claude-sonnet-4',
    ]) {
      assert.equal(nameOf(detectCodec(plain(model))), 'anthropic-messages', model);
    }
    for (const model of ['gpt-4o', 'myclaude-1', 'claudette', 'openai/gpt-4o']) assert.equal(nameOf(detectCodec(plain(model))), 'openai-chat', model);
  });

  it('returns undefined for payloads of no known format, and never throws', () => {
    for (const v of [undefined, null, 42, 'hello', [], {}, { prompt: 'complete me' }]) assert.equal(detectCodec(v), undefined);
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no reads');
        },
      },
    );
    assert.equal(detectCodec(hostile), undefined);
    assert.equal(detectResponseCodec(hostile), undefined);
  });

  it('detects the codec of responses and stream chunks', () => {
    assert.equal(nameOf(detectResponseCodec(fixture('openai-chat-response.json'))), 'openai-chat');
    assert.equal(nameOf(detectResponseCodec(fixture('openai-responses-response.json'))), 'openai-responses');
    assert.equal(nameOf(detectResponseCodec(fixture('anthropic-response.json'))), 'anthropic-messages');
    assert.equal(nameOf(detectResponseCodec(fixture('openai-chat-stream.json')[0])), 'openai-chat');
    assert.equal(nameOf(detectResponseCodec(fixture('openai-responses-stream.json')[4])), 'openai-responses');
    assert.equal(nameOf(detectResponseCodec(fixture('anthropic-stream.json')[2])), 'anthropic-messages');
    assert.equal(nameOf(detectResponseCodec(fixture('gemini-response.json'))), 'gemini');
    assert.equal(nameOf(detectResponseCodec(fixture('gemini-stream.json')[2])), 'gemini');
    assert.equal(nameOf(detectResponseCodec({ promptFeedback: { blockReason: 'SAFETY' } })), 'gemini');
    assert.equal(detectResponseCodec({ hello: 'world' }), undefined);
    assert.equal(detectResponseCodec('text'), undefined);
  });

  it('getCodec returns shared instances and rejects unknown names', () => {
    assert.deepEqual(CODEC_NAMES, ['openai-chat', 'openai-responses', 'anthropic-messages', 'gemini', 'ai-sdk']);
    assert.ok(getCodec('gemini') instanceof GeminiCodec);
    assert.ok(getCodec('openai-chat') instanceof OpenAIChatCodec);
    assert.ok(getCodec('openai-responses') instanceof OpenAIResponsesCodec);
    assert.ok(getCodec('anthropic-messages') instanceof AnthropicMessagesCodec);
    assert.equal(getCodec('openai-chat'), getCodec('openai-chat'));
    assert.throws(() => getCodec('bard' as CodecName), { name: 'TypeError', message: /unknown codec "bard"/ });
    assert.throws(() => getCodec('toString' as CodecName), TypeError);
  });

  it('resolveCodec takes an instance, a name, or auto-detects', () => {
    const mine = new AnthropicMessagesCodec();
    const chat = fixture('openai-chat-request.json');
    assert.equal(resolveCodec(mine, chat), mine);
    assert.equal(resolveCodec('openai-responses', chat), getCodec('openai-responses'));
    assert.equal(resolveCodec('auto', chat), getCodec('openai-chat'));
    assert.equal(resolveCodec(undefined, chat), getCodec('openai-chat'));
    assert.equal(resolveCodec('auto', { prompt: 'x' }), undefined);
    assert.throws(() => resolveCodec('nope' as CodecName, chat), TypeError);
    assert.throws(() => resolveCodec({} as LlmCodec, chat), TypeError);
  });
});
