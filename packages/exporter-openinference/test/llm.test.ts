/**
 * LLM spans as Phoenix reads them, for the three provider formats (codec detected with 'auto'),
 * plain and streamed, driven through the real runtime API and checked on the decoded OTLP bytes.
 */
import { strict as assert } from 'node:assert';
import { ScopeType, llmCallExecute, llmStreamCallExecute, withScope } from '@nemo-flow/runtime';
import { OpenInferenceSpanKind, SemanticConventions as SC } from '@arizeai/openinference-semantic-conventions';
import {
  ANTHROPIC_RESPONSE,
  CHAT_RESPONSE,
  CHAT_TOOLS,
  PNG_BASE64,
  RESPONSES_RESPONSE,
  anthropicRequest,
  anthropicStreamEvents,
  chatRequest,
  chatStreamChunks,
  responsesRequest,
} from './fixtures.js';
import { json, only, setup, under, type Harness } from './helpers.js';

const IN = `${SC.LLM_INPUT_MESSAGES}.`;
const OUT = `${SC.LLM_OUTPUT_MESSAGES}.`;

async function* replay<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('exporter-openinference: LLM spans', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await setup();
  });
  afterEach(async () => {
    await h.done();
  });

  it('OpenAI Chat Completions: kind, model, provider, parameters, flattened history with image and tool turns, tools, tokens, values', async () => {
    const request = chatRequest();
    const out = await withScope('travel-agent', ScopeType.Agent, () => llmCallExecute('openai.chat', request, async () => CHAT_RESPONSE, { codec: 'auto' }));
    assert.equal(out, CHAT_RESPONSE);
    const spans = await h.spans(2);
    const agent = only(spans, 'travel-agent');
    const llm = only(spans, 'openai.chat');
    assert.equal(llm.parentSpanId, agent.spanId);
    assert.equal(llm.traceId, agent.traceId);
    const a = llm.attributes;

    assert.equal(a[SC.OPENINFERENCE_SPAN_KIND], OpenInferenceSpanKind.LLM);
    assert.equal(agent.attributes[SC.OPENINFERENCE_SPAN_KIND], OpenInferenceSpanKind.AGENT);
    assert.equal(a[SC.LLM_MODEL_NAME], 'gpt-4o-mini-2024-07-18', 'llm.model_name is the model that answered');
    assert.equal(a[SC.LLM_REQUEST_MODEL_NAME], 'gpt-4o-mini');
    assert.equal(a[SC.LLM_RESPONSE_MODEL_NAME], 'gpt-4o-mini-2024-07-18');
    assert.equal(a[SC.LLM_PROVIDER], 'openai');
    assert.equal(a[SC.LLM_SYSTEM], 'openai');
    assert.equal(a[SC.LLM_FINISH_REASON], 'stop');
    // Provider-native parameter names (what Phoenix's playground replays): the request minus its
    // messages, tools included, as the official OpenAI instrumentation records it.
    assert.deepEqual(json(a, SC.LLM_INVOCATION_PARAMETERS), {
      model: 'gpt-4o-mini',
      tool_choice: 'auto',
      temperature: 0.2,
      max_completion_tokens: 256,
      tools: CHAT_TOOLS,
    });

    assert.deepEqual(under(a, IN), {
      '0.message.role': 'system',
      '0.message.content': 'You are a concise travel assistant.',
      '1.message.role': 'user',
      '1.message.contents.0.message_content.type': 'text',
      '1.message.contents.0.message_content.text': 'What is the weather where this photo was taken?',
      '1.message.contents.1.message_content.type': 'image',
      '1.message.contents.1.message_content.image.image.url': `data:image/png;base64,${PNG_BASE64}`,
      '2.message.role': 'assistant',
      '2.message.tool_calls.0.tool_call.id': 'call_w1',
      '2.message.tool_calls.0.tool_call.function.name': 'get_weather',
      '2.message.tool_calls.0.tool_call.function.arguments': '{"city":"Paris","unit":"c"}',
      '3.message.role': 'tool',
      '3.message.tool_call_id': 'call_w1',
      '3.message.content': '{"temp_c":21,"sky":"clear"}',
    });
    assert.deepEqual(under(a, OUT), {
      '0.message.role': 'assistant',
      '0.message.content': 'It is 21 °C and clear in Paris.',
    });
    assert.deepEqual(json(a, `${SC.LLM_TOOLS}.0.${SC.TOOL_JSON_SCHEMA}`), CHAT_TOOLS[0]);
    assert.deepEqual(json(a, `${SC.LLM_TOOLS}.1.${SC.TOOL_JSON_SCHEMA}`), CHAT_TOOLS[1]);

    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT], 412);
    assert.equal(a[SC.LLM_TOKEN_COUNT_COMPLETION], 12);
    assert.equal(a[SC.LLM_TOKEN_COUNT_TOTAL], 424);
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ], 256);
    assert.equal(a[SC.LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING], 0);

    // input.value is the provider payload (never the headers: they carry the API key).
    assert.equal(a[SC.INPUT_MIME_TYPE], 'application/json');
    assert.deepEqual(json(a, SC.INPUT_VALUE), request.content);
    assert.ok(!JSON.stringify(a).includes('sk-secret-key'), 'no header value may reach a span');
    assert.equal(a[SC.OUTPUT_MIME_TYPE], 'application/json');
    assert.deepEqual(json(a, SC.OUTPUT_VALUE), CHAT_RESPONSE);
    assert.equal(llm.status.code, 'OK', 'success is status OK, as the official instrumentations set');
    assert.equal(agent.status.code, 'OK');
    assert.equal(llm.scope.name, '@nemo-flow/exporter-openinference');
  });

  it('OpenAI Responses: instructions as the system message, input items as messages, reasoning and text as output contents', async () => {
    await llmCallExecute('openai.responses', responsesRequest(), async () => RESPONSES_RESPONSE, { codec: 'auto' });
    const [llm] = await h.spans(1);
    const a = llm!.attributes;
    assert.equal(a[SC.OPENINFERENCE_SPAN_KIND], 'LLM');
    assert.equal(a[SC.LLM_MODEL_NAME], 'gpt-4.1-2025-04-14');
    assert.equal(a[SC.LLM_PROVIDER], 'openai');
    assert.equal(a[SC.LLM_FINISH_REASON], 'completed');
    const responsesParams = json(a, SC.LLM_INVOCATION_PARAMETERS) as Record<string, unknown>;
    assert.deepEqual(Object.keys(responsesParams).sort(), ['instructions', 'max_output_tokens', 'model', 'temperature', 'tools']);
    assert.equal(responsesParams['instructions'], 'Answer in one sentence.');
    assert.deepEqual(under(a, IN), {
      '0.message.role': 'system',
      '0.message.content': 'Answer in one sentence.',
      '1.message.role': 'user',
      '1.message.contents.0.message_content.type': 'text',
      '1.message.contents.0.message_content.text': 'Describe this picture.',
      '1.message.contents.1.message_content.type': 'image',
      '1.message.contents.1.message_content.image.image.url': 'https://example.com/eiffel.jpg',
      '2.message.role': 'assistant',
      '2.message.tool_calls.0.tool_call.id': 'call_r1',
      '2.message.tool_calls.0.tool_call.function.name': 'lookup_landmark',
      '2.message.tool_calls.0.tool_call.function.arguments': '{"name":"Eiffel Tower"}',
      '3.message.role': 'tool',
      '3.message.tool_call_id': 'call_r1',
      '3.message.content': '{"height_m":330}',
    });
    assert.deepEqual(under(a, OUT), {
      '0.message.role': 'assistant',
      '0.message.contents.0.message_content.type': 'reasoning',
      '0.message.contents.0.message_content.text': 'The user wants a short description.',
      '0.message.contents.1.message_content.type': 'text',
      '0.message.contents.1.message_content.text': 'The 330 m Eiffel Tower stands over Paris.',
    });
    assert.deepEqual(json(a, `${SC.LLM_TOOLS}.0.${SC.TOOL_JSON_SCHEMA}`), {
      type: 'function',
      function: {
        name: 'lookup_landmark',
        description: 'Facts about a landmark',
        parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
    });
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT], 328);
    assert.equal(a[SC.LLM_TOKEN_COUNT_COMPLETION], 52);
    assert.equal(a[SC.LLM_TOKEN_COUNT_TOTAL], 380);
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ], 128);
    assert.equal(a[SC.LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING], 32);
    assert.deepEqual(json(a, SC.OUTPUT_VALUE), RESPONSES_RESPONSE);
  });

  it('Anthropic Messages as the official instrumentation flattens them: block contents, system and tools as parameters, raw tool schema, cache tokens', async () => {
    const request = anthropicRequest();
    await llmCallExecute('anthropic', request, async () => ANTHROPIC_RESPONSE, { codec: 'auto' });
    const [llm] = await h.spans(1);
    const a = llm!.attributes;
    assert.equal(llm!.status.code, 'OK');
    assert.equal(a[SC.LLM_MODEL_NAME], 'claude-sonnet-4-5-20250929');
    assert.equal(a[SC.LLM_REQUEST_MODEL_NAME], 'claude-sonnet-4-5');
    assert.equal(a[SC.LLM_RESPONSE_MODEL_NAME], 'claude-sonnet-4-5-20250929');
    assert.equal(a[SC.LLM_PROVIDER], 'anthropic');
    assert.equal(a[SC.LLM_SYSTEM], 'anthropic');
    assert.equal(a[SC.LLM_FINISH_REASON], 'end_turn');
    // The request minus its messages: the system prompt and the tools are invocation parameters.
    const { messages: _messages, ...params } = request.content;
    assert.deepEqual(json(a, SC.LLM_INVOCATION_PARAMETERS), params);
    assert.deepEqual(under(a, IN), {
      '0.message.role': 'user',
      '0.message.contents.0.message_content.type': 'text',
      '0.message.contents.0.message_content.text': 'Is it going to rain here?',
      '0.message.contents.1.message_content.type': 'image',
      '0.message.contents.1.message_content.image.image.url': `data:image/png;base64,${PNG_BASE64}`,
      '1.message.role': 'assistant',
      '1.message.contents.0.message_content.type': 'text',
      '1.message.contents.0.message_content.text': 'Let me check the forecast.',
      '1.message.contents.1.message_content.type': 'tool_use',
      '1.message.contents.1.tool_call.id': 'toolu_01A',
      '1.message.contents.1.tool_call.function.name': 'get_forecast',
      '1.message.contents.1.tool_call.function.arguments': '{"city":"Paris","days":1}',
      '1.message.tool_calls.0.tool_call.id': 'toolu_01A',
      '1.message.tool_calls.0.tool_call.function.name': 'get_forecast',
      '1.message.tool_calls.0.tool_call.function.arguments': '{"city":"Paris","days":1}',
      // A tool result keeps the user role, with the call id and the result as content.
      '2.message.role': 'user',
      '2.message.tool_call_id': 'toolu_01A',
      '2.message.content': 'Rain expected at 16:00.',
    });
    assert.deepEqual(under(a, OUT), {
      '0.message.role': 'assistant',
      '0.message.contents.0.message_content.type': 'reasoning',
      '0.message.contents.0.message_content.text': 'The forecast says rain at 16:00.',
      '0.message.contents.1.message_content.type': 'text',
      '0.message.contents.1.message_content.text': 'Yes, bring an umbrella: rain is expected at 4 pm.',
    });
    // The raw Anthropic tool definition.
    assert.deepEqual(json(a, `${SC.LLM_TOOLS}.0.${SC.TOOL_JSON_SCHEMA}`), (request.content['tools'] as unknown[])[0]);
    // Anthropic's input_tokens exclude the cache: OpenInference wants them folded back into the prompt count.
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT], 420);
    assert.equal(a[SC.LLM_TOKEN_COUNT_COMPLETION], 45);
    assert.equal(a[SC.LLM_TOKEN_COUNT_TOTAL], 465);
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ], 300);
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE], 20);
    assert.ok(!JSON.stringify(a).includes('sk-ant-secret'));
  });

  it('Anthropic: a string content stays message.content; cache counts reported as 0 are left out', async () => {
    const content = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };
    const answer = {
      ...ANTHROPIC_RESPONSE,
      content: [{ type: 'text', text: 'Hello!' }],
      usage: { input_tokens: 8, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 3 },
    };
    await llmCallExecute('anthropic', { headers: {}, content }, async () => answer, { codec: 'auto' });
    const [llm] = await h.spans(1);
    const a = llm!.attributes;
    assert.deepEqual(under(a, IN), { '0.message.role': 'user', '0.message.content': 'Hi' });
    assert.deepEqual(under(a, OUT), {
      '0.message.role': 'assistant',
      '0.message.contents.0.message_content.type': 'text',
      '0.message.contents.0.message_content.text': 'Hello!',
    });
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT], 8);
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE], undefined);
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ], undefined);
  });

  it('streamed OpenAI chat: output message and tokens from the accumulated chunks, stream parameters kept', async () => {
    const request = chatRequest({ stream: true, stream_options: { include_usage: true } });
    const seen: string[] = [];
    await withScope('chat-turn', ScopeType.Function, async () => {
      const stream = await llmStreamCallExecute('openai.stream', request, () => replay(chatStreamChunks()), { codec: 'auto' });
      for await (const chunk of stream) {
        const c = (chunk as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content;
        if (c) seen.push(c);
      }
    });
    assert.equal(seen.join(''), 'Bonjour from Paris!');
    const spans = await h.spans(2);
    const chain = only(spans, 'chat-turn');
    const llm = only(spans, 'openai.stream');
    assert.equal(chain.attributes[SC.OPENINFERENCE_SPAN_KIND], OpenInferenceSpanKind.CHAIN);
    assert.equal(llm.parentSpanId, chain.spanId);
    const a = llm.attributes;
    assert.equal(a[SC.OPENINFERENCE_SPAN_KIND], 'LLM');
    assert.deepEqual(a['nemo_flow.attributes'], ['streaming']);
    assert.deepEqual(json(a, SC.LLM_INVOCATION_PARAMETERS), {
      model: 'gpt-4o-mini',
      tool_choice: 'auto',
      temperature: 0.2,
      max_completion_tokens: 256,
      stream: true,
      stream_options: { include_usage: true },
      tools: CHAT_TOOLS,
    });
    assert.equal(a[`${IN}1.message.contents.0.message_content.text`], 'What is the weather where this photo was taken?');
    assert.deepEqual(under(a, OUT), { '0.message.role': 'assistant', '0.message.content': 'Bonjour from Paris!' });
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT], 20);
    assert.equal(a[SC.LLM_TOKEN_COUNT_COMPLETION], 4);
    assert.equal(a[SC.LLM_TOKEN_COUNT_TOTAL], 24);
    assert.equal(a[SC.LLM_FINISH_REASON], 'stop');
    assert.equal(a[SC.LLM_MODEL_NAME], 'gpt-4o-mini-2024-07-18');
    // What streamed, as text (as the official instrumentations show it); the aggregated response under our key.
    assert.equal(a[SC.OUTPUT_VALUE], 'Bonjour from Paris!');
    assert.equal(a[SC.OUTPUT_MIME_TYPE], 'text/plain');
    assert.equal((json(a, 'nemo_flow.output') as { text: string }).text, 'Bonjour from Paris!');
    assert.equal(llm.status.code, 'OK');
  });

  it('streamed Anthropic call with a tool_use block: tool call arguments assembled from the JSON deltas', async () => {
    const stream = await llmStreamCallExecute(
      'anthropic.stream',
      { headers: {}, content: { ...anthropicRequest().content, stream: true } },
      () => replay(anthropicStreamEvents()),
      {
        codec: 'auto',
      },
    );
    for await (const _ of stream) {
      // drain
    }
    const [llm] = await h.spans(1);
    const a = llm!.attributes;
    assert.deepEqual(under(a, OUT), {
      '0.message.role': 'assistant',
      '0.message.contents.0.message_content.type': 'text',
      '0.message.contents.0.message_content.text': 'Checking now.',
      '0.message.contents.1.message_content.type': 'tool_use',
      '0.message.contents.1.tool_call.id': 'toolu_S1',
      '0.message.contents.1.tool_call.function.name': 'get_forecast',
      '0.message.contents.1.tool_call.function.arguments': '{"city":"Oslo"}',
      '0.message.tool_calls.0.tool_call.id': 'toolu_S1',
      '0.message.tool_calls.0.tool_call.function.name': 'get_forecast',
      '0.message.tool_calls.0.tool_call.function.arguments': '{"city":"Oslo"}',
    });
    assert.equal(a[SC.OUTPUT_VALUE], 'Checking now.');
    assert.equal(a[SC.OUTPUT_MIME_TYPE], 'text/plain');
    assert.equal(a[SC.LLM_FINISH_REASON], 'tool_use');
    assert.equal(a[SC.LLM_TOKEN_COUNT_PROMPT], 50);
    assert.equal(a[SC.LLM_TOKEN_COUNT_COMPLETION], 30);
  });

  it('a consumer that stops a stream early still gets an ended LLM span with what streamed so far', async () => {
    const stream = await llmStreamCallExecute('openai.partial', chatRequest({ stream: true }), () => replay(chatStreamChunks()), { codec: 'auto' });
    for await (const chunk of stream) {
      if ((chunk as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content === 'Bonjour') break;
    }
    const [llm] = await h.spans(1);
    assert.equal(llm!.attributes[`${OUT}0.message.content`], 'Bonjour');
    assert.equal(llm!.status.code, 'OK', 'stopping early is not a failure');
  });

  it('an LLM call with a payload no codec reads still shows kind, model and the raw request/response', async () => {
    const content = { model: 'llama3.1:8b', prompt: 'Why is the sky blue?', options: { temperature: 0 } };
    await llmCallExecute('ollama.generate', { headers: {}, content }, async () => ({ model: 'llama3.1:8b', response: 'Rayleigh scattering.', done: true }), {
      codec: 'auto',
    });
    const [llm] = await h.spans(1);
    const a = llm!.attributes;
    assert.equal(a[SC.OPENINFERENCE_SPAN_KIND], 'LLM');
    assert.equal(a[SC.LLM_MODEL_NAME], 'llama3.1:8b');
    assert.equal(a[SC.LLM_PROVIDER], undefined);
    assert.deepEqual(json(a, SC.LLM_INVOCATION_PARAMETERS), { model: 'llama3.1:8b', options: { temperature: 0 } });
    assert.deepEqual(json(a, SC.INPUT_VALUE), content);
    assert.equal((json(a, SC.OUTPUT_VALUE) as { response: string }).response, 'Rayleigh scattering.');
    assert.deepEqual(under(a, IN), {});
  });

  it('a provider the integration names (transport.provider_name) sets llm.provider in OpenInference terms', async () => {
    const content = { model: 'llama3.1:8b', prompt: 'Hi' };
    const answer = async () => ({ model: 'llama3.1:8b', response: 'Hello.' });
    await llmCallExecute('bedrock', { headers: {}, content }, answer, { codec: 'auto', transport: { provider_name: 'aws.bedrock' } });
    await llmCallExecute('ollama', { headers: {}, content }, answer, { codec: 'auto', transport: { provider_name: 'ollama' } });
    // A named provider overrules the format's: an OpenAI-compatible endpoint served by Mistral.
    await llmCallExecute('mistral', chatRequest(), async () => CHAT_RESPONSE, { codec: 'auto', transport: { provider_name: 'mistral_ai' } });
    const spans = await h.spans(3);
    const attrs = (name: string) => only(spans, name).attributes;
    assert.deepEqual([attrs('bedrock')[SC.LLM_PROVIDER], attrs('bedrock')[SC.LLM_SYSTEM]], ['aws', 'amazon']);
    assert.deepEqual([attrs('ollama')[SC.LLM_PROVIDER], attrs('ollama')[SC.LLM_SYSTEM]], ['ollama', undefined]);
    assert.deepEqual([attrs('mistral')[SC.LLM_PROVIDER], attrs('mistral')[SC.LLM_SYSTEM]], ['mistralai', 'mistralai']);
  });

  it('a failed LLM call: status ERROR with an exception event, the request still recorded, no output', async () => {
    const failure = Object.assign(new Error('429 Rate limit reached for gpt-4o-mini'), { name: 'RateLimitError' });
    await assert.rejects(
      llmCallExecute(
        'openai.chat',
        chatRequest(),
        async () => {
          throw failure;
        },
        { codec: 'auto' },
      ),
      (e) => e === failure,
    );
    const [llm] = await h.spans(1);
    assert.equal(llm!.status.code, 'ERROR');
    assert.equal(llm!.status.message, '429 Rate limit reached for gpt-4o-mini');
    const exc = llm!.events.find((e) => e.name === 'exception');
    assert.ok(exc, 'exception event');
    assert.equal(exc.attributes['exception.type'], 'RateLimitError');
    assert.equal(exc.attributes['exception.message'], '429 Rate limit reached for gpt-4o-mini');
    assert.equal(exc.attributes['exception.stacktrace'], failure.stack, 'the stack of the thrown error');
    assert.equal(llm!.attributes[SC.LLM_REQUEST_MODEL_NAME], 'gpt-4o-mini', 'a failed call still says which model was asked for');
    assert.equal(llm!.attributes[SC.LLM_MODEL_NAME], 'gpt-4o-mini');
    assert.equal(llm!.attributes['error.type'], 'RateLimitError');
    assert.equal(llm!.attributes[`${IN}0.message.role`], 'system');
    assert.equal(llm!.attributes[SC.OUTPUT_VALUE], undefined);
    assert.equal(llm!.attributes[`${OUT}0.message.role`], undefined);
  });

  it('a long chat keeps every flattened message: the attribute limit is raised above the SDK default of 128', async () => {
    const messages: Record<string, unknown>[] = [{ role: 'system', content: 'You are helpful.' }];
    for (let i = 0; i < 100; i++) messages.push({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}` });
    await llmCallExecute('openai.long', { headers: {}, content: { model: 'gpt-4o-mini', messages } }, async () => CHAT_RESPONSE, { codec: 'auto' });
    const [llm] = await h.spans(1);
    assert.equal(llm!.droppedAttributesCount, 0);
    assert.equal(llm!.attributes[`${IN}100.message.content`], 'turn 99');
    assert.equal(llm!.attributes[SC.LLM_TOKEN_COUNT_TOTAL], 424, 'attributes set at the end survive too');
  });
});
