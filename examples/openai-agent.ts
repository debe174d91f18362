/**
 * An OpenAI tool-calling agent on NeMo Flow: one line instruments the `OpenAI` class, so every call
 * of every client runs through middleware and emits events (printed as a tree here). A guardrail
 * refuses prompts that carry an API key before anything is sent.
 * Run: OPENAI_API_KEY=… npx tsx examples/openai-agent.ts "What's the weather in Paris?"
 * (OPENAI_BASE_URL points the SDK at any OpenAI-compatible server.)
 */
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import {
  ConsoleExporter,
  ScopeType,
  flushSubscribers,
  registerLlmConditionalExecutionGuardrail,
  registerSubscriber,
  toolCallExecute,
  withScope,
} from '@nemo-flow/runtime';
import { instrumentOpenAI } from '@nemo-flow/openai';

instrumentOpenAI(OpenAI);
registerSubscriber('console', new ConsoleExporter());
registerLlmConditionalExecutionGuardrail('no-api-keys', 10, (request) =>
  /sk-[A-Za-z0-9]{20,}/.test(JSON.stringify(request.content)) ? 'the prompt contains an API key' : undefined,
);

const tools: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

async function getWeather(args: { city: string }): Promise<{ city: string; sky: string; celsius: number }> {
  return { city: args.city, sky: 'sunny', celsius: 21 }; // a stand-in for a weather API
}

const openai = new OpenAI(); // reads OPENAI_API_KEY and OPENAI_BASE_URL
const question = process.argv[2] ?? "What's the weather in Paris?";

const answer = await withScope(
  'weather-agent',
  ScopeType.Agent,
  async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: question }];
    for (let turn = 0; turn < 5; turn++) {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, stream: true, stream_options: { include_usage: true } });
      let text = '';
      const calls: { id: string; name: string; args: string }[] = [];
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta;
        text += delta?.content ?? '';
        for (const t of delta?.tool_calls ?? []) {
          const call = (calls[t.index] ??= { id: '', name: '', args: '' });
          call.id ||= t.id ?? '';
          call.name ||= t.function?.name ?? '';
          call.args += t.function?.arguments ?? '';
        }
      }
      if (calls.length === 0) return text;
      messages.push({
        role: 'assistant',
        content: text || null,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.args } })),
      });
      for (const call of calls) {
        const result = await toolCallExecute(call.name, JSON.parse(call.args), getWeather, { toolCallId: call.id });
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
      }
    }
    return 'no answer after 5 turns';
  },
  { input: { question }, metadata: { session_id: 'openai-agent' } },
);

await flushSubscribers();
console.log(`answer: ${answer}`);
