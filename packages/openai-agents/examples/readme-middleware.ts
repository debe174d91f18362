import { Agent, OpenAIProvider, Runner, tool } from '@openai/agents';
import { z } from 'zod';
import { registerToolConditionalExecutionGuardrail } from '@nemo-flow/runtime';
import { wrapModelProvider, wrapTool } from '@nemo-flow/openai-agents';

registerToolConditionalExecutionGuardrail('refund-cap', 10, (_name, args) => ((args as { amount: number }).amount > 100 ? 'needs a human' : undefined));
const refund = wrapTool(
  tool({ name: 'refund', description: 'Refund', parameters: z.object({ amount: z.number() }), execute: async ({ amount }) => `refunded ${amount}` }),
);
const agent = new Agent({ name: 'billing', model: 'gpt-4o-mini', tools: [refund] });
const runner = new Runner({ modelProvider: wrapModelProvider(new OpenAIProvider()) });
await runner.run(agent, 'Refund 30.');
