import { ChatOpenAI } from '@langchain/openai';
import { tool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import { ConsoleExporter, flushSubscribers, registerLlmConditionalExecutionGuardrail, registerSubscriber } from '@nemo-flow/runtime';
import { NemoFlowCallbackHandler, wrapChatModel, wrapTools } from '@nemo-flow/langchain';

registerSubscriber('console', new ConsoleExporter());
// Middleware applies to wrapped models and tools: this guardrail blocks before any request is sent.
registerLlmConditionalExecutionGuardrail('no-keys', 10, (request) =>
  /sk-[A-Za-z0-9]{20,}/.test(JSON.stringify(request.content)) ? 'the prompt contains an API key' : undefined,
);

const getWeather = tool(async ({ city }) => `Sunny, 21 °C in ${city}`, {
  name: 'get_weather',
  description: 'Current weather of a city',
  schema: z.object({ city: z.string() }),
});

const agent = createReactAgent({
  llm: wrapChatModel(new ChatOpenAI({ model: 'gpt-4o-mini', configuration: { baseURL: process.env['OPENAI_BASE_URL'] } })),
  tools: wrapTools([getWeather]),
});

const result = await agent.invoke(
  { messages: [{ role: 'user', content: 'Weather in Paris?' }] },
  { callbacks: [new NemoFlowCallbackHandler({ agentName: 'weather-agent' })], configurable: { thread_id: 'session-1' } },
);
await flushSubscribers();
console.log(result.messages.at(-1)?.content);
