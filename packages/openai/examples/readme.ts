import OpenAI from 'openai';
import { ConsoleExporter, ScopeType, registerSubscriber, withScope } from '@nemo-flow/runtime';
import { instrumentOpenAI } from '@nemo-flow/openai';

instrumentOpenAI(OpenAI); // every client made from now on is instrumented
registerSubscriber('console', new ConsoleExporter());

const openai = new OpenAI();
const answer = await withScope('support-agent', ScopeType.Agent, async () => {
  const reply = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi!' }] });
  return reply.choices[0]?.message.content;
});
console.log(answer);
