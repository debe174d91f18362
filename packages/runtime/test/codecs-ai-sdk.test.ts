import { strict as assert } from 'node:assert';
import { AiSdkCodec, CodecError, detectCodec, detectResponseCodec, getCodec, type NormalizedRequest } from '@nemo-flow/runtime/codecs';
import { clone, fixture } from './fixtures/codecs/load.js';

const codec = getCodec('ai-sdk');

describe('codecs: ai-sdk (the AI SDK call options)', () => {
  it('is registered and detected from call options and generate results', () => {
    assert.ok(codec instanceof AiSdkCodec);
    assert.equal(detectCodec(fixture('ai-sdk-request.json'))?.name, 'ai-sdk');
    assert.equal(detectResponseCodec(fixture('ai-sdk-response.json'))?.name, 'ai-sdk');
  });

  it('decodes prompt, tools, params and unmodelled options', () => {
    const n = codec.decode(fixture('ai-sdk-request.json'));
    assert.equal(n.provider_format, 'ai-sdk');
    assert.deepEqual(n.params, { max_tokens: 512, temperature: 0.3, stop: ['END'] });
    assert.deepEqual(
      n.messages.map((m) => m.role),
      ['system', 'user', 'assistant', 'tool', 'tool', 'assistant', 'user'],
    );
    assert.equal(n.messages[0]!.text, 'You are a travel assistant.');
    assert.deepEqual(n.messages[1]!.parts, [
      { type: 'text', text: 'What is the weather in Oslo and Rome?' },
      { type: 'image', media_type: 'image/png', data: 'iVBORw0KGgo=' },
    ]);
    const a = n.messages[2]!;
    assert.equal(a.text, 'Let me check.');
    assert.deepEqual(a.parts, [
      { type: 'reasoning', text: 'Two cities: two calls.' },
      { type: 'text', text: 'Let me check.' },
    ]);
    assert.deepEqual(a.tool_calls, [
      { id: 'call_1', name: 'weather', arguments: { city: 'Oslo' } },
      { id: 'call_2', name: 'weather', arguments: { city: 'Rome' } },
    ]);
    assert.deepEqual(n.messages[3], { role: 'tool', text: '{"forecast":"snow"}', tool_call_id: 'call_1', name: 'weather' });
    assert.deepEqual(n.messages[4], { role: 'tool', text: 'sunny', tool_call_id: 'call_2', name: 'weather' });
    assert.deepEqual(
      n.tools?.map((t) => t.name),
      ['weather', 'web_search'],
    );
    assert.deepEqual(n.tool_choice, { type: 'auto' });
    assert.deepEqual(Object.keys(n.extra).sort(), ['providerOptions', 'responseFormat']);
  });

  it('an unedited request encodes to the very same object', () => {
    const req = fixture('ai-sdk-request.json');
    assert.equal(codec.encode(codec.decode(req), req), req);
  });

  it('every single text edit re-decodes to the edited request, other messages and fields kept', () => {
    const req = fixture('ai-sdk-request.json');
    const before = codec.decode(req);
    for (let i = 0; i < before.messages.length; i++) {
      if (before.messages[i]!.text === '') continue;
      const n = clone(before);
      n.messages[i]!.text = `EDITED ${i}`;
      const out = codec.encode(n, req) as { prompt: unknown[]; providerOptions: unknown; tools: unknown };
      const after = codec.decode(out);
      assert.equal(after.messages.length, before.messages.length, `edit ${i}`);
      for (let j = 0; j < before.messages.length; j++)
        if (j !== i) assert.deepEqual(after.messages[j], before.messages[j], `message ${j} untouched by editing ${i}`);
      assert.equal(after.messages[i]!.text, `EDITED ${i}`);
      assert.equal(out.tools, req.tools);
      assert.deepEqual(out.providerOptions, req.providerOptions);
    }
    // Unchanged prompt messages are the original objects (provider options, signatures survive).
    const n = clone(before);
    n.messages[6]!.text = 'And the day after?';
    const out = codec.encode(n, req) as { prompt: unknown[] };
    assert.equal(out.prompt[2], req.prompt[2]);
    assert.deepEqual((out.prompt[5] as { providerOptions: unknown }).providerOptions, req.prompt[5].providerOptions);
  });

  it('deleting or adding messages, editing params and tool calls round-trips', () => {
    const req = fixture('ai-sdk-request.json');
    const before = codec.decode(req);
    for (let i = 0; i < before.messages.length; i++) {
      const n = clone(before);
      n.messages.splice(i, 1);
      assert.deepEqual(codec.decode(codec.encode(n, req)).messages, n.messages, `without message ${i}`);
    }
    const n: NormalizedRequest = clone(before);
    n.messages.unshift({ role: 'system', text: 'Be brief.' });
    n.params.temperature = 0;
    n.params.max_tokens = 64;
    n.messages[3]!.tool_calls![0]!.arguments = { city: 'Bergen' };
    const out = codec.encode(n, req) as Record<string, unknown>;
    assert.equal(out.temperature, 0);
    assert.equal(out.maxOutputTokens, 64);
    const again = codec.decode(out);
    assert.deepEqual(again.messages, n.messages);
  });

  it('decodes a generate result: text, reasoning, client tool calls, finish reason, cached and reasoning tokens', () => {
    const r = codec.decodeResponse(fixture('ai-sdk-response.json'));
    assert.equal(r.text, 'Checking tomorrow.');
    assert.equal(r.reasoning, 'Need the forecast.');
    assert.deepEqual(r.tool_calls, [{ id: 'call_3', name: 'weather', arguments: { city: 'Oslo', day: 'tomorrow' } }]);
    assert.equal(r.finish_reason, 'tool_calls');
    assert.equal(r.raw_finish_reason, 'tool_use');
    assert.equal(r.id, 'msg_01');
    assert.equal(r.model, 'claude-haiku-4-5');
    assert.deepEqual(r.usage, { input_tokens: 120, output_tokens: 40, total_tokens: 160, cache_read_tokens: 90, cache_write_tokens: 10, reasoning_tokens: 25 });
    const s = codec.summarizeResponse!(fixture('ai-sdk-response.json'));
    assert.equal(s.text, '');
    assert.deepEqual(s.usage, r.usage);
  });

  it('accumulates stream parts into one response', () => {
    const acc = codec.createAccumulator();
    for (const part of fixture('ai-sdk-stream.json')) acc.push(part);
    const r = acc.finish();
    assert.equal(r.text, 'Hello.');
    assert.equal(r.reasoning, 'Thinking.');
    assert.deepEqual(r.tool_calls, [{ id: 'call_9', name: 'weather', arguments: { city: 'Lima' } }]);
    assert.equal(r.id, 'chatcmpl-9');
    assert.equal(r.finish_reason, 'tool_calls');
    assert.deepEqual(r.usage, { input_tokens: 50, output_tokens: 9, total_tokens: 59, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 });
  });

  it('names what is wrong with a malformed payload', () => {
    assert.throws(
      () => codec.decode({ prompt: 'hi' }),
      (e: unknown) => e instanceof CodecError && e.path === 'prompt',
    );
    assert.throws(
      () => codec.decode({ prompt: [{ role: 'robot', content: [] }] }),
      (e: unknown) => e instanceof CodecError && e.path === 'prompt[0].role',
    );
    assert.throws(
      () => codec.decode({ prompt: [], temperature: 'hot' }),
      (e: unknown) => e instanceof CodecError && e.path === 'temperature',
    );
    assert.throws(() => codec.decodeResponse(null), CodecError);
  });
});
