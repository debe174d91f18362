/**
 * Quickstart: one agent run with a mark, a tool call and an LLM call, printed as a tree and
 * written as ATOF events. Run: npx tsx examples/quickstart.ts [out-dir]
 */
import { join } from 'node:path';
import {
  AtofFileExporter,
  ConsoleExporter,
  ScopeType,
  flushSubscribers,
  llmCallExecute,
  mark,
  registerSubscriber,
  toolCallExecute,
  withScope,
} from '@nemo-flow/runtime';

const outDir = process.argv[2] ?? 'nemo-flow-output';
const atof = new AtofFileExporter({ path: join(outDir, 'quickstart-events.jsonl'), mode: 'overwrite' });
registerSubscriber('console', new ConsoleExporter());
registerSubscriber('atof', atof);

// A stand-in for your model client.
const fakeModel = async (content: { model: string }) => ({
  id: 'chatcmpl-1',
  model: content.model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Green tea has antioxidants.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
});

const answer = await withScope(
  'quickstart-agent',
  ScopeType.Agent,
  async () => {
    mark('plan_ready', { data: { steps: ['search', 'answer'] } });
    const hits = await toolCallExecute('web_search', { query: 'green tea' }, async () => ({ results: ['example.org/green-tea'] }), { toolCallId: 'call_1' });
    const reply = await llmCallExecute(
      'openai.chat',
      { headers: {}, content: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Summarize: ${JSON.stringify(hits)}` }] } },
      (request) => fakeModel(request.content),
      { codec: 'auto' },
    );
    return reply.choices[0]!.message.content;
  },
  { input: { question: 'What does green tea do?' }, metadata: { session_id: 'quickstart' } },
);

await flushSubscribers();
await atof.shutdown();
console.log(`answer: ${answer}`);
console.log(`events: ${atof.path}`);
