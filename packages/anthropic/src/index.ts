/**
 * @nemo-flow/anthropic — the official Anthropic SDK on the NeMo Flow runtime, in one line:
 * `instrumentAnthropic(client)` or `instrumentAnthropic(Anthropic)`.
 *
 * @module @nemo-flow/anthropic
 */
export { instrumentAnthropic } from './instrument.js';
export type { AnthropicTarget } from './instrument.js';
export type { InstrumentAnthropicOptions } from './options.js';
