/**
 * The model-provider and function-tool wrappers on a real `@openai/agents` run: NeMo Flow
 * middleware acts on the SDK's model and tool calls, and each call is recorded exactly once
 * even with the trace processor registered too.
 */
import { strict as assert } from 'node:assert';
import { Agent, setTraceProcessors, setTracingDisabled } from '@openai/agents';
import {
  GuardrailRejectedError,
  deregisterLlmConditionalExecutionGuardrail,
  deregisterLlmRequestIntercept,
  deregisterToolConditionalExecutionGuardrail,
  registerLlmConditionalExecutionGuardrail,
  registerLlmRequestIntercept,
  registerToolConditionalExecutionGuardrail,
  type ScopeEvent,
} from '@nemo-flow/runtime';
import { NemoFlowTracingProcessor, wrapModel, wrapModelProvider, wrapTool } from '@nemo-flow/openai-agents';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { responseStream } from '../../../test/support/fake-providers/openai.js';
import { agents, provider, runner, scriptRefund } from './agent.js';
import { captureEvents, childrenOf, endOf, startOf } from './events.js';

describe('@nemo-flow/openai-agents: model and tool wrappers', () => {
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

  it('runs model and tool calls through middleware, each recorded once, in the agent tree', async () => {
    registerLlmRequestIntercept('agents-brief', 0, ({ request }) => {
      const content = request.content as Record<string, unknown>;
      return { request: { ...request, content: { ...content, instructions: `${String(content['instructions'])} Be brief.` } } };
    });
    registerToolConditionalExecutionGuardrail('agents-max-refund', 0, (_name, args) =>
      (args as { amount?: number }).amount! > 100 ? 'refunds above 100 need a human' : undefined,
    );
    const cap = captureEvents();
    try {
      scriptRefund(server, 500);
      const result = await runner(wrapModelProvider(provider(server))).run(agents({ wrapTools: true }).triage, 'Please refund order 42');
      assert.equal(result.finalOutput, 'Done: order 42.');
    } finally {
      cap.stop();
      deregisterLlmRequestIntercept('agents-brief');
      deregisterToolConditionalExecutionGuardrail('agents-max-refund');
    }
    // The intercept changed what was sent.
    const sent = server.requests.map((r) => (r.body as { instructions: string }).instructions);
    assert.deepEqual(sent, ['Route the user. Be brief.', 'You handle refunds. Be brief.', 'You handle refunds. Be brief.']);
    // The tool guardrail blocked the refund; the model was told why.
    const toolEnd = endOf(cap.events, 'refund');
    assert.equal(toolEnd.status, 'error');
    assert.equal(toolEnd.error?.type, 'GuardrailRejectedError');
    assert.deepEqual(toolEnd.category_profile, { tool_call_id: 'call_t1' });
    const lastInput = (server.requests[2]!.body as { input: { type: string; call_id?: string; output?: string }[] }).input;
    assert.match(
      String(lastInput.find((i) => i.call_id === 'call_t1' && i.type === 'function_call_output')?.output),
      /blocked by guardrail "agents-max-refund": refunds above 100 need a human/,
    );
    // One record per call (wrapper, not processor), parented by the SDK's span tree.
    const ev = cap.events;
    const triage = startOf(ev, 'triage');
    const billing = startOf(ev, 'billing');
    assert.equal(billing.parent_uuid, triage.uuid);
    assert.deepEqual(childrenOf(ev, triage.uuid), ['no_hacking(guardrail)', 'openai-agents.gpt-4o-mini(llm)', 'handoff(mark)', 'billing(agent)']);
    assert.deepEqual(childrenOf(ev, billing.uuid), ['openai-agents.gpt-4o-mini(llm)', 'refund(tool)', 'openai-agents.gpt-4o-mini(llm)']);
    const llmEnds = ev.filter((e): e is ScopeEvent => e.kind === 'scope' && e.scope_category === 'end' && e.category === 'llm');
    assert.equal(llmEnds.length, 3);
    const annotated = (llmEnds[0]!.category_profile as { annotated_response?: { id?: string; tool_calls?: { name: string }[] } }).annotated_response;
    assert.equal(annotated?.id, 'resp_1', 'the response decoded by the Responses codec');
  });

  it('blocks a model call with an LLM guardrail before any request', async () => {
    registerLlmConditionalExecutionGuardrail('agents-no-model', 0, () => 'model calls are off');
    const cap = captureEvents();
    try {
      await assert.rejects(
        runner(wrapModelProvider(provider(server))).run(agents().billing, 'hi'),
        (err: unknown) => err instanceof GuardrailRejectedError && err.reason === 'model calls are off',
      );
    } finally {
      cap.stop();
      deregisterLlmConditionalExecutionGuardrail('agents-no-model');
    }
    assert.equal(server.requests.length, 0);
    assert.equal(endOf(cap.events, 'openai-agents.gpt-4o-mini').error?.type, 'GuardrailRejectedError');
  });

  it('streams through the wrapped model, recorded once with the final response', async () => {
    server.enqueue({ kind: 'sse', events: responseStream({ id: 'resp_s', text: ['Hel', 'lo'], usage: { input: 5, output: 2 } }) });
    const model = wrapModel(await provider(server).getModel('gpt-4o-mini'));
    const agent = new Agent({ name: 'greeter', instructions: 'Greet.', model });
    const cap = captureEvents();
    let text = '';
    try {
      const result = await runner(provider(server)).run(agent, 'hi', { stream: true });
      for await (const chunk of result.toTextStream()) text += chunk;
      await result.completed;
    } finally {
      cap.stop();
    }
    assert.equal(text, 'Hello');
    const llm = cap.events.filter((e): e is ScopeEvent => e.kind === 'scope' && e.category === 'llm');
    assert.deepEqual(
      llm.map((e) => e.scope_category),
      ['start', 'end'],
    );
    assert.equal(llm[0]!.parent_uuid, startOf(cap.events, 'greeter').uuid);
    const resp = (llm[1]!.category_profile as { annotated_response?: { id?: string; text?: string; usage?: { input_tokens?: number } } }).annotated_response;
    assert.equal(resp?.id, 'resp_s');
  });

  it('streams a handoff run through the wrapped provider and tool, each call recorded once', async () => {
    server.enqueue(
      {
        kind: 'sse',
        events: responseStream({
          id: 'resp_1',
          functionCalls: [{ id: 'call_h1', name: 'transfer_to_billing', arguments: {} }],
          usage: { input: 20, output: 5 },
        }),
      },
      {
        kind: 'sse',
        events: responseStream({
          id: 'resp_2',
          functionCalls: [{ id: 'call_t1', name: 'refund', arguments: { order: 42, amount: 30 } }],
          usage: { input: 30, output: 6 },
        }),
      },
      { kind: 'sse', events: responseStream({ id: 'resp_3', text: ['Done: ', 'order 42.'], usage: { input: 40, output: 7 } }) },
    );
    const cap = captureEvents();
    let text = '';
    try {
      const result = await runner(wrapModelProvider(provider(server))).run(agents({ wrapTools: true }).triage, 'Please refund order 42', { stream: true });
      for await (const chunk of result.toTextStream()) text += chunk;
      await result.completed;
    } finally {
      cap.stop();
    }
    assert.equal(text, 'Done: order 42.');
    const ev = cap.events;
    const triage = startOf(ev, 'triage');
    const billing = startOf(ev, 'billing');
    assert.equal(billing.parent_uuid, triage.uuid);
    assert.deepEqual(childrenOf(ev, billing.uuid), ['openai-agents.gpt-4o-mini(llm)', 'refund(tool)', 'openai-agents.gpt-4o-mini(llm)']);
    assert.deepEqual(startOf(ev, 'refund').category_profile, { tool_call_id: 'call_t1' });
    const llmEnds = ev.filter((e): e is ScopeEvent => e.kind === 'scope' && e.scope_category === 'end' && e.category === 'llm');
    assert.deepEqual(
      llmEnds.map((e) => (e.category_profile as { annotated_response?: { id?: string } }).annotated_response?.id),
      ['resp_1', 'resp_2', 'resp_3'],
    );
  });

  it('rejects what is not a model, provider or tool with a clear error', () => {
    assert.throws(() => wrapModel(null as never), /wrapModel: model must be an Agents SDK Model/);
    assert.throws(() => wrapModelProvider({} as never), /wrapModelProvider: provider must be an Agents SDK ModelProvider/);
    assert.throws(() => wrapTool(42 as never), /wrapTool: tool must be an Agents SDK tool/);
  });
});
