/**
 * Two turns of one chat session with a weather agent, sent to Arize Phoenix as OpenInference spans.
 * The model is a stand-in (no API key needed); swap `fakeOpenAI` for your client's call.
 *
 *   docker run -p 6006:6006 arizephoenix/phoenix      # or: python -m phoenix.server.main serve
 *   npx tsx packages/exporter-openinference/examples/phoenix.ts
 *   open http://localhost:6006  →  project "weather-demo"  →  Sessions tab
 *
 * Endpoint: `PHOENIX_COLLECTOR_ENDPOINT` (default http://localhost:6006/v1/traces).
 */
import { ScopeType, llmCallExecute, toolCallExecute, withScope, type LlmRequest } from '@nemo-flow/runtime';
import { createOpenInferenceExporter } from '@nemo-flow/exporter-openinference';

const exporter = createOpenInferenceExporter({
  projectName: 'weather-demo', // sessions, users and tags come from the agent scope's metadata below
  traceConfig: { base64ImageMaxLength: 10_000 }, // masking; OPENINFERENCE_* env vars work too
});

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

type Message = Record<string, unknown>;

/** A stand-in for `openai.chat.completions.create`: asks for the weather tool once, then answers. */
async function fakeOpenAI(request: LlmRequest): Promise<Record<string, unknown>> {
  const messages = (request.content as { messages: Message[] }).messages;
  const last = messages[messages.length - 1]!;
  const message =
    last['role'] === 'tool'
      ? { role: 'assistant', content: `It is ${JSON.parse(last['content'] as string).temp_c} °C.` }
      : {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: `call_${messages.length}`, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        };
  return {
    id: `chatcmpl-${messages.length}`,
    object: 'chat.completion',
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message, finish_reason: message.content ? 'stop' : 'tool_calls' }],
    usage: { prompt_tokens: 40 + 10 * messages.length, completion_tokens: 12, total_tokens: 52 + 10 * messages.length },
  };
}

/** One user turn: call the model, run the tools it asks for, call it again. */
async function turn(history: Message[], question: string): Promise<string> {
  history.push({ role: 'user', content: question });
  for (;;) {
    const request = { headers: {}, content: { model: 'gpt-4o-mini', messages: [...history], tools: TOOLS, temperature: 0.2 } };
    const response = await llmCallExecute('openai.chat', request, fakeOpenAI, { codec: 'auto' });
    const message = (response['choices'] as { message: Message }[])[0]!.message;
    history.push(message);
    const calls = message['tool_calls'] as { id: string; function: { name: string; arguments: string } }[] | undefined;
    if (!calls) return message['content'] as string;
    for (const call of calls) {
      const result = await toolCallExecute(
        call.function.name,
        JSON.parse(call.function.arguments),
        async (args: { city: string }) => ({ city: args.city, temp_c: 21 }),
        {
          toolCallId: call.id,
        },
      );
      history.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
    }
  }
}

const history: Message[] = [{ role: 'system', content: 'You are a concise weather assistant.' }];
for (const question of ['Weather in Paris?', 'And tomorrow?']) {
  const answer = await withScope('weather-agent', ScopeType.Agent, () => turn(history, question), {
    input: question,
    metadata: { session_id: 'demo-session-1', user_id: 'demo-user', tags: ['demo'] },
  });
  console.log(`${question} → ${answer}`);
}

await exporter.shutdown(); // flushes what is queued; resolves within its timeout even if Phoenix is down
const { exported, dropped } = exporter.stats();
console.log(`spans exported: ${exported}, dropped: ${dropped}`);
