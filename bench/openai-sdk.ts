/**
 * The added cost per instrumented OpenAI SDK call against a loopback server: the uninstrumented SDK,
 * our `instrumentOpenAI` with the OpenInference exporter, and
 * `@arizeai/openinference-instrumentation-openai`, each with the same span pipeline (batch
 * processor, spans dropped instead of sent). Each variant runs in a process of its own
 * (`openai-sdk-worker.ts`), warmed up, the processes taking turns (plain, ours, OpenInference, then
 * rotated) so that all three see the same machine state. Why not one process: three clients in
 * one heap measured each other's garbage (a variant's CPU time paid for collections of what
 * another allocated) and shared JIT feedback, and the ranking flipped between runs. Measured as
 * CPU time per call in the client process; the server runs in a process of its own, so its work
 * (the same for every variant) adds no noise. "Added" is the median over rounds of the variant
 * minus the uninstrumented SDK in the same round.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SDK_WARMUP_CALLS } from './measure.js';
import type { SdkVariant } from './openai-sdk-worker.js';

const here = dirname(fileURLToPath(import.meta.url));
const VARIANTS: readonly SdkVariant[] = ['plain', 'ours', 'openinference'];

export interface SdkResult {
  /** Median CPU ns per call of each variant. */
  plainNs: number;
  oursNs: number;
  openinferenceNs: number;
  /** Median over rounds of the variant's per-call CPU ns minus the baseline's in the same round. */
  oursAddedNs: number;
  openinferenceAddedNs: number;
  /** Measured calls per variant (warm-up calls not counted). */
  calls: number;
}

/** Runs `node --import tsx script args…` and resolves to what it printed (rejects on a non-zero exit). */
function run(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} ${args[0]} exited with ${code}`))));
  });
}

/**
 * `rounds` rounds, each running every variant in a fresh process: `warmup` calls, then one
 * measured stretch of `calls` calls (the process reports its CPU time per call). `transport`: `loopback` (a
 * 127.0.0.1 server) or `in-process` (a canned fetch).
 */
export async function runOpenAiSdk(calls: number, rounds: number, transport: 'loopback' | 'in-process' = 'loopback'): Promise<SdkResult> {
  const server = spawn(process.execPath, ['--import', 'tsx', join(here, 'openai-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const baseURL = await new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    });
    const per: number[][] = [[], [], []];
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = (round + k) % VARIANTS.length;
        const out = await run('openai-sdk-worker.ts', [VARIANTS[v]!, baseURL, transport, String(SDK_WARMUP_CALLS), String(calls)]);
        per[v]!.push((JSON.parse(out) as { nsPerCall: number }).nsPerCall);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const added = (v: number): number => median(per[v]!.map((x, i) => x - per[0]![i]!));
    return {
      plainNs: median(per[0]!),
      oursNs: median(per[1]!),
      openinferenceNs: median(per[2]!),
      oursAddedNs: added(1),
      openinferenceAddedNs: added(2),
      calls: rounds * calls,
    };
  } finally {
    server.kill();
  }
}

/** The printed table (markdown, one column pair per transport) and whether the loopback target (we add less than OpenInference) is met. */
export function sdkTable(loopback: SdkResult, inProcess?: SdkResult): { table: string; met: boolean } {
  const us = (ns: number): string => `${(ns / 1000).toFixed(1)} µs`;
  const verdict = (r: SdkResult): string => {
    if (r.oursAddedNs >= r.openinferenceAddedNs)
      return r.openinferenceAddedNs > 0 ? `✖ adds ${(r.oursAddedNs / r.openinferenceAddedNs).toFixed(2)}× more` : '✖ adds more';
    return r.oursAddedNs > 0 ? `✔ adds ${(r.openinferenceAddedNs / r.oursAddedNs).toFixed(2)}× less` : '✔ adds less (within noise of the baseline)';
  };
  const cols = (r: SdkResult | undefined, pick: (r: SdkResult) => string): string[] => (r ? [pick(r)] : []);
  const header = ['', 'loopback HTTP: CPU per call', 'added', ...(inProcess ? ['in-process fetch: CPU per call', 'added'] : [])];
  const row = (label: string, total: (r: SdkResult) => number, added?: (r: SdkResult) => number): string[] => [
    label,
    us(total(loopback)),
    added ? us(added(loopback)) : '—',
    ...cols(inProcess, (r) => us(total(r))),
    ...cols(inProcess, (r) => (added ? us(added(r)) : '—')),
  ];
  const rows = [
    header,
    header.map(() => '---'),
    row('uninstrumented openai SDK', (r) => r.plainNs),
    row(
      'ours: instrumentOpenAI + OpenInference exporter',
      (r) => r.oursNs,
      (r) => r.oursAddedNs,
    ),
    row(
      '@arizeai/openinference-instrumentation-openai',
      (r) => r.openinferenceNs,
      (r) => r.openinferenceAddedNs,
    ),
    ['target: ours adds less', '', verdict(loopback), ...(inProcess ? ['', verdict(inProcess)] : [])],
  ];
  return { table: rows.map((x) => `| ${x.join(' | ')} |`).join('\n'), met: loopback.oursAddedNs < loopback.openinferenceAddedNs };
}
