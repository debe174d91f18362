/** The LangGraph ReAct agent the tests run: a chat model on the fake OpenAI server, two tools (one fails). */
import { ChatOpenAI } from '@langchain/openai';
import { tool, type StructuredToolInterface } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import type { FakeServer } from '../../../test/support/fake-providers/server.js';
import { chatCompletion, chatStream, json } from '../../../test/support/fake-providers/openai.js';

export const getWeather = tool(async ({ city }: { city: string }) => `Sunny, 21 °C in ${city}`, {
  name: 'get_weather',
  description: 'Current weather for a city',
  schema: z.object({ city: z.string() }),
});

export const getTime = tool(
  async (): Promise<string> => {
    throw new Error('clock service unavailable');
  },
  { name: 'get_time', description: 'Local time in a city', schema: z.object({ city: z.string() }) },
);

/**
 * ChatOpenAI on the fake server. Not `streaming: true`: that path estimates tokens with tiktoken,
 * which downloads its ranks; streaming comes from LangGraph's `streamMode: 'messages'` instead.
 */
export function chatModel(server: FakeServer): ChatOpenAI {
  return new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'test-key', streamUsage: true, maxRetries: 0, configuration: { baseURL: `${server.url}/v1` } });
}

export function reactAgent(model: ChatOpenAI, tools: StructuredToolInterface[] = [getWeather, getTime]) {
  return createReactAgent({ llm: model, tools });
}

const CALLS = [
  { id: 'call_w', name: 'get_weather', arguments: { city: 'Paris' } },
  { id: 'call_t', name: 'get_time', arguments: { city: 'Paris' } },
];

/** Turn 1 asks for both tools in parallel; turn 2 answers; streamed (SSE) or JSON. Distinct ids: LangGraph's message reducer merges messages sharing one. */
export function scriptAgent(server: FakeServer, stream: boolean): void {
  if (stream) {
    server.enqueue(
      { kind: 'sse', events: chatStream({ id: 'chatcmpl-a', toolCalls: CALLS, usage: { input: 50, output: 20 } }) },
      { kind: 'sse', events: chatStream({ id: 'chatcmpl-b', text: ['Sunny, ', '21 °C in Paris.'], usage: { input: 90, output: 9 } }) },
    );
  } else {
    server.enqueue(
      json(chatCompletion({ id: 'chatcmpl-a', toolCalls: CALLS, usage: { input: 50, output: 20 } })),
      json(chatCompletion({ id: 'chatcmpl-b', text: 'Sunny, 21 °C in Paris.', usage: { input: 90, output: 9 } })),
    );
  }
}
