import { openai } from '@ai-sdk/openai';
import { generateText, wrapLanguageModel } from 'ai';
import { GuardrailRejectedError, registerLlmConditionalExecutionGuardrail, registerLlmRequestIntercept } from '@nemo-flow/runtime';
import { nemoFlowMiddleware } from '@nemo-flow/ai-sdk';

// Blocks a call before anything is sent.
registerLlmConditionalExecutionGuardrail('no-api-keys', 0, (request) =>
  /sk-[A-Za-z0-9]{8,}/.test(JSON.stringify(request.content)) ? 'the prompt contains an API key' : undefined,
);
// Rewrites what the provider receives, in the provider-neutral form (any provider).
registerLlmRequestIntercept('house-style', 10, ({ annotated }) => {
  if (!annotated) return;
  annotated.messages.unshift({ role: 'system', text: 'Answer in one sentence.' });
  annotated.params.temperature = 0;
  return { annotated };
});

const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: nemoFlowMiddleware() });
try {
  await generateText({ model, prompt: 'My key is sk-abcdefghijkl, is it valid?' });
} catch (err) {
  if (err instanceof GuardrailRejectedError) console.log(`blocked: ${err.message}`);
  else throw err;
}
