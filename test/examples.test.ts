/** Runs every example the way a user would (`npx tsx examples/x.ts`, against the built packages). */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validateTrajectory } from '@nemo-flow/exporter-atif';
import { startFakeServer } from './support/fake-providers/server.js';
import { jsonReply, text, toolUse } from './support/fake-providers/anthropic.js';
import { chatCompletion, chatStream, json as openaiJson, responseObject } from './support/fake-providers/openai.js';
import { generateContentResponse, json, sse, streamChunks } from './support/fake-providers/gemini.js';

const run = promisify(execFile);
const root = process.cwd(); // mocha runs from the repository root

async function example(file: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  // No source condition here: the examples resolve the packages' built `dist`, as an installed app would.
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(root, 'examples', file), ...args], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', ...env },
  });
  return stdout;
}

describe('examples', () => {
  it('quickstart prints a tree and writes ATOF events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf-quick-'));
    const out = await example('quickstart.ts', [dir]);
    assert.match(out, /▶ agent quickstart-agent/);
    assert.match(out, /✔ tool web_search/);
    assert.match(out, /✔ llm openai\.chat .* tokens 12→6/);
    assert.match(out, /answer: Green tea has antioxidants\./);
    const lines = readFileSync(join(dir, 'quickstart-events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((e) => `${e.kind}:${e.scope_category ?? ''}:${e.name}`),
      [
        'scope:start:quickstart-agent',
        'mark::plan_ready',
        'scope:start:web_search',
        'scope:end:web_search',
        'scope:start:openai.chat',
        'scope:end:openai.chat',
        'scope:end:quickstart-agent',
      ],
    );
    assert.equal(lines[5].category_profile.annotated_response.usage.input_tokens, 12);
  });

  it('middleware: subscribers see redacted payloads, the tool the real ones; retries succeed', async () => {
    const out = await example('middleware.ts');
    assert.match(out, /start send_email \{"to":"\[email\]","body":"Your ticket is resolved\."\}/);
    assert.match(out, /end send_email \{"delivered":true,"to":"\[email\]"\} ok/);
    assert.equal((out.match(/retrying send_email after: SMTP 421 try again/g) ?? []).length, 2);
    assert.match(out, /tool saw: ada@example\.com, ada@example\.com, ada@example\.com/);
    assert.match(out, /caller got: \{"delivered":true,"to":"ada@example\.com"\}/);
    assert.ok(!/start send_email .*ada@example/.test(out));
  });

  it('openai-agent: the instrumented SDK against a fake OpenAI server (OPENAI_BASE_URL), two turns', async () => {
    const server = await startFakeServer();
    try {
      server.enqueue(
        {
          kind: 'sse',
          events: chatStream({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }], usage: { input: 40, output: 9 } }),
        },
        { kind: 'sse', events: chatStream({ text: ['Sunny ', 'and 21 °C in Paris.'], usage: { input: 70, output: 8 } }) },
      );
      const out = await example('openai-agent.ts', ["What's the weather in Paris?"], { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'sk-test' });
      assert.match(out, /answer: Sunny and 21 °C in Paris\./);
      assert.match(out, /▶ agent weather-agent/);
      assert.match(out, /✔ tool get_weather/);
      assert.equal((out.match(/✔ llm openai\.chat\.completions/g) ?? []).length, 2);
      assert.equal(server.requests.length, 2);
      const second = server.requests[1]!.body as { messages: Array<{ role: string }> };
      assert.deepEqual(
        second.messages.map((m) => m.role),
        ['user', 'assistant', 'tool'],
      );
      assert.equal(server.requests[0]!.headers.authorization, 'Bearer sk-test');
    } finally {
      await server.stop();
    }
  });

  it('langgraph-agent: a LangGraph ReAct agent with the handler and wrapped tools against a fake OpenAI server', async () => {
    const server = await startFakeServer();
    try {
      server.enqueue(
        {
          kind: 'sse',
          events: chatStream({
            id: 'chatcmpl-1',
            toolCalls: [
              { id: 'call_w', name: 'get_weather', arguments: { city: 'Paris' } },
              { id: 'call_b', name: 'book_table', arguments: { city: 'Paris' } },
            ],
            usage: { input: 60, output: 22 },
          }),
        },
        { kind: 'sse', events: chatStream({ id: 'chatcmpl-2', text: ['Sunny, 21 °C. ', 'I cannot book tables.'], usage: { input: 110, output: 10 } }) },
      );
      const out = await example('langgraph-agent.ts', [], { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'sk-test' });
      assert.match(out, /▶ agent weather-agent/);
      assert.match(out, /✔ tool get_weather/);
      assert.match(out, /✖ tool book_table .*this agent may not book anything/);
      assert.equal((out.match(/✔ llm ChatOpenAI/g) ?? []).length, 2);
      assert.match(out, /answer: Sunny, 21 °C\. I cannot book tables\./);
      const second = server.requests[1]!.body as { messages: Array<{ role: string; content: string }> };
      assert.deepEqual(
        second.messages.map((m) => m.role),
        ['user', 'assistant', 'tool', 'tool'],
      );
      assert.match(second.messages[3]!.content, /this agent may not book anything/);
    } finally {
      await server.stop();
    }
  });

  it('openai-agents: a real Agents SDK handoff run, traced into a tree and ATIF with a subagent', async () => {
    const server = await startFakeServer();
    const dir = mkdtempSync(join(tmpdir(), 'nf-agents-example-'));
    try {
      server.enqueue(
        openaiJson(responseObject({ functionCalls: [{ id: 'call_h', name: 'transfer_to_billing', arguments: {} }], usage: { input: 20, output: 4 } })),
        openaiJson(
          responseObject({ functionCalls: [{ id: 'call_r', name: 'refund', arguments: { order: 42, amount: 30 } }], usage: { input: 30, output: 6 } }),
        ),
        openaiJson(responseObject({ text: 'Refunded 30 on order 42.', usage: { input: 40, output: 7 } })),
      );
      const out = await example('openai-agents.ts', [dir], { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'sk-test' });
      assert.match(out, /answer: Refunded 30 on order 42\./);
      assert.match(out, /▶ agent triage/);
      assert.match(out, /▶ agent billing/);
      assert.match(out, /✔ tool refund/);
      assert.equal((out.match(/✔ llm openai-agents\.gpt-4o-mini/g) ?? []).length, 3);
      assert.equal(server.requests.length, 3, 'nothing but the three model calls (no trace export)');
      const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
      assert.equal(files.length, 2);
      const docs = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
      for (const d of docs) assert.deepEqual(validateTrajectory(d), []);
      const parent = docs.find((d) => d.agent.name === 'triage');
      assert.match(JSON.stringify(parent.steps), /subagent_trajectory_ref/);
    } finally {
      await server.stop();
    }
  });

  it('gemini-agent: the real Google Gen AI SDK against a fake Gemini server (GOOGLE_GEMINI_BASE_URL)', async () => {
    const server = await startFakeServer();
    try {
      server.enqueue(
        json(generateContentResponse({ functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }], usage: { input: 40, output: 5 } })),
        sse(streamChunks({ text: ['Sunny, ', '21 °C in Paris.'], usage: { input: 70, output: 9 } })),
      );
      const out = await example('gemini-agent.ts', [], { GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: 'test-key' });
      assert.match(out, /▶ agent gemini-weather-agent/);
      assert.match(out, /✔ llm gemini\.generateContent .* tokens 40→5/);
      assert.match(out, /✔ tool get_weather/);
      assert.match(out, /✔ llm gemini\.generateContentStream .* tokens 70→9/);
      assert.match(out, /answer: Sunny, 21 °C in Paris\./);
      assert.equal(server.requests.length, 2);
      assert.match(server.requests[0]!.url, /\/models\/gemini-2\.5-flash:generateContent$/);
      assert.match(server.requests[1]!.url, /\/models\/gemini-2\.5-flash:streamGenerateContent\?alt=sse$/);
      const second = server.requests[1]!.body as { contents: { parts: { functionResponse?: { name: string } }[] }[] };
      assert.equal(second.contents[2]!.parts[0]!.functionResponse?.name, 'get_weather');
    } finally {
      await server.stop();
    }
  });

  it('typed-tools: one zod schema describes, validates and types the tool', async () => {
    const out = await example('typed-tools.ts');
    assert.match(out, /tool definition: \{"name":"get_weather","parameters":\{"type":"object","properties":\{"city":\{"type":"string"\}/);
    assert.match(out, /result: Oslo: sunny for 2 day\(s\)/);
    assert.match(out, /✖ tool get_weather .*ValidationError/);
    assert.match(out, /rejected: city: Invalid input: expected string, received number/);
    assert.match(out, /result: reminder set for Thu, 24 Dec 2026 18:00:00 GMT/);
  });
  it('ai-sdk-agent: the real AI SDK with @ai-sdk/openai against a fake server (OPENAI_BASE_URL)', async () => {
    const server = await startFakeServer();
    try {
      server.enqueue(
        json(chatCompletion({ toolCalls: [{ id: 'call_paris', name: 'get_weather', arguments: { city: 'Paris' } }], usage: { input: 40, output: 5 } })),
        json(chatCompletion({ text: 'Sunny, 21 °C in Paris.', usage: { input: 70, output: 9 } })),
        sse(chatStream({ text: ['Light ', 'clothes.'], usage: { input: 90, output: 3 } })),
      );
      const out = await example('ai-sdk-agent.ts', [], { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test-key' });
      assert.match(out, /▶ agent ai-sdk-weather-agent/);
      assert.match(out, /✔ llm openai\.chat .* tokens 40→5/);
      assert.match(out, /✔ tool get_weather/);
      assert.match(out, /✔ llm openai\.chat .* tokens 90→3/);
      assert.match(out, /answer: Sunny, 21 °C in Paris\. Light clothes\./);
      assert.equal(server.requests.length, 3);
      const second = server.requests[1]!.body as { messages: { role: string; tool_call_id?: string }[] };
      assert.equal(second.messages.at(-1)!.tool_call_id, 'call_paris');
    } finally {
      await server.stop();
    }
  });

  it('anthropic-agent: the real SDK (ESM, class instrumented) against a fake server; console tree and a valid ATIF trajectory', async () => {
    const server = await startFakeServer();
    try {
      server.enqueue(
        jsonReply(toolUse([{ id: 'toolu_paris', name: 'get_weather', input: { city: 'Paris' } }], 'Let me look.', { input_tokens: 30, output_tokens: 12 })),
        jsonReply(text('It is 21 °C and sunny in Paris.', { input_tokens: 60, output_tokens: 10 })),
        jsonReply(text('No umbrella needed.', { input_tokens: 80, output_tokens: 5, cache_read_input_tokens: 40 })),
      );
      const dir = mkdtempSync(join(tmpdir(), 'nf-anthropic-'));
      const out = await example('anthropic-agent.ts', [dir], {
        ANTHROPIC_BASE_URL: server.url,
        ANTHROPIC_API_KEY: 'test-key',
        ANTHROPIC_MODEL: 'claude-fake-1',
      });
      assert.match(out, /Weather in Paris\? → It is 21 °C and sunny in Paris\./);
      assert.match(out, /Should I take an umbrella\? → No umbrella needed\./);
      assert.match(out, /✔ tool get_weather/);
      assert.equal((out.match(/✔ llm anthropic\.messages\.create/g) ?? []).length, 3);
      assert.equal(server.requests.length, 3);
      const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
      assert.equal(files.length, 1);
      const trajectory = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
      assert.deepEqual(validateTrajectory(trajectory), []);
      const calls = trajectory.steps.flatMap((s: { tool_calls?: Array<{ tool_call_id: string; function_name: string }> }) => s.tool_calls ?? []);
      assert.deepEqual(
        calls.map((c: { function_name: string }) => c.function_name),
        ['get_weather'],
      );
      assert.equal(trajectory.final_metrics.total_prompt_tokens, 210);
    } finally {
      await server.stop();
    }
  });

  it('mcp-agent: an AI SDK agent calls MCP tools; both sides traced, the guardrail holds', async () => {
    const server = await startFakeServer();
    try {
      server.enqueue(
        json(
          chatCompletion({
            toolCalls: [
              { id: 'call_weather', name: 'get_weather', arguments: { city: 'Oslo' } },
              { id: 'call_delete', name: 'delete_city', arguments: { city: 'Oslo' } },
            ],
            usage: { input: 50, output: 12 },
          }),
        ),
        json(chatCompletion({ text: 'Oslo: sunny, 21°C.', usage: { input: 90, output: 8 } })),
      );
      const out = await example('mcp-agent.ts', [], { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test-key' });
      assert.match(out, /• tools\/list \{"tools":\["get_weather","delete_city"\]\}/);
      assert.match(out, /✔ llm openai\.chat .* tokens 50→12/);
      assert.match(out, /✔ tool get_weather .*sunny/);
      assert.match(out, /^server │ ✔ tool get_weather .*sunny/m);
      assert.match(out, /✖ tool delete_city .*GuardrailRejectedError: .*this agent is read-only/);
      assert.ok(!/server │ .*delete_city/.test(out), 'the blocked call never reached the server');
      assert.match(out, /answer: Oslo: sunny, 21°C\./);
      // The model's second request carries both tool results, linked by the tool call ids.
      assert.equal(server.requests.length, 2);
      const second = server.requests[1]!.body as { messages: { role: string; tool_call_id?: string; content?: unknown }[] };
      const results = second.messages.filter((m) => m.role === 'tool');
      assert.deepEqual(
        results.map((m) => m.tool_call_id),
        ['call_weather', 'call_delete'],
      );
      assert.match(JSON.stringify(results[0]!.content), /sunny/);
      assert.match(JSON.stringify(results[1]!.content), /refused: .*this agent is read-only/);
    } finally {
      await server.stop();
    }
  });
});
