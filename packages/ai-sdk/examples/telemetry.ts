import { anthropic } from '@ai-sdk/anthropic';
import { streamText, wrapLanguageModel } from 'ai';
import { nemoFlowMiddleware, nemoFlowTelemetry } from '@nemo-flow/ai-sdk';

const model = wrapLanguageModel({ model: anthropic('claude-haiku-4-5'), middleware: nemoFlowMiddleware() });

const result = streamText({
  model,
  prompt: 'Write a haiku about tracing.',
  experimental_telemetry: { functionId: 'haiku-agent', integrations: [nemoFlowTelemetry()] },
});
for await (const delta of result.textStream) process.stdout.write(delta);
