import { strict as assert } from 'node:assert';
import { CODEC_NAMES, CodecError, getCodec, type CodecName, type NormalizedRequest } from '@nemo-flow/runtime/codecs';

/** Asserts that decoding throws a CodecError of `codec` naming `path`. */
function rejects(codec: CodecName, content: unknown, path: string | undefined, message?: RegExp): void {
  assert.throws(
    () => getCodec(codec).decode(content),
    (e: unknown) => {
      assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
      assert.equal(e.codec, codec);
      assert.equal(e.path, path);
      if (message) assert.match(e.message, message);
      return true;
    },
  );
}

const user = { role: 'user', content: 'hi' };

describe('codecs: malformed payloads', () => {
  it('OpenAI Chat: names the offending path', () => {
    rejects('openai-chat', 'not an object', undefined, /expected a request object, got string/);
    rejects('openai-chat', { model: 'm' }, 'messages', /missing/);
    rejects('openai-chat', { messages: {} }, 'messages', /expected an array, got object/);
    rejects('openai-chat', { messages: [user, null] }, 'messages[1]', /expected a message object, got null/);
    rejects('openai-chat', { messages: [{ role: 7, content: 'x' }] }, 'messages[0].role');
    rejects('openai-chat', { messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', /unknown role "robot"/);
    rejects('openai-chat', { messages: [{ role: 'user', content: 5 }] }, 'messages[0].content');
    rejects(
      'openai-chat',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 3 },
            ],
          },
        ],
      },
      'messages[0].content[1].text',
    );
    rejects('openai-chat', { messages: [{ role: 'user', content: ['a'] }] }, 'messages[0].content[0]');
    rejects('openai-chat', { messages: [{ role: 'assistant', tool_calls: {} }] }, 'messages[0].tool_calls');
    rejects(
      'openai-chat',
      { messages: [{ role: 'assistant', tool_calls: [{ id: 'c', function: { arguments: '{}' } }] }] },
      'messages[0].tool_calls[0].function.name',
    );
    rejects('openai-chat', { messages: [user], tools: 'all' }, 'tools');
    rejects('openai-chat', { messages: [user], tools: [{ type: 'function', function: { name: 'a' } }, 3] }, 'tools[1]');
    rejects('openai-chat', { messages: [user], tools: [{ type: 'function' }] }, 'tools[0].function');
  });

  it('OpenAI Responses: names the offending path', () => {
    rejects('openai-responses', [], undefined, /got array/);
    rejects('openai-responses', { input: 42 }, 'input');
    rejects('openai-responses', { input: [user, { type: 'function_call', call_id: 'c', arguments: '{}' }] }, 'input[1].name');
    rejects('openai-responses', { input: [{ type: 'function_call_output', output: 'x' }] }, 'input[0].call_id');
    rejects('openai-responses', { input: [{ type: 'function_call_output', call_id: 'c', output: 12 }] }, 'input[0].output');
    rejects('openai-responses', { input: [{ role: 'user', content: [{ type: 'input_text' }] }] }, 'input[0].content[0].text');
    rejects('openai-responses', { input: [{ role: 'user' }] }, 'input[0].content');
    rejects('openai-responses', { input: 'x', tools: [{ type: 'function', parameters: {} }] }, 'tools[0].name');
  });

  it('Anthropic Messages: names the offending path', () => {
    rejects('anthropic-messages', null, undefined);
    rejects('anthropic-messages', { max_tokens: 5 }, 'messages');
    rejects('anthropic-messages', { messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role', /top-level system/);
    rejects('anthropic-messages', { messages: [{ role: 'user', content: null }] }, 'messages[0].content');
    rejects(
      'anthropic-messages',
      { messages: [user, { role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] },
      'messages[1].content[0].tool_use_id',
    );
    rejects(
      'anthropic-messages',
      { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 1 }] }] }] },
      'messages[0].content[0].content[0].text',
    );
    rejects('anthropic-messages', { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', input: {} }] }] }, 'messages[0].content[0].name');
    rejects('anthropic-messages', { messages: [user], tools: [{ description: 'no name' }] }, 'tools[0].name');
  });

  it('Gemini: names the offending path', () => {
    const turn = { role: 'user', parts: [{ text: 'hi' }] };
    rejects('gemini', 'not an object', undefined, /expected a request object, got string/);
    rejects('gemini', { model: 'gemini-2.5-flash', config: {} }, 'contents', /missing/);
    rejects('gemini', { contents: 42 }, 'contents', /an array of contents, a content, a part or a string/);
    rejects('gemini', { contents: [turn, null] }, 'contents[1]', /expected a content object, got null/);
    rejects('gemini', { contents: [{ role: 'system', parts: [] }] }, 'contents[0].role', /systemInstruction/);
    rejects('gemini', { contents: [{ role: 'user', parts: 'hi' }] }, 'contents[0].parts');
    rejects('gemini', { contents: [{ role: 'user', parts: [{ text: 3 }] }] }, 'contents[0].parts[0].text');
    rejects('gemini', { contents: [{ role: 'model', parts: [{ functionCall: { args: {} } }] }] }, 'contents[0].parts[0].functionCall.name');
    rejects('gemini', { contents: [{ role: 'user', parts: [{ functionResponse: { response: {} } }] }] }, 'contents[0].parts[0].functionResponse.name');
    rejects(
      'gemini',
      { contents: [turn], tools: [{ functionDeclarations: [{ name: 'a' }, { description: 'no name' }] }] },
      'tools[0].functionDeclarations[1].name',
    );
    rejects(
      'gemini',
      { model: 'm', contents: [turn], config: { tools: [{ googleSearch: {} }, { functionDeclarations: {} }] } },
      'config.tools[1].functionDeclarations',
    );
  });

  it('CodecError messages carry codec and path', () => {
    const err = new CodecError('expected a string, got number', 'openai-chat', 'messages[0].content');
    assert.equal(err.name, 'CodecError');
    assert.equal(err.message, 'openai-chat: messages[0].content: expected a string, got number');
    assert.ok(err instanceof Error);
  });

  it('decodeResponse is best effort for any object and rejects only non-objects', () => {
    for (const name of CODEC_NAMES) {
      const codec = getCodec(name);
      for (const garbage of [
        {},
        { choices: 'x', usage: 5, output: {}, content: {} },
        { choices: [null, 3], output: [null, { type: 'message', content: 'x' }], content: [null, { type: 'tool_use' }] },
        { choices: [{ message: { content: 3, tool_calls: [null, { function: 'x' }] }, finish_reason: 4 }], status: 9 },
        { usage: { prompt_tokens: 'many', input_tokens: null, prompt_tokens_details: 3 } },
      ]) {
        const res = codec.decodeResponse(garbage);
        assert.equal(res.provider_format, name);
        assert.equal(typeof res.text, 'string');
        assert.ok(Array.isArray(res.tool_calls));
      }
      assert.throws(() => codec.decodeResponse(undefined), CodecError);
      assert.throws(() => codec.decodeResponse('oops'), CodecError);
    }
  });

  it('accumulators never throw, whatever they are fed', () => {
    for (const name of CODEC_NAMES) {
      const acc = getCodec(name).createAccumulator();
      for (const chunk of [
        undefined,
        null,
        0,
        'data: {oops\n',
        new Uint8Array([0xff, 0xfe]),
        [],
        { type: 'content_block_delta', index: 'x' },
        { type: 'response.output_text.delta' },
        { choices: [{ delta: { tool_calls: [null, { index: 'a' }] } }] },
      ]) {
        acc.push(chunk);
      }
      const res = acc.finish();
      assert.equal(res.provider_format, name);
      assert.equal(typeof res.text, 'string');
    }
  });

  it('encode rejects a normalized request it cannot read, naming the path', () => {
    for (const name of CODEC_NAMES) {
      const codec = getCodec(name);
      const bad = { provider_format: name, messages: [{ role: 'user', text: 'a' }, null], params: {}, extra: {} } as unknown as NormalizedRequest;
      assert.throws(
        () => codec.encode(bad, undefined),
        (e: unknown) => e instanceof CodecError && e.path === 'messages[1]',
      );
      assert.throws(() => codec.encode(null as unknown as NormalizedRequest, undefined), CodecError);
    }
  });
});
