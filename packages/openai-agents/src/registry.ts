/**
 * State shared by the trace processor and the wrappers: which NeMo Flow scope stands for which
 * Agents SDK span, and which model calls a wrapper already records. The SDK's spans carry their
 * own ids and parent ids, so parenting never depends on the async context surviving.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ScopeHandle } from '@nemo-flow/runtime';

/** One SDK span as the processor tracks it. */
export interface SpanEntry {
  readonly spanId: string;
  readonly traceId: string;
  readonly type: string;
  /** The entry of the SDK parent span (undefined for a trace's top-level spans). */
  readonly parent: SpanEntry | undefined;
  /** The NeMo Flow scope or call standing for this span, once opened. */
  handle?: ScopeHandle;
  /** A wrapper records this span's work itself (managed call): the processor records nothing for it. */
  owned?: boolean;
  /** Opens the span's call on demand (deferred tool spans), so a child can be parented to it. */
  open?: () => ScopeHandle | undefined;
}

const entries = new Map<string, SpanEntry>();

export function putEntry(entry: SpanEntry): void {
  entries.set(entry.spanId, entry);
}

export function getEntry(spanId: string | null | undefined): SpanEntry | undefined {
  return spanId ? entries.get(spanId) : undefined;
}

export function dropEntry(spanId: string): void {
  entries.delete(spanId);
}

/** The nearest NeMo Flow scope standing for `entry` or one of its ancestors. */
export function scopeOf(entry: SpanEntry | undefined): ScopeHandle | undefined {
  for (let e = entry; e; e = e.parent) {
    const h = e.handle ?? e.open?.();
    if (h) return h;
  }
  return undefined;
}

/** Set while a wrapped model runs: the SDK's own response/generation span inside it is not recorded again. */
export const wrappedModelCall = new AsyncLocalStorage<true>();
