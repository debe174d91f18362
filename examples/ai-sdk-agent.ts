/**
 * A Vercel AI SDK agent on NeMo Flow: `generateText` with a tool loop, then a streamed follow-up,
 * in one agent run printed as a tree. The model is wrapped with `nemoFlowMiddleware`, the tools
 * with `instrumentTools`; a guardrail keeps secrets out of prompts.
 * Run: OPENAI_API_KEY=... npx tsx examples/ai-sdk-agent.ts
 * (OPENAI_BASE_URL, which @ai-sdk/openai reads, points it at another endpoint, e.g. a local fake.)
 */
import { openai } from '@ai-sdk/openai';
import { generateText, isStepCount, streamText, tool, wrapLanguageModel, type ModelMessage } from 'ai';
import { z } from 'zod';
import { ConsoleExporter, flushSubscribers, registerLlmConditionalExecutionGuardrail, registerSubscriber } from '@nemo-flow/runtime';
import { instrumentTools, nemoFlowMiddleware, withAgentRun } from '@nemo-flow/ai-sdk';

registerSubscriber('console', new ConsoleExporter());
registerLlmConditionalExecutionGuardrail('no-api-keys', 0, (request) =>
  /sk-[A-Za-z0-9]{8,}/.test(JSON.stringify(request.content)) ? 'the prompt contains an API key' : undefined,
);

const model = wrapLanguageModel({ model: openai.chat('gpt-4o-mini'), middleware: nemoFlowMiddleware() });
const tools = instrumentTools({
  get_weather: tool({
    description: 'Current weather of a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, sky: 'sunny', celsius: 21 }),
  }),
});

const answer = await withAgentRun(
  'ai-sdk-weather-agent',
  async () => {
    const messages: ModelMessage[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await generateText({ model, system: 'Answer weather questions with the get_weather tool.', messages, tools, stopWhen: isStepCount(4) });
    messages.push(...first.response.messages, { role: 'user', content: 'And what should I wear?' });
    const followUp = streamText({ model, messages });
    let text = '';
    for await (const delta of followUp.textStream) text += delta;
    return `${first.text} ${text}`;
  },
  { input: { question: 'What is the weather in Paris?' }, metadata: { session_id: 'ai-sdk-example' } },
);

await flushSubscribers();
console.log(`answer: ${answer}`);
