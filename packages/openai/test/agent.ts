/** A two-turn weather agent on the instrumented client (a tool-calling turn, then a streamed answer) and its fake-server script. */
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { ScopeType, toolCallExecute, withScope } from '@nemo-flow/runtime';
import type { FakeServer } from '../../../test/support/fake-providers/server.js';
import { chatCompletion, chatStream, json } from '../../../test/support/fake-providers/openai.js';

export const WEATHER_TOOLS: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

/** Queues the two answers the agent gets: a tool call, then a streamed text with usage. */
export function scriptWeather(server: FakeServer): void {
  server.enqueue(
    json(
      chatCompletion({
        id: 'chatcmpl-turn1',
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
        usage: { input: 30, output: 6 },
      }),
    ),
    { kind: 'sse', events: chatStream({ id: 'chatcmpl-turn2', text: ['Sunny, ', '21 °C.'], usage: { input: 52, output: 7 } }) },
  );
}

export async function weatherAgent(openai: OpenAI, question = 'Weather in Paris?'): Promise<string> {
  return withScope(
    'weather-agent',
    ScopeType.Agent,
    async () => {
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: 'You answer weather questions.' },
        { role: 'user', content: question },
      ];
      const first = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: WEATHER_TOOLS });
      const msg = first.choices[0]!.message;
      messages.push(msg);
      for (const call of msg.tool_calls ?? []) {
        if (call.type !== 'function') continue;
        const result = await toolCallExecute(
          call.function.name,
          JSON.parse(call.function.arguments),
          async (args: { city: string }) => ({ city: args.city, sky: 'sunny', celsius: 21 }),
          {
            toolCallId: call.id,
          },
        );
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
      }
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        tools: WEATHER_TOOLS,
        stream: true,
        stream_options: { include_usage: true },
      });
      let answer = '';
      for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? '';
      return answer;
    },
    { input: { question }, metadata: { session_id: 'weather-1' } },
  );
}
