// Runs the workloads against the reference package `nemo-flow-node` in its own process (its
// flush/shutdown block the JS thread, and its subscribers keep the loop alive), printing JSON.
const nf = require('nemo-flow-node');
const { performance } = require('node:perf_hooks');

async function measure(batch, ops, samples = 7) {
  await batch(Math.max(1, Math.floor(ops / 2)));
  const per = [];
  for (let s = 0; s < samples; s++) {
    // CPU time of the process (all threads), as for our side (see measure.ts).
    const c0 = process.cpuUsage();
    await batch(ops);
    const c = process.cpuUsage(c0);
    per.push(((c.user + c.system) * 1000) / ops);
  }
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)];
}

const spec = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const payloads = spec.payloads;

async function main() {
  let delivered = 0;
  nf.registerSubscriber('bench', () => { delivered++; });
  const out = {};
  const W = {
    empty_scope: (n) => { for (let i = 0; i < n; i++) nf.popScope(nf.pushScope('s', nf.ScopeType.Function, null, null, null, null, null), null); },
    mark: (n) => { for (let i = 0; i < n; i++) nf.event('m', null, { k: i }, null); },
    tool_sync: async (n) => { for (let i = 0; i < n; i++) await nf.toolCallExecute('t', { a: i }, (a) => a); },
    tool_async: async (n) => { for (let i = 0; i < n; i++) await nf.toolCallExecuteAsync('t', { a: i }, async (a) => a); },
    llm_2kb: async (n) => { for (let i = 0; i < n; i++) await nf.llmCallExecute('llm', spec.request, () => spec.response, null, null, null, null, 'gpt-4o'); },
    stream_100: async (n) => {
      for (let i = 0; i < n; i++) {
        const s = await nf.llmStreamCallExecute('s', spec.request, (w) => {
          for (let k = 0; k < 100; k++) nf.pushStreamChunk(w.__nemo_flow_stream_id, { k });
          nf.endStream(w.__nemo_flow_stream_id);
        }, null, null, null, null, null, null, 'gpt-4o');
        while ((await s.next()) !== null) {}
      }
    },
    concurrent_1000x10: async (n) => {
      for (let r = 0; r < n; r += 10000) {
        await Promise.all(Array.from({ length: 1000 }, () => nf.withScope('run', nf.ScopeType.Agent, async () => {
          for (let k = 0; k < 10; k++) await nf.toolCallExecuteAsync('t', { k }, async (a) => { await null; return a; });
        })));
      }
    },
  };
  for (const [size, p] of Object.entries(payloads)) {
    W[`tool_args_${size}`] = async (n) => { for (let i = 0; i < n; i++) await nf.toolCallExecute('t', p, () => 1); };
  }
  // Four middleware, registered only around their own workload.
  W.tool_4_middleware = async (n) => {
    nf.registerToolSanitizeRequestGuardrail('sanitize', 0, (_n, a) => a);
    nf.registerToolConditionalExecutionGuardrail('allow', 0, () => null);
    nf.registerToolRequestIntercept('req', 0, false, (_n, a) => a);
    nf.registerToolExecutionIntercept('exec', 0, async (args, next) => next(args));
    try {
      for (let i = 0; i < n; i++) await nf.toolCallExecuteAsync('t', { a: i }, async (a) => a);
    } finally {
      nf.deregisterToolSanitizeRequestGuardrail('sanitize');
      nf.deregisterToolConditionalExecutionGuardrail('allow');
      nf.deregisterToolRequestIntercept('req');
      nf.deregisterToolExecutionIntercept('exec');
    }
  };
  for (const w of spec.workloads) {
    const fn = W[w.name];
    if (!fn) continue;
    try {
      out[w.name] = await measure(fn, w.refOps ?? w.ops, w.samples ?? 5);
    } catch (err) {
      out[w.name] = { error: String(err && err.message || err) };
    }
  }
  nf.deregisterSubscriber('bench');
  process.stdout.write(JSON.stringify({ results: out, delivered }));
  process.exit(0);
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
