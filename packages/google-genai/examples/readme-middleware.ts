import { GoogleGenAI } from '@google/genai';
import { registerLlmConditionalExecutionGuardrail, registerLlmRequestIntercept } from '@nemo-flow/runtime';
import { instrumentGoogleGenAI } from '@nemo-flow/google-genai';

registerLlmConditionalExecutionGuardrail('no-secrets', 0, (request) =>
  JSON.stringify(request.content).includes('password') ? 'the prompt contains a secret' : undefined,
);
registerLlmRequestIntercept('french', 10, ({ annotated }) => {
  if (annotated) annotated.system = `${annotated.system ?? ''}\nAnswer in French.`.trim();
});

const ai = instrumentGoogleGenAI(new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY }));
await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello' }); // sent with the French instruction
