/**
 * An OpenAI Agents SDK app on NeMo Flow: a triage agent hands off to a billing agent with a refund
 * tool. The trace processor turns the SDK's spans into NeMo Flow events (printed as a tree, and
 * written as ATIF trajectories: billing is a subagent of triage); the wrapped model provider and
 * tool put NeMo Flow middleware on the SDK's calls (here a guardrail capping refunds).
 * Run: OPENAI_API_KEY=… npx tsx examples/openai-agents.ts [trajectory-dir]
 * (OPENAI_BASE_URL points the SDK at any OpenAI-compatible server with the Responses API.)
 */
import OpenAI from 'openai';
import { Agent, OpenAIProvider, Runner, setTraceProcessors, tool } from '@openai/agents';
import { z } from 'zod';
import { ConsoleExporter, flushSubscribers, registerSubscriber, registerToolConditionalExecutionGuardrail } from '@nemo-flow/runtime';
import { AtifExporter } from '@nemo-flow/exporter-atif';
import { NemoFlowTracingProcessor, wrapModelProvider, wrapTool } from '@nemo-flow/openai-agents';

// Only NeMo Flow receives the SDK's traces (use addTraceProcessor to keep OpenAI's trace export too).
setTraceProcessors([new NemoFlowTracingProcessor()]);
registerSubscriber('console', new ConsoleExporter());
const atif = new AtifExporter({ dir: process.argv[2] ?? 'trajectories' }).register('atif');
registerToolConditionalExecutionGuardrail('refund-cap', 10, (name, args) =>
  name === 'refund' && (args as { amount: number }).amount > 100 ? 'refunds above 100 need a human' : undefined,
);

const refund = wrapTool(
  tool({
    name: 'refund',
    description: 'Refund an amount on an order',
    parameters: z.object({ order: z.number(), amount: z.number() }),
    execute: async ({ order, amount }) => `refunded ${amount} on order ${order}`, // a stand-in for a payments API
  }),
);
const billing = new Agent({ name: 'billing', instructions: 'You handle refunds.', model: 'gpt-4o-mini', tools: [refund] });
const triage = new Agent({ name: 'triage', instructions: 'Hand billing questions to the billing agent.', model: 'gpt-4o-mini', handoffs: [billing] });

const runner = new Runner({ modelProvider: wrapModelProvider(new OpenAIProvider({ openAIClient: new OpenAI() })), groupId: 'support-conversation-1' });
const result = await runner.run(triage, 'Please refund 30 on order 42.');
await flushSubscribers();
await atif.forceFlush();
console.log(`answer: ${String(result.finalOutput)}`);
