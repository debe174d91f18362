import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { llmCallExecute, popScope, pushScope } from '@nemo-flow/runtime';
import { Adaptive, adaptivePlugin, getAdaptive, InMemoryAdaptiveStore } from '@nemo-flow/adaptive';
import { clearPlugins, initializePlugins, listPluginKinds, registerPlugin, validateConfig } from '@nemo-flow/runtime/plugins';
import { RedisAdaptiveStore } from '@nemo-flow/adaptive/redis';
import { collectFailures } from './helpers.js';
import { ensureRedis, freePort, RedisServer } from '../../../test/support/redis-server.js';
import { AGENTS, workloadRun } from './fixtures/redis-runs.js';

const WRITERS = 8;
const RUNS = 500;
const BIG = { maxRunsPerAgent: 10_000 };

/** One writer process: records its runs into the shared store, flushes, exits. */
function writer(url: string, prefix: string, w: number): Promise<void> {
  const script = `
    import { RedisAdaptiveStore } from '@nemo-flow/adaptive/redis';
    import { workloadRun } from ${JSON.stringify(require.resolve('./fixtures/redis-runs.ts'))};
    const store = new RedisAdaptiveStore({ url: ${JSON.stringify(url)}, keyPrefix: ${JSON.stringify(prefix)}, maxRunsPerAgent: 10000, refreshMs: 0, flushMs: 5 });
    for (let i = 0; i < ${RUNS}; i++) store.addRun(workloadRun(${w}, i));
    while (store.pending > 0) await new Promise((r) => setTimeout(r, 10));
    await store.close();`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=nemo-flow-src', '--input-type=module', '-e', script], {
    cwd: process.cwd(),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return once(child, 'exit').then(([code]) => assert.equal(code, 0, `writer ${w} exited with ${String(code)}`));
}

function singleProcess(options = BIG): Adaptive {
  const a = new Adaptive({ store: new InMemoryAdaptiveStore(options) });
  for (let w = 0; w < WRITERS; w++) for (let i = 0; i < RUNS; i++) a.store.addRun(workloadRun(w, i));
  return a;
}

const learned = (a: Adaptive, id: string) => {
  const m = a.model(id);
  return {
    runs: m.runs,
    positions: m.positions,
    overall: m.overall,
    toolPairs: m.toolPairs,
    shapes: [...m.shapes.values()].map((s) => ({ ...s, support: [...s.support] })),
  };
};

describe('adaptive: Redis store (real redis-server)', function () {
  this.timeout(60_000);
  let server: RedisServer;
  let n = 0;
  const prefix = () => `t${++n}:`;
  before(async () => {
    ensureRedis();
    server = await new RedisServer(await freePort()).start();
  });
  after(() => server?.stop());

  it('8 processes × 500 runs: learned state equals the single-process result exactly', async () => {
    const p = prefix();
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(server.url, p, w)));
    const store = new RedisAdaptiveStore({ url: server.url, keyPrefix: p, ...BIG, refreshMs: 0 });
    try {
      await waitReady(store);
      await store.refresh();
      const shared = new Adaptive({ store });
      const single = singleProcess();
      for (const id of AGENTS) assert.deepEqual(learned(shared, id), learned(single, id), id);
      assert.equal(
        AGENTS.reduce((s, id) => s + shared.runs(id).length, 0),
        WRITERS * RUNS,
      );
    } finally {
      await store.close();
    }
  });

  it('keeps the in-memory bounds in Redis', async () => {
    const p = prefix();
    const a = new RedisAdaptiveStore({ url: server.url, keyPrefix: p, maxRunsPerAgent: 5, maxAgents: 2, refreshMs: 0, flushMs: 0 });
    await waitReady(a);
    for (let i = 0; i < 20; i++) a.addRun(workloadRun(0, i));
    await a.flush();
    const r = new Redis(server.url);
    try {
      const mem = new InMemoryAdaptiveStore({ maxRunsPerAgent: 5, maxAgents: 2 });
      for (let i = 0; i < 20; i++) mem.addRun(workloadRun(0, i));
      // Same bounds as in memory: an evicted agent starts over when it comes back.
      const agents = await r.zrange(`${p}v1:agents`, 0, -1);
      assert.deepEqual(agents.sort(), mem.agents().sort());
      for (const id of agents) assert.equal(await r.hlen(`${p}v1:a:${id}:runs`), mem.runs(id).length);
      const big = new RedisAdaptiveStore({ url: server.url, keyPrefix: `${p}big:`, maxRunsPerAgent: 5, refreshMs: 0, flushMs: 0 });
      await waitReady(big);
      for (let i = 0; i < 60; i++) big.addRun(workloadRun(0, i));
      await big.flush();
      for (const id of AGENTS) assert.equal(await r.hlen(`${p}big:v1:a:${id}:runs`), 5);
      await big.close();
      const b = new RedisAdaptiveStore({ url: server.url, keyPrefix: p, maxRunsPerAgent: 5, maxAgents: 2, refreshMs: 0 });
      await waitReady(b);
      await b.refresh();
      assert.deepEqual(b.agents().sort(), mem.agents().sort());
      for (const id of mem.agents()) assert.deepEqual(b.runs(id), mem.runs(id));
      await b.close();
    } finally {
      r.disconnect();
      await a.close();
    }
  });

  it('ignores another format version and bad data, with a report', async () => {
    const p = prefix();
    const r = new Redis(server.url);
    const fc = collectFailures();
    try {
      await r.hset(`${p}v0:a:planner:runs`, 'old', JSON.stringify(workloadRun(0, 0)));
      await r.zadd(`${p}v1:agents`, 1, 'planner', 2, 'coder', 3, 'reviewer');
      await r.set(`${p}v1:a:planner:ver`, '1');
      await r.hset(`${p}v1:a:planner:runs`, 'x', 'not json', 'y', JSON.stringify({ runId: 'y' }), 'z', JSON.stringify(workloadRun(0, 0)));
      await r.set(`${p}v1:a:coder:ver`, '1');
      await r.set(`${p}v1:a:coder:runs`, 'a string, not a hash');
      const s = new RedisAdaptiveStore({ url: server.url, keyPrefix: p, refreshMs: 0 });
      await waitReady(s);
      await s.refresh();
      assert.deepEqual(
        s.runs('planner').map((x) => x.runId),
        ['w0-r0'],
      );
      assert.deepEqual(s.runs('coder'), []);
      assert.ok(fc.failures.some((f) => f.source === 'adaptive:redis:data'));
      // Adding a run whose keys hold the wrong type does not crash either.
      assert.equal(s.addRun(workloadRun(1, 0)), true); // agent coder
      await s.flush();
      assert.equal(s.pending, 0);
      await s.close();
    } finally {
      r.disconnect();
      fc.restore();
    }
  });

  it('is selected from the configuration (store.kind "redis") and closed with it', async () => {
    if (!listPluginKinds().includes('adaptive')) registerPlugin('adaptive', adaptivePlugin);
    const p = prefix();
    const doc = (store: unknown) => ({ version: 1, components: [{ kind: 'adaptive', config: { store } }] });
    const bad = await validateConfig(doc({ kind: 'redis', url: 'http://x', ttl_seconds: -1, keyPrefix: 'x' }), { checks: false });
    assert.deepEqual(bad.map((d) => d.field).sort(), ['config.store.keyPrefix', 'config.store.ttl_seconds', 'config.store.url']);
    assert.deepEqual(
      await validateConfig(doc({ kind: 'redis', url: server.url, key_prefix: p, ttl_seconds: 60, refresh_ms: 50, flush_ms: 5 }), { checks: false }),
      [],
    );
    await initializePlugins(doc({ kind: 'redis', url: server.url, key_prefix: p, ttl_seconds: 60, flush_ms: 5 }), { checks: false });
    const r = new Redis(server.url);
    try {
      const store = getAdaptive()!.store as RedisAdaptiveStore;
      await store.ready();
      store.addRun(workloadRun(0, 0));
      await store.flush();
      assert.equal(await r.hexists(`${p}v1:a:planner:runs`, 'w0-r0'), 1);
      const ttl = await r.ttl(`${p}v1:a:planner:runs`);
      assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
    } finally {
      await clearPlugins();
      r.disconnect();
    }
  });

  it('export/import seeds a Redis store', async () => {
    const p = prefix();
    const seed = new Adaptive();
    for (let i = 0; i < 30; i++) seed.store.addRun(workloadRun(0, i));
    const s = new RedisAdaptiveStore({ url: server.url, keyPrefix: p, refreshMs: 0 });
    await waitReady(s);
    const into = new Adaptive({ store: s });
    assert.equal(into.importState(JSON.parse(JSON.stringify(seed.exportState()))).imported, 30);
    await s.flush();
    const other = new RedisAdaptiveStore({ url: server.url, keyPrefix: p, refreshMs: 0 });
    await waitReady(other);
    await other.refresh();
    const reader = new Adaptive({ store: other });
    for (const id of AGENTS) assert.deepEqual(learned(reader, id), learned(seed, id));
    assert.deepEqual(reader.exportState().agents, seed.exportState().agents);
    await s.close();
    await other.close();
  });

  it('server killed mid-run and restarted: no crash, no stall, state converges', async () => {
    const port = await freePort();
    const srv = await new RedisServer(port).start();
    const fc = collectFailures();
    const p = prefix();
    const a = new RedisAdaptiveStore({ url: srv.url, keyPrefix: p, ...BIG, refreshMs: 20, flushMs: 5 });
    const b = new RedisAdaptiveStore({ url: srv.url, keyPrefix: p, ...BIG, refreshMs: 20, flushMs: 5 });
    try {
      await waitReady(a);
      await waitReady(b);
      const adaptive = new Adaptive({ store: a });
      let times: number[] = [];
      const step = (w: number, i: number, s: RedisAdaptiveStore) => {
        const t0 = performance.now();
        s.addRun(workloadRun(w, i));
        adaptive.predict(AGENTS[i % 3]!, 1); // the request path reads the local snapshot
        times.push(performance.now() - t0);
      };
      for (let i = 0; i < 100; i++) {
        step(0, i, a), step(1, i, b);
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 20));
      }
      const up = p99(times);
      times = [];
      await srv.stop();
      for (let i = 100; i < 300; i++) {
        step(0, i, a), step(1, i, b);
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 20)); // let the background loops fail
      }
      assert.ok(
        fc.failures.some((f) => f.source === 'adaptive:redis'),
        'the outage is reported',
      );
      assert.equal(fc.failures.filter((f) => f.source === 'adaptive:redis').length, 1, 'reported once');
      await srv.start(); // comes back empty (no persistence)
      await waitFor(
        () => a.runs(AGENTS[0]!).length + a.runs(AGENTS[1]!).length + a.runs(AGENTS[2]!).length === 600 && b.pending === 0 && a.pending === 0,
        15_000,
      );
      await a.refresh();
      await b.refresh();
      for (const id of AGENTS)
        assert.deepEqual(
          b.runs(id).map((r) => r.runId),
          a.runs(id).map((r) => r.runId),
        );
      const down = p99(times);
      const worst = Math.max(...times);
      console.log(
        `      request path p99: Redis up ${up.toFixed(3)} ms, down ${down.toFixed(3)} ms (added ${(down - up).toFixed(3)} ms); worst down ${worst.toFixed(2)} ms`,
      );
      assert.ok(worst < 250, `request path stalled ${worst} ms`);
    } finally {
      await a.close();
      await b.close();
      await srv.stop();
      fc.restore();
    }
  });

  it('no server at start: works on local state, reports once, pushes everything once the server is up', async () => {
    const port = await freePort(); // nothing listens here yet
    const fc = collectFailures();
    const p = prefix();
    const store = new RedisAdaptiveStore({ url: `redis://127.0.0.1:${port}`, keyPrefix: p, ...BIG, refreshMs: 20, flushMs: 5 });
    const srv = new RedisServer(port);
    try {
      await waitFor(() => fc.failures.some((f) => f.source === 'adaptive:redis'), 10_000);
      for (let i = 0; i < 30; i++) assert.equal(store.addRun(workloadRun(2, i)), true);
      assert.equal(store.runs(AGENTS[2]!).length + store.runs(AGENTS[0]!).length + store.runs(AGENTS[1]!).length, 30);
      await srv.start();
      await waitFor(() => store.pending === 0, 15_000);
      const r = new Redis(srv.url);
      try {
        let held = 0;
        for (const id of AGENTS) held += await r.hlen(`${p}v1:a:${id}:runs`);
        assert.equal(held, 30);
      } finally {
        r.disconnect();
      }
      assert.equal(fc.failures.filter((f) => f.source === 'adaptive:redis').length, 1, 'reported once');
    } finally {
      await store.close();
      await srv.stop();
      fc.restore();
    }
  });

  it('LLM calls through the runtime while the server is killed and restarted: no stall, runs merge', async () => {
    const srv = await new RedisServer(await freePort()).start();
    const fc = collectFailures();
    const p = prefix();
    const store = new RedisAdaptiveStore({ url: srv.url, keyPrefix: p, refreshMs: 20, flushMs: 5 });
    const adaptive = new Adaptive({ store }).install('redis-llm');
    const system = 'You are a careful support agent. '.repeat(200); // ≥ 1024 tokens: cacheable
    // Request path: from the call to the provider callback (intercepts, the governor's plan on the
    // local snapshot), and the run's end (the subscriber records the run into the store).
    const phase = () => ({ request: [] as number[], end: [] as number[], marked: 0, calls: 0 });
    const agentRun = async (k: number, m: ReturnType<typeof phase>) => {
      const h = pushScope('support', 'agent', { metadata: { agent_id: 'support' } });
      const messages: unknown[] = [{ role: 'user', content: `question ${k}` }];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await llmCallExecute(
          'claude',
          { headers: {}, content: { model: 'claude-sonnet-4-5-20250929', max_tokens: 256, system, messages: [...messages] } },
          (req) => {
            m.request.push(performance.now() - t0);
            m.calls++;
            if (JSON.stringify(req.content).includes('cache_control')) m.marked++;
            return {
              type: 'message',
              role: 'assistant',
              content: [{ type: 'text', text: 'ok' }],
              stop_reason: 'end_turn',
              usage: { input_tokens: 10, output_tokens: 5 },
            };
          },
          { parent: h },
        );
        messages.push({ role: 'assistant', content: `answer ${i}` }, { role: 'user', content: `follow-up ${i}` });
      }
      const t1 = performance.now();
      popScope(h);
      m.end.push(performance.now() - t1);
    };
    const other = new RedisAdaptiveStore({ url: srv.url, keyPrefix: p, refreshMs: 0 });
    try {
      await store.ready();
      const up = phase();
      for (let k = 0; k < 40; k++) await agentRun(k, up);
      await srv.stop();
      await waitFor(() => fc.failures.some((f) => f.source === 'adaptive:redis'), 10_000); // the client knows it is down
      const down = phase();
      for (let k = 40; k < 80; k++) await agentRun(k, down);
      assert.equal(store.runs('support').length, 80, 'learning continues on local state');
      assert.equal(up.calls + down.calls, 240);
      assert.equal(up.marked + down.marked, 240, 'the governor planned every request, up or down');
      await srv.start(); // comes back empty: the store pushes everything it holds
      await waitFor(() => store.pending === 0, 15_000);
      await other.ready();
      await other.refresh();
      assert.equal(other.runs('support').length, 80, 'state converges after the restart');
      assert.equal(fc.failures.filter((f) => f.source === 'adaptive:redis').length, 1, 'reported once');
      const worst = Math.max(...down.request, ...down.end);
      console.log(
        `      LLM call request path median/p99: Redis up ${median(up.request).toFixed(3)}/${p99(up.request).toFixed(3)} ms, ` +
          `down ${median(down.request).toFixed(3)}/${p99(down.request).toFixed(3)} ms; ` +
          `run end p99: up ${p99(up.end).toFixed(3)} ms, down ${p99(down.end).toFixed(3)} ms; worst while down ${worst.toFixed(2)} ms`,
      );
      assert.ok(worst < 250, `request path stalled ${worst} ms`);
    } finally {
      adaptive.uninstall();
      await store.close();
      await other.close();
      await srv.stop();
      fc.restore();
    }
  });
});

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}

function p99(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]!;
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for convergence');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function waitReady(s: RedisAdaptiveStore): Promise<void> {
  return s.ready();
}
