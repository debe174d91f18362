/**
 * The low-level `Server` (a hand-written tools/call handler, set before or after instrumenting),
 * through the real SDK over its in-memory transport pair.
 */
import { strict as assert } from 'node:assert';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { deregisterMiddleware, deregisterSubscriber, registerMiddleware, registerSubscriber, type LifecycleEvent, type ScopeEvent } from '@nemo-flow/runtime';
import { instrumentMcpClient, instrumentMcpServer } from '@nemo-flow/mcp';
import { collectFailures } from '../../../test/support/failures.js';

const serverEnds = (events: LifecycleEvent[], name: string): ScopeEvent[] =>
  events.filter(
    (e): e is ScopeEvent =>
      e.kind === 'scope' && e.scope_category === 'end' && e.name === name && (e.metadata as { mcp?: { side?: string } } | null)?.mcp?.side === 'server',
  );

async function pair(instrumentFirst: boolean, options?: Parameters<typeof instrumentMcpServer>[1]): Promise<{ client: Client; seen: unknown[] }> {
  const seen: unknown[] = [];
  const server = new Server({ name: 'low', version: '0.1.0' }, { capabilities: { tools: {} } });
  if (instrumentFirst) instrumentMcpServer(server, options);
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
  server.setRequestHandler(CallToolRequestSchema, (req) => {
    seen.push(req.params.arguments);
    if (req.params.name === 'boom') throw new Error('low-level boom');
    if (req.params.name === 'soft') return { content: [{ type: 'text', text: 'nope' }], isError: true };
    return { content: [{ type: 'text', text: `ran ${req.params.name}` }] };
  });
  if (!instrumentFirst) instrumentMcpServer(server, options);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(b);
  return { client, seen };
}

describe('@nemo-flow/mcp with a low-level Server', () => {
  const events: LifecycleEvent[] = [];
  beforeEach(() => {
    events.length = 0;
    registerSubscriber('low-level-test', (e) => void events.push(e));
  });
  afterEach(() => deregisterSubscriber('low-level-test'));

  for (const instrumentFirst of [true, false]) {
    it(`tools/call is a managed call (handler set ${instrumentFirst ? 'after' : 'before'} instrumenting)`, async () => {
      const { client, seen } = await pair(instrumentFirst);
      registerMiddleware('tool_request_intercept', 'add-flag', 1, (name, args) => (name === 'ok' ? { ...(args as object), flag: true } : undefined));
      try {
        const r = await client.callTool({ name: 'ok', arguments: { x: 1 } });
        assert.deepEqual(r.content, [{ type: 'text', text: 'ran ok' }]);
        assert.deepEqual(seen, [{ x: 1, flag: true }]);
        const [end] = serverEnds(events, 'ok');
        assert.ok(end, 'a server-side end event');
        assert.equal((end.metadata as { mcp: { client_name: string } }).mcp.client_name, 'c');
        assert.match((end.metadata as { mcp: { protocol_version: string } }).mcp.protocol_version, /^\d{4}-/);
      } finally {
        deregisterMiddleware('tool_request_intercept', 'add-flag');
        await client.close();
      }
    });
  }

  it('a thrown handler error is a JSON-RPC error and a failed call; isError results are failed calls', async () => {
    const { client } = await pair(true);
    try {
      await assert.rejects(client.callTool({ name: 'boom', arguments: {} }), /low-level boom/);
      assert.equal(serverEnds(events, 'boom')[0]!.error?.message, 'low-level boom');
      const soft = await client.callTool({ name: 'soft', arguments: {} });
      assert.deepEqual(soft, { content: [{ type: 'text', text: 'nope' }], isError: true });
      assert.equal(serverEnds(events, 'soft')[0]!.status, 'error');
    } finally {
      await client.close();
    }
  });

  it("a guardrail rejection answers an error result, or a JSON-RPC error with onGuardrailReject: 'throw'", async () => {
    registerMiddleware('tool_conditional_execution', 'deny', 1, (name) => (name === 'denied' ? 'not this one' : undefined));
    const soft = await pair(true);
    const hard = await pair(true, { onGuardrailReject: 'throw' });
    try {
      const r = await soft.client.callTool({ name: 'denied', arguments: {} });
      assert.equal(r.isError, true);
      assert.match(JSON.stringify(r.content), /not this one/);
      await assert.rejects(hard.client.callTool({ name: 'denied', arguments: {} }), /not this one/);
      assert.deepEqual(soft.seen, []);
      assert.deepEqual(hard.seen, []);
    } finally {
      deregisterMiddleware('tool_conditional_execution', 'deny');
      await soft.client.close();
      await hard.client.close();
    }
  });

  it('a throwing traceContext is reported; the request still goes out, without trace context', async () => {
    const inject = instrumentMcpClient(new Client({ name: 'c2', version: '1' }), {
      traceContext: () => {
        throw new Error('no tracer');
      },
    });
    const [a, b] = InMemoryTransport.createLinkedPair();
    const server = new Server({ name: 'low', version: '0.1.0' }, { capabilities: { tools: {} } });
    instrumentMcpServer(server);
    let meta: unknown = 'unset';
    server.setRequestHandler(CallToolRequestSchema, (req) => {
      meta = req.params._meta;
      return { content: [] };
    });
    await server.connect(a);
    await inject.connect(b);
    const f = collectFailures();
    try {
      await inject.callTool({ name: 'x', arguments: {} });
      await inject.callTool({ name: 'x', arguments: {} });
      assert.equal(meta, undefined);
      assert.deepEqual(new Set(f.failures.map((x) => x.source)), new Set(['mcp:trace-context']));
      assert.equal(f.failures.at(-1)!.count, 2);
      assert.match(String((f.failures[0]!.firstError as Error).message), /no tracer/);
    } finally {
      f.restore();
      await inject.close();
    }
  });

  it('rejects bad options, naming them', () => {
    const server = new Server({ name: 'x', version: '1' }, { capabilities: { tools: {} } });
    assert.throws(() => instrumentMcpServer(server, { onGuardrailReject: 'maybe' as never }), /options\.onGuardrailReject must be 'result' or 'throw'/);
  });
});
