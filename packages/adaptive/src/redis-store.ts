/**
 * An adaptive store shared by every process that points at the same Redis: a fleet learns once.
 *
 * The request path never waits on Redis. Reads come from a local in-memory store (same bounds);
 * runs added locally are queued and pushed in batches; a background loop pulls the runs other
 * processes added. Each push is one server-side Lua script (idempotent by run id, bounded like the
 * in-memory store), so concurrent writers lose nothing. Keys carry a format version
 * (`<prefix>v1:…`): data written by another format is never read.
 *
 * Redis down: the local store keeps working, the failure is reported once, the client reconnects,
 * and on reconnect every locally held run is pushed again (idempotent), so a server that came back
 * empty is refilled and the fleet converges. Bad data in Redis is skipped with a report.
 *
 * @module @nemo-flow/adaptive/redis
 */
import { Redis, type RedisOptions } from 'ioredis';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';
import { InMemoryAdaptiveStore, type AdaptiveStore } from './store.js';
import { isRunRecord, type RunRecord } from './records.js';

/** Format of the data in Redis; part of every key, so another format's keys are simply not seen. */
export const REDIS_STORE_FORMAT = 'v1';

export interface RedisStoreOptions {
  /** `redis://` URL (default `redis://127.0.0.1:6379`). Ignored when `client` is given. */
  url?: string;
  /** An ioredis client to use instead (the store does not close it). */
  client?: Redis;
  /** Prefix of every key (default `nemo-flow:adaptive:`). */
  keyPrefix?: string;
  /** Expire an agent's keys this long after its last update (default: never). */
  ttlSeconds?: number;
  /** Runs kept per agent (default 100), in Redis and locally. */
  maxRunsPerAgent?: number;
  /** Agents kept (default 1000), in Redis and locally. */
  maxAgents?: number;
  /** How often other processes' runs are pulled (ms, default 1000). */
  refreshMs?: number;
  /** How often queued runs are pushed (ms, default 100). */
  flushMs?: number;
  /** Runs queued while Redis is unreachable (default 10000; the oldest are dropped beyond it). */
  maxPending?: number;
}

// KEYS: agents zset, sequence, agent order zset, agent runs hash, agent version.
// ARGV: runId, startMs, json, maxRuns, maxAgents, ttlSeconds, agent key base (prefix), agentId.
const ADD_RUN = `
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[4], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[4])
if over > 0 then
  local old = redis.call('ZPOPMIN', KEYS[3], over)
  for i = 1, #old, 2 do redis.call('HDEL', KEYS[4], old[i]) end
end
redis.call('INCR', KEYS[5])
redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), ARGV[8])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
if extra > 0 then
  local gone = redis.call('ZPOPMIN', KEYS[1], extra)
  for i = 1, #gone, 2 do
    local base = ARGV[7] .. gone[i]
    redis.call('DEL', base .. ':order', base .. ':runs', base .. ':ver')
  end
end
local ttl = tonumber(ARGV[6])
if ttl > 0 then
  for i = 3, 5 do redis.call('EXPIRE', KEYS[i], ttl) end
end
return 1
`;

type AddRunCommand = (agents: string, seq: string, order: string, runs: string, ver: string, ...args: Array<string | number>) => Promise<number>;

export class RedisAdaptiveStore implements AdaptiveStore {
  readonly maxRunsPerAgent: number;
  readonly maxAgents: number;
  readonly keyPrefix: string;
  readonly #local: InMemoryAdaptiveStore;
  readonly #redis: Redis;
  readonly #ownsClient: boolean;
  readonly #ttl: number;
  readonly #maxPending: number;
  readonly #pending = new Map<string, RunRecord>();
  readonly #seen = new Map<string, string>(); // agentId → remote version last pulled
  readonly #timers: NodeJS.Timeout[] = [];
  #flushing: Promise<void> | undefined;
  #refreshing: Promise<void> | undefined;
  #wasDown = false;
  #closed = false;

  constructor(options: RedisStoreOptions = {}) {
    this.#local = new InMemoryAdaptiveStore({ maxRunsPerAgent: options.maxRunsPerAgent, maxAgents: options.maxAgents });
    this.maxRunsPerAgent = this.#local.maxRunsPerAgent;
    this.maxAgents = this.#local.maxAgents;
    if (options.keyPrefix !== undefined && typeof options.keyPrefix !== 'string') throw new TypeError('RedisAdaptiveStore: keyPrefix must be a string');
    this.keyPrefix = `${options.keyPrefix ?? 'nemo-flow:adaptive:'}${REDIS_STORE_FORMAT}:`;
    this.#ttl = nonNegInt(options.ttlSeconds, 0, 'ttlSeconds');
    this.#maxPending = nonNegInt(options.maxPending, 10_000, 'maxPending');
    const refreshMs = nonNegInt(options.refreshMs, 1000, 'refreshMs');
    const flushMs = nonNegInt(options.flushMs, 100, 'flushMs');
    this.#ownsClient = options.client === undefined;
    if (options.client) this.#redis = options.client;
    else {
      const url = options.url ?? 'redis://127.0.0.1:6379';
      if (typeof url !== 'string' || !/^rediss?:\/\//.test(url))
        throw new TypeError(`RedisAdaptiveStore: url must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
      const o: RedisOptions = {
        // Commands fail at once while disconnected instead of queueing: the local state carries on.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(50 * times, 1000),
        lazyConnect: false,
      };
      this.#redis = new Redis(url, o);
    }
    this.#redis.defineCommand('nemoFlowAddRun', { numberOfKeys: 5, lua: ADD_RUN });
    // ioredis emits 'error' for every failed connection attempt; unhandled it would crash the host.
    this.#redis.on('error', (err: unknown) => this.#down(err));
    this.#redis.on('ready', () => {
      if (!this.#wasDown) return;
      this.#wasDown = false;
      // The server may have come back empty: offer everything held locally (pushes are idempotent).
      for (const id of this.#local.agents()) for (const r of this.#local.runs(id)) this.#queue(r);
      void this.flush().then(() => this.refresh());
    });
    if (refreshMs > 0) this.#every(refreshMs, () => void this.refresh());
    if (flushMs > 0) this.#every(flushMs, () => void this.flush());
  }

  addRun(run: RunRecord): boolean {
    if (!this.#local.addRun(run)) return false;
    this.#queue(run);
    return true;
  }

  runs(agentId: string): readonly RunRecord[] {
    return this.#local.runs(agentId);
  }

  agents(): string[] {
    return this.#local.agents();
  }

  version(agentId: string): number {
    return this.#local.version(agentId);
  }

  /** Forgets the local state (Redis is shared with other processes and is left alone). */
  clear(): void {
    this.#local.clear();
    this.#pending.clear();
    this.#seen.clear();
  }

  /** Resolves once connected to Redis (nothing needs to wait for this; tests and scripts may). */
  async ready(): Promise<void> {
    if (this.#redis.status === 'ready') return;
    await new Promise<void>((ok) => this.#redis.once('ready', () => ok()));
  }

  /** Runs queued for Redis. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Pushes queued runs now; resolves when done (failures are reported, the runs stay queued). */
  flush(): Promise<void> {
    return (this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined)));
  }

  /** Pulls other processes' runs now; resolves when the local state holds them. */
  refresh(): Promise<void> {
    return (this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined)));
  }

  /** Stops the background loops, pushes what is queued (best effort) and closes the client it opened. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    await this.flush();
    if (this.#ownsClient) this.#redis.disconnect();
  }

  #every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref(); // the store never keeps the process alive
    this.#timers.push(t);
  }

  #queue(run: RunRecord): void {
    this.#pending.delete(run.runId);
    this.#pending.set(run.runId, run);
    while (this.#pending.size > this.#maxPending) {
      this.#pending.delete(this.#pending.keys().next().value!);
      reportFailure('adaptive:redis:pending', `more than ${this.#maxPending} runs queued for Redis; the oldest are kept only locally`, undefined);
    }
  }

  #down(err: unknown): void {
    this.#wasDown = true;
    reportFailure('adaptive:redis', 'the Redis adaptive store is unreachable; learning continues on local state and merges when it returns', err);
  }

  #agentBase(agentId: string): string {
    return `${this.keyPrefix}a:${agentId}`;
  }

  async #flush(): Promise<void> {
    if (this.#pending.size === 0 || this.#redis.status !== 'ready') return;
    const batch = [...this.#pending.values()].slice(0, 500);
    const p = this.#redis.pipeline();
    const add = (p as unknown as { nemoFlowAddRun: AddRunCommand }).nemoFlowAddRun.bind(p);
    for (const r of batch) {
      const b = this.#agentBase(r.agentId);
      void add(
        `${this.keyPrefix}agents`,
        `${this.keyPrefix}seq`,
        `${b}:order`,
        `${b}:runs`,
        `${b}:ver`,
        r.runId,
        r.startMs,
        JSON.stringify(r),
        this.maxRunsPerAgent,
        this.maxAgents,
        this.#ttl,
        `${this.keyPrefix}a:`,
        r.agentId,
      );
    }
    try {
      const results = (await p.exec()) ?? [];
      results.forEach(([err], i) => {
        const r = batch[i]!;
        if (!err) {
          if (this.#pending.get(r.runId) === r) this.#pending.delete(r.runId);
        } else if (/WRONGTYPE/.test(String(err))) {
          // Keys of another type under our prefix: nothing to merge into; keep the run locally only.
          this.#pending.delete(r.runId);
          reportFailure('adaptive:redis:data', 'the Redis adaptive store holds data it cannot read; it was ignored', err);
        } else this.#down(err);
      });
    } catch (err) {
      this.#down(err);
    }
    if (this.#pending.size > 0 && batch.length === 500 && this.#redis.status === 'ready') await this.#flush();
  }

  async #refresh(): Promise<void> {
    if (this.#redis.status !== 'ready') return;
    try {
      const ids = await this.#redis.zrange(`${this.keyPrefix}agents`, -this.maxAgents, -1);
      if (ids.length === 0) return;
      const vers = await this.#redis.mget(ids.map((id) => `${this.#agentBase(id)}:ver`));
      const changed = ids.filter((id, i) => vers[i] !== null && vers[i] !== this.#seen.get(id));
      if (changed.length === 0) return;
      const p = this.#redis.pipeline();
      for (const id of changed) p.hgetall(`${this.#agentBase(id)}:runs`);
      const results = (await p.exec()) ?? [];
      results.forEach(([err, value], i) => {
        const id = changed[i]!;
        if (err) return reportFailure('adaptive:redis:data', 'the Redis adaptive store holds data it cannot read; it was ignored', err);
        let bad = 0;
        for (const json of Object.values(value as Record<string, string>)) {
          const run = parseRun(json);
          if (run && run.agentId === id) this.#local.addRun(run);
          else bad++;
        }
        if (bad > 0)
          reportFailure(
            'adaptive:redis:data',
            `the Redis adaptive store holds runs it cannot read (agent ${JSON.stringify(id)}); they were ignored`,
            undefined,
          );
        this.#seen.set(id, vers[ids.indexOf(id)]!);
      });
    } catch (err) {
      if (/WRONGTYPE/.test(String(err))) reportFailure('adaptive:redis:data', 'the Redis adaptive store holds data it cannot read; it was ignored', err);
      else this.#down(err);
    }
  }
}

function parseRun(json: string): RunRecord | undefined {
  try {
    const v: unknown = JSON.parse(json);
    return isRunRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function nonNegInt(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`RedisAdaptiveStore: ${what} must be a non-negative integer, got ${String(v)}`);
  return v;
}
