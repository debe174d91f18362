/**
 * The demo's scripted research agent. It uses only the public runtime API, the way an
 * application would: an agent run, LLM turns with tool calls, a failing tool, a nested
 * sub-agent, a streamed final answer and marks.
 */
import { ScopeType, llmCallExecute, llmStreamCallExecute, mark, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { chatCompletion, chatCompletionStream } from './fake-llm.js';
import type { ChatMessage, ChatRequest } from './fake-llm.js';

const MODEL = 'gpt-4o-mini';
const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'web_search',
      description: 'Search the web',
      parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'fetch_page',
      description: 'Fetch a page as text',
      parameters: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'summarize',
      description: 'Delegate summarizing to a sub-agent',
      parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    },
  },
];

type ToolCall = NonNullable<ChatMessage['tool_calls']>[number];
type Completion = { choices: Array<{ message: ChatMessage }> };

const PAGES: Record<string, string> = {
  'https://example.org/green-tea-review': 'Green tea contains catechins (EGCG) with antioxidant effects; moderate evidence for cardiovascular benefits.',
};

async function webSearch(args: { query: string }): Promise<{ results: Array<{ title: string; url: string }> }> {
  await new Promise((r) => setImmediate(r));
  return {
    results: [
      { title: 'Green tea: a review of health effects', url: 'https://example.org/green-tea-review' },
      { title: 'Slow mirror of the same review', url: 'https://slow.example.org/green-tea' },
    ].filter(() => args.query.length > 0),
  };
}

async function fetchPage(args: { url: string }): Promise<string> {
  await new Promise((r) => setImmediate(r));
  const page = PAGES[args.url];
  if (!page) throw new Error(`timeout after 10s fetching ${args.url}`);
  return page;
}

/** The nested sub-agent: its own agent scope and LLM call. */
async function summarizerAgent(text: string): Promise<string> {
  return withScope(
    'summarizer',
    ScopeType.Agent,
    async () => {
      const request: ChatRequest = {
        model: MODEL,
        messages: [
          { role: 'system', content: 'Summarize in one sentence.' },
          { role: 'user', content: text },
        ],
        temperature: 0,
      };
      const res = (await llmCallExecute(
        'openai.chat',
        { headers: {}, content: request },
        (r) => chatCompletion(r.content as ChatRequest, { content: 'Green tea catechins are antioxidants with moderate cardiovascular evidence.' }),
        { codec: 'openai-chat' },
      )) as Completion;
      return res.choices[0]!.message.content ?? '';
    },
    { input: { text }, metadata: { agent_version: '1.0.0' } },
  );
}

const TOOL_IMPLS: Record<string, (args: never) => Promise<unknown>> = {
  web_search: webSearch,
  fetch_page: fetchPage,
  summarize: (args: { text: string }) => summarizerAgent(args.text),
};

async function runTool(call: ToolCall): Promise<ChatMessage> {
  const args = JSON.parse(call.function.arguments) as never;
  try {
    const result = await toolCallExecute(call.function.name, args, TOOL_IMPLS[call.function.name]!, { toolCallId: call.id });
    return { role: 'tool', tool_call_id: call.id, content: typeof result === 'string' ? result : JSON.stringify(result) };
  } catch (err) {
    // The agent sees the failure as the tool's output, as real agents do; the event stream records the error.
    return { role: 'tool', tool_call_id: call.id, content: `error: ${(err as Error).message}` };
  }
}

/** Scripted assistant turns, indexed by LLM call number. */
const SCRIPT: Array<{ content: string | null; toolCalls?: Array<{ name: string; args: object }> }> = [
  { content: 'Let me search for reviews first.', toolCalls: [{ name: 'web_search', args: { query: 'green tea health benefits review' } }] },
  {
    content: null,
    toolCalls: [
      { name: 'fetch_page', args: { url: 'https://example.org/green-tea-review' } },
      { name: 'fetch_page', args: { url: 'https://slow.example.org/green-tea' } },
    ],
  },
  { content: 'One source loaded; delegating the summary.', toolCalls: [{ name: 'summarize', args: { text: PAGES['https://example.org/green-tea-review']! } }] },
];

/** Runs one research session and returns the final answer. */
export async function runResearchAgent(question: string, sessionId = 'demo-session'): Promise<string> {
  return withScope(
    'research-agent',
    ScopeType.Agent,
    async () => {
      const messages: ChatMessage[] = [
        { role: 'system', content: 'You are a careful research assistant. Use tools, cite sources.' },
        { role: 'user', content: question },
      ];
      mark('plan_ready', { data: { steps: ['search', 'read', 'summarize', 'answer'] } });
      for (const turn of SCRIPT) {
        const content: ChatRequest = { model: MODEL, messages: [...messages], tools: TOOLS, temperature: 0.2 };
        const res = (await llmCallExecute(
          'openai.chat',
          { headers: { 'x-request-id': sessionId }, content },
          (r) => chatCompletion(r.content as ChatRequest, turn),
          {
            codec: 'openai-chat',
          },
        )) as Completion;
        const msg = res.choices[0]!.message;
        messages.push(msg);
        for (const call of msg.tool_calls ?? []) messages.push(await runTool(call));
      }
      mark('sources_collected', { data: { ok: 1, failed: 1 } });
      const final: ChatRequest = { model: MODEL, messages: [...messages], stream: true, stream_options: { include_usage: true } };
      const answerText =
        'Green tea is rich in catechins such as EGCG, which act as antioxidants; reviews find moderate evidence of cardiovascular benefit (example.org/green-tea-review).';
      const stream = await llmStreamCallExecute(
        'openai.chat',
        { headers: {}, content: final },
        (r) => chatCompletionStream(r.content as ChatRequest, answerText),
        {
          codec: 'openai-chat',
        },
      );
      let answer = '';
      for await (const chunk of stream) {
        answer += (chunk as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '';
      }
      return answer;
    },
    { input: { question }, metadata: { session_id: sessionId, user_id: 'demo-user', agent_version: '1.0.0', tags: ['demo'] } },
  );
}
