/** The test agents: a triage agent with an input guardrail that hands off to a billing agent with a refund tool. */
import OpenAI from 'openai';
import { Agent, OpenAIProvider, Runner, tool, type InputGuardrail, type ModelProvider } from '@openai/agents';
import { z } from 'zod';
import { json, responseObject } from '../../../test/support/fake-providers/openai.js';
import type { FakeServer } from '../../../test/support/fake-providers/server.js';
import { wrapTool } from '@nemo-flow/openai-agents';

export const noHacking: InputGuardrail = {
  name: 'no_hacking',
  runInParallel: false,
  execute: async ({ input }) => ({ outputInfo: { checked: true }, tripwireTriggered: JSON.stringify(input).includes('hack') }),
};

export const refund = tool({
  name: 'refund',
  description: 'Refund an order',
  parameters: z.object({ order: z.number(), amount: z.number() }),
  execute: async ({ order, amount }) => `refunded ${amount} on order ${order}`,
});

export function agents(options: { wrapTools?: boolean } = {}): { triage: Agent; billing: Agent } {
  const billing = new Agent({
    name: 'billing',
    instructions: 'You handle refunds.',
    model: 'gpt-4o-mini',
    tools: [options.wrapTools ? wrapTool(refund) : refund],
  });
  const triage = new Agent({ name: 'triage', instructions: 'Route the user.', model: 'gpt-4o-mini', handoffs: [billing], inputGuardrails: [noHacking] });
  return { triage, billing };
}

export function provider(server: FakeServer): OpenAIProvider {
  return new OpenAIProvider({ openAIClient: new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 }) });
}

export function runner(modelProvider: ModelProvider): Runner {
  return new Runner({ modelProvider, tracingDisabled: false, traceIncludeSensitiveData: true, groupId: 'conv-1', workflowName: 'support' });
}

/** triage → handoff to billing → refund(42, amount) → final answer. */
export function scriptRefund(server: FakeServer, amount = 30): void {
  server.enqueue(
    json(responseObject({ id: 'resp_1', functionCalls: [{ id: 'call_h1', name: 'transfer_to_billing', arguments: {} }], usage: { input: 20, output: 5 } })),
    json(
      responseObject({ id: 'resp_2', functionCalls: [{ id: 'call_t1', name: 'refund', arguments: { order: 42, amount } }], usage: { input: 30, output: 6 } }),
    ),
    json(responseObject({ id: 'resp_3', text: `Done: order 42.`, usage: { input: 40, output: 7 } })),
  );
}
