/**
 * A Gemini weather agent on the instrumented Google Gen AI client: a function-calling turn, the
 * tool, then a streamed answer, printed as a tree. Every SDK call is a managed LLM call.
 * Run: GEMINI_API_KEY=... npx tsx examples/gemini-agent.ts
 * (GOOGLE_GEMINI_BASE_URL, which the SDK reads, points it at another endpoint, e.g. a local fake.)
 */
import { GoogleGenAI, type Content } from '@google/genai';
import { ConsoleExporter, ScopeType, flushSubscribers, registerSubscriber, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { instrumentGoogleGenAI } from '@nemo-flow/google-genai';

registerSubscriber('console', new ConsoleExporter());
const ai = instrumentGoogleGenAI(new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY }));

const model = 'gemini-2.5-flash';
const config = {
  systemInstruction: 'You answer weather questions. Use the get_weather tool.',
  tools: [
    {
      functionDeclarations: [
        {
          name: 'get_weather',
          description: 'Current weather of a city',
          parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
    },
  ],
};

const answer = await withScope(
  'gemini-weather-agent',
  ScopeType.Agent,
  async () => {
    const contents: Content[] = [{ role: 'user', parts: [{ text: 'What is the weather in Paris?' }] }];
    const first = await ai.models.generateContent({ model, contents, config });
    const calls = first.functionCalls ?? [];
    if (calls.length === 0) return first.text ?? '';
    contents.push(first.candidates![0]!.content!);
    const results: Content = { role: 'user', parts: [] };
    for (const call of calls) {
      const name = call.name ?? '';
      const output = await toolCallExecute(name, call.args ?? {}, async (args: { city?: string }) => ({ city: args.city, sky: 'sunny', celsius: 21 }), {
        toolCallId: call.id ?? name,
      });
      results.parts!.push({ functionResponse: { name, response: { output: JSON.stringify(output) } } });
    }
    contents.push(results);
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({ model, contents, config })) text += chunk.text ?? '';
    return text;
  },
  { input: { question: 'What is the weather in Paris?' }, metadata: { session_id: 'gemini-example' } },
);

await flushSubscribers();
console.log(`answer: ${answer}`);
