/** `captureContent: false` on LLM calls: no payloads on events, annotations without conversation content. */
import { strict as assert } from 'node:assert';
import { llmCall, llmCallEnd, llmCallExecute, llmStreamCallExecute, type LlmCategoryProfile } from '@nemo-flow/runtime';
import type { NormalizedRequest, NormalizedResponse } from '@nemo-flow/runtime/codecs';
import { capture } from './helpers.js';

const REQ = { headers: {}, content: { model: 'gpt-4o-mini', temperature: 0.5, messages: [{ role: 'user', content: 'my secret question' }] } };
const RES = {
  id: 'chatcmpl-9',
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'secret answer', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};

describe('LLM calls with captureContent: false', () => {
  it('managed, manual and streamed calls show no payloads but keep model, params, ids and usage', async () => {
    const c = capture();
    try {
      const got = await llmCallExecute('managed', REQ, () => RES, { codec: 'openai-chat', captureContent: false });
      assert.equal(got, RES, 'the caller still gets the real response');
      const h = llmCall('manual', REQ, { codec: 'openai-chat', captureContent: false });
      llmCallEnd(h, RES);
      const s = await llmStreamCallExecute(
        'streamed',
        REQ,
        function* () {
          yield { id: 'c', model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'secret' }, finish_reason: 'stop' }] };
        },
        { codec: 'openai-chat', captureContent: false },
      );
      for await (const _ of s) void _;
      for (const e of c.scopes()) {
        assert.equal(e.data, null, `${e.name} ${e.scope_category}`);
        assert.ok(!JSON.stringify(e).includes('secret'), `${e.name} ${e.scope_category} shows no content`);
      }
      const [start, end] = c.scopes().map((e) => e.category_profile as LlmCategoryProfile);
      const req = start!.annotated_request as NormalizedRequest;
      assert.equal(req.model, 'gpt-4o-mini');
      assert.equal(req.params.temperature, 0.5);
      assert.deepEqual(req.messages, []);
      const res = end!.annotated_response as NormalizedResponse;
      assert.deepEqual([res.id, res.finish_reason, res.usage?.input_tokens, res.text, res.tool_calls], ['chatcmpl-9', 'tool_calls', 5, '', []]);
      assert.throws(() => llmCall('bad', REQ, { captureContent: 'no' as unknown as boolean }), /option captureContent must be a boolean/);
    } finally {
      c.stop();
    }
  });
});
