import { strict as assert } from 'node:assert';
import { getCodec, type CodecName, type NormalizedResponse } from '@nemo-flow/runtime/codecs';
import { summaryFields } from '../src/calls/lazy-annotation.js';
import { fixture } from './fixtures/codecs/load.js';

const codecs: CodecName[] = ['openai-chat', 'openai-responses', 'anthropic-messages', 'gemini'];
const files: Record<CodecName, string> = {
  'openai-chat': 'openai-chat',
  'openai-responses': 'openai-responses',
  'anthropic-messages': 'anthropic',
  gemini: 'gemini',
};

/** What a summary must hold: the full decode without its content. */
function withoutContent(r: NormalizedResponse): NormalizedResponse {
  const { text: _t, reasoning: _r, tool_calls: _c, ...rest } = r;
  return { ...rest, text: '', tool_calls: [] };
}

/** Responses that exercise each summary branch beyond the fixtures: errors, tool calls, unfinished. */
const extraResponses: Record<CodecName, unknown[]> = {
  'openai-chat': [
    {
      id: 'x',
      model: 'm',
      choices: [
        {
          message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          finish_reason: 'tool_calls',
        },
      ],
    },
    { error: { type: 'server_error', message: 'boom' } },
    { choices: 'not an array', usage: 'nope' },
  ],
  'openai-responses': [
    { id: 'r', model: 'm', status: 'completed', output: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{"a":1}' }] },
    { id: 'r', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [] },
    { status: 'failed', error: { code: 'rate_limit_exceeded' } },
  ],
  'anthropic-messages': [
    {
      id: 'm',
      model: 'claude',
      stop_reason: 'tool_use',
      content: [{ type: 'tool_use', id: 't', name: 'f', input: { a: 1 } }],
      usage: { input_tokens: 3, cache_read_input_tokens: 7, output_tokens: 2 },
    },
    { type: 'error', error: { type: 'overloaded_error' } },
  ],
  gemini: [
    fixture('gemini-stream.json')[0],
    { candidates: [{ content: { parts: [{ text: 'cut' }] }, finishReason: 'MAX_TOKENS' }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 } },
    { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } },
    { error: { code: 429, message: 'Resource exhausted', status: 'RESOURCE_EXHAUSTED' } },
  ],
};

describe('codecs: summaries (what events carry before a subscriber reads the content)', () => {
  for (const name of codecs) {
    const codec = getCodec(name);
    it(`${name}: the response summary is the full decode without text, reasoning and tool calls`, () => {
      for (const r of [fixture(`${files[name]}-response.json`), ...extraResponses[name]]) {
        assert.deepEqual(codec.summarizeResponse!(r), withoutContent(codec.decodeResponse(r)), JSON.stringify(r));
      }
      assert.throws(() => codec.summarizeResponse!('text'), /expected a response object/);
    });

    it(`${name}: the request summary has the full decode's model, params, stream flag and tool choice`, () => {
      const content = fixture(`${files[name]}-request.json`);
      const full = codec.decode(content);
      const summary = codec.decode(summaryFields(content));
      assert.deepEqual(
        { model: summary.model, params: summary.params, stream: summary.stream, tool_choice: summary.tool_choice },
        { model: full.model, params: full.params, stream: full.stream, tool_choice: full.tool_choice },
      );
      assert.deepEqual(summary.messages, [], 'the conversation is not walked');
      assert.equal(summary.tools, undefined);
      assert.ok(full.messages.length > 0, 'the fixture has a conversation');
    });
  }
});
