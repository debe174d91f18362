/**
 * What `@nemo-flow/google-genai` adds per SDK call: the instrumented `@google/genai` client against
 * the uninstrumented one (the baseline column), both calling the same loopback fake Gemini server.
 * The difference of the two is the added cost per call; the HTTP round trip is in both. Batches of
 * HTTP calls are noisy on a shared machine, so `report()` also times single calls interleaved
 * (uninstrumented, instrumented, uninstrumented, ...) and compares the medians and quartiles.
 */
import { GoogleGenAI } from '@google/genai';
import { instrumentGoogleGenAI } from '@nemo-flow/google-genai';
import type { Workload } from './run.js';
import { startFakeServer, type FakeServer } from '../test/support/fake-providers/server.js';
import { generateContentResponse, json, sse, streamChunks } from '../test/support/fake-providers/gemini.js';

const MODEL = 'gemini-2.5-flash';

export interface GeminiBench {
  workloads: Workload[];
  /** The interleaved single-call comparison, as a markdown table. */
  report(calls: number): Promise<string>;
  server: FakeServer;
}

export async function geminiWorkloads(ops: (n: number) => number): Promise<GeminiBench> {
  const server = await startFakeServer();
  const plainReply = json(generateContentResponse({ text: 'Sunny, 21 °C.', usage: { input: 40, output: 8 } }));
  const streamReply = sse(streamChunks({ text: Array.from({ length: 10 }, (_, i) => `piece ${i} `), usage: { input: 40, output: 20 } }));
  server.respond((req) => {
    server.requests.length = 0; // the bench makes thousands of calls: keep nothing
    return req.url.includes(':streamGenerateContent') ? streamReply : plainReply;
  });
  const make = (): GoogleGenAI => new GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: server.url } });
  const sdk = make();
  const ours = instrumentGoogleGenAI(make());
  const params = {
    model: MODEL,
    contents: [{ role: 'user', parts: [{ text: 'What is the weather in Paris? Answer in one sentence.' }] }],
    config: { systemInstruction: 'You answer weather questions.', temperature: 0.2, maxOutputTokens: 256 },
  };
  const plain = (ai: GoogleGenAI) => async (n: number) => {
    for (let i = 0; i < n; i++) await ai.models.generateContent(params);
  };
  const streamed = (ai: GoogleGenAI) => async (n: number) => {
    for (let i = 0; i < n; i++) for await (const _ of await ai.models.generateContentStream(params));
  };
  const workloads: Workload[] = [
    {
      name: 'gemini_sdk_call',
      what: 'instrumented @google/genai generateContent vs the uninstrumented SDK (baseline column), loopback server',
      ops: ops(1_500),
      samples: 11,
      ours: plain(ours),
      otel: plain(sdk),
    },
    {
      name: 'gemini_sdk_stream',
      what: 'instrumented generateContentStream, 10 SSE chunks, vs the uninstrumented SDK (baseline column), loopback server',
      ops: ops(1_000),
      samples: 11,
      ours: streamed(ours),
      otel: streamed(sdk),
    },
  ];
  const one = {
    plain: (ai: GoogleGenAI) => () => ai.models.generateContent(params),
    stream: (ai: GoogleGenAI) => async () => {
      for await (const _ of await ai.models.generateContentStream(params));
    },
  };
  async function report(calls: number): Promise<string> {
    const rows = [
      ['call', 'SDK p25 / median / p75', 'instrumented p25 / median / p75', 'added (median)', 'added (p25)'],
      ['---', '---', '---', '---', '---'],
    ];
    for (const kind of ['plain', 'stream'] as const) {
      const a = one[kind](sdk);
      const b = one[kind](ours);
      for (let i = 0; i < Math.min(200, calls); i++) await (a(), b());
      const ta: number[] = [];
      const tb: number[] = [];
      for (let i = 0; i < calls; i++) {
        let t0 = process.hrtime.bigint();
        await a();
        ta.push(Number(process.hrtime.bigint() - t0) / 1000);
        t0 = process.hrtime.bigint();
        await b();
        tb.push(Number(process.hrtime.bigint() - t0) / 1000);
      }
      const q = (xs: number[], f: number): number => xs.sort((x, y) => x - y)[Math.floor(xs.length * f)]!;
      const us = (v: number): string => `${v.toFixed(0)} µs`;
      const qs = (xs: number[]): string => `${us(q(xs, 0.25))} / ${us(q(xs, 0.5))} / ${us(q(xs, 0.75))}`;
      rows.push([
        kind === 'plain' ? 'generateContent' : 'generateContentStream (10 chunks)',
        qs(ta),
        qs(tb),
        us(q(tb, 0.5) - q(ta, 0.5)),
        us(q(tb, 0.25) - q(ta, 0.25)),
      ]);
    }
    return rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
  }
  return { workloads, server, report };
}
