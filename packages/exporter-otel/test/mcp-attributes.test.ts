/** MCP calls (tool events with `metadata.mcp`, as @nemo-flow/mcp records them) → MCP semantic conventions. */
import { strict as assert } from 'node:assert';
import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_MCP_RESOURCE_URI,
  ATTR_MCP_SESSION_ID,
  ATTR_NETWORK_TRANSPORT,
  GenAiMapper,
} from '@nemo-flow/exporter-otel';
import { startEvent } from './helpers.js';

const mapper = new GenAiMapper();

describe('exporter-otel: MCP calls', () => {
  it('tools/call on the server: SERVER span `tools/call {tool}` with mcp.*, jsonrpc and the tool attributes', () => {
    const s = mapper.start(
      startEvent({
        name: 'get_weather',
        category: 'tool',
        metadata: { mcp: { method: 'tools/call', side: 'server', session_id: 'sess-1', protocol_version: '2025-11-25', transport: 'tcp', request_id: 7 } },
      }),
    );
    assert.equal(s.name, 'tools/call get_weather');
    assert.equal(s.kind, SpanKind.SERVER);
    assert.equal(s.attributes[ATTR_MCP_METHOD_NAME], 'tools/call');
    assert.equal(s.attributes[ATTR_MCP_SESSION_ID], 'sess-1');
    assert.equal(s.attributes[ATTR_MCP_PROTOCOL_VERSION], '2025-11-25');
    assert.equal(s.attributes[ATTR_NETWORK_TRANSPORT], 'tcp');
    assert.equal(s.attributes[ATTR_JSONRPC_REQUEST_ID], '7');
    assert.equal(s.attributes[ATTR_GEN_AI_TOOL_NAME], 'get_weather');
    assert.equal(s.attributes[ATTR_GEN_AI_OPERATION_NAME], 'execute_tool');
  });

  it('prompts/get and resources/read on the client: CLIENT spans without the tool-execution attributes', () => {
    const prompt = mapper.start(
      startEvent({ name: 'prompts/get', category: 'tool', metadata: { mcp: { method: 'prompts/get', side: 'client', prompt_name: 'greet' } } }),
    );
    assert.equal(prompt.name, 'prompts/get greet');
    assert.equal(prompt.kind, SpanKind.CLIENT);
    assert.equal(prompt.attributes[ATTR_GEN_AI_PROMPT_NAME], 'greet');
    assert.equal(prompt.attributes[ATTR_GEN_AI_OPERATION_NAME], undefined);
    assert.equal(prompt.attributes[ATTR_GEN_AI_TOOL_NAME], undefined);
    const read = mapper.start(
      startEvent({ name: 'resources/read', category: 'tool', metadata: { mcp: { method: 'resources/read', side: 'client', resource_uri: 'file:///a' } } }),
    );
    assert.equal(read.name, 'resources/read');
    assert.equal(read.attributes[ATTR_MCP_RESOURCE_URI], 'file:///a');
  });

  it('a tool event without (or with malformed) metadata.mcp stays an execute_tool span', () => {
    for (const metadata of [null, { mcp: 'x' }, { mcp: { method: 3 } }]) {
      const s = mapper.start(startEvent({ name: 'search', category: 'tool', metadata }));
      assert.equal(s.name, 'execute_tool search');
      assert.equal(s.kind, SpanKind.INTERNAL);
      assert.equal(s.attributes[ATTR_MCP_METHOD_NAME], undefined);
    }
  });
});
