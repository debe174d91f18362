/**
 * Conversions between the Agents SDK's model request/response and the OpenAI Responses wire
 * shapes, so the runtime's Responses codec can read them (annotations, ATIF steps, spans).
 */
import type { ModelRequest, ModelResponse } from '@openai/agents';
import { isPlainObject as isObj } from '@nemo-flow/runtime/exporter-kit';

type Obj = Record<string, unknown>;

/** One SDK input item → a Responses input item (messages are already the same shape). */
export function toResponsesItem(item: unknown): unknown {
  if (!isObj(item)) return item;
  const { callId, providerData: _p, ...rest } = item;
  if (item['type'] === 'function_call') return { ...rest, call_id: callId };
  if (item['type'] === 'function_call_result') {
    const out = item['output'];
    const text = typeof out === 'string' ? out : isObj(out) && typeof out['text'] === 'string' ? out['text'] : JSON.stringify(out);
    return { type: 'function_call_output', call_id: callId, output: text };
  }
  return rest;
}

/** A Responses input item an intercept added → an SDK input item. */
function fromResponsesItem(item: unknown): unknown {
  if (!isObj(item)) return item;
  const { call_id, ...rest } = item;
  if (item['type'] === 'function_call') return { ...rest, callId: call_id };
  if (item['type'] === 'function_call_output')
    return { type: 'function_call_result', callId: call_id, name: '', status: 'completed', output: { type: 'text', text: String(item['output']) } };
  return item;
}

/** The request as a Responses payload, plus how to map edited payloads back. */
export interface RequestPayload {
  content: Obj;
  toRequest(content: unknown): ModelRequest;
}

export function requestPayload(request: ModelRequest, model: string | undefined): RequestPayload {
  const originals = new Map<unknown, unknown>();
  const input =
    typeof request.input === 'string'
      ? request.input
      : request.input.map((item) => {
          const converted = toResponsesItem(item);
          originals.set(converted, item);
          return converted;
        });
  const tools: Obj[] = request.tools.map(
    (t): Obj =>
      t.type === 'function'
        ? { type: 'function', name: t.name, description: t.description, parameters: t.parameters, strict: t.strict }
        : { type: t.type, name: 'name' in t ? t.name : undefined },
  );
  for (const h of request.handoffs)
    tools.push({ type: 'function', name: h.toolName, description: h.toolDescription, parameters: h.inputJsonSchema, strict: h.strictJsonSchema });
  const s = request.modelSettings;
  const content: Obj = {
    ...(model ? { model } : {}),
    ...(request.systemInstructions ? { instructions: request.systemInstructions } : {}),
    input,
    ...(tools.length ? { tools } : {}),
    ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
    ...(s.topP !== undefined ? { top_p: s.topP } : {}),
    ...(s.maxTokens !== undefined ? { max_output_tokens: s.maxTokens } : {}),
  };
  return {
    content,
    toRequest(edited: unknown): ModelRequest {
      if (edited === content || !isObj(edited)) return request;
      const next: ModelRequest = { ...request };
      const ins = edited['instructions'];
      next.systemInstructions = typeof ins === 'string' ? ins : undefined;
      const inp = edited['input'];
      if (typeof inp === 'string') next.input = inp;
      else if (Array.isArray(inp)) next.input = inp.map((i) => originals.get(i) ?? fromResponsesItem(i)) as ModelRequest['input'];
      return next;
    },
  };
}

/** The Responses object behind a model response: the provider's own when it is one, else rebuilt. */
export function responsesObject(response: ModelResponse | undefined, model: string | undefined): unknown {
  if (!response) return response;
  const raw = response.providerData;
  if (isObj(raw) && raw['object'] === 'response') return raw;
  return {
    id: response.responseId ?? 'resp',
    object: 'response',
    status: 'completed',
    model: model ?? '',
    output: response.output.map(toResponsesItem),
    usage: { input_tokens: response.usage.inputTokens, output_tokens: response.usage.outputTokens, total_tokens: response.usage.totalTokens },
  };
}
