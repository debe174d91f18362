import { strict as assert } from 'node:assert';
import { OpenAIChatCodec, getCodec, type NormalizedRequest } from '@nemo-flow/runtime/codecs';
import { clone, fixture } from './fixtures/codecs/load.js';

const codec = new OpenAIChatCodec();

describe('codecs: OpenAI Chat Completions', () => {
  describe('decode', () => {
    it('maps a multi-turn request with images, tool calls and tool results', () => {
      const req = fixture('openai-chat-request.json');
      const n = codec.decode(req);
      assert.equal(n.provider_format, 'openai-chat');
      assert.equal(n.model, 'gpt-4o-2024-08-06');
      assert.equal(n.system, undefined, 'system messages stay in messages');
      assert.deepEqual(
        n.messages.map((m) => m.role),
        ['system', 'user', 'assistant', 'tool', 'tool', 'assistant', 'user', 'developer'],
      );
      assert.equal(n.messages[0].text, 'You are a travel assistant. Use tools to look up live data.');
      assert.deepEqual(n.messages[1], {
        role: 'user',
        text: 'What is the weather where this photo was taken, and in Paris?',
        parts: [
          { type: 'text', text: 'What is the weather where this photo was taken, and in Paris?' },
          { type: 'image', url: 'https://example.com/photos/harbour.jpg' },
        ],
        name: 'alice',
      });
      assert.deepEqual(n.messages[2].tool_calls, [
        { id: 'call_Ab12', name: 'get_weather', arguments: { city: 'Sydney', unit: 'celsius' } },
        { id: 'call_Cd34', name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
      ]);
      assert.equal(n.messages[2].text, '');
      assert.deepEqual(n.messages[3], { role: 'tool', text: '{"temp": 22, "sky": "sunny"}', tool_call_id: 'call_Ab12' });
      assert.deepEqual(n.messages[4], { role: 'tool', text: '{"temp": 14, "sky": "rain"}', tool_call_id: 'call_Cd34' });
      assert.equal(n.messages[6].text, 'Thanks. Read this out:');
      assert.deepEqual(n.messages[6].parts?.[1], { type: 'other', raw: req.messages[6].content[1] });
      assert.deepEqual(n.messages[7], { role: 'developer', text: 'Answer in one sentence.' });
      assert.deepEqual(
        n.tools?.map((t) => t.name),
        ['get_weather', 'book_hotel'],
      );
      assert.equal(n.tools?.[0].description, 'Current weather for a city');
      assert.deepEqual(n.tools?.[0].parameters, req.tools[0].function.parameters);
      assert.equal(n.tool_choice, 'auto');
      assert.deepEqual(n.params, { temperature: 0.2, top_p: 0.9, max_tokens: 800, stop: ['\n\nUser:'], seed: 42 });
      assert.equal(n.stream, false);
      assert.deepEqual(Object.keys(n.extra).sort(), ['metadata', 'parallel_tool_calls', 'response_format', 'user', 'x_future_option']);
      assert.deepEqual(n.extra.x_future_option, { mode: 'fast', levels: [1, 2, 3] });
    });

    it('keeps arguments that are not JSON as raw_arguments', () => {
      const n = codec.decode({
        model: 'm',
        messages: [
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a": 1,' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c2', type: 'function', function: { name: 'g', arguments: '' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c3', type: 'function', function: { name: 'h', arguments: '[1,2]' } }] },
        ],
      });
      assert.deepEqual(n.messages[0].tool_calls?.[0], { id: 'c1', name: 'f', arguments: {}, raw_arguments: '{"a": 1,' });
      assert.deepEqual(n.messages[1].tool_calls?.[0], { id: 'c2', name: 'g', arguments: {} });
      assert.deepEqual(n.messages[2].tool_calls?.[0], { id: 'c3', name: 'h', arguments: {}, raw_arguments: '[1,2]' });
    });

    it('keeps parameters of the wrong type verbatim instead of failing', () => {
      const req = { model: 'm', messages: [], temperature: '0.7', stream: 'yes', max_tokens: null };
      const n = codec.decode(req);
      assert.deepEqual(n.params, {});
      assert.deepEqual(n.extra, { temperature: '0.7', stream: 'yes', max_tokens: null });
      assert.deepEqual(codec.encode(n, req), req);
    });
  });

  describe('encode', () => {
    it('returns the original when nothing was edited', () => {
      const req = fixture('openai-chat-request.json');
      const copy = clone(req);
      const out = codec.encode(codec.decode(req), req);
      assert.equal(out, req);
      assert.deepEqual(out, copy);
    });

    it('reproduces the original exactly from a cloned, unedited normalized request', () => {
      const req = fixture('openai-chat-request.json');
      const out = codec.encode(clone(codec.decode(req)), req) as typeof req;
      assert.deepEqual(out, req);
      assert.deepEqual(JSON.stringify(out), JSON.stringify(req), 'same key order');
      for (let i = 0; i < req.messages.length; i++) assert.equal(out.messages[i], req.messages[i]);
    });

    it('keeps keys holding undefined so an unedited JS request compares equal', () => {
      const req = { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: undefined, user: undefined };
      assert.deepEqual(codec.encode(clone(codec.decode(req)), req), req);
    });

    it('changes only the edited message text', () => {
      const req = fixture('openai-chat-request.json');
      const n = codec.decode(req);
      n.messages[5].text = 'Sydney: 22°C. Paris: 14°C.';
      const out = codec.encode(n, req) as typeof req;
      const expected = clone(req);
      expected.messages[5].content = 'Sydney: 22°C. Paris: 14°C.';
      assert.deepEqual(out, expected);
      assert.equal(out.messages[4], req.messages[4]);
      assert.equal(out.messages[6], req.messages[6]);
    });

    it('edits the text part of a multi-part message and keeps the image part', () => {
      const req = fixture('openai-chat-request.json');
      const n = codec.decode(req);
      n.messages[1].text = 'Where was this taken?';
      const out = codec.encode(n, req) as typeof req;
      const expected = clone(req);
      expected.messages[1].content[0].text = 'Where was this taken?';
      assert.deepEqual(out, expected);
      assert.equal(out.messages[1].content[1], req.messages[1].content[1]);
    });

    it('edits a text wrapped in a one-element part array in place', () => {
      const req = fixture('openai-chat-request.json');
      const n = codec.decode(req);
      n.messages[7].text = 'Answer in French.';
      const out = codec.encode(n, req) as typeof req;
      assert.deepEqual(out.messages[7], { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] });
    });

    it('re-serializes edited tool-call arguments and keeps the other call', () => {
      const req = fixture('openai-chat-request.json');
      const n = codec.decode(req);
      const calls = n.messages[2].tool_calls ?? [];
      calls[1].arguments = { city: 'Lyon', unit: 'celsius' };
      const out = codec.encode(n, req) as typeof req;
      const expected = clone(req);
      expected.messages[2].tool_calls[1].function.arguments = '{"city":"Lyon","unit":"celsius"}';
      assert.deepEqual(out, expected);
      assert.equal(out.messages[2].tool_calls[0], req.messages[2].tool_calls[0]);
    });

    it('inserts, removes and appends messages, reusing the untouched ones', () => {
      const req = fixture('openai-chat-request.json');
      const n = codec.decode(req);
      n.messages.splice(6, 1); // drop the audio message
      n.messages.unshift({ role: 'system', text: 'Be brief.' });
      n.messages.push({ role: 'user', text: 'And tomorrow?' });
      const out = codec.encode(n, req) as typeof req;
      assert.equal(out.messages.length, req.messages.length + 1);
      assert.deepEqual(out.messages[0], { role: 'system', content: 'Be brief.' });
      for (let i = 0; i < 6; i++) assert.equal(out.messages[i + 1], req.messages[i]);
      assert.equal(out.messages[7], req.messages[7]);
      assert.deepEqual(out.messages[8], { role: 'user', content: 'And tomorrow?' });
    });

    it('writes edited params under the keys the request used and drops removed extras', () => {
      const req = fixture('openai-chat-request.json');
      const n = codec.decode(req);
      n.params.temperature = 0;
      n.params.max_tokens = 100;
      n.params.presence_penalty = 0.5;
      delete n.extra.metadata;
      n.extra.service_tier = 'flex';
      n.model = 'gpt-4.1';
      const out = codec.encode(n, req) as Record<string, unknown>;
      const expected = clone(req);
      expected.temperature = 0;
      expected.max_completion_tokens = 100;
      expected.presence_penalty = 0.5;
      expected.model = 'gpt-4.1';
      delete expected.metadata;
      expected.service_tier = 'flex';
      assert.deepEqual(out, expected);
      assert.equal(out.stop, '\n\nUser:', 'an unchanged stop keeps its string form');
      assert.equal('max_tokens' in out, false);
    });

    it('edits a tool definition and keeps its unmodelled fields', () => {
      const req = fixture('openai-chat-request.json');
      const n = codec.decode(req);
      const tools = n.tools ?? [];
      tools[0].description = 'Weather now';
      tools.push({ name: 'cancel', parameters: { type: 'object', properties: {} } });
      const out = codec.encode(n, req) as typeof req;
      assert.equal(out.tools[0].function.strict, true);
      assert.equal(out.tools[0].function.description, 'Weather now');
      assert.equal(out.tools[1], req.tools[1]);
      assert.deepEqual(out.tools[2], { type: 'function', function: { name: 'cancel', parameters: { type: 'object', properties: {} } } });
    });

    it('builds a valid payload without an original', () => {
      const n: NormalizedRequest = {
        provider_format: 'openai-chat',
        model: 'gpt-4o-mini',
        system: 'Be terse.',
        messages: [
          {
            role: 'user',
            text: 'Weather?',
            parts: [
              { type: 'text', text: 'Weather?' },
              { type: 'image', data: 'AAAA', media_type: 'image/jpeg' },
            ],
          },
          { role: 'assistant', text: '', tool_calls: [{ id: 'c1', name: 'w', arguments: { q: 1 } }] },
          { role: 'tool', text: 'sunny', tool_call_id: 'c1' },
        ],
        tools: [{ name: 'w', description: 'weather', parameters: { type: 'object' } }],
        tool_choice: 'auto',
        params: { max_tokens: 50, stop: ['END'] },
        stream: true,
        extra: { stream_options: { include_usage: true } },
      };
      assert.deepEqual(codec.encode(n, undefined), {
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be terse.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Weather?' },
              { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } },
            ],
          },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{"q":1}' } }] },
          { role: 'tool', content: 'sunny', tool_call_id: 'c1' },
        ],
        max_tokens: 50,
        stop: ['END'],
        tools: [{ type: 'function', function: { name: 'w', description: 'weather', parameters: { type: 'object' } } }],
        tool_choice: 'auto',
        stream: true,
        stream_options: { include_usage: true },
      });
    });

    it('sends raw_arguments back unchanged when the arguments were not JSON', () => {
      const req = {
        model: 'm',
        messages: [{ role: 'assistant', content: 'x', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: 'oops' } }] }],
      };
      const n = codec.decode(req);
      n.messages[0].text = 'y';
      const out = codec.encode(n, req) as typeof req;
      assert.equal(out.messages[0].tool_calls[0], req.messages[0].tool_calls[0]);
      assert.equal(out.messages[0].content, 'y');
    });
  });

  describe('decodeResponse', () => {
    it('maps tool calls, finish reason and usage with cache and reasoning tokens', () => {
      const res = codec.decodeResponse(fixture('openai-chat-response.json'));
      assert.deepEqual(res, {
        provider_format: 'openai-chat',
        id: 'chatcmpl-9xYz',
        model: 'gpt-4o-2024-08-06',
        text: '',
        tool_calls: [
          { id: 'call_Ef56', name: 'book_hotel', arguments: { city: 'Paris', nights: 2 } },
          { id: 'call_Gh78', name: 'get_weather', arguments: {}, raw_arguments: '{"city": "Par' },
        ],
        finish_reason: 'tool_calls',
        raw_finish_reason: 'tool_calls',
        usage: { input_tokens: 1250, output_tokens: 88, total_tokens: 1338, cache_read_tokens: 1024, reasoning_tokens: 32 },
      });
    });

    it('reads text, reasoning_content (vLLM / DeepSeek) and length finishes', () => {
      const res = codec.decodeResponse({
        id: 'x',
        object: 'chat.completion',
        model: 'deepseek-r1',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!', reasoning_content: 'Greet back.' }, finish_reason: 'length' }],
      });
      assert.equal(res.text, 'Hi!');
      assert.equal(res.reasoning, 'Greet back.');
      assert.equal(res.finish_reason, 'length');
      assert.equal(res.usage, undefined);
    });

    it('maps an error body to finish_reason error', () => {
      const res = codec.decodeResponse({ error: { message: 'Rate limit', type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
      assert.equal(res.finish_reason, 'error');
      assert.equal(res.raw_finish_reason, 'rate_limit_error');
    });
  });

  describe('stream accumulator', () => {
    const expected = {
      provider_format: 'openai-chat',
      id: 'chatcmpl-S1',
      model: 'gpt-4o-mini',
      text: 'Let me check both.',
      tool_calls: [
        { id: 'call_1', name: 'get_weather', arguments: { city: 'Sydney' } },
        { id: 'call_2', name: 'get_weather', arguments: { city: 'Paris' } },
      ],
      finish_reason: 'tool_calls',
      raw_finish_reason: 'tool_calls',
      usage: { input_tokens: 310, output_tokens: 41, total_tokens: 351, cache_read_tokens: 256, reasoning_tokens: 0 },
    };

    it('joins content deltas, fragmented tool-call arguments and the final usage chunk', () => {
      const acc = codec.createAccumulator();
      for (const chunk of fixture('openai-chat-stream.json')) acc.push(chunk);
      assert.deepEqual(acc.finish(), expected);
    });

    it('reads raw server-sent-event bytes split at arbitrary points', () => {
      const sse = (fixture('openai-chat-stream.json') as unknown[]).map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n';
      const bytes = new TextEncoder().encode(sse);
      const acc = getCodec('openai-chat').createAccumulator();
      for (let i = 0; i < bytes.length; i += 37) acc.push(bytes.subarray(i, i + 37));
      assert.deepEqual(acc.finish(), expected);
    });

    it('accumulates reasoning deltas and tolerates garbage chunks', () => {
      const acc = codec.createAccumulator();
      for (const chunk of [null, 42, 'data: {broken', { choices: 'x' }, { choices: [null, { index: 1, delta: { content: 'other choice' } }] }]) acc.push(chunk);
      acc.push({ id: 'r', model: 'qwq', choices: [{ index: 0, delta: { reasoning_content: 'Think' } }] });
      acc.push({ id: 'r', choices: [{ index: 0, delta: { reasoning_content: 'ing.' } }] });
      acc.push({ id: 'r', choices: [{ index: 0, delta: { content: 'Done' }, finish_reason: 'stop' }] });
      const res = acc.finish();
      assert.equal(res.reasoning, 'Thinking.');
      assert.equal(res.text, 'Done');
      assert.equal(res.finish_reason, 'stop');
    });
  });
});
