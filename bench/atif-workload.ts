/** The ATIF workload's LLM turns: a 2 KB OpenAI chat request and a response asking for 10 tool calls. */

export interface Turn {
  request: { headers: Record<string, string>; content: Record<string, unknown> };
  response: Record<string, unknown>;
  calls: Array<{ id: string; name: string; args: Record<string, unknown> }>;
}

export function atifTurn(turn: number): Turn {
  const calls = Array.from({ length: 10 }, (_, k) => ({
    id: `call_${turn}_${k}`,
    name: k % 2 ? 'fetch_page' : 'web_search',
    args: { query: `topic ${turn}.${k}` },
  }));
  const messages: Array<Record<string, unknown>> = [{ role: 'system', content: 'You are a research agent. '.repeat(20) }];
  messages.push({ role: 'user', content: `Step ${turn}: ${'continue the research. '.repeat(40)}` });
  return {
    request: { headers: {}, content: { model: 'gpt-4o', messages, temperature: 0.2 } },
    response: {
      id: `chatcmpl-${turn}`,
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: `Turn ${turn}: calling tools.`,
            tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })),
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 520, completion_tokens: 90, total_tokens: 610 },
    },
    calls,
  };
}
