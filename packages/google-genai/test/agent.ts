/** A two-turn weather agent on the instrumented client (a function-calling turn, then a streamed answer) and its fake-server script. */
import type { Content, GoogleGenAI, Tool } from '@google/genai';
import { ScopeType, toolCallExecute, withScope } from '@nemo-flow/runtime';
import type { FakeServer } from '../../../test/support/fake-providers/server.js';
import { generateContentResponse, json, sse, streamChunks } from '../../../test/support/fake-providers/gemini.js';

export const MODEL = 'gemini-2.5-flash';

export const WEATHER_TOOLS: Tool[] = [
  {
    functionDeclarations: [
      {
        name: 'get_weather',
        description: 'Weather of a city',
        parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ],
  },
];

/** Queues the two answers the agent gets: a function call, then a streamed text with usage. */
export function scriptWeather(server: FakeServer): void {
  server.enqueue(
    json(
      generateContentResponse({
        responseId: 'turn-1',
        functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }],
        usage: { input: 30, output: 6, thoughts: 4 },
      }),
    ),
    sse(streamChunks({ responseId: 'turn-2', text: ['Sunny, ', '21 °C.'], usage: { input: 52, output: 7, cached: 16 } })),
  );
}

export async function weatherAgent(ai: GoogleGenAI, question = 'Weather in Paris?'): Promise<string> {
  return withScope(
    'weather-agent',
    ScopeType.Agent,
    async () => {
      const config = { systemInstruction: 'You answer weather questions.', tools: WEATHER_TOOLS };
      const contents: Content[] = [{ role: 'user', parts: [{ text: question }] }];
      const first = await ai.models.generateContent({ model: MODEL, contents, config });
      const turn = first.candidates?.[0]?.content;
      if (turn) contents.push(turn);
      const results: Content = { role: 'user', parts: [] };
      for (const call of first.functionCalls ?? []) {
        const name = call.name ?? '';
        const output = await toolCallExecute(name, call.args ?? {}, async (args: { city?: string }) => ({ city: args.city, sky: 'sunny', celsius: 21 }), {
          toolCallId: call.id ?? name, // Gemini matches results by function name when calls carry no id
        });
        results.parts!.push({ functionResponse: { name, response: { output: JSON.stringify(output) } } });
      }
      contents.push(results);
      let answer = '';
      for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents, config })) answer += chunk.text ?? '';
      return answer;
    },
    { input: { question }, metadata: { session_id: 'weather-1' } },
  );
}
