/**
 * `node --conditions=nemo-flow-src --import tsx packages/exporter-openinference/bench/mapping.ts [--quick]`
 *
 * Cost of `OpenInferenceExporter.onEvent` (start + end of one span) against creating the
 * equivalent OpenInference span directly with the OTel SDK: same provider (batch processor, an
 * exporter that drops everything), same attributes, the direct side serializing its payloads with
 * `JSON.stringify`. Events are real ones, captured from the runtime (read-only payload views
 * included), then replayed. Target: ours / direct ≤ 1.5.
 */
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import {
  ScopeType,
  deregisterSubscriber,
  llmCallExecute,
  registerSubscriber,
  toolCallExecute,
  withScope,
  type LifecycleEvent,
  type ScopeEvent,
} from '@nemo-flow/runtime';
import { type NormalizedRequest, type NormalizedResponse } from '@nemo-flow/runtime/codecs';
import { SemanticConventions as SC } from '@arizeai/openinference-semantic-conventions';
import { OpenInferenceExporter } from '@nemo-flow/exporter-openinference';
import { chatRequest, chatResponse as rootChatResponse } from '../../../bench/measure.js';

const quick = process.argv.includes('--quick');

class DropExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (r: { code: number }) => void): void {
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

const provider = new BasicTracerProvider({
  spanLimits: { attributeCountLimit: 8192 },
  spanProcessors: [new BatchSpanProcessor(new DropExporter(), { maxQueueSize: 1 << 16, maxExportBatchSize: 512, scheduledDelayMillis: 50 })],
});
const tracer = provider.getTracer('bench-direct');
const exporter = new OpenInferenceExporter({ tracerProvider: provider });

// ── Real events, captured once ─────────────────────────────────────────────────────────────────

// The same 2 KB OpenAI chat request and response as the root benchmark.
const chatResponse = rootChatResponse();

const captured: LifecycleEvent[] = [];
registerSubscriber('bench-capture', (e) => {
  captured.push(e);
});
await withScope(
  'agent',
  ScopeType.Agent,
  async () => {
    await llmCallExecute('openai', chatRequest(), async () => chatResponse, { codec: 'auto' });
    await toolCallExecute('search', { q: 'x', limit: 5 }, () => ({ hits: ['a', 'b', 'c'] }), { toolCallId: 'call_1' });
  },
  { metadata: { session_id: 'sess-1', user_id: 'u-1' } },
);
deregisterSubscriber('bench-capture');
const byName = (name: string, phase: 'start' | 'end'): ScopeEvent =>
  captured.find((e): e is ScopeEvent => e.kind === 'scope' && e.name === name && e.scope_category === phase)!;
const agentStart = byName('agent', 'start');
const llm = [byName('openai', 'start'), byName('openai', 'end')] as const;
const tool = [byName('search', 'start'), byName('search', 'end')] as const;
exporter.onEvent(agentStart); // the run stays open: spans below are its children, as in a real run

// ── The direct equivalents ──────────────────────────────────────────────────────────────────────

function directTool(): void {
  const args = { q: 'x', limit: 5 };
  const span = tracer.startSpan('search', {
    attributes: {
      [SC.OPENINFERENCE_SPAN_KIND]: 'TOOL',
      [SC.SESSION_ID]: 'sess-1',
      [SC.USER_ID]: 'u-1',
      [SC.METADATA]: JSON.stringify({ session_id: 'sess-1', user_id: 'u-1' }),
      [SC.TOOL_NAME]: 'search',
      [SC.TOOL_CALL_ID]: 'call_1',
      [SC.INPUT_VALUE]: JSON.stringify(args),
      [SC.INPUT_MIME_TYPE]: 'application/json',
    },
  });
  span.setAttributes({ [SC.OUTPUT_VALUE]: JSON.stringify({ hits: ['a', 'b', 'c'] }), [SC.OUTPUT_MIME_TYPE]: 'application/json' });
  span.end();
}

const req = (llm[0].category_profile as { annotated_request: NormalizedRequest }).annotated_request;
const res = (llm[1].category_profile as { annotated_response: NormalizedResponse }).annotated_response;
const rawReq = chatRequest().content;

function directLlm(): void {
  const a: Attributes = {
    [SC.OPENINFERENCE_SPAN_KIND]: 'LLM',
    [SC.SESSION_ID]: 'sess-1',
    [SC.USER_ID]: 'u-1',
    [SC.METADATA]: JSON.stringify({ session_id: 'sess-1', user_id: 'u-1' }),
    [SC.LLM_MODEL_NAME]: 'gpt-4o',
    [SC.LLM_PROVIDER]: 'openai',
    [SC.LLM_SYSTEM]: 'openai',
    [SC.LLM_INVOCATION_PARAMETERS]: JSON.stringify({ model: 'gpt-4o', temperature: 0.2, max_tokens: 512 }),
  };
  req.messages.forEach((m, i) => {
    a[`${SC.LLM_INPUT_MESSAGES}.${i}.${SC.MESSAGE_ROLE}`] = m.role;
    a[`${SC.LLM_INPUT_MESSAGES}.${i}.${SC.MESSAGE_CONTENT}`] = m.text;
  });
  a[SC.INPUT_VALUE] = JSON.stringify(rawReq);
  a[SC.INPUT_MIME_TYPE] = 'application/json';
  const span = tracer.startSpan('openai', { attributes: a });
  const e: Attributes = {
    [SC.LLM_TOKEN_COUNT_PROMPT]: 500,
    [SC.LLM_TOKEN_COUNT_COMPLETION]: 20,
    [SC.LLM_TOKEN_COUNT_TOTAL]: 520,
    [SC.LLM_FINISH_REASON]: 'tool_calls',
    [`${SC.LLM_OUTPUT_MESSAGES}.0.${SC.MESSAGE_ROLE}`]: 'assistant',
    [`${SC.LLM_OUTPUT_MESSAGES}.0.${SC.MESSAGE_CONTENT}`]: res.text,
    [SC.OUTPUT_VALUE]: JSON.stringify(chatResponse),
    [SC.OUTPUT_MIME_TYPE]: 'application/json',
  };
  res.tool_calls.forEach((tc, k) => {
    const p = `${SC.LLM_OUTPUT_MESSAGES}.0.${SC.MESSAGE_TOOL_CALLS}.${k}.`;
    e[p + SC.TOOL_CALL_ID] = tc.id;
    e[p + SC.TOOL_CALL_FUNCTION_NAME] = tc.name;
    e[p + SC.TOOL_CALL_FUNCTION_ARGUMENTS_JSON] = JSON.stringify(tc.arguments);
  });
  span.setAttributes(e);
  span.end();
}

// ── Measurement ──────────────────────────────────────────────────────────────────────────────────

function median(fn: () => void, ops: number, samples = 9): number {
  for (let i = 0; i < ops / 2; i++) fn();
  const per: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ops; i++) fn();
    per.push(Number(process.hrtime.bigint() - t0) / ops);
  }
  per.sort((x, y) => x - y);
  return per[Math.floor(per.length / 2)]!;
}

const ops = quick ? 2_000 : 20_000;
const rows: Array<[string, number, number]> = [];
for (const [name, ours, direct] of [
  ['tool span', () => (exporter.onEvent(tool[0]), exporter.onEvent(tool[1])), directTool],
  ['LLM span (13 messages, ~2 KB)', () => (exporter.onEvent(llm[0]), exporter.onEvent(llm[1])), directLlm],
] as const) {
  // Alternate so that GC and JIT drift hit both sides alike.
  const d1 = median(direct, ops);
  const o1 = median(ours, ops);
  const d2 = median(direct, ops);
  const o2 = median(ours, ops);
  rows.push([name, Math.min(o1, o2), Math.min(d1, d2)]);
}
for (const [name, ours, direct] of rows) {
  console.log(
    `${name.padEnd(32)} ours ${ours.toFixed(0).padStart(7)} ns   direct SDK ${direct.toFixed(0).padStart(7)} ns   ratio ${(ours / direct).toFixed(2)}`,
  );
}
await exporter.shutdown();
await provider.shutdown();
