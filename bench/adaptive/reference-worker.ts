/**
 * Drives the reference package's adaptive cache governor (`nemo-flow-node/adaptive`) over the
 * recorded workload, in its own process: its synchronous callbacks crash the process when they
 * throw, so the parent only reads this process's JSON output. For each agent it activates the
 * `adaptive` component (acg provider from argv, agent_id = the agent), replays that agent's runs
 * in order through `llmCallExecute` with the reference's own codecs, and bills the request that
 * reaches the provider callback with the cache simulator.
 *
 * Usage: node --import tsx bench/adaptive/reference-worker.ts <workload.json>
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AnthropicCacheSimulator, anthropicLayout } from '@nemo-flow/adaptive';
import { loadWorkload, requestOf, responseOf, sameContent, type RecordedRun } from './workload.js';

const require = createRequire(import.meta.url);

interface Out {
  ok: boolean;
  error?: string;
  version?: string;
  calls: Array<{
    run: string;
    index: number;
    usage: Record<string, number>;
    breakpoints: number;
    prompt_cache_key: string | null;
    cost: number;
    contentKept: boolean;
    total: number;
  }>;
  /** Requests whose messages the reference's own codec round trip would have lost. */
  lossyRoundTrips?: number;
  diagnostics?: unknown;
}

async function main(): Promise<Out> {
  const w = loadWorkload(process.argv[2]!);
  const nf = require('nemo-flow-node');
  const plugin = require('nemo-flow-node/plugin');
  const adaptive = require('nemo-flow-node/adaptive');
  const out: Out = { ok: true, version: JSON.parse(readFileSync(join(dirname(require.resolve('nemo-flow-node')), 'package.json'), 'utf8')).version, calls: [] };
  const codec = w.provider === 'anthropic' ? new nf.AnthropicMessagesCodec() : new nf.OpenAIChatCodec();
  // Codec callbacks run synchronously inside the native module: never let them throw.
  const safe = (fn: (x: unknown) => unknown) => (x: unknown) => {
    try {
      return fn(x);
    } catch {
      return null;
    }
  };
  const decode = safe((r) => codec.decode(r));
  // The reference's own encoder drops every message holding tool_use / tool_result blocks (its
  // decoder does not model them), so the provider would receive a different prompt. Its decoder
  // still feeds its learner; the encoder hands back the original request, so that whatever reaches
  // the provider is the recorded prompt plus the governor's annotations.
  const encode = safe((p) => {
    const q = p as { annotated?: unknown; original?: unknown };
    return q && typeof q === 'object' && 'original' in q ? q.original : p;
  });
  const lossy = safe((r) => {
    const d = codec.decode(r) as { messages?: unknown[] };
    const e = codec.encode(d, r) as { content?: { messages?: unknown[] } };
    return (e?.content?.messages?.length ?? 0) !== (r as { content: { messages: unknown[] } }).content.messages.length;
  });
  const decodeResponse = safe((r) => codec.decodeResponse(r));

  for (const agent of Object.keys(w.agents)) {
    const config = {
      version: 1,
      components: [
        adaptive.ComponentSpec({
          version: 1,
          agent_id: agent,
          state: { backend: adaptive.inMemoryBackend() },
          telemetry: adaptive.telemetryConfig({ learners: ['acg'] }),
          acg: adaptive.acgConfig({ provider: w.provider === 'anthropic' ? 'anthropic' : 'openai' }),
        }),
      ],
    };
    out.diagnostics = plugin.validate(config).diagnostics;
    await plugin.initialize(config);
    const sim = new AnthropicCacheSimulator();
    const runs = w.runs.filter((r: RecordedRun) => r.agent === agent).sort((a, b) => a.start_ms - b.start_ms);
    for (const run of runs) {
      const scope = nf.pushScope(agent, nf.ScopeType.Agent, null, null, null, { agent_id: agent }, null, null);
      for (let i = 0; i < run.calls.length; i++) {
        const call = run.calls[i]!;
        const content = requestOf(w, run, i);
        let record: Out['calls'][number] | undefined;
        const provider = (req: { content?: Record<string, unknown> } | null) => {
          try {
            const sent = (req?.content ?? content) as Record<string, unknown>;
            const text = JSON.stringify(sent);
            const breakpoints = text.split('"cache_control"').length - 1;
            const key = typeof sent.prompt_cache_key === 'string' ? sent.prompt_cache_key : null;
            let usage: Record<string, number>;
            let cost = 0;
            if (w.provider === 'anthropic') {
              const u = sim.process(sent, call.start_ms);
              cost = u.cost;
              usage = {
                input_tokens: u.input_tokens,
                cache_read_input_tokens: u.cache_read_input_tokens,
                cache_creation_input_tokens: u.cache_creation_input_tokens,
                output_tokens: call.output_tokens,
              };
            } else usage = { prompt_tokens: 0, completion_tokens: call.output_tokens };
            record = {
              run: run.id,
              index: i,
              usage,
              breakpoints,
              prompt_cache_key: key,
              cost,
              contentKept: sameContent(content, sent),
              total: w.provider === 'anthropic' ? anthropicLayout(content).totalTokens : 0,
            };
            return responseOf(w, run, i, usage);
          } catch (err) {
            record = { run: run.id, index: i, usage: {}, breakpoints: -1, prompt_cache_key: null, cost: Number.NaN, contentKept: false, total: 0 };
            out.error = `provider callback: ${(err as Error).message}`;
            return responseOf(w, run, i, {});
          }
        };
        if (lossy({ headers: {}, content })) out.lossyRoundTrips = (out.lossyRoundTrips ?? 0) + 1;
        await nf.llmCallExecute('llm', { headers: {}, content }, provider, scope, null, null, null, w.agents[agent]!.model, decode, encode, decodeResponse);
        out.calls.push(record!);
      }
      nf.popScope(scope, null, null);
    }
    plugin.clear();
  }
  return out;
}

main().then(
  (out) => {
    process.stdout.write(JSON.stringify(out));
    process.exit(0);
  },
  (err: unknown) => {
    process.stdout.write(JSON.stringify({ ok: false, error: String((err as Error)?.stack ?? err), calls: [] }));
    process.exit(0);
  },
);
