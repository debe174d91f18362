import { strict as assert } from 'node:assert';
import { OpenAIResponsesCodec, type NormalizedRequest } from '@nemo-flow/runtime/codecs';
import { clone, fixture } from './fixtures/codecs/load.js';

const codec = new OpenAIResponsesCodec();

describe('codecs: OpenAI Responses', () => {
  describe('decode', () => {
    it('maps structured input: messages, reasoning, function calls and outputs, other items', () => {
      const req = fixture('openai-responses-request.json');
      const n = codec.decode(req);
      assert.equal(n.provider_format, 'openai-responses');
      assert.equal(n.model, 'o4-mini');
      assert.equal(n.system, 'You are a coding assistant. Prefer small diffs.');
      assert.equal(n.messages.length, req.input.length, 'one message per input item');
      const [user, reasoning, call1, out1, call2, out2, search, assistant, ref, last] = n.messages;
      assert.deepEqual(user, {
        role: 'user',
        text: 'Why does this test fail? Screenshot attached.',
        parts: [
          { type: 'text', text: 'Why does this test fail? Screenshot attached.' },
          { type: 'image', url: req.input[0].content[1].image_url },
          { type: 'other', raw: req.input[0].content[2] },
        ],
      });
      assert.deepEqual(reasoning, {
        role: 'assistant',
        text: '',
        parts: [{ type: 'reasoning', text: 'The user wants the failing test explained.\nI should read the test file first.' }],
      });
      assert.deepEqual(call1, {
        role: 'assistant',
        text: '',
        tool_calls: [{ id: 'call_read_1', name: 'read_file', arguments: { path: 'test/sum.test.ts' } }],
      });
      assert.deepEqual(out1, { role: 'tool', text: 'expect(sum(0.1, 0.2)).toBe(0.3)', tool_call_id: 'call_read_1' });
      assert.deepEqual(call2.tool_calls, [{ id: 'call_run_2', name: 'run_tests', arguments: {}, raw_arguments: 'not json {' }]);
      assert.equal(out2.text, '1 failing\nExpected 0.3, received 0.30000000000000004');
      assert.equal(out2.tool_call_id, 'call_run_2');
      assert.deepEqual(search, { role: 'assistant', text: '', parts: [{ type: 'other', raw: req.input[6] }] });
      assert.deepEqual(assistant, { role: 'assistant', text: 'Floating point rounding: use toBeCloseTo.' });
      assert.deepEqual(ref.parts, [{ type: 'other', raw: { type: 'item_reference', id: 'msg_earlier' } }]);
      assert.deepEqual(last, { role: 'user', text: 'Please apply the fix.' });
      assert.deepEqual(n.tools, [
        { name: 'read_file', description: 'Read a file from the repository', parameters: req.tools[0].parameters },
        { name: 'run_tests', parameters: { type: 'object', properties: {} } },
        { name: 'web_search_preview' },
      ]);
      assert.equal(n.tool_choice, 'auto');
      assert.deepEqual(n.params, { max_tokens: 2048, temperature: 1 });
      assert.equal(n.stream, true);
      assert.deepEqual(Object.keys(n.extra).sort(), ['include', 'parallel_tool_calls', 'reasoning', 'store', 'text', 'x_future_option']);
    });

    it('maps a string input to one user message', () => {
      const n = codec.decode({ model: 'gpt-4.1', input: 'Tell me a joke', instructions: 'Be funny' });
      assert.deepEqual(n.messages, [{ role: 'user', text: 'Tell me a joke' }]);
      assert.equal(n.system, 'Be funny');
    });

    it('accepts a request without input (previous_response_id continuation)', () => {
      const req = { model: 'gpt-4.1', previous_response_id: 'resp_1' };
      const n = codec.decode(req);
      assert.deepEqual(n.messages, []);
      assert.equal(codec.encode(clone(n), req), req);
    });
  });

  describe('encode', () => {
    it('reproduces the original exactly when nothing was edited', () => {
      const req = fixture('openai-responses-request.json');
      assert.equal(codec.encode(codec.decode(req), req), req);
      const out = codec.encode(clone(codec.decode(req)), req) as typeof req;
      assert.deepEqual(out, req);
      assert.equal(JSON.stringify(out), JSON.stringify(req));
    });

    it('keeps a string input a string after an edit', () => {
      const req = { model: 'gpt-4.1', input: 'Tell me a joke', temperature: 0.5 };
      const n = codec.decode(req);
      n.messages[0].text = 'Tell me two jokes';
      assert.deepEqual(codec.encode(n, req), { model: 'gpt-4.1', input: 'Tell me two jokes', temperature: 0.5 });
      n.messages.push({ role: 'assistant', text: 'Sure' });
      assert.deepEqual(codec.encode(n, req), {
        model: 'gpt-4.1',
        input: [
          { role: 'user', content: 'Tell me two jokes' },
          { role: 'assistant', content: 'Sure' },
        ],
        temperature: 0.5,
      });
    });

    it('changes only the edited function output', () => {
      const req = fixture('openai-responses-request.json');
      const n = codec.decode(req);
      n.messages[3].text = 'expect(sum(0.1, 0.2)).toBeCloseTo(0.3)';
      const out = codec.encode(n, req) as typeof req;
      const expected = clone(req);
      expected.input[3].output = 'expect(sum(0.1, 0.2)).toBeCloseTo(0.3)';
      assert.deepEqual(out, expected);
    });

    it('edits the text of a multi-part message and keeps image and file parts', () => {
      const req = fixture('openai-responses-request.json');
      const n = codec.decode(req);
      n.messages[0].text = 'Explain the failure.';
      const out = codec.encode(n, req) as typeof req;
      const expected = clone(req);
      expected.input[0].content[0].text = 'Explain the failure.';
      assert.deepEqual(out, expected);
      assert.equal(out.input[0].content[1], req.input[0].content[1]);
    });

    it('edits instructions, arguments and params, and drops what the API has no field for', () => {
      const req = fixture('openai-responses-request.json');
      const n = codec.decode(req);
      n.system = 'You are terse.';
      const calls = n.messages[2].tool_calls ?? [];
      calls[0].arguments = { path: 'src/sum.ts' };
      n.params.max_tokens = 512;
      n.params.stop = ['END']; // Responses has no stop parameter
      const out = codec.encode(n, req) as typeof req;
      const expected = clone(req);
      expected.instructions = 'You are terse.';
      expected.input[2].arguments = '{"path":"src/sum.ts"}';
      expected.max_output_tokens = 512;
      assert.deepEqual(out, expected);
    });

    it('appends new turns as valid input items', () => {
      const req = fixture('openai-responses-request.json');
      const n = codec.decode(req);
      n.messages.push(
        { role: 'assistant', text: 'Patching.', tool_calls: [{ id: 'call_9', name: 'edit_file', arguments: { path: 'a' } }] },
        { role: 'tool', text: 'ok', tool_call_id: 'call_9' },
      );
      const out = codec.encode(n, req) as typeof req;
      assert.deepEqual(out.input.slice(0, req.input.length), req.input);
      assert.deepEqual(out.input.slice(req.input.length), [
        { role: 'assistant', content: 'Patching.' },
        { type: 'function_call', call_id: 'call_9', name: 'edit_file', arguments: '{"path":"a"}' },
        { type: 'function_call_output', call_id: 'call_9', output: 'ok' },
      ]);
    });

    it('edits a flat tool definition and keeps strict', () => {
      const req = fixture('openai-responses-request.json');
      const n = codec.decode(req);
      const tools = n.tools ?? [];
      tools[0].description = 'Read a file';
      const out = codec.encode(n, req) as typeof req;
      assert.deepEqual(out.tools[0], { ...req.tools[0], description: 'Read a file' });
      assert.equal(out.tools[2], req.tools[2]);
    });

    it('builds a valid payload without an original', () => {
      const n: NormalizedRequest = {
        provider_format: 'openai-responses',
        model: 'gpt-4.1',
        system: 'Be brief.',
        messages: [
          {
            role: 'user',
            text: 'What is in the image?',
            parts: [
              { type: 'text', text: 'What is in the image?' },
              { type: 'image', url: 'https://x/y.png' },
            ],
          },
        ],
        tools: [{ name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
        params: { max_tokens: 100, temperature: 0 },
        extra: { store: false },
      };
      assert.deepEqual(codec.encode(n, undefined), {
        model: 'gpt-4.1',
        instructions: 'Be brief.',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is in the image?' },
              { type: 'input_image', image_url: 'https://x/y.png', detail: 'auto' },
            ],
          },
        ],
        max_output_tokens: 100,
        temperature: 0,
        tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false }],
        store: false,
      });
    });
  });

  describe('decodeResponse', () => {
    it('maps reasoning, text, function calls, status and usage', () => {
      assert.deepEqual(codec.decodeResponse(fixture('openai-responses-response.json')), {
        provider_format: 'openai-responses',
        id: 'resp_68a1',
        model: 'o4-mini-2025-04-16',
        text: "I'll patch the assertion to use toBeCloseTo.",
        reasoning: 'Need the test file.\nThen patch the assertion.',
        tool_calls: [{ id: 'call_edit_3', name: 'edit_file', arguments: { path: 'test/sum.test.ts', find: 'toBe(0.3)', replace: 'toBeCloseTo(0.3)' } }],
        finish_reason: 'tool_calls',
        raw_finish_reason: 'completed',
        usage: { input_tokens: 2200, output_tokens: 410, total_tokens: 2610, cache_read_tokens: 1920, reasoning_tokens: 256 },
      });
    });

    it('maps incomplete and failed statuses', () => {
      const inc = codec.decodeResponse({ id: 'r', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [] });
      assert.equal(inc.finish_reason, 'length');
      assert.equal(inc.raw_finish_reason, 'max_output_tokens');
      const failed = codec.decodeResponse({ id: 'r', status: 'failed', error: { code: 'server_error', message: 'boom' }, output: [] });
      assert.equal(failed.finish_reason, 'error');
      assert.equal(failed.raw_finish_reason, 'server_error');
      const running = codec.decodeResponse({ id: 'r', status: 'in_progress', output: [] });
      assert.equal(running.finish_reason, undefined);
    });
  });

  describe('stream accumulator', () => {
    const expected = {
      provider_format: 'openai-responses',
      id: 'resp_S9',
      model: 'gpt-4.1-2025-04-14',
      text: 'Checking your order now.',
      reasoning: 'Look up the order.',
      tool_calls: [{ id: 'call_ord_1', name: 'get_order', arguments: { order_id: 'A-17' } }],
      finish_reason: 'tool_calls',
      raw_finish_reason: 'completed',
      usage: { input_tokens: 120, output_tokens: 37, total_tokens: 157, cache_read_tokens: 0, reasoning_tokens: 12 },
    };

    it('rebuilds the response from text, reasoning and argument deltas', () => {
      const acc = codec.createAccumulator();
      for (const e of fixture('openai-responses-stream.json')) acc.push(e);
      assert.deepEqual(acc.finish(), expected);
    });

    it('uses the complete response of response.completed when it carries the output', () => {
      const events = fixture('openai-responses-stream.json');
      const completed = events[events.length - 1];
      completed.response.output = [
        { type: 'reasoning', id: 'rs_S1', summary: [{ type: 'summary_text', text: 'Look up the order.' }] },
        { type: 'message', id: 'msg_S2', role: 'assistant', content: [{ type: 'output_text', text: 'Checking your order now.', annotations: [] }] },
        { type: 'function_call', id: 'fc_S3', call_id: 'call_ord_1', name: 'get_order', arguments: '{"order_id": "A-17"}' },
      ];
      const acc = codec.createAccumulator();
      for (const e of events) acc.push(e);
      assert.deepEqual(acc.finish(), expected);
    });

    it('gives a best-effort result for a stream cut short, from SSE text', () => {
      const events = fixture('openai-responses-stream.json').slice(0, 13);
      const text = events.map((e: { type: string }) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
      const acc = codec.createAccumulator();
      acc.push(text.slice(0, 1000));
      acc.push(text.slice(1000));
      const res = acc.finish();
      assert.equal(res.text, 'Checking your order now.');
      assert.deepEqual(res.tool_calls, [{ id: 'call_ord_1', name: 'get_order', arguments: {}, raw_arguments: '{"order_' }]);
      assert.equal(res.finish_reason, undefined);
    });
  });
});
