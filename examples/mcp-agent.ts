/**
 * An agent using tools from an MCP server: the client lists the server's tools, hands them to the
 * model, and calls the ones the model asks for. Both sides are instrumented with @nemo-flow/mcp:
 * the client's tool calls go through NeMo Flow middleware (here a guardrail), the server runs each
 * tool as a managed call too (its events are printed with a `server │` prefix).
 * The model is a scripted stand-in for your LLM client (OpenAI chat shape).
 * Run: npx tsx examples/mcp-agent.ts
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { ConsoleExporter, ScopeType, llmCallExecute, registerMiddleware, registerSubscriber, withScope } from '@nemo-flow/runtime';
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

  type Message = { role: string; content: string | null; tool_calls?: ToolCall[]; tool_call_id?: string };
  type ToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } };

  // Scripted model: first asks for the tools it needs, then answers from their results.
  const model = async (content: { model: string; messages: Message[] }) => {
    const results = content.messages.filter((m) => m.role === 'tool');
    const message: Message =
      results.length === 0
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
              { id: 'call_2', type: 'function', function: { name: 'delete_city', arguments: '{"city":"Oslo"}' } },
            ],
          }
        : { role: 'assistant', content: `Oslo: ${JSON.parse(results[0]!.content!).sky}, ${JSON.parse(results[0]!.content!).celsius}°C.` };
    return {
      id: `chatcmpl-${content.messages.length}`,
      model: content.model,
      choices: [{ index: 0, message, finish_reason: message.tool_calls ? 'tool_calls' : 'stop' }],
      usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 },
    };
  };

  const answer = await withScope('mcp-agent', ScopeType.Agent, async () => {
    const { tools } = await client.listTools();
    const toolDefs = tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema } }));
    const messages: Message[] = [{ role: 'user', content: 'What is the weather in Oslo?' }];
    for (let step = 0; step < 4; step++) {
      const reply = await llmCallExecute(
        'model.chat',
        { headers: {}, content: { model: 'scripted-model', messages, tools: toolDefs } },
        (request) => model(request.content as { model: string; messages: Message[] }),
        { codec: 'auto' },
      );
      const message = reply.choices[0]!.message;
      messages.push(message);
      if (!message.tool_calls) return message.content;
      for (const call of message.tool_calls) {
        let text: string;
        try {
          const result = await client.callTool({
            name: call.function.name,
            arguments: JSON.parse(call.function.arguments),
            _meta: { [TOOL_CALL_ID_META]: call.id }, // links the call to the model's turn; not sent
          });
          text = (result.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('');
        } catch (err) {
          text = `refused: ${(err as Error).message}`; // a guardrail said no; the model hears why
        }
        messages.push({ role: 'tool', tool_call_id: call.id, content: text });
      }
    }
    return null;
  });

  await client.close();
  console.log(`answer: ${answer}`);
}
