import { strict as assert } from 'node:assert';
import { getCodec, type NormalizedRequest } from '@nemo-flow/runtime/codecs';
import { clone, fixture } from './fixtures/codecs/load.js';

const codec = getCodec('gemini');

describe('codecs: Gemini', () => {
  describe('decode', () => {
    it('maps the REST body: system instruction, thoughts, images, function calls and responses, tools, generationConfig', () => {
      const n = codec.decode(fixture('gemini-request.json'));
      assert.equal(n.provider_format, 'gemini');
      assert.equal(n.system, 'You are a weather assistant.\nAnswer briefly.');
      assert.deepEqual(
        n.messages.map((m) => m.role),
        ['user', 'assistant', 'tool', 'tool', 'user', 'assistant', 'user'],
      );
      assert.deepEqual(n.messages[0].parts?.[1], { type: 'image', data: '/9j/4AAQSkZJRgABAQ', media_type: 'image/jpeg' });
      assert.deepEqual(n.messages[1].parts?.[0], { type: 'reasoning', text: 'The user wants two forecasts; call the tool twice.' });
      assert.equal(n.messages[1].text, 'Let me check both cities.');
      assert.deepEqual(n.messages[1].tool_calls, [
        { id: 'get_weather', name: 'get_weather', arguments: { city: 'Paris' } }, // no id on the wire: the name stands in
        { id: 'fc_lyon', name: 'get_forecast', arguments: { city: 'Lyon', days: 2 } },
      ]);
      assert.deepEqual(n.messages[2], { role: 'tool', text: '18C, cloudy', tool_call_id: 'get_weather', name: 'get_weather' });
      assert.equal(n.messages[3].tool_call_id, 'fc_lyon');
      assert.equal(n.messages[4].text, 'Also, which one is warmer?');
      assert.equal(n.messages[6].parts?.[2].type, 'other', 'a PDF file part is kept verbatim');
      assert.deepEqual(
        n.tools?.map((t) => t.name),
        ['get_weather', 'get_forecast'],
      );
      assert.deepEqual(n.tools?.[1].parameters, { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } });
      assert.deepEqual(n.tool_choice, { functionCallingConfig: { mode: 'AUTO' } });
      assert.deepEqual(n.params, { temperature: 0.4, top_p: 0.9, top_k: 40, max_tokens: 512, stop: ['END'] });
      assert.deepEqual(n.extra.generationConfig, { candidateCount: 1, thinkingConfig: { thinkingBudget: 256, includeThoughts: true } });
      assert.ok(Array.isArray(n.extra.safetySettings));
    });

    it('maps the SDK parameters: model, config with system instruction, tools and parameters side by side', () => {
      const n = codec.decode(fixture('gemini-sdk-request.json'));
      assert.equal(n.model, 'gemini-2.5-flash');
      assert.equal(n.system, 'You are a weather assistant.');
      assert.deepEqual(n.params, { temperature: 0.2, max_tokens: 256, seed: 7 });
      assert.deepEqual(n.tools?.[0].name, 'get_weather');
      assert.deepEqual(n.extra, { config: { responseMimeType: 'text/plain', thinkingConfig: { thinkingBudget: 0 } } });
    });

    it('reads the shorthand contents the SDK accepts: a string, a part list, one content', () => {
      assert.deepEqual(codec.decode({ model: 'm', contents: 'hi' }).messages, [{ role: 'user', text: 'hi' }]);
      assert.deepEqual(codec.decode({ model: 'm', contents: ['a', { text: 'b' }] }).messages, [
        {
          role: 'user',
          text: 'a\nb',
          parts: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
      ]);
      assert.deepEqual(codec.decode({ model: 'm', contents: { role: 'user', parts: [{ text: 'one' }] } }).messages, [{ role: 'user', text: 'one' }]);
      assert.deepEqual(codec.decode({ model: 'm', contents: [{ parts: [{ text: 'no role' }] }] }).messages, [{ role: 'user', text: 'no role' }]);
      assert.equal(codec.decode({ model: 'm', contents: 'x', config: { systemInstruction: [{ text: 'a' }, 'b'] } }).system, 'a\nb');
    });
  });

  describe('encode', () => {
    it('reproduces the original exactly when nothing was edited (REST and SDK shapes)', () => {
      for (const file of ['gemini-request.json', 'gemini-sdk-request.json']) {
        const req = fixture(file);
        assert.equal(codec.encode(codec.decode(req), req), req);
        assert.deepEqual(codec.encode(clone(codec.decode(req)), req), req);
      }
      const short = { model: 'm', contents: 'hi' };
      assert.equal(codec.encode(codec.decode(short), short), short);
    });

    it('changes only the edited tool result, keeping its id and unmodelled fields', () => {
      const req = fixture('gemini-request.json');
      const n = codec.decode(req);
      n.messages[3].text = 'storm warning';
      const out = codec.encode(n, req) as { contents: { parts: Record<string, unknown>[] }[] };
      assert.deepEqual(out.contents[2].parts[1], {
        functionResponse: { id: 'fc_lyon', name: 'get_forecast', response: { output: 'storm warning' }, willContinue: false },
      });
      assert.equal(out.contents[2].parts[0], req.contents[2].parts[0]);
      assert.equal(out.contents[2].parts[2], req.contents[2].parts[2]);
      assert.equal(out.contents[0], req.contents[0]);
    });

    it('edits assistant text and tool arguments, keeping the thought signature', () => {
      const req = fixture('gemini-request.json');
      const n = codec.decode(req);
      n.messages[1].text = 'Checking.';
      n.messages[1].tool_calls![0].arguments = { city: 'Marseille' };
      const out = codec.encode(n, req) as { contents: { parts: Record<string, unknown>[] }[] };
      const parts = out.contents[1].parts;
      assert.deepEqual(parts[0], req.contents[1].parts[0], 'the thought part is kept');
      assert.deepEqual(parts[1], { text: 'Checking.' });
      assert.deepEqual(
        parts[2],
        { functionCall: { name: 'get_weather', args: { city: 'Marseille' } }, thoughtSignature: 'CpQBAb4+9vs7kFOD' },
        'no id invented',
      );
      assert.equal(parts[3], req.contents[1].parts[3]);
    });

    it('writes edited parameters and system text where the payload keeps them', () => {
      const sdk = fixture('gemini-sdk-request.json');
      const n = codec.decode(sdk);
      n.params.max_tokens = 64;
      n.params.top_p = 0.5;
      delete n.params.seed;
      n.system += ' Use Celsius.';
      const out = codec.encode(n, sdk) as { config: Record<string, unknown>; contents: unknown };
      assert.equal(out.config.maxOutputTokens, 64);
      assert.equal(out.config.topP, 0.5);
      assert.equal('seed' in out.config, false);
      assert.equal(out.config.systemInstruction, 'You are a weather assistant. Use Celsius.');
      assert.equal(out.config.tools, sdk.config.tools, 'unchanged tools are the original array');
      assert.equal(out.config.thinkingConfig, sdk.config.thinkingConfig);
      assert.equal(out.contents, sdk.contents);

      const rest = fixture('gemini-request.json');
      const r = codec.decode(rest);
      r.params.temperature = 1;
      r.system = 'Be terse.';
      const o = codec.encode(r, rest) as Record<string, Record<string, unknown>>;
      assert.deepEqual(o.generationConfig, { ...rest.generationConfig, temperature: 1 });
      assert.deepEqual(o.systemInstruction, { parts: [{ text: 'Be terse.' }] });
      assert.equal('config' in o, false);
    });

    it('edits function declarations, keeping other tools and the declaration key in use', () => {
      const req = fixture('gemini-request.json');
      const n = codec.decode(req);
      n.tools![0].description = 'Weather now.';
      n.tools!.push({ name: 'get_time', parameters: { type: 'object', properties: {} } });
      const out = codec.encode(n, req) as { tools: Record<string, unknown[]>[] };
      assert.equal(out.tools.length, 2);
      const decls = out.tools[0].functionDeclarations as Record<string, unknown>[];
      assert.equal(decls[0].description, 'Weather now.');
      assert.ok('parameters' in decls[0] && !('parametersJsonSchema' in decls[0]));
      assert.equal(decls[1], req.tools[0].functionDeclarations[1]);
      assert.deepEqual(decls[2], { name: 'get_time', parametersJsonSchema: { type: 'object', properties: {} } });
      assert.equal(out.tools[1], req.tools[1], 'googleSearch kept');
    });

    it('appends a new tool round as valid turns (function responses and text share one user turn)', () => {
      const req = fixture('gemini-sdk-request.json');
      const n = codec.decode(req);
      n.messages.push(
        { role: 'assistant', text: '', tool_calls: [{ id: 'get_weather', name: 'get_weather', arguments: { city: 'Paris', day: 'tomorrow' } }] },
        { role: 'tool', text: '{"temp":20}', tool_call_id: 'get_weather' },
        { role: 'user', text: 'And the day after?' },
      );
      const out = codec.encode(n, req) as { contents: unknown[] };
      assert.deepEqual(out.contents.slice(5), [
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris', day: 'tomorrow' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 20 } } }, { text: 'And the day after?' }] },
      ]);
      for (let i = 0; i < 5; i++) assert.equal(out.contents[i], req.contents[i]);
      assert.deepEqual(codec.decode(out).messages.slice(5), [
        { role: 'assistant', text: '', tool_calls: [{ id: 'get_weather', name: 'get_weather', arguments: { city: 'Paris', day: 'tomorrow' } }] },
        { role: 'tool', text: '{"temp":20}', tool_call_id: 'get_weather', name: 'get_weather' },
        { role: 'user', text: 'And the day after?' },
      ]);
    });

    it('turns shorthand contents into a content list when a middleware edits them', () => {
      const req = { model: 'm', contents: 'hi' };
      const n = codec.decode(req);
      n.messages[0].text = 'hello';
      n.messages.unshift({ role: 'system', text: 'Be kind.' });
      assert.deepEqual(codec.encode(n, req), {
        model: 'm',
        contents: [{ role: 'user', parts: [{ text: 'hello' }] }],
        config: { systemInstruction: 'Be kind.' },
      });
    });

    it('converts a Chat Completions conversation (no original) to the SDK parameters', () => {
      const chat = getCodec('openai-chat').decode({
        model: 'gemini-2.5-flash',
        temperature: 0.3,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      });
      assert.deepEqual(codec.encode(chat, undefined), {
        model: 'gemini-2.5-flash',
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
          { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } } }] },
          { role: 'user', parts: [{ functionResponse: { id: 'call_1', name: 'get_weather', response: { output: 'sunny' } } }] },
        ],
        config: {
          temperature: 0.3,
          systemInstruction: 'Be brief.',
          tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object' } }] }],
        },
      });
    });

    it('rejects an unreadable normalized request', () => {
      assert.throws(
        () => codec.encode({ provider_format: 'gemini', messages: [null], params: {}, extra: {} } as unknown as NormalizedRequest, undefined),
        /gemini: messages\[0\]/,
      );
    });
  });

  describe('decodeResponse', () => {
    it('maps text, thoughts, function calls, finish reason and usage with cache and thoughts', () => {
      assert.deepEqual(codec.decodeResponse(fixture('gemini-response.json')), {
        provider_format: 'gemini',
        id: 'mZ0yaPnYHr2AjMcP2tGO4Q8',
        model: 'gemini-2.5-flash',
        text: 'Checking both.',
        reasoning: 'Two cities, two calls.',
        tool_calls: [
          { id: 'get_weather', name: 'get_weather', arguments: { city: 'Paris' } },
          { id: 'fc_lyon', name: 'get_weather', arguments: { city: 'Lyon' } },
        ],
        finish_reason: 'tool_calls', // Gemini says STOP
        raw_finish_reason: 'STOP',
        usage: { input_tokens: 1200, output_tokens: 65, total_tokens: 1265, cache_read_tokens: 1024, reasoning_tokens: 25 },
      });
    });

    it('maps finish reasons, blocked prompts and error bodies', () => {
      const reason = (r: string): unknown => codec.decodeResponse({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: r }] }).finish_reason;
      assert.equal(reason('STOP'), 'stop');
      assert.equal(reason('MAX_TOKENS'), 'length');
      assert.equal(reason('SAFETY'), 'content_filter');
      assert.equal(reason('RECITATION'), 'content_filter');
      assert.equal(reason('MALFORMED_FUNCTION_CALL'), 'error');
      assert.equal(reason('SOMETHING_NEW'), 'other');
      const blocked = codec.decodeResponse({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } });
      assert.deepEqual([blocked.finish_reason, blocked.raw_finish_reason], ['content_filter', 'PROHIBITED_CONTENT']);
      const err = codec.decodeResponse({ error: { code: 500, message: 'internal', status: 'INTERNAL' } });
      assert.deepEqual([err.finish_reason, err.raw_finish_reason], ['error', 'INTERNAL']);
    });
  });

  describe('stream accumulator', () => {
    const expected = { ...codec.decodeResponse(fixture('gemini-response.json')), id: 'stream_S1' };

    it('rebuilds text, thoughts, function calls and the last usage from partial responses', () => {
      const acc = codec.createAccumulator();
      for (const c of fixture('gemini-stream.json')) acc.push(c);
      assert.deepEqual(acc.finish(), expected);
    });

    it('reads the raw `?alt=sse` wire format, split anywhere', () => {
      const wire = (fixture('gemini-stream.json') as unknown[]).map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join('');
      const bytes = new TextEncoder().encode(wire);
      const acc = codec.createAccumulator();
      for (let i = 0; i < bytes.length; i += 37) acc.push(bytes.subarray(i, i + 37));
      assert.deepEqual(acc.finish(), expected);
    });

    it('never reads a `data` getter of SDK chunk objects (the Google SDK warns on each read)', () => {
      class Chunk {
        constructor(readonly candidates: unknown[]) {}
        get data(): string {
          throw new Error('data getter read');
        }
      }
      const acc = codec.createAccumulator();
      for (const c of fixture('gemini-stream.json') as { candidates: unknown[] }[]) acc.push(Object.assign(new Chunk(c.candidates), c));
      assert.equal(acc.finish().text, 'Checking both.');
    });

    it('a stream cut short keeps what arrived, with no finish reason', () => {
      const acc = codec.createAccumulator();
      for (const c of fixture('gemini-stream.json').slice(0, 3)) acc.push(c);
      const res = acc.finish();
      assert.equal(res.text, 'Checking ');
      assert.equal(res.reasoning, 'Two cities, two calls.');
      assert.equal(res.finish_reason, undefined);
      assert.deepEqual(res.usage, { input_tokens: 1200, output_tokens: 10, total_tokens: 1210, reasoning_tokens: 10 });
    });
  });
});
