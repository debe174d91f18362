import { openai } from '@ai-sdk/openai';
import { generateText, isStepCount, tool, wrapLanguageModel } from 'ai';
import { z } from 'zod';
import { ConsoleExporter, registerSubscriber } from '@nemo-flow/runtime';
import { instrumentTools, nemoFlowMiddleware, withAgentRun } from '@nemo-flow/ai-sdk';

registerSubscriber('console', new ConsoleExporter());

const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: nemoFlowMiddleware() });
const tools = instrumentTools({
  get_weather: tool({
    description: 'Current weather of a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, sky: 'sunny', celsius: 21 }),
  }),
});

const { text } = await withAgentRun('weather-agent', () => generateText({ model, tools, stopWhen: isStepCount(4), prompt: 'What is the weather in Paris?' }));
console.log(text);
