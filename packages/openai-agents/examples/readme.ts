import { Agent, run, setTraceProcessors } from '@openai/agents';
import { ConsoleExporter, registerSubscriber } from '@nemo-flow/runtime';
import { NemoFlowTracingProcessor } from '@nemo-flow/openai-agents';

setTraceProcessors([new NemoFlowTracingProcessor()]); // or addTraceProcessor(…) to keep OpenAI's trace export
registerSubscriber('console', new ConsoleExporter());

const agent = new Agent({ name: 'assistant', instructions: 'Answer briefly.', model: 'gpt-4o-mini' });
const result = await run(agent, 'Say hello.');
console.log(result.finalOutput);
