/**
 * A weather agent on the official Anthropic SDK, traced with one line. Two user turns; the model
 * asks for a tool in the first. Prints the run as a tree and writes an ATIF trajectory.
 *
 *   ANTHROPIC_API_KEY=sk-ant-... npx tsx examples/anthropic-agent.ts [out-dir]
 *
 * The SDK honours ANTHROPIC_BASE_URL (the tests point it at a local fake server).
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, Tool, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { ConsoleExporter, ScopeType, flushSubscribers, registerSubscriber, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { AtifExporter } from '@nemo-flow/exporter-atif';
import { instrumentAnthropic } from '@nemo-flow/anthropic';

instrumentAnthropic(Anthropic); // every client made from now on: LLM calls, middleware, events

registerSubscriber('console', new ConsoleExporter());
const atif = new AtifExporter({ dir: process.argv[2] ?? 'nemo-flow-output' }).register('atif');

const client = new Anthropic();
const model = process.env.ANTHROPIC_MODEL ?? 'claude-sonnet-4-5';
const tools: Tool[] = [
  {
    name: 'get_weather',
    description: 'Current weather for a city',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

async function getWeather(args: { city: string }): Promise<string> {
  return `${args.city}: 21 °C, sunny`;
}

/** One user turn: call the model, run the tools it asks for, until it answers. */
async function turn(history: MessageParam[], question: string): Promise<string> {
  history.push({ role: 'user', content: question });
  for (;;) {
    const message = await client.messages.create({ model, max_tokens: 512, system: 'You are a concise weather assistant.', tools, messages: history });
    history.push({ role: 'assistant', content: message.content });
    if (message.stop_reason !== 'tool_use') {
      return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    }
    const results: ToolResultBlockParam[] = [];
    for (const block of message.content) {
      if (block.type !== 'tool_use') continue;
      const content = await toolCallExecute(block.name, block.input as { city: string }, getWeather, { toolCallId: block.id });
      results.push({ type: 'tool_result', tool_use_id: block.id, content });
    }
    history.push({ role: 'user', content: results });
  }
}

const history: MessageParam[] = [];
await withScope(
  'weather-agent',
  ScopeType.Agent,
  async () => {
    for (const question of ['Weather in Paris?', 'Should I take an umbrella?']) {
      console.log(`${question} → ${await turn(history, question)}`);
    }
  },
  { metadata: { session_id: 'anthropic-demo' } },
);

await flushSubscribers();
await atif.shutdown();
