/**
 * Timing helpers: median per-operation cost over repeated samples, after a warm-up. Costs are the
 * process's CPU time (user + system), not wall time: on a shared, loaded machine wall time counts
 * the time other processes held the core, CPU time only the work done here (timers and the batch
 * processor's exports included, since they run in this process).
 */

/** CPU time used by this process so far, in nanoseconds. */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/**
 * Calls each SDK workload makes per client before measuring. V8 compiles the hot paths (the SDK,
 * undici, the instrumentation) over the first thousands of calls, on background threads whose CPU
 * time counts here: with a few dozen warm-up calls the figures were mostly that one-time compile
 * work, not what a call costs a service that has been running for a while. `--quick` keeps a few.
 */
export const SDK_WARMUP_CALLS = process.argv.includes('--quick') ? 20 : 2000;

export interface Measurement {
  /** Median nanoseconds per operation. */
  nsPerOp: number;
  samples: number;
}

/**
 * Runs `batch(ops)` (which performs `ops` operations) `samples` times and returns the median
 * cost per operation. The first run is a warm-up and is discarded.
 */
export async function measure(batch: (ops: number) => unknown, ops: number, samples = 7): Promise<Measurement> {
  await batch(Math.max(1, Math.floor(ops / 2)));
  const per: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = cpuNow();
    await batch(ops);
    per.push((cpuNow() - t0) / ops);
  }
  per.sort((a, b) => a - b);
  return { nsPerOp: per[Math.floor(per.length / 2)]!, samples };
}

/** Setup and teardown around each sample of one side (e.g. registering an exporter). */
export interface Around {
  setup(): void;
  teardown(): Promise<void> | void;
}

/**
 * Measures `a` and `b` in alternating samples (a, b, a, b, ...), each after its own warm-up, so
 * both see the same machine and heap state: a ratio of two back-to-back runs drifts with whatever
 * else the machine did meanwhile. `aroundA` wraps every sample of `a`.
 */
export async function measurePair(
  a: (ops: number) => unknown,
  b: (ops: number) => unknown,
  ops: number,
  samples = 7,
  aroundA?: Around,
): Promise<{ a: Measurement; b: Measurement }> {
  const runA = async (n: number): Promise<number> => {
    aroundA?.setup();
    const t0 = cpuNow();
    await a(n);
    const ns = cpuNow() - t0;
    await aroundA?.teardown();
    return ns;
  };
  const runB = async (n: number): Promise<number> => {
    const t0 = cpuNow();
    await b(n);
    return cpuNow() - t0;
  };
  const warm = Math.max(1, Math.floor(ops / 2));
  await runA(warm);
  await runB(warm);
  const pa: number[] = [];
  const pb: number[] = [];
  for (let s = 0; s < samples; s++) {
    pa.push((await runA(ops)) / ops);
    pb.push((await runB(ops)) / ops);
  }
  const median = (xs: number[]): number => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return { a: { nsPerOp: median(pa), samples }, b: { nsPerOp: median(pb), samples } };
}

/**
 * `body`, then `flush`, both timed: a sample pays for encoding every span it made. Without it,
 * spans still queued when a sample ends are encoded during the next sample, the other side's.
 */
export function flushed(body: (n: number) => unknown, flush: () => Promise<unknown>): (n: number) => Promise<void> {
  return async (n) => {
    await body(n);
    await flush();
  };
}

/** A JSON payload of roughly `bytes` bytes. */
export function payload(bytes: number): { items: Array<{ id: number; text: string }> } {
  const items: Array<{ id: number; text: string }> = [];
  let size = 12;
  for (let id = 0; size < bytes; id++) {
    const text = 'lorem ipsum dolor sit amet '.repeat(3);
    items.push({ id, text });
    size += text.length + 20;
  }
  return { items };
}

/** A ~2 KB OpenAI chat request and its response. */
export function chatRequest(): { headers: Record<string, string>; content: Record<string, unknown> } {
  const messages = [{ role: 'system', content: 'You are a helpful assistant. '.repeat(10) }];
  for (let i = 0; i < 6; i++) {
    messages.push({ role: 'user', content: `Question ${i}: ${'what about this topic? '.repeat(4)}` });
    messages.push({ role: 'assistant', content: `Answer ${i}: ${'here is some detail. '.repeat(4)}` });
  }
  return { headers: { 'content-type': 'application/json' }, content: { model: 'gpt-4o', messages, temperature: 0.2, max_tokens: 512 } };
}

export function chatResponse(): Record<string, unknown> {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'gpt-4o',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Sure.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }],
        },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 500, completion_tokens: 20, total_tokens: 520 },
  };
}
