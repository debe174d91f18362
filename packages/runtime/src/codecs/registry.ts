/** The built-in codecs, one shared instance each (codecs are stateless). */
import { AiSdkCodec } from './ai-sdk.js';
import { AnthropicMessagesCodec } from './anthropic-messages.js';
import { OpenAIChatCodec } from './openai-chat.js';
import { OpenAIResponsesCodec } from './openai-responses.js';
import { GeminiCodec } from './gemini.js';
import type { CodecName, LlmCodec } from './types.js';

const CODECS: Readonly<Record<CodecName, LlmCodec>> = {
  'openai-chat': new OpenAIChatCodec(),
  'openai-responses': new OpenAIResponsesCodec(),
  'anthropic-messages': new AnthropicMessagesCodec(),
  gemini: new GeminiCodec(),
  'ai-sdk': new AiSdkCodec(),
};

/** Every codec name, in a stable order. */
export const CODEC_NAMES: readonly CodecName[] = Object.keys(CODECS) as CodecName[];

/** The shared instance of a built-in codec. Throws a TypeError for an unknown name. */
export function getCodec(name: CodecName): LlmCodec {
  if (typeof name === 'string' && Object.hasOwn(CODECS, name)) return CODECS[name];
  throw new TypeError(`unknown codec ${JSON.stringify(name)} (expected one of: ${CODEC_NAMES.join(', ')})`);
}
