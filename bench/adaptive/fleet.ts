/**
 * The fleet lines of the adaptive benchmark: the workload's runs dealt round-robin to N worker
 * processes (fleet-worker.ts), as a load balancer would, each with its own adaptive component.
 * Either every process has its own in-memory store, or they all share one Redis store. Every
 * request is billed here, by the caller's one simulator: the provider's prompt cache is one cache
 * for all its clients, so a prefix one process wrote is a read for the next.
 *
 * This process drives every step of every worker in the single-process replay's global order on
 * the virtual clock, and runs the shared store's background loops on that clock too: a finished
 * run is pushed at once, and another process sees it at its next refresh tick (every `refreshMs`,
 * the store's default 1 s, phase-shifted per process) at least `flushMs` (the default 100 ms push
 * interval) after the run ended.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byTime } from './replay-ours.js';
import type { FleetInit, FromWorker, ToWorker } from './fleet-worker.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface FleetOptions {
  /** Path of the workload JSON. */
  workload: string;
  workers: number;
  /** Share one Redis store; absent: each process keeps its own in-memory store. */
  redis?: { url: string; keyPrefix: string };
  /** Bills one request at its time; called in global time order. */
  bill: (content: Record<string, unknown>, atMs: number) => Record<string, number>;
  refreshMs?: number;
  flushMs?: number;
}

export interface FleetCall {
  /** Index of the run in the workload, and of the call in the run. */
  run: number;
  call: number;
  worker: number;
  content: Record<string, unknown>;
  usage: Record<string, number>;
}

export interface FleetResult {
  calls: FleetCall[];
  /** Runs each process's store held per agent at the end (after a last refresh). */
  runs: Array<Record<string, number>>;
}

/** One worker process: requests answered in order; bills are answered as they come. */
class Worker {
  readonly #child: ChildProcess;
  readonly #waiting: Array<{ ok: (m: FromWorker) => void; fail: (e: Error) => void }> = [];
  #failed: Error | undefined;

  constructor(
    readonly index: number,
    onBill: (m: Extract<FromWorker, { type: 'bill' }>, w: Worker) => Record<string, number>,
  ) {
    this.#child = fork(join(here, 'fleet-worker.ts'), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (m: FromWorker) => {
      if (m.type === 'bill') return void this.#send({ type: 'billed', usage: onBill(m, this) });
      if (m.type === 'error') return this.#fail(new Error(`fleet worker ${index}: ${m.message}`));
      this.#waiting.shift()?.ok(m);
    });
    this.#child.on('exit', (code) => {
      if (this.#waiting.length > 0) this.#fail(new Error(`fleet worker ${index} exited (${String(code)})`));
    });
  }

  request<T extends FromWorker['type']>(m: ToWorker, expect: T): Promise<Extract<FromWorker, { type: T }>> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((ok, fail) => {
      this.#waiting.push({
        ok: (r) =>
          r.type === expect ? ok(r as Extract<FromWorker, { type: T }>) : fail(new Error(`fleet worker ${this.index}: expected ${expect}, got ${r.type}`)),
        fail,
      });
      this.#send(m);
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill();
    await exited;
  }

  #send(m: ToWorker): void {
    this.#child.send(m);
  }

  #fail(e: Error): void {
    this.#failed ??= e;
    for (const w of this.#waiting.splice(0)) w.fail(e);
  }
}

export async function replayFleet(o: FleetOptions): Promise<FleetResult> {
  const refreshMs = o.refreshMs ?? 1000;
  const flushMs = o.flushMs ?? 100;
  const calls: FleetCall[] = [];
  const workers = Array.from(
    { length: o.workers },
    (_, i) =>
      new Worker(i, (m, w) => {
        const usage = o.bill(m.content, m.at);
        calls.push({ run: m.run, call: m.call, worker: w.index, content: m.content, usage });
        return usage;
      }),
  );
  try {
    const plans = await Promise.all(
      workers.map((w) => w.request({ type: 'init', workload: o.workload, worker: w.index, workers: o.workers, redis: o.redis } satisfies FleetInit, 'steps')),
    );
    const steps = plans.flatMap((p, w) => p.steps.map((s, i) => ({ ...s, w, i }))).sort(byTime);
    // Refresh ticks still to run, per worker (only ticks that have something new to pull matter).
    const due = workers.map(() => new Set<number>());
    const nextTick = (w: number, after: number) => {
      const phase = (w * refreshMs) / o.workers;
      return phase + Math.ceil((after - phase) / refreshMs) * refreshMs;
    };
    const refreshUpTo = async (t: number) => {
      const ready = due.flatMap((ticks, w) => [...ticks].filter((x) => x <= t).map((x) => ({ w, x }))).sort((a, b) => a.x - b.x || a.w - b.w);
      for (const { w, x } of ready) {
        due[w]!.delete(x);
        await workers[w]!.request({ type: 'refresh' }, 'done');
      }
    };
    for (const s of steps) {
      if (o.redis) await refreshUpTo(s.t);
      await workers[s.w]!.request({ type: 'step', i: s.i }, 'done');
      if (o.redis && s.runEnd) for (let w = 0; w < o.workers; w++) if (w !== s.w) due[w]!.add(nextTick(w, s.t + flushMs));
    }
    const runs = await Promise.all(workers.map((w) => w.request({ type: 'finish' }, 'finished').then((r) => r.runs)));
    return { calls, runs };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}
