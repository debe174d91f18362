/** An agent used as a tool: its run nests under the tool call, whether the tool is wrapped or not. */
import { strict as assert } from 'node:assert';
import { Agent, setTraceProcessors, setTracingDisabled } from '@openai/agents';
import { NemoFlowTracingProcessor, wrapTool } from '@nemo-flow/openai-agents';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { json, responseObject } from '../../../test/support/fake-providers/openai.js';
import { provider, runner } from './agent.js';
import { captureEvents, childrenOf, startOf } from './events.js';

describe('@nemo-flow/openai-agents: agents as tools', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
    setTraceProcessors([new NemoFlowTracingProcessor()]);
    setTracingDisabled(false);
  });
  after(async () => {
    setTraceProcessors([]);
    setTracingDisabled(true);
    await server.stop();
  });
  afterEach(() => server.reset());

  for (const wrapped of [false, true]) {
    it(`nests the tool agent under its tool call (${wrapped ? 'wrapped tool' : 'processor only'})`, async () => {
      const translator = new Agent({ name: 'translator', instructions: 'Translate to English.', model: 'gpt-4o-mini' });
      const asTool = translator.asTool({ toolName: 'translate', toolDescription: 'Translate text' });
      const manager = new Agent({ name: 'manager', instructions: 'Use tools.', model: 'gpt-4o-mini', tools: [wrapped ? wrapTool(asTool) : asTool] });
      server.enqueue(
        json(
          responseObject({
            id: 'resp_m1',
            functionCalls: [{ id: 'call_a1', name: 'translate', arguments: { input: 'hola' } }],
            usage: { input: 10, output: 3 },
          }),
        ),
        json(responseObject({ id: 'resp_t1', text: 'hello', usage: { input: 5, output: 1 } })),
        json(responseObject({ id: 'resp_m2', text: 'It says hello.', usage: { input: 15, output: 4 } })),
      );
      const cap = captureEvents();
      try {
        const result = await runner(provider(server)).run(manager, 'What does hola mean?');
        assert.equal(result.finalOutput, 'It says hello.');
      } finally {
        cap.stop();
      }
      const tool = startOf(cap.events, 'translate');
      assert.deepEqual(tool.category_profile, { tool_call_id: 'call_a1' });
      assert.equal(startOf(cap.events, 'translator').parent_uuid, tool.uuid);
      assert.deepEqual(childrenOf(cap.events, tool.uuid), ['translator(agent)']);
      assert.equal(cap.events.filter((e) => e.kind === 'scope' && e.name === 'translate').length, 2, 'one start, one end');
    });
  }
});
