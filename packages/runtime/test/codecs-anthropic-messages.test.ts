import { strict as assert } from 'node:assert';
import { AnthropicMessagesCodec, OpenAIChatCodec, type NormalizedRequest } from '@nemo-flow/runtime/codecs';
import { clone, fixture } from './fixtures/codecs/load.js';

const codec = new AnthropicMessagesCodec();

describe('codecs: Anthropic Messages', () => {
  describe('decode', () => {
    it('maps system blocks, images, thinking, tool_use and tool_result turns', () => {
      const req = fixture('anthropic-request.json');
      const n = codec.decode(req);
      assert.equal(n.provider_format, 'anthropic-messages');
      assert.equal(n.model, 'claude-sonnet-4-5-20250929');
      assert.equal(n.system, 'You are a support agent for Acme Cloud.\nAlways cite the ticket id.');
      assert.deepEqual(n.messages, [
        { role: 'user', text: 'My deploy failed. Ticket T-2231.' },
        {
          role: 'user',
          text: 'Here is the error screen.',
          parts: [
            { type: 'image', data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk', media_type: 'image/png' },
            { type: 'text', text: 'Here is the error screen.' },
          ],
        },
        {
          role: 'assistant',
          text: 'Let me pull the logs and the ticket.',
          parts: [
            { type: 'reasoning', text: 'I need the deploy logs and the ticket.' },
            { type: 'text', text: 'Let me pull the logs and the ticket.' },
          ],
          tool_calls: [
            { id: 'toolu_01A', name: 'get_logs', arguments: { deploy_id: 'd-88', lines: 50 } },
            { id: 'toolu_01B', name: 'get_ticket', arguments: { id: 'T-2231' } },
          ],
        },
        { role: 'tool', text: 'ERROR: quota exceeded (cpu)', tool_call_id: 'toolu_01A' },
        { role: 'tool', text: 'ticket not found', tool_call_id: 'toolu_01B' },
        { role: 'user', text: 'Also, can you raise my quota?' },
        {
          role: 'assistant',
          text: 'Your deploy hit the CPU quota.',
          parts: [
            { type: 'other', raw: req.messages[4].content[0] },
            { type: 'text', text: 'Your deploy hit the CPU quota.' },
          ],
        },
        { role: 'user', text: 'Yes please raise it.' },
      ]);
      assert.deepEqual(n.tools, [
        { name: 'get_logs', description: 'Fetch deploy logs', parameters: req.tools[0].input_schema },
        { name: 'get_ticket', description: 'Look up a support ticket', parameters: req.tools[1].input_schema },
        { name: 'web_search' },
      ]);
      assert.deepEqual(n.tool_choice, { type: 'auto', disable_parallel_tool_use: false });
      assert.deepEqual(n.params, { max_tokens: 4096, temperature: 1, top_k: 40, stop: ['\n\nHuman:'] });
      assert.equal(n.stream, false);
      assert.deepEqual(Object.keys(n.extra).sort(), ['metadata', 'thinking', 'x_future_option']);
    });
  });

  describe('encode', () => {
    it('reproduces the original exactly when nothing was edited', () => {
      const req = fixture('anthropic-request.json');
      assert.equal(codec.encode(codec.decode(req), req), req);
      const out = codec.encode(clone(codec.decode(req)), req) as typeof req;
      assert.deepEqual(out, req);
      assert.equal(JSON.stringify(out), JSON.stringify(req));
    });

    it('changes only the edited tool result, keeping is_error and its sibling blocks', () => {
      const req = fixture('anthropic-request.json');
      const n = codec.decode(req);
      n.messages[4].text = 'ticket T-2231: open, priority high';
      const out = codec.encode(n, req) as typeof req;
      const expected = clone(req);
      expected.messages[3].content[1].content = 'ticket T-2231: open, priority high';
      assert.deepEqual(out, expected);
      assert.equal(out.messages[3].content[0], req.messages[3].content[0]);
      assert.equal(out.messages[3].content[2], req.messages[3].content[2]);
    });

    it('edits the user text that follows tool results in the same turn', () => {
      const req = fixture('anthropic-request.json');
      const n = codec.decode(req);
      n.messages[5].text = 'Can you raise my CPU quota?';
      const expected = clone(req);
      expected.messages[3].content[2].text = 'Can you raise my CPU quota?';
      assert.deepEqual(codec.encode(n, req), expected);
    });

    it('keeps cache_control on an edited single text block', () => {
      const req = fixture('anthropic-request.json');
      const n = codec.decode(req);
      n.messages[7].text = 'Yes, raise it to 16.';
      const out = codec.encode(n, req) as typeof req;
      assert.deepEqual(out.messages[5].content, [{ type: 'text', text: 'Yes, raise it to 16.', cache_control: { type: 'ephemeral', ttl: '1h' } }]);
    });

    it('edits assistant text and tool input, keeping the thinking signature', () => {
      const req = fixture('anthropic-request.json');
      const n = codec.decode(req);
      const m = n.messages[2];
      m.text = 'Pulling logs.';
      (m.tool_calls ?? [])[0].arguments = { deploy_id: 'd-88', lines: 200 };
      const out = codec.encode(n, req) as typeof req;
      const expected = clone(req);
      expected.messages[2].content[1].text = 'Pulling logs.';
      expected.messages[2].content[2].input = { deploy_id: 'd-88', lines: 200 };
      assert.deepEqual(out, expected);
      assert.equal(out.messages[2].content[0], req.messages[2].content[0]);
    });

    it('appends to the system prompt as a new block, keeping cache breakpoints', () => {
      const req = fixture('anthropic-request.json');
      const n = codec.decode(req);
      n.system += '\nNever promise refunds.';
      const out = codec.encode(n, req) as typeof req;
      assert.deepEqual(out.system, [...req.system, { type: 'text', text: 'Never promise refunds.' }]);
      n.system = 'Replaced.';
      assert.deepEqual((codec.encode(n, req) as typeof req).system, [{ type: 'text', text: 'Replaced.', cache_control: { type: 'ephemeral' } }]);
    });

    it('folds a system message added by a middleware into system', () => {
      const req = { model: 'claude-haiku-4-5', max_tokens: 100, system: 'Base.', messages: [{ role: 'user', content: 'hi' }] };
      const n = codec.decode(req);
      n.messages.unshift({ role: 'system', text: 'Guardrail: be polite.' });
      assert.deepEqual(codec.encode(n, req), { ...req, system: 'Base.\nGuardrail: be polite.' });
    });

    it('appends a new tool round as valid turns (tool results and text share one user turn)', () => {
      const req = fixture('anthropic-request.json');
      const n = codec.decode(req);
      n.messages.push(
        { role: 'assistant', text: '', tool_calls: [{ id: 'toolu_09', name: 'raise_quota', arguments: { cpu: 16 } }] },
        { role: 'tool', text: 'done', tool_call_id: 'toolu_09' },
        { role: 'user', text: 'Thanks!' },
      );
      const out = codec.encode(n, req) as typeof req;
      assert.deepEqual(out.messages.slice(0, 6), req.messages);
      assert.deepEqual(out.messages.slice(6), [
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_09', name: 'raise_quota', input: { cpu: 16 } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_09', content: 'done' },
            { type: 'text', text: 'Thanks!' },
          ],
        },
      ]);
    });

    it('drops a removed tool result and keeps the rest of the turn', () => {
      const req = fixture('anthropic-request.json');
      const n = codec.decode(req);
      n.messages.splice(4, 1);
      const out = codec.encode(n, req) as typeof req;
      const expected = clone(req);
      expected.messages[3].content.splice(1, 1);
      assert.deepEqual(out, expected);
    });

    it('edits params under Anthropic names', () => {
      const req = fixture('anthropic-request.json');
      const n = codec.decode(req);
      n.params.stop = ['STOP'];
      n.params.max_tokens = 1024;
      n.params.seed = 7; // no such parameter at Anthropic
      const out = codec.encode(n, req) as typeof req;
      assert.deepEqual(out, { ...req, stop_sequences: ['STOP'], max_tokens: 1024 });
    });

    it('converts a Chat Completions conversation (no original)', () => {
      const chat = new OpenAIChatCodec().decode(fixture('openai-chat-request.json'));
      const n: NormalizedRequest = { ...chat, provider_format: 'anthropic-messages', extra: {}, tool_choice: undefined };
      const out = codec.encode(n, undefined) as { system: string; messages: { role: string; content: unknown }[] };
      assert.equal(out.system, 'You are a travel assistant. Use tools to look up live data.\nAnswer in one sentence.');
      assert.deepEqual(
        out.messages.map((m) => m.role),
        ['user', 'assistant', 'user', 'assistant', 'user'],
      );
      assert.deepEqual(out.messages[1].content, [
        { type: 'tool_use', id: 'call_Ab12', name: 'get_weather', input: { city: 'Sydney', unit: 'celsius' } },
        { type: 'tool_use', id: 'call_Cd34', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
      ]);
      assert.deepEqual(out.messages[2].content, [
        { type: 'tool_result', tool_use_id: 'call_Ab12', content: '{"temp": 22, "sky": "sunny"}' },
        { type: 'tool_result', tool_use_id: 'call_Cd34', content: '{"temp": 14, "sky": "rain"}' },
      ]);
      assert.deepEqual((out as Record<string, unknown>).tools, [
        { name: 'get_weather', description: 'Current weather for a city', input_schema: chat.tools?.[0].parameters },
        { name: 'book_hotel', input_schema: chat.tools?.[1].parameters },
      ]);
      assert.equal((out as Record<string, unknown>).seed, undefined);
    });
  });

  describe('decodeResponse', () => {
    it('maps text blocks, thinking, tool_use, stop reason and cache usage', () => {
      assert.deepEqual(codec.decodeResponse(fixture('anthropic-response.json')), {
        provider_format: 'anthropic-messages',
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        model: 'claude-sonnet-4-5-20250929',
        text: "I'll file the quota increase for ticket T-2231.",
        reasoning: 'Quota raise needs the admin tool.',
        tool_calls: [{ id: 'toolu_01C', name: 'raise_quota', arguments: { resource: 'cpu', amount: 8 } }],
        finish_reason: 'tool_calls',
        raw_finish_reason: 'tool_use',
        // input counts uncached + cache writes + cache reads
        usage: { input_tokens: 4780, output_tokens: 95, total_tokens: 4875, cache_read_tokens: 3400, cache_write_tokens: 1200 },
      });
    });

    it('maps stop reasons and error bodies', () => {
      const finish = (stop_reason: string) => codec.decodeResponse({ type: 'message', content: [], stop_reason }).finish_reason;
      assert.equal(finish('end_turn'), 'stop');
      assert.equal(finish('stop_sequence'), 'stop');
      assert.equal(finish('max_tokens'), 'length');
      assert.equal(finish('refusal'), 'content_filter');
      assert.equal(finish('pause_turn'), 'other');
      const err = codec.decodeResponse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
      assert.equal(err.finish_reason, 'error');
      assert.equal(err.raw_finish_reason, 'overloaded_error');
    });
  });

  describe('stream accumulator', () => {
    const expected = {
      provider_format: 'anthropic-messages',
      id: 'msg_S7',
      model: 'claude-opus-4-1-20250805',
      text: 'Checking the forecast.',
      reasoning: 'User wants the forecast; call the weather tool.',
      tool_calls: [{ id: 'toolu_S1', name: 'get_weather', arguments: { location: 'San Francisco, CA', unit: 'fahrenheit' } }],
      finish_reason: 'tool_calls',
      raw_finish_reason: 'tool_use',
      usage: { input_tokens: 2073, output_tokens: 89, total_tokens: 2162, cache_read_tokens: 2048, cache_write_tokens: 0 },
    };

    it('rebuilds text, thinking and tool input from message events', () => {
      const acc = codec.createAccumulator();
      for (const e of fixture('anthropic-stream.json')) acc.push(e);
      assert.deepEqual(acc.finish(), expected);
    });

    it('reads the raw SSE wire format', () => {
      const text = (fixture('anthropic-stream.json') as { type: string }[]).map((e) => `event: ${e.type}\r\ndata: ${JSON.stringify(e)}\r\n\r\n`).join('');
      const acc = codec.createAccumulator();
      for (let i = 0; i < text.length; i += 50) acc.push(text.slice(i, i + 50));
      assert.deepEqual(acc.finish(), expected);
    });

    it('reads { event, data } messages from an SSE parser library', () => {
      const acc = codec.createAccumulator();
      for (const e of fixture('anthropic-stream.json') as { type: string }[]) acc.push({ event: e.type, data: JSON.stringify(e) });
      assert.deepEqual(acc.finish(), expected);
    });

    it('keeps an unfinished tool input as raw_arguments', () => {
      const events = fixture('anthropic-stream.json').slice(0, 14);
      const acc = codec.createAccumulator();
      for (const e of events) acc.push(e);
      const res = acc.finish();
      assert.deepEqual(res.tool_calls, [{ id: 'toolu_S1', name: 'get_weather', arguments: {}, raw_arguments: '{"location": "San Fra' }]);
      assert.equal(res.finish_reason, undefined);
      assert.equal(res.usage?.output_tokens, 1);
    });
  });
});
