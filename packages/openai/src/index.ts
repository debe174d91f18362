/**
 * @nemo-flow/openai — one line puts the official OpenAI client on the NeMo Flow runtime: every chat
 * completions, responses and embeddings call runs through middleware and emits lifecycle events.
 *
 * @module @nemo-flow/openai
 */
export { instrumentOpenAI } from './instrument.js';
export type { OpenAIClass } from './instrument.js';
export type { InstrumentOpenAIOptions } from './calls.js';
