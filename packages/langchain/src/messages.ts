/**
 * LangChain messages in the OpenAI Chat Completions shape, so the runtime's `openai-chat` codec reads
 * them (annotations, token usage, tool calls) and middleware sees one familiar request format.
 * Both directions are here: the chat-model wrapper turns an intercepted request back into messages.
 */
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import type { LLMResult } from '@langchain/core/outputs';

/** An OpenAI Chat Completions message (the subset LangChain messages map to). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | 'developer' | 'function';
  content: unknown;
  name?: string;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

const ROLES: Record<string, ChatMessage['role']> = {
  human: 'user',
  user: 'user',
  ai: 'assistant',
  assistant: 'assistant',
  system: 'system',
  developer: 'developer',
  tool: 'tool',
  function: 'function',
};

interface ToolCallLike {
  id?: string;
  name: string;
  args: unknown;
}

/** One LangChain message as an OpenAI chat message (unknown types become `user`). */
export function toChatMessage(m: BaseMessage): ChatMessage {
  const out: ChatMessage = { role: ROLES[m.type] ?? 'user', content: m.content };
  if (m.name) out.name = m.name;
  const calls = (m as { tool_calls?: ToolCallLike[] }).tool_calls;
  if (calls && calls.length > 0) {
    out.tool_calls = calls.map((c) => ({ id: c.id ?? '', type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args ?? {}) } }));
    if (out.content === '') out.content = null;
  }
  const toolCallId = (m as { tool_call_id?: string }).tool_call_id;
  if (toolCallId !== undefined) out.tool_call_id = toolCallId;
  return out;
}

function parseArgs(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { input: v };
  } catch {
    return { input: text };
  }
}

/** An OpenAI chat message back as a LangChain message (for requests a middleware rewrote). */
export function fromChatMessage(m: ChatMessage): BaseMessage {
  const content = (m.content ?? '') as string;
  switch (m.role) {
    case 'system':
    case 'developer':
      return new SystemMessage({ content, name: m.name });
    case 'assistant':
      return new AIMessage({
        content,
        name: m.name,
        tool_calls: (m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, args: parseArgs(c.function.arguments), type: 'tool_call' as const })),
      });
    case 'tool':
    case 'function':
      return new ToolMessage({ content, tool_call_id: m.tool_call_id ?? '', name: m.name });
    default:
      return new HumanMessage({ content, name: m.name });
  }
}

interface UsageLike {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  input_token_details?: { cache_read?: number };
  output_token_details?: { reasoning?: number };
}

/** LangChain usage metadata as OpenAI `usage` (cached and reasoning tokens kept). */
function toUsage(u: UsageLike | undefined): Record<string, unknown> | undefined {
  if (!u) return undefined;
  const usage: Record<string, unknown> = {
    prompt_tokens: u.input_tokens ?? 0,
    completion_tokens: u.output_tokens ?? 0,
    total_tokens: u.total_tokens ?? (u.input_tokens ?? 0) + (u.output_tokens ?? 0),
  };
  if (u.input_token_details?.cache_read !== undefined) usage['prompt_tokens_details'] = { cached_tokens: u.input_token_details.cache_read };
  if (u.output_token_details?.reasoning !== undefined) usage['completion_tokens_details'] = { reasoning_tokens: u.output_token_details.reasoning };
  return usage;
}

/** `tokenUsage` as LangChain's OpenAI models put it in `llmOutput` (the fallback when a message has no usage_metadata). */
function legacyUsage(llmOutput: Record<string, unknown> | undefined): UsageLike | undefined {
  const t = llmOutput?.['tokenUsage'] as { promptTokens?: number; completionTokens?: number; totalTokens?: number } | undefined;
  return t && { input_tokens: t.promptTokens, output_tokens: t.completionTokens, total_tokens: t.totalTokens };
}

interface GenerationLike {
  text?: string;
  message?: BaseMessage;
  generationInfo?: Record<string, unknown>;
}

/** A LangChain model result (`LLMResult` or `ChatResult`) as an OpenAI `chat.completion`. */
export function toChatCompletion(result: LLMResult | ChatResult, model: string | null): Record<string, unknown> {
  const gens: GenerationLike[] =
    (Array.isArray((result as LLMResult).generations?.[0]) ? (result as LLMResult).generations[0] : (result as ChatResult).generations) ?? [];
  let usage: UsageLike | undefined;
  let id: string | undefined;
  let responseModel: string | undefined;
  const choices = gens.map((g, index) => {
    const msg = g.message;
    const meta = (msg as { response_metadata?: Record<string, unknown> } | undefined)?.response_metadata;
    usage ??= (msg as { usage_metadata?: UsageLike } | undefined)?.usage_metadata;
    id ??= (meta?.['id'] as string | undefined) ?? msg?.id;
    responseModel ??= (meta?.['model_name'] as string | undefined) ?? (meta?.['model'] as string | undefined);
    const message: ChatMessage = msg ? toChatMessage(msg) : { role: 'assistant', content: g.text ?? '' };
    const finish = g.generationInfo?.['finish_reason'] ?? meta?.['finish_reason'] ?? (message.tool_calls ? 'tool_calls' : 'stop');
    return { index, message: { ...message, role: 'assistant' }, finish_reason: finish };
  });
  usage ??= legacyUsage(result.llmOutput as Record<string, unknown> | undefined);
  return { id: id ?? null, object: 'chat.completion', model: responseModel ?? model, choices, usage: toUsage(usage) };
}
