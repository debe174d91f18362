/**
 * Realistic provider payloads (as the official SDKs send and receive them) for the three wire
 * formats the runtime's codecs read: OpenAI Chat Completions, OpenAI Responses, Anthropic Messages.
 */

/** A 1×1 transparent PNG. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

const WEATHER_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string', description: 'City name' }, unit: { type: 'string', enum: ['c', 'f'] } },
  required: ['city'],
  additionalProperties: false,
};

// ── OpenAI Chat Completions ───────────────────────────────────────────────────────────────────

export const CHAT_TOOLS = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_SCHEMA } },
  {
    type: 'function',
    function: { name: 'search_flights', description: 'Search flights', parameters: { type: 'object', properties: { to: { type: 'string' } } } },
  },
];

/** Second turn of a conversation: the history holds an image, a tool call and its result. */
export function chatRequest(extra: Record<string, unknown> = {}): { headers: Record<string, string>; content: Record<string, unknown> } {
  return {
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-secret-key' },
    content: {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a concise travel assistant.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the weather where this photo was taken?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_w1', content: '{"temp_c":21,"sky":"clear"}' },
      ],
      tools: CHAT_TOOLS,
      tool_choice: 'auto',
      temperature: 0.2,
      max_completion_tokens: 256,
      ...extra,
    },
  };
}

export const CHAT_RESPONSE = {
  id: 'chatcmpl-AbC123',
  object: 'chat.completion',
  created: 1_760_000_000,
  model: 'gpt-4o-mini-2024-07-18',
  system_fingerprint: 'fp_0ba0d124f1',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'It is 21 °C and clear in Paris.', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 412,
    completion_tokens: 12,
    total_tokens: 424,
    prompt_tokens_details: { cached_tokens: 256, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  },
};

export const CHAT_TOOL_CALL_RESPONSE = {
  id: 'chatcmpl-TooL1',
  object: 'chat.completion',
  created: 1_760_000_001,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
          { id: 'call_b', type: 'function', function: { name: 'search_flights', arguments: '{"to":"LYS"}' } },
        ],
      },
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 90, completion_tokens: 40, total_tokens: 130 },
};

/** The chunks of a streamed Chat Completions answer (with `stream_options.include_usage`). */
export function chatStreamChunks(): Record<string, unknown>[] {
  const base = { id: 'chatcmpl-Str1', object: 'chat.completion.chunk', created: 1_760_000_002, model: 'gpt-4o-mini-2024-07-18' };
  const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });
  return [
    delta({ role: 'assistant', content: '' }),
    delta({ content: 'Bonjour' }),
    delta({ content: ' from' }),
    delta({ content: ' Paris!' }),
    delta({}, 'stop'),
    { ...base, choices: [], usage: { prompt_tokens: 20, completion_tokens: 4, total_tokens: 24 } },
  ];
}

// ── OpenAI Responses ──────────────────────────────────────────────────────────────────────────

export function responsesRequest(): { headers: Record<string, string>; content: Record<string, unknown> } {
  return {
    headers: { 'content-type': 'application/json' },
    content: {
      model: 'gpt-4.1',
      instructions: 'Answer in one sentence.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Describe this picture.' },
            { type: 'input_image', image_url: 'https://example.com/eiffel.jpg', detail: 'auto' },
          ],
        },
        { type: 'function_call', call_id: 'call_r1', name: 'lookup_landmark', arguments: '{"name":"Eiffel Tower"}' },
        { type: 'function_call_output', call_id: 'call_r1', output: '{"height_m":330}' },
      ],
      tools: [
        {
          type: 'function',
          name: 'lookup_landmark',
          description: 'Facts about a landmark',
          parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
          strict: true,
        },
      ],
      temperature: 0.5,
      max_output_tokens: 300,
    },
  };
}

export const RESPONSES_RESPONSE = {
  id: 'resp_67ccd2bed1ec8190',
  object: 'response',
  created_at: 1_741_476_542,
  status: 'completed',
  model: 'gpt-4.1-2025-04-14',
  output: [
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'The user wants a short description.' }] },
    {
      type: 'message',
      id: 'msg_1',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'The 330 m Eiffel Tower stands over Paris.', annotations: [] }],
    },
  ],
  usage: {
    input_tokens: 328,
    input_tokens_details: { cached_tokens: 128 },
    output_tokens: 52,
    output_tokens_details: { reasoning_tokens: 32 },
    total_tokens: 380,
  },
};

// ── Anthropic Messages ────────────────────────────────────────────────────────────────────────

export function anthropicRequest(): { headers: Record<string, string>; content: Record<string, unknown> } {
  return {
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-secret', 'anthropic-version': '2023-06-01' },
    content: {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      system: 'You are a meteorologist.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Is it going to rain here?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check the forecast.' },
            { type: 'tool_use', id: 'toolu_01A', name: 'get_forecast', input: { city: 'Paris', days: 1 } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: 'Rain expected at 16:00.' }] },
      ],
      tools: [
        {
          name: 'get_forecast',
          description: 'Weather forecast',
          input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } },
        },
      ],
      temperature: 0.7,
      thinking: { type: 'enabled', budget_tokens: 512 },
    },
  };
}

export const ANTHROPIC_RESPONSE = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'thinking', thinking: 'The forecast says rain at 16:00.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
    { type: 'text', text: 'Yes, bring an umbrella: rain is expected at 4 pm.' },
  ],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 100, cache_creation_input_tokens: 20, cache_read_input_tokens: 300, output_tokens: 45 },
};

/** A streamed Anthropic answer as SDK events (`message_start` … `message_stop`) with a tool call. */
export function anthropicStreamEvents(): Record<string, unknown>[] {
  return [
    {
      type: 'message_start',
      message: {
        id: 'msg_stream1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        usage: { input_tokens: 50, output_tokens: 1 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' now.' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_S1', name: 'get_forecast', input: {} } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Oslo"}' } },
    { type: 'content_block_stop', index: 1 },
    { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } },
    { type: 'message_stop' },
  ];
}
