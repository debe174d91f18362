/**
 * A Vercel AI SDK agent using tools from an MCP server: the client lists the server's tools and
 * hands them to `generateText`, which calls the ones the model asks for. Both sides are instrumented
 * with @nemo-flow/mcp: the client's tool calls go through NeMo Flow middleware (here a guardrail),
 * the server runs each tool as a managed call too (its events are printed with a `server │` prefix).
 * The model calls run through `nemoFlowMiddleware` (@nemo-flow/ai-sdk).
 * Run: OPENAI_API_KEY=... npx tsx examples/mcp-agent.ts
 * (OPENAI_BASE_URL, which @ai-sdk/openai reads, points it at another endpoint, e.g. a local fake.)
 */
import { openai } from '@ai-sdk/openai';
import { dynamicTool, generateText, isStepCount, jsonSchema, wrapLanguageModel, type ToolSet } from 'ai';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { ConsoleExporter, GuardrailRejectedError, registerMiddleware, registerSubscriber } from '@nemo-flow/runtime';
import { nemoFlowMiddleware, withAgentRun } from '@nemo-flow/ai-sdk';
import { TOOL_CALL_ID_META, instrumentMcpClient, instrumentMcpServer } from '@nemo-flow/mcp';

if (process.argv[2] === 'serve') {
  // ── The MCP server (a child process speaking MCP over stdio; stdout is the protocol channel) ──
  registerSubscriber('console', new ConsoleExporter({ stream: process.stderr, color: false }));
  const server = instrumentMcpServer(new McpServer({ name: 'weather', version: '1.0.0' }));
  server.registerTool(
    'get_weather',
    { description: 'Current weather for a city', inputSchema: { city: z.string() }, outputSchema: { city: z.string(), sky: z.string(), celsius: z.number() } },
    ({ city }) => {
      const report = { city, sky: 'sunny', celsius: 21 };
      return { content: [{ type: 'text', text: JSON.stringify(report) }], structuredContent: report };
    },
  );
  server.registerTool('delete_city', { description: 'Removes a city', inputSchema: { city: z.string() } }, ({ city }) => ({
    content: [{ type: 'text', text: `${city} deleted` }],
  }));
  await server.connect(new StdioServerTransport());
} else {
  // ── The agent ──
  registerSubscriber('console', new ConsoleExporter({ color: false }));
  // Policy on the client: the model may look things up, never delete them.
  registerMiddleware('tool_conditional_execution', 'read-only', 10, (name) => (name.startsWith('delete_') ? 'this agent is read-only' : undefined));

  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...process.execArgv, fileURLToPath(import.meta.url), 'serve'],
    stderr: 'pipe',
  });
  createInterface({ input: transport.stderr as Readable }).on('line', (line) => console.log(`server │ ${line}`));
  const client = instrumentMcpClient(new Client({ name: 'mcp-agent', version: '1.0.0' }));
  await client.connect(transport);

  const model = wrapLanguageModel({ model: openai.chat('gpt-4o-mini'), middleware: nemoFlowMiddleware() });

  const answer = await withAgentRun('mcp-agent', async () => {
    // The server's tools as AI SDK tools; each execution is an instrumented MCP callTool.
    const { tools: listed } = await client.listTools();
    const tools: ToolSet = {};
    for (const t of listed) {
      tools[t.name] = dynamicTool({
        description: t.description,
        inputSchema: jsonSchema(t.inputSchema as Parameters<typeof jsonSchema>[0]),
        execute: async (input, { toolCallId }) => {
          try {
            const result = await client.callTool({
              name: t.name,
              arguments: input as Record<string, unknown>,
              _meta: { [TOOL_CALL_ID_META]: toolCallId }, // links the call to the model's turn; not sent
            });
            return result.structuredContent ?? result.content;
          } catch (err) {
            if (err instanceof GuardrailRejectedError) return `refused: ${err.message}`; // the model hears why
            throw err;
          }
        },
      });
    }
    const result = await generateText({ model, prompt: 'What is the weather in Oslo?', tools, stopWhen: isStepCount(4) });
    return result.text;
  });

  await client.close();
  console.log(`answer: ${answer}`);
}
