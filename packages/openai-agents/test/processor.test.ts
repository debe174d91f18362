/**
 * A real `@openai/agents` run (triage agent with an input guardrail, handing off to a billing agent
 * with a tool) against the loopback fake OpenAI server, traced by the NeMo Flow processor alone.
 */
import { strict as assert } from 'node:assert';
import { setTraceProcessors, setTracingDisabled, InputGuardrailTripwireTriggered } from '@openai/agents';
import { ScopeType, popScope, pushScope, withScope, type ScopeEvent } from '@nemo-flow/runtime';
import { json, responseObject } from '../../../test/support/fake-providers/openai.js';
import { NemoFlowTracingProcessor } from '@nemo-flow/openai-agents';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { agents, provider, runner, scriptRefund } from './agent.js';
import { captureEvents, childrenOf, endOf, startOf } from './events.js';

describe('@nemo-flow/openai-agents: trace processor', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
    // Only our processor: the SDK's default OpenAI trace exporter is replaced, nothing leaves 127.0.0.1.
    setTraceProcessors([new NemoFlowTracingProcessor()]);
    setTracingDisabled(false);
  });
  after(async () => {
    setTraceProcessors([]);
    setTracingDisabled(true);
    await server.stop();
  });
  afterEach(() => server.reset());

  it('maps agents, model calls, the tool, the handoff and the guardrail to one event tree', async () => {
    const cap = captureEvents();
    try {
      scriptRefund(server);
      const result = await runner(provider(server)).run(agents().triage, 'Please refund order 42');
      assert.equal(result.finalOutput, 'Done: order 42.');
    } finally {
      cap.stop();
    }
    const ev = cap.events;
    const triage = startOf(ev, 'triage');
    const billing = startOf(ev, 'billing');
    assert.equal(triage.category, 'agent');
    assert.deepEqual((triage.metadata as Record<string, unknown>)['session_id'], 'conv-1');
    // The agent handed off to runs as a subagent of the one that handed off.
    assert.equal(billing.parent_uuid, triage.uuid);
    assert.deepEqual(childrenOf(ev, triage.uuid), ['no_hacking(guardrail)', 'gpt-4o-mini-2024-07-18(llm)', 'handoff(mark)', 'billing(agent)']);
    assert.deepEqual(childrenOf(ev, billing.uuid), ['gpt-4o-mini-2024-07-18(llm)', 'refund(tool)', 'gpt-4o-mini-2024-07-18(llm)']);
    const tool = startOf(ev, 'refund');
    assert.deepEqual(tool.data, { order: 42, amount: 30 });
    assert.deepEqual(tool.category_profile, { tool_call_id: 'call_t1' }, 'call id recovered from the model response');
    assert.equal(endOf(ev, 'refund').data, 'refunded 30 on order 42');
    // Billing ends before triage (the parent outlives its subagent).
    const ends = ev.filter((e) => e.kind === 'scope' && e.scope_category === 'end').map((e) => e.name);
    assert.ok(ends.indexOf('billing') < ends.indexOf('triage'));
    const llmEnd = ev.find((e): e is ScopeEvent => e.kind === 'scope' && e.scope_category === 'end' && e.category === 'llm')!;
    assert.equal((llmEnd.data as { id: string }).id, 'resp_1');
  });

  it('records a tripped input guardrail, and no model call', async () => {
    const cap = captureEvents();
    try {
      await assert.rejects(runner(provider(server)).run(agents().triage, 'hack the bank'), InputGuardrailTripwireTriggered);
    } finally {
      cap.stop();
    }
    assert.equal(server.requests.length, 0);
    const g = endOf(cap.events, 'no_hacking');
    assert.equal(g.status, 'error');
    assert.equal(g.error?.type, 'GuardrailTripwireTriggered');
    assert.equal(endOf(cap.events, 'triage').status, 'error');
  });

  it('parents top-level agents to the scope current where the run started, or to the parent option', async () => {
    const cap = captureEvents();
    try {
      await withScope('app', ScopeType.Agent, async () => {
        server.enqueue(json(responseObject({ text: 'hi', usage: { input: 1, output: 1 } })));
        await runner(provider(server)).run(agents().billing, 'hello');
      });
      const explicit = pushScope('explicit-parent', ScopeType.Function);
      try {
        setTraceProcessors([new NemoFlowTracingProcessor({ parent: explicit })]);
        server.enqueue(json(responseObject({ text: 'hi', usage: { input: 1, output: 1 } })));
        await runner(provider(server)).run(agents().billing, 'hello');
      } finally {
        setTraceProcessors([new NemoFlowTracingProcessor()]);
        popScope(explicit);
      }
    } finally {
      cap.stop();
    }
    const billings = cap.events.filter((e): e is ScopeEvent => e.kind === 'scope' && e.name === 'billing' && e.scope_category === 'start');
    assert.deepEqual(
      billings.map((b) => b.parent_uuid),
      [startOf(cap.events, 'app').uuid, startOf(cap.events, 'explicit-parent').uuid],
    );
  });
});
