/**
 * @nemo-flow/mcp against the real @modelcontextprotocol/sdk: a real server in a child process,
 * over stdio and over Streamable HTTP on 127.0.0.1, and one trace across both decoded from OTLP.
 */
import { strict as assert } from 'node:assert';
import {
  GuardrailRejectedError,
  ScopeType,
  deregisterMiddleware,
  deregisterSubscriber,
  registerMiddleware,
  registerSubscriber,
  withScope,
  type LifecycleEvent,
  type ScopeEvent,
} from '@nemo-flow/runtime';
import { createOtlpExporter, type OtelExporter } from '@nemo-flow/exporter-otel';
import { startOtlpReceiver, spanNamed, renderTree, type OtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';
import { TOOL_CALL_ID_META, instrumentMcpClient, instrumentMcpServer } from '@nemo-flow/mcp';
import { connect, type Connection, type Mode } from './support.js';

type Meta = { mcp?: Record<string, unknown>; traceparent?: string };
const metaOf = (e: LifecycleEvent): Meta => (e.metadata ?? {}) as Meta;
const ends = (events: LifecycleEvent[], name: string): ScopeEvent[] =>
  events.filter((e): e is ScopeEvent => e.kind === 'scope' && e.scope_category === 'end' && e.name === name);

let receiver: OtlpReceiver;
let clientOtel: OtelExporter | undefined;
const events: LifecycleEvent[] = [];

before(async () => {
  receiver = await startOtlpReceiver();
});
after(async () => {
  await receiver.close();
});

/** The first received span matching `pred`, waiting for more spans until one does. */
async function spanArrived(pred: (s: ReceivedSpan) => boolean): Promise<ReceivedSpan> {
  for (;;) {
    const found = receiver.spans().find(pred);
    if (found) return found;
    await receiver.waitForSpans(receiver.spans().length + 1).catch((err: unknown) => {
      throw new Error(`the expected span never arrived; received:\n${renderTree(receiver.spans())}`, { cause: err });
    });
  }
}

for (const mode of ['stdio', 'http'] as Mode[]) {
  describe(`@nemo-flow/mcp over ${mode}`, () => {
    let conn: Connection;

    before(async () => {
      conn = await connect(mode, { NF_OTLP_ENDPOINT: receiver.url }, { traceContext: (call) => clientOtel?.traceparentFor(call) });
      registerSubscriber('mcp-test', (e) => void events.push(e));
    });
    after(async () => {
      deregisterSubscriber('mcp-test');
      await conn.close();
    });
    beforeEach(() => {
      events.length = 0;
    });

    it('callTool: a managed tool call with the server, structured content kept', async () => {
      const result = await conn.client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      assert.deepEqual(result, { content: [{ type: 'text', text: '5' }], structuredContent: { sum: 5 } });
      const [end] = ends(events, 'add');
      assert.ok(end, 'an end event for add');
      assert.equal(end.category, 'tool');
      assert.equal(end.status ?? 'ok', 'ok');
      assert.deepEqual(end.data, result);
      const mcp = metaOf(end).mcp!;
      assert.equal(mcp.method, 'tools/call');
      assert.equal(mcp.side, 'client');
      assert.equal(mcp.server_name, 'test-tools');
      assert.equal(mcp.server_version, '1.2.3');
      assert.equal(mcp.transport, mode === 'stdio' ? 'pipe' : 'tcp');
      assert.match(String(mcp.protocol_version), /^\d{4}-\d{2}-\d{2}$/);
      if (mode === 'http') assert.match(String(mcp.session_id), /^[0-9a-f-]{36}$/);
      const start = events.find((e) => e.kind === 'scope' && e.scope_category === 'start' && e.name === 'add')!;
      assert.deepEqual(start.data, { a: 2, b: 3 });
      // The server ran it as a managed call too, with its request id.
      const serverEnd = await conn.server.waitFor((e) => e.kind === 'scope' && e.scope_category === 'end' && e.name === 'add');
      assert.equal(metaOf(serverEnd).mcp!.side, 'server');
      assert.equal(metaOf(serverEnd).mcp!.client_name, 'test-client');
      assert.equal(typeof metaOf(serverEnd).mcp!.request_id, 'number');
    });

    it("a tool call id in _meta links the call to the model's turn and is not sent", async () => {
      const result = await conn.client.callTool({ name: 'show_meta', arguments: {}, _meta: { [TOOL_CALL_ID_META]: 'call_42', app: 'kept' } });
      assert.deepEqual(JSON.parse((result.content as { text: string }[])[0]!.text), { app: 'kept' });
      const start = events.find((e) => e.kind === 'scope' && e.scope_category === 'start' && e.name === 'show_meta') as ScopeEvent;
      assert.deepEqual(start.category_profile, { tool_call_id: 'call_42' });
    });

    it('an isError result is a failed call; the caller gets the SDK result unchanged', async () => {
      const result = await conn.client.callTool({ name: 'fail_soft', arguments: {} });
      assert.deepEqual(result, { content: [{ type: 'text', text: 'disk full' }], isError: true });
      const [end] = ends(events, 'fail_soft');
      assert.equal(end!.status, 'error');
      assert.equal(end!.error?.type, 'McpToolError');
      assert.match(end!.error!.message, /disk full/);
      const serverEnd = (await conn.server.waitFor((e) => e.kind === 'scope' && e.scope_category === 'end' && e.name === 'fail_soft')) as ScopeEvent;
      assert.equal(serverEnd.status, 'error');
    });

    it('a tool that throws on the server: an error result, a failed call on both sides', async () => {
      const result = await conn.client.callTool({ name: 'explode', arguments: {} });
      assert.equal(result.isError, true);
      assert.deepEqual(result.content, [{ type: 'text', text: 'kaboom' }]);
      assert.equal(ends(events, 'explode')[0]!.status, 'error');
      const serverEnd = (await conn.server.waitFor((e) => e.kind === 'scope' && e.scope_category === 'end' && e.name === 'explode')) as ScopeEvent;
      assert.equal(serverEnd.status, 'error');
      assert.match(serverEnd.error!.message, /kaboom/);
    });

    it('a client guardrail blocks the call before any request reaches the server', async () => {
      registerMiddleware('tool_conditional_execution', 'no-echo', 1, (name, args) =>
        name === 'echo' && (args as { text?: string }).text === 'forbidden' ? 'echo of forbidden text' : undefined,
      );
      try {
        await assert.rejects(conn.client.callTool({ name: 'echo', arguments: { text: 'forbidden' } }), GuardrailRejectedError);
        assert.equal(ends(events, 'echo')[0]!.error?.guardrail, 'no-echo');
        // Requests are answered in order: once a later one is through, the blocked one never went out.
        await conn.client.callTool({ name: 'echo', arguments: { text: 'allowed' } });
        await conn.server.waitFor((e) => e.name === 'echo' && JSON.stringify(e.data).includes('allowed'));
        assert.ok(!conn.server.events.some((e) => JSON.stringify(e.data ?? null).includes('forbidden')));
      } finally {
        deregisterMiddleware('tool_conditional_execution', 'no-echo');
      }
    });

    it('a request intercept rewrites the arguments the server receives', async () => {
      registerMiddleware('tool_request_intercept', 'shout', 1, (name, args) =>
        name === 'echo' ? { ...(args as object), text: (args as { text: string }).text.toUpperCase() } : undefined,
      );
      try {
        const result = await conn.client.callTool({ name: 'echo', arguments: { text: 'quiet please' } });
        assert.deepEqual(result.content, [{ type: 'text', text: 'server got: QUIET PLEASE' }]);
        const serverStart = await conn.server.waitFor(
          (e) => e.kind === 'scope' && e.scope_category === 'start' && e.name === 'echo' && JSON.stringify(e.data).includes('QUIET'),
        );
        assert.deepEqual(serverStart.data, { text: 'QUIET PLEASE' });
      } finally {
        deregisterMiddleware('tool_request_intercept', 'shout');
      }
    });

    it('readResource and getPrompt are managed calls; listTools is a mark', async () => {
      const resource = await conn.client.readResource({ uri: 'config://app' });
      assert.deepEqual(resource.contents, [{ uri: 'config://app', text: 'mode=test' }]);
      const prompt = await conn.client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
      assert.deepEqual(prompt.messages, [{ role: 'user', content: { type: 'text', text: 'Say hello to Ada' } }]);
      const tools = await conn.client.listTools();
      assert.ok(tools.tools.some((t) => t.name === 'add'));

      const read = ends(events, 'resources/read')[0]!;
      assert.equal(read.category, 'tool');
      assert.equal(metaOf(read).mcp!.resource_uri, 'config://app');
      assert.deepEqual((read.data as { contents: unknown }).contents, resource.contents);
      const get = ends(events, 'prompts/get')[0]!;
      assert.equal(metaOf(get).mcp!.prompt_name, 'greet');
      const mark = events.find((e) => e.kind === 'mark' && e.name === 'tools/list')!;
      assert.ok((mark.data as { tools: string[] }).tools.includes('echo'));
      assert.equal(metaOf(mark).mcp!.server_name, 'test-tools');
    });

    it('a request intercept can rewrite the resource read; a guardrail can block it', async () => {
      registerMiddleware('tool_conditional_execution', 'no-secrets', 1, (name, args) =>
        name === 'resources/read' && String((args as { uri: string }).uri).startsWith('secret://') ? 'no secrets' : undefined,
      );
      registerMiddleware('tool_request_intercept', 'moved', 1, (name, args) =>
        name === 'resources/read' && (args as { uri: string }).uri === 'config://old' ? { uri: 'config://app' } : undefined,
      );
      try {
        await assert.rejects(conn.client.readResource({ uri: 'secret://keys' }), GuardrailRejectedError);
        const moved = await conn.client.readResource({ uri: 'config://old' });
        assert.deepEqual(moved.contents, [{ uri: 'config://app', text: 'mode=test' }]);
      } finally {
        deregisterMiddleware('tool_conditional_execution', 'no-secrets');
        deregisterMiddleware('tool_request_intercept', 'moved');
      }
    });

    it('server-side guardrail: the tool never runs, the client gets an error result', async () => {
      const result = await conn.client.callTool({ name: 'delete_everything', arguments: {} });
      assert.equal(result.isError, true);
      assert.match(JSON.stringify(result.content), /deleting everything is not allowed/);
      const serverEnd = (await conn.server.waitFor((e) => e.kind === 'scope' && e.scope_category === 'end' && e.name === 'delete_everything')) as ScopeEvent;
      assert.equal(serverEnd.error?.guardrail, 'no-deletes');
      assert.ok(!conn.server.lines.includes('DELETED'));
      assert.equal(ends(events, 'delete_everything')[0]!.status, 'error');
    });

    it('server-side redaction: subscribers see [email], the tool and the caller the real value', async () => {
      const result = await conn.client.callTool({ name: 'lookup_user', arguments: { email: 'ada@example.com' } });
      assert.deepEqual(result.content, [{ type: 'text', text: 'user ada@example.com is Ada' }]);
      const serverEnd = await conn.server.waitFor((e) => e.kind === 'scope' && e.scope_category === 'end' && e.name === 'lookup_user');
      const start = conn.server.events.find((e) => e.kind === 'scope' && e.scope_category === 'start' && e.name === 'lookup_user')!;
      assert.deepEqual(start.data, { email: '[email]' });
      assert.match(JSON.stringify(serverEnd.data), /user \[email\] is Ada/);
      assert.ok(!conn.server.events.some((e) => JSON.stringify(e).includes('ada@example.com')));
    });

    it('one trace across client and server, decoded from OTLP', async () => {
      receiver.reset();
      clientOtel = createOtlpExporter({ endpoint: receiver.url, serviceName: 'mcp-client', scheduledDelayMillis: 20, register: 'otel-mcp-test' });
      try {
        await withScope('agent', ScopeType.Agent, async () => {
          await conn.client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
          await conn.client.readResource({ uri: 'config://app' });
          await conn.client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
        });
        await clientOtel.forceFlush();
      } finally {
        await clientOtel.shutdown();
        clientOtel = undefined;
      }
      const client = await spanArrived((s) => s.name === 'tools/call add' && s.kind === 'CLIENT');
      // The server exports every tool call it runs: earlier tests' spans may still be arriving.
      const server = await spanArrived((s) => s.name === 'tools/call add' && s.kind === 'SERVER' && s.traceId === client.traceId);
      const spans = receiver.spans();
      const agent = spanNamed(spans, 'invoke_agent agent');
      assert.equal(client.parentSpanId, agent.spanId);
      assert.equal(server.traceId, agent.traceId);
      assert.equal(server.parentSpanId, client.spanId, renderTree(spans));
      assert.equal(client.resource['service.name'], 'mcp-client');
      assert.equal(server.resource['service.name'], 'mcp-server');
      for (const s of [client, server]) {
        assert.equal(s.attributes['mcp.method.name'], 'tools/call');
        assert.equal(s.attributes['gen_ai.tool.name'], 'add');
        assert.equal(s.attributes['gen_ai.operation.name'], 'execute_tool');
        assert.equal(s.attributes['network.transport'], mode === 'stdio' ? 'pipe' : 'tcp');
        if (mode === 'http') assert.equal(typeof s.attributes['mcp.session.id'], 'string');
        assert.match(String(s.attributes['mcp.protocol.version']), /^\d{4}-\d{2}-\d{2}$/);
      }
      assert.equal(typeof server.attributes['jsonrpc.request.id'], 'string');
      // Resources and prompts borrow the tool pipeline but are not tool executions.
      const read = spanNamed(spans, 'resources/read');
      assert.equal(read.kind, 'CLIENT');
      assert.equal(read.parentSpanId, agent.spanId);
      assert.equal(read.attributes['mcp.resource.uri'], 'config://app');
      assert.equal(read.attributes['gen_ai.operation.name'], undefined);
      assert.equal(read.attributes['gen_ai.tool.name'], undefined);
      const prompt = spanNamed(spans, 'prompts/get greet');
      assert.equal(prompt.attributes['gen_ai.prompt.name'], 'greet');
      assert.equal(prompt.attributes['mcp.method.name'], 'prompts/get');
    });
  });
}

describe('@nemo-flow/mcp arguments', () => {
  it('rejects what is not an MCP client or server, naming the argument', () => {
    assert.throws(() => instrumentMcpClient({} as never), /instrumentMcpClient: client must be an MCP Client/);
    assert.throws(() => instrumentMcpServer({} as never), /instrumentMcpServer: server must be an McpServer or Server/);
  });
});
