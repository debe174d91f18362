/**
 * A LangGraph.js ReAct agent on NeMo Flow: the callback handler records every graph node, model call
 * and tool call (printed as a tree here), and the wrapped tools run under NeMo Flow middleware — a
 * guardrail refuses to book anything. Streams the answer token by token.
 * Run: OPENAI_API_KEY=… npx tsx examples/langgraph-agent.ts "What's the weather in Paris?"
 * (OPENAI_BASE_URL points the client at any OpenAI-compatible server.)
 */
import { ChatOpenAI } from '@langchain/openai';
import { tool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import { ConsoleExporter, flushSubscribers, registerSubscriber, registerToolConditionalExecutionGuardrail } from '@nemo-flow/runtime';
import { NemoFlowCallbackHandler, wrapTools } from '@nemo-flow/langchain';

registerSubscriber('console', new ConsoleExporter());
registerToolConditionalExecutionGuardrail('read-only', 10, (name) => (name.startsWith('book_') ? 'this agent may not book anything' : undefined));

const getWeather = tool(async ({ city }) => `Sunny, 21 °C in ${city}`, {
  name: 'get_weather',
  description: 'Current weather of a city',
  schema: z.object({ city: z.string() }),
});
const bookTable = tool(async ({ city }) => `Table booked in ${city}`, {
  name: 'book_table',
  description: 'Books a restaurant table',
  schema: z.object({ city: z.string() }),
});

const model = new ChatOpenAI({ model: 'gpt-4o-mini', configuration: { baseURL: process.env['OPENAI_BASE_URL'] } });
const agent = createReactAgent({ llm: model, tools: wrapTools([getWeather, bookTable]) });
const question = process.argv[2] ?? "What's the weather in Paris? Book me a table there.";

let answer = '';
const stream = await agent.stream(
  { messages: [{ role: 'user', content: question }] },
  { callbacks: [new NemoFlowCallbackHandler({ agentName: 'weather-agent' })], configurable: { thread_id: 'langgraph-example' }, streamMode: 'messages' },
);
for await (const [chunk, meta] of stream) {
  if (meta.langgraph_node === 'agent' && typeof chunk.content === 'string') answer += chunk.content;
}
await flushSubscribers();
console.log(`answer: ${answer}`);
