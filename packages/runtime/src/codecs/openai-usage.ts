/** Token usage in OpenAI's shape, shared by Chat Completions and Responses (which only rename the fields). */
import type { Usage } from './types.js';
import { isObj, num, type Obj } from './util.js';

export interface UsageKeys {
  input: string;
  output: string;
  /** Object holding `cached_tokens`. */
  inputDetails: string;
  /** Object holding `reasoning_tokens`. */
  outputDetails: string;
}

export const CHAT_USAGE: UsageKeys = {
  input: 'prompt_tokens',
  output: 'completion_tokens',
  inputDetails: 'prompt_tokens_details',
  outputDetails: 'completion_tokens_details',
};
export const RESPONSES_USAGE: UsageKeys = {
  input: 'input_tokens',
  output: 'output_tokens',
  inputDetails: 'input_tokens_details',
  outputDetails: 'output_tokens_details',
};

export function decodeOpenAIUsage(u: Obj, keys: UsageKeys): Usage {
  const usage: Usage = {};
  const input = num(u[keys.input]);
  if (input !== undefined) usage.input_tokens = input;
  const output = num(u[keys.output]);
  if (output !== undefined) usage.output_tokens = output;
  const total = num(u.total_tokens);
  if (total !== undefined) usage.total_tokens = total;
  else if (input !== undefined && output !== undefined) usage.total_tokens = input + output;
  const id = u[keys.inputDetails];
  const cached = isObj(id) ? num(id.cached_tokens) : undefined;
  if (cached !== undefined) usage.cache_read_tokens = cached;
  const od = u[keys.outputDetails];
  const reasoning = isObj(od) ? num(od.reasoning_tokens) : undefined;
  if (reasoning !== undefined) usage.reasoning_tokens = reasoning;
  return usage;
}
