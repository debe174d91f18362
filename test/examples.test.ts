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
import { chatStream } from './support/fake-providers/openai.js';
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
});
