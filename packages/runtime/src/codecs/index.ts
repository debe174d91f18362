/**
 * Provider codecs: OpenAI Chat Completions, OpenAI Responses, Anthropic Messages, Gemini and AI SDK payloads
 * ⇄ provider-neutral requests and responses. See docs/codecs.md.
 *
 * @module @nemo-flow/runtime/codecs
 */
import { detectCodec } from './detect.js';
import { getCodec } from './registry.js';
import type { CodecName, LlmCodec } from './types.js';

export * from './types.js';
export { OpenAIChatCodec } from './openai-chat.js';
export { OpenAIResponsesCodec } from './openai-responses.js';
export { AnthropicMessagesCodec } from './anthropic-messages.js';
export { GeminiCodec } from './gemini.js';
export { AiSdkCodec } from './ai-sdk.js';
export { getCodec, CODEC_NAMES } from './registry.js';
export { detectCodec, detectResponseCodec } from './detect.js';

/**
 * The codec to use for a call: an instance as given, a name looked up, or — for `'auto'` and
 * when none was given — the one detected from the request `content` (undefined when the payload
 * is not a known format). Throws a TypeError for an unknown name or a value that is not a codec.
 */
export function resolveCodec(spec: LlmCodec | CodecName | 'auto' | undefined, content: unknown): LlmCodec | undefined {
  if (spec === undefined || spec === 'auto') return detectCodec(content);
  if (typeof spec === 'string') return getCodec(spec);
  if (
    typeof spec === 'object' &&
    spec !== null &&
    typeof spec.decode === 'function' &&
    typeof spec.encode === 'function' &&
    typeof spec.decodeResponse === 'function' &&
    typeof spec.createAccumulator === 'function'
  ) {
    return spec;
  }
  throw new TypeError('codec must be an LlmCodec, a codec name or "auto"');
}
