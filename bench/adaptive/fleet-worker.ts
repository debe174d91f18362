/**
 * One process of the benchmark fleet (started by fleet.ts with an IPC channel). It replays its
 * share of the workload's runs with its own adaptive component, on either its own in-memory store
 * or the Redis store the fleet shares, and has each request billed by the parent, which holds the
 * one provider cache every process talks to. The parent drives every step, so the whole fleet
 * replays in one global time order.
 *
 * The Redis store's background loops are off here (`refreshMs`/`flushMs` 0): the parent runs them
 * on the virtual clock instead (a push after each step, a pull on each refresh tick).
 */
import { InMemoryAdaptiveStore } from '@nemo-flow/adaptive';
import { RedisAdaptiveStore } from '@nemo-flow/adaptive/redis';
import { loadWorkload } from './workload.js';
import { prepareReplay, type Replay } from './replay-ours.js';

export interface FleetInit {
  type: 'init';
  workload: string;
  worker: number;
  workers: number;
  /** The shared store's URL and key prefix; absent: an isolated in-memory store. */
  redis?: { url: string; keyPrefix: string };
}

/** Parent → worker. */
export type ToWorker = FleetInit | { type: 'step'; i: number } | { type: 'refresh' } | { type: 'billed'; usage: Record<string, number> } | { type: 'finish' };

/** Worker → parent. */
export type FromWorker =
  | { type: 'steps'; steps: Array<{ t: number; order: number; runEnd: boolean }> }
  | { type: 'bill'; content: Record<string, unknown>; at: number; run: number; call: number }
  | { type: 'done' }
  | { type: 'finished'; runs: Record<string, number> }
  | { type: 'error'; message: string };

const send = (m: FromWorker): void => void process.send!(m);

let replay: Replay | undefined;
let redis: RedisAdaptiveStore | undefined;
let billed: ((usage: Record<string, number>) => void) | undefined;

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      const w = loadWorkload(m.workload);
      const runIndex = new Map(w.runs.map((r, i) => [r, i]));
      if (m.redis) {
        redis = new RedisAdaptiveStore({ url: m.redis.url, keyPrefix: m.redis.keyPrefix, refreshMs: 0, flushMs: 0 });
        await redis.ready();
      }
      replay = prepareReplay(
        w,
        (content, at, run, call) =>
          new Promise((ok) => {
            billed = ok;
            send({ type: 'bill', content, at, run: runIndex.get(run)!, call });
          }),
        { store: redis ?? new InMemoryAdaptiveStore() },
        (i) => i % m.workers === m.worker,
      );
      send({ type: 'steps', steps: replay.steps.map((s) => ({ t: s.t, order: s.order, runEnd: s.runEnd })) });
      return;
    }
    case 'step':
      await replay!.step(replay!.steps[m.i]!);
      // A finished run is pushed at once (the store's flush loop runs every 100 ms of real time).
      if (redis && redis.pending > 0) await redis.flush();
      if (redis && redis.pending > 0) throw new Error('the Redis store did not take the run');
      return send({ type: 'done' });
    case 'refresh':
      await redis!.refresh();
      return send({ type: 'done' });
    case 'billed':
      billed!(m.usage);
      return;
    case 'finish': {
      replay!.adaptive.uninstall();
      if (redis) await redis.refresh();
      const store = replay!.adaptive.store;
      send({ type: 'finished', runs: Object.fromEntries(store.agents().map((a) => [a, store.runs(a).length])) });
      await redis?.close();
      process.disconnect();
      return;
    }
  }
}

process.on('message', (m: ToWorker) => {
  handle(m).catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
