/**
 * OpenTelemetry's `gen_ai.provider.name` for an AI SDK model. The AI SDK speaks one format to
 * every provider, so the format cannot say who served a call: the model's provider id can
 * (`openai.chat`, `anthropic.messages`, `google.generative-ai`, `amazon-bedrock`…).
 */

/** Provider-id prefixes whose OpenTelemetry name differs from the prefix. */
const OTEL_NAME: Readonly<Record<string, string>> = {
  google: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  'amazon-bedrock': 'aws.bedrock',
  bedrock: 'aws.bedrock',
  azure: 'azure.ai.openai',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};

/**
 * The provider name for `provider` (the model's provider id) and `modelId`. Through the AI
 * Gateway (`gateway`, model `openai/gpt-4o`) it is the model's own provider.
 */
export function providerNameOf(provider: string, modelId: string): string | undefined {
  const parts = provider.split('.');
  let prefix = parts[0]!;
  if (prefix === 'gateway') {
    const slash = modelId.indexOf('/');
    if (slash <= 0) return undefined;
    prefix = modelId.slice(0, slash);
  }
  if (prefix.length === 0) return undefined;
  if (prefix === 'google' && parts[1] === 'vertex') return 'gcp.vertex_ai';
  return Object.hasOwn(OTEL_NAME, prefix) ? OTEL_NAME[prefix] : prefix;
}
