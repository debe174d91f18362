/**
 * What the adaptive layer keeps about a finished agent run. Records hold fingerprints and numbers,
 * never prompt text: prefix hashes and token estimates of the leading prompt boundaries, timings,
 * token usage and tool names. They are plain JSON, so learned state can be exported and imported.
 */
import type { CodecName } from '@nemo-flow/runtime/codecs';
import { isPlainObject as isObj } from '@nemo-flow/runtime/exporter-kit';

export interface LlmCallRecord {
  kind: 'llm';
  name: string;
  /** 1-based position among the LLM calls of its own run, by start order. */
  position: number;
  /** Epoch milliseconds. */
  startMs: number;
  endMs: number;
  status: 'ok' | 'error';
  model: string | null;
  format: CodecName | null;
  /** Fingerprint of format, model and tool names: stability is learned per shape. */
  shape: string | null;
  /** Estimated prompt tokens (chars/4). */
  promptTokens: number;
  /** Prefix fingerprints at the leading boundaries (ends of tools, system, first messages). */
  prefix: string[];
  /** Estimated tokens of the prefix at each of those boundaries. */
  prefixTokens: number[];
  /** From the provider's usage, when reported. All input tokens, cached ones included. */
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

export interface ToolCallRecord {
  kind: 'tool';
  name: string;
  startMs: number;
  endMs: number;
  status: 'ok' | 'error';
}

export type CallRecord = LlmCallRecord | ToolCallRecord;

export interface RunRecord {
  /** Uuid of the agent scope. */
  runId: string;
  /** `metadata.agent_id` of the agent scope, else its name. */
  agentId: string;
  startMs: number;
  endMs: number;
  status: 'ok' | 'error';
  /** Calls in start order. */
  calls: CallRecord[];
}

/** The JSON document `exportState()` writes and `importState()` reads. */
export interface AdaptiveSnapshot {
  format: 'nemo-flow.adaptive';
  version: 1;
  /** RFC 3339 time of the export. */
  exportedAt: string;
  agents: Record<string, { runs: RunRecord[] }>;
}

export interface ImportResult {
  /** Runs added. */
  imported: number;
  /** Runs already present (same run id), skipped: importing twice changes nothing. */
  duplicates: number;
  /** Malformed runs, skipped. */
  invalid: number;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStatus = (v: unknown): v is 'ok' | 'error' => v === 'ok' || v === 'error';
const optNum = (v: unknown): boolean => v === undefined || (isNum(v) && v >= 0);
const strOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

function validCall(c: unknown): c is CallRecord {
  if (!isObj(c) || typeof c.name !== 'string' || !isNum(c.startMs) || !isNum(c.endMs) || !isStatus(c.status)) return false;
  if (c.kind === 'tool') return true;
  if (c.kind !== 'llm') return false;
  return (
    Number.isInteger(c.position) &&
    (c.position as number) >= 1 &&
    strOrNull(c.model) &&
    strOrNull(c.format) &&
    strOrNull(c.shape) &&
    isNum(c.promptTokens) &&
    Array.isArray(c.prefix) &&
    c.prefix.every((h) => typeof h === 'string') &&
    Array.isArray(c.prefixTokens) &&
    c.prefixTokens.length === c.prefix.length &&
    c.prefixTokens.every(isNum) &&
    optNum(c.inputTokens) &&
    optNum(c.outputTokens) &&
    optNum(c.cacheReadTokens) &&
    optNum(c.cacheWriteTokens)
  );
}

/** True when `r` is a well-formed run record (imported snapshots are untrusted input). */
export function isRunRecord(r: unknown): r is RunRecord {
  return (
    isObj(r) &&
    typeof r.runId === 'string' &&
    r.runId.length > 0 &&
    typeof r.agentId === 'string' &&
    r.agentId.length > 0 &&
    isNum(r.startMs) &&
    isNum(r.endMs) &&
    isStatus(r.status) &&
    Array.isArray(r.calls) &&
    r.calls.every(validCall)
  );
}
