/**
 * @nemo-flow/google-genai — one line puts the Google Gen AI client (`@google/genai`) on the NeMo Flow
 * runtime: every `models.generateContent` / `generateContentStream` call, chats included, runs
 * through middleware and emits lifecycle events.
 *
 * @module @nemo-flow/google-genai
 */
export { instrumentGoogleGenAI } from './instrument.js';
export type { GoogleGenAIClass } from './instrument.js';
export type { InstrumentGoogleGenAIOptions } from './calls.js';
