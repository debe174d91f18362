/**
 * The smoke suite every runtime runs (Node 20/22/24, Bun, Deno, Workers), through public APIs only.
 * `runSmoke()` sends spans to an OTLP/HTTP endpoint and returns what it saw; the caller prints it
 * as JSON and test/runtimes.test.ts checks it against what the receiver decoded.
 */
import {
  ConsoleExporter,
  GuardrailRejectedError,
  ScopeType,
  deregisterSubscriber,
  deregisterToolConditionalExecutionGuardrail,
  getHandle,
  llmStreamCallExecute,
  registerSubscriber,
  registerToolConditionalExecutionGuardrail,
  toolCallExecute,
  withScope,
} from '@nemo-flow/runtime';
import { AtofStreamExporter } from '@nemo-flow/runtime/exporter-kit';
import { AtifExporter } from '@nemo-flow/exporter-atif';
import { createOtlpExporter } from '@nemo-flow/exporter-otel';
import { flush } from '@nemo-flow/sdk';

export const RUNS = 50;

/** Lets other runs interleave: a macrotask on some iterations, a microtask on others. */
const yieldTurn = (i) => (i % 3 === 0 ? new Promise((r) => setTimeout(r, i % 7)) : Promise.resolve());

/** The innermost scope's name must be `want` (checked after every await). */
function expectScope(want, problems) {
  const got = getHandle().name;
  if (got !== want) problems.push(`expected scope ${want}, got ${got}`);
}

async function oneRun(i, problems) {
  const run = `run-${i}`;
  await withScope(run, ScopeType.Agent, async () => {
    await yieldTurn(i);
    expectScope(run, problems);
    const looked = await toolCallExecute(`lookup-${i}`, { i }, async (args) => {
      await yieldTurn(i + 1);
      expectScope(`lookup-${i}`, problems);
      return { i: args.i, ok: true };
    });
    if (looked.i !== i) problems.push(`${run}: tool returned ${JSON.stringify(looked)}`);
    expectScope(run, problems);
    const stream = await llmStreamCallExecute(`chat-${i}`, { headers: {}, content: { i } }, async function* () {
      for (let k = 0; k < 5; k++) {
        await yieldTurn(i + k);
        yield { i, k };
      }
    });
    let chunks = 0;
    for await (const chunk of stream) {
      if (chunk.i !== i) problems.push(`${run}: chunk of run ${chunk.i}`);
      chunks++;
      await yieldTurn(k2(i, chunks));
      expectScope(run, problems);
    }
    if (chunks !== 5) problems.push(`${run}: ${chunks} chunks`);
    await withScope(`step-${i}`, ScopeType.Function, async () => {
      await yieldTurn(i);
      expectScope(`step-${i}`, problems);
    });
    try {
      await toolCallExecute(`forbidden-${i}`, { i }, () => 'ran');
      problems.push(`${run}: the guardrail did not block`);
    } catch (err) {
      if (!(err instanceof GuardrailRejectedError)) problems.push(`${run}: guardrail threw ${String(err)}`);
    }
    expectScope(run, problems);
  });
}
const k2 = (i, n) => i + n;

/**
 * Runs RUNS concurrent agent runs and exports their spans to `endpoint`; resolves after flushing.
 * `exporterOptions` adds options (e.g. the transport a runtime needs).
 */
export async function runSmoke({ endpoint, serviceName, exporterOptions = {} }) {
  const problems = [];
  let report;
  const events = [];
  registerSubscriber('smoke-collect', (e) => {
    events.push(e);
  });
  // The console exporter writes its tree to any object with write(): here, lines kept for the result.
  const consoleText = [];
  registerSubscriber('smoke-console', new ConsoleExporter({ stream: { write: (chunk) => consoleText.push(String(chunk)) }, color: false }));
  // Outputs without a filesystem: ATIF trajectories as strings (stored after an await, as an upload
  // would be), ATOF lines into a WritableStream. flush() must wait for both.
  const trajectories = [];
  const atif = new AtifExporter({
    onTrajectory: async (json, t) => {
      await new Promise((r) => setTimeout(r, 1));
      trajectories.push({ json, valid: t.valid });
    },
  }).register('smoke-atif');
  const atofLines = [];
  registerSubscriber(
    'smoke-atof',
    new AtofStreamExporter({
      output: new WritableStream({
        write(chunk) {
          atofLines.push(...chunk.split('\n').filter(Boolean));
        },
      }),
    }),
  );
  registerToolConditionalExecutionGuardrail('smoke-block', 10, (name) => (name.startsWith('forbidden-') ? 'forbidden tool' : undefined));
  const otel = createOtlpExporter({ endpoint, serviceName, scheduledDelayMillis: 50, ...exporterOptions });
  try {
    await Promise.all(Array.from({ length: RUNS }, (_, i) => oneRun(i, problems)));
    // The serverless call: resolves once every exporter delivered or reported loss.
    report = await flush({ timeoutMs: 10_000 });
  } finally {
    deregisterToolConditionalExecutionGuardrail('smoke-block');
    deregisterSubscriber('smoke-collect');
    deregisterSubscriber('smoke-console');
    deregisterSubscriber('smoke-atof');
    atif.deregister();
  }
  await otel.shutdown();
  // Events not mixed: every scope event's chain of parents ends at the run its name belongs to.
  const byUuid = new Map();
  for (const e of events) if (e.kind === 'scope' && e.scope_category === 'start') byUuid.set(e.uuid, e);
  let mixed = 0;
  for (const e of events) {
    const n = /-(\d+)$/.exec(e.name)?.[1];
    if (n === undefined) continue;
    let root = e.scope_category === 'start' ? e : byUuid.get(e.uuid);
    while (root?.parent_uuid && byUuid.has(root.parent_uuid)) root = byUuid.get(root.parent_uuid);
    if (root?.name !== `run-${n}`) mixed++;
  }
  const blocked = events.filter((e) => e.kind === 'scope' && e.scope_category === 'end' && e.name.startsWith('forbidden-') && e.status === 'error').length;
  const stats = otel.stats();
  // A file sink where files do not persist (Workers) must fail at construction, naming the way out.
  let fileSinkError = null;
  if (globalThis.navigator?.userAgent === 'Cloudflare-Workers') {
    try {
      new AtifExporter({ dir: 'trajectories' });
      fileSinkError = 'constructed';
    } catch (err) {
      fileSinkError = String(err?.message ?? err);
    }
  }
  const printed = consoleText.join('');
  const consoleRuns = Array.from({ length: RUNS }, (_, i) => printed.includes(`run-${i}`)).filter(Boolean).length;
  return {
    problems,
    events: events.length,
    mixed,
    blocked,
    consoleRuns,
    trajectories: trajectories.length,
    validTrajectories: trajectories.filter((t) => t.valid && JSON.parse(t.json).steps?.length > 0).length,
    atofLines: atofLines.length,
    fileSinkError,
    flush: {
      settled: report?.settled,
      delivered: report?.delivered,
      lost: report?.lost,
      pending: report?.pending,
      // Per exporter, by subscriber name (createOtlpExporter registers as `otel`).
      spans: report?.exporters?.otel?.delivered,
      trajectories: report?.exporters?.['smoke-atif']?.delivered,
    },
    exported: stats.exported,
    dropped: stats.dropped,
  };
}
