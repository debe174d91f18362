/**
 * Lifecycle events → OpenTelemetry spans, independent of any attribute vocabulary. One span per
 * start/end pair, parented by `parent_uuid`, timed by the events' own timestamps; marks become span
 * events; failed work gets status ERROR and an exception event. Spans live in a uuid→span map only
 * while open, so memory follows the number of runs in flight, not their history.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import { type LifecycleEvent, type MarkEvent, type ScopeEvent } from '@nemo-flow/runtime';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';
import type { AttributeMapper, SpanStart } from './mapper.js';
import { formatTraceContext, remoteContextFrom, type TraceContextHeaders } from './propagation.js';
import { OpenTable } from './open-table.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_NEMO_FLOW_EVENT_KIND,
  ATTR_NEMO_FLOW_GUARDRAIL,
  ATTR_NEMO_FLOW_INCOMPLETE,
  EXCEPTION_EVENT_NAME,
} from './semconv.js';
import { eventHrTime } from './time.js';
import { SpanMemory } from './span-memory.js';
import { DEFAULT_MAX_ATTRIBUTE_LENGTH, truncateAttributes, truncateString } from './truncate.js';

/** A scope given by uuid or by anything carrying one (a runtime `ScopeHandle`, a tool handle). */
export type ScopeRef = string | { readonly uuid: string };

export interface SpanBridgeOptions {
  tracer: Tracer;
  mapper: AttributeMapper;
  /** Cut string attribute values at this many characters (default 16384). */
  maxAttributeLength?: number;
  /**
   * Parent for a scope whose `parent_uuid` is not an open span and whose metadata has no
   * `traceparent`: e.g. `() => context.active()` to nest runs under the caller's active span
   * (dispatch is synchronous, so the active context is the one that started the scope).
   */
  parentContext?: (event: ScopeEvent) => Context | undefined;
  /**
   * Open spans kept at most (guards against scopes that are never ended). Past it the oldest runs
   * (a run: a top-level span and everything open under it), whole, at least 1/64 of the bound at a
   * time, are ended as incomplete, counted and reported.
   * Default 200000: 10,000 concurrent runs of 20 open spans each.
   */
  maxOpenSpans?: number;
  /** Failure-report source prefix (default `exporter-otel`). */
  source?: string;
}

/** Counters of what the bridge did. */
export interface SpanBridgeStats {
  spansStarted: number;
  spansEnded: number;
  openSpans: number;
  /** Marks recorded as span events. */
  marks: number;
  /** End events without a known start (e.g. the exporter was registered mid-run); ignored. */
  unmatchedEnds: number;
  /** Spans ended by the exporter (shutdown, or `maxOpenSpans`), marked `nemo_flow.incomplete`. */
  incompleteSpans: number;
  /** Runs ended early, whole, because more than `maxOpenSpans` spans were open. */
  evictedRuns: number;
  /** Spans of those runs (also counted in `incompleteSpans`). */
  evictedSpans: number;
  /** Spans started under a run that had been evicted: recorded in its trace, under the incomplete span. */
  childrenOfEvicted: number;
  /** Open spans shutdown had no time left to end: never recorded. */
  lostOpenSpans: number;
}

interface OpenSpan {
  span: Span;
  start: ScopeEvent;
  inherited: Attributes | undefined;
  /** Lazily built context holding `span`, shared by all its children. */
  ctx: Context | undefined;
  /**
   * The run it belongs to, named by its root's uuid (a run: a span with no open or remembered
   * parent, and its descendants). A string shared by reference: the hot path allocates nothing.
   */
  run: string;
}

/**
 * What a child started after its parent ended (fire-and-forget work) still needs of the parent:
 * the parent's span context (the entry is one, to keep each small) and what it passes down.
 */
interface EndedSpan extends SpanContext {
  inherited: Attributes | undefined;
  /** The run it belonged to: a late child rejoins that run. */
  run: string;
}

/** Recently ended spans remembered for late children; small, so memory stays bounded. */
const ENDED_MEMORY = 4096;
/** Spans of evicted runs remembered, so that their late children stay in their trace (and are reported). */
const EVICTED_MEMORY = 16_384;
export const DEFAULT_MAX_OPEN_SPANS = 200_000;
/** Open spans ended per slice at shutdown (a few milliseconds of work). */
const END_SLICE = 1024;

export class SpanBridge {
  private readonly tracer: Tracer;
  private readonly mapper: AttributeMapper;
  private readonly maxLength: number;
  private readonly maxOpen: number;
  /** Spans an eviction frees at least (one scan of the open spans per this many). */
  private readonly evictionBatch: number;
  private readonly parentContext: ((event: ScopeEvent) => Context | undefined) | undefined;
  private readonly source: string;
  /** Open spans in start order: the run of the first is the oldest run (what `maxOpenSpans` evicts). */
  private readonly open = new OpenTable<OpenSpan>();
  private readonly ended = new SpanMemory<EndedSpan>(ENDED_MEMORY);
  private readonly evicted = new SpanMemory<EndedSpan>(EVICTED_MEMORY);
  private readonly counts = {
    spansStarted: 0,
    spansEnded: 0,
    marks: 0,
    unmatchedEnds: 0,
    incompleteSpans: 0,
    evictedRuns: 0,
    evictedSpans: 0,
    childrenOfEvicted: 0,
    lostOpenSpans: 0,
  };

  constructor(options: SpanBridgeOptions) {
    this.tracer = options.tracer;
    this.mapper = options.mapper;
    this.maxLength = options.maxAttributeLength ?? DEFAULT_MAX_ATTRIBUTE_LENGTH;
    this.maxOpen = options.maxOpenSpans ?? DEFAULT_MAX_OPEN_SPANS;
    this.evictionBatch = Math.max(1, Math.floor(this.maxOpen / 64));
    this.parentContext = options.parentContext;
    this.source = options.source ?? 'exporter-otel';
  }

  /** Handles one lifecycle event. Never throws: failures are reported once per kind and counted. */
  handle(event: LifecycleEvent): void {
    try {
      if (event.kind === 'scope') {
        if (event.scope_category === 'start') this.onStart(event);
        else this.onEnd(event);
      } else if (event.kind === 'mark') {
        this.onMark(event);
      }
    } catch (err) {
      reportFailure(this.source, 'OpenTelemetry exporter failed to handle an event', err);
    }
  }

  /** The W3C `traceparent`/`tracestate` of a scope's span, for an outgoing request. */
  traceparentFor(scope: ScopeRef): TraceContextHeaders | undefined {
    const ctx = this.contextFor(scope);
    const sc = ctx && trace.getSpanContext(ctx);
    return sc && formatTraceContext(sc);
  }

  /**
   * An OpenTelemetry context holding the scope's span (open, or ended recently): parent your own
   * spans with it.
   */
  contextFor(scope: ScopeRef): Context | undefined {
    const uuid = uuidOf(scope);
    const o = this.open.get(uuid);
    if (o) return this.contextOf(o);
    const e = this.ended.get(uuid) ?? this.evicted.get(uuid);
    return e && trace.setSpanContext(ROOT_CONTEXT, e);
  }

  /** The open span of a scope or call. */
  spanFor(scope: ScopeRef): Span | undefined {
    return this.open.get(uuidOf(scope))?.span;
  }

  stats(): SpanBridgeStats {
    return { ...this.counts, openSpans: this.open.size };
  }

  /**
   * Like `endOpenSpans`, in slices with a turn of the event loop between them (exports proceed),
   * until `deadline` (`performance.now()` time). Spans not ended by then are never recorded: they
   * are counted (`lostOpenSpans`) and reported. Resolves to how many were ended.
   */
  async endOpenSpansBefore(deadline: number): Promise<number> {
    const spans = [...this.open.values()].reverse();
    this.open.clear();
    let i = 0;
    while (i < spans.length) {
      const stop = Math.min(spans.length, i + END_SLICE);
      for (; i < stop; i++) this.endIncomplete(spans[i]!);
      if (i < spans.length) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (performance.now() >= deadline) break;
      }
    }
    const lost = spans.length - i;
    if (lost > 0) {
      this.counts.lostOpenSpans += lost;
      reportFailure(
        `${this.source}:shutdown`,
        `OpenTelemetry exporter lost ${lost} open spans: shutdown's timeout expired before they could be ended`,
        new Error('shutdown timed out'),
      );
    }
    return i;
  }

  /**
   * Ends every open span now, marked `nemo_flow.incomplete` (shutdown, process exit): a run cut
   * short still shows up, with its tree intact. Returns how many were ended.
   */
  endOpenSpans(): number {
    const n = this.open.size;
    // Children were opened after their parents: end them first so every parent outlives its children.
    const spans = [...this.open.values()].reverse();
    this.open.clear();
    for (const o of spans) this.endIncomplete(o);
    return n;
  }

  private onStart(event: ScopeEvent): void {
    if (this.open.has(event.uuid)) return; // a duplicate start must not orphan the first span
    const s = this.mapStart(event);
    const attrs = s.attributes;
    let inherited = s.inherited;
    let ctx: Context | undefined;
    let pi: Attributes | undefined;
    let run: string | undefined;
    const pu = event.parent_uuid;
    if (pu !== null) {
      const po = this.open.get(pu);
      if (po) {
        ctx = this.contextOf(po);
        pi = po.inherited;
        run = po.run;
      } else {
        // A late child: its parent ended (fire-and-forget work), or was evicted with its run.
        let e = this.ended.get(pu);
        if (!e && (e = this.evicted.get(pu))) this.onChildOfEvicted(event);
        if (e) {
          ctx = trace.setSpanContext(ROOT_CONTEXT, e);
          pi = e.inherited;
          run = e.run;
        }
      }
    }
    if (ctx) {
      if (pi) {
        for (const k in pi) if (!(k in attrs)) attrs[k] = pi[k];
        inherited = inherited ? { ...pi, ...inherited } : pi;
      }
    } else {
      ctx = remoteContextFrom(event.metadata) ?? this.parentContext?.(event) ?? ROOT_CONTEXT;
    }
    truncateAttributes(attrs, this.maxLength);
    const name = s.name.length > this.maxLength ? truncateString(s.name, this.maxLength) : s.name;
    const span = this.tracer.startSpan(name, { kind: s.kind, attributes: attrs, startTime: eventHrTime(event) }, ctx);
    this.open.add(event.uuid, { span, start: event, inherited, ctx: undefined, run: run ?? event.uuid }); // absent: checked on entry
    this.counts.spansStarted++;
    if (this.open.size > this.maxOpen) this.evict(run ?? event.uuid);
  }

  private onEnd(event: ScopeEvent): void {
    const o = this.open.get(event.uuid);
    if (!o) {
      this.counts.unmatchedEnds++;
      return;
    }
    this.open.delete(event.uuid);
    const span = o.span;
    let attrs: Attributes | undefined;
    try {
      attrs = this.mapper.end(event, o.start);
    } catch (err) {
      reportFailure(`${this.source}:mapping`, 'OpenTelemetry attribute mapping failed', err);
    }
    const time = eventHrTime(event);
    const error = event.error;
    if (event.status === 'error' || error) {
      const type = error?.type || 'Error';
      const message = error?.message ?? '';
      attrs ??= {};
      attrs[ATTR_ERROR_TYPE] = type;
      if (error?.guardrail) attrs[ATTR_NEMO_FLOW_GUARDRAIL] = error.guardrail;
      span.setStatus({ code: SpanStatusCode.ERROR, message: message || type });
      const exc: Attributes = { [ATTR_EXCEPTION_TYPE]: type, [ATTR_EXCEPTION_MESSAGE]: message };
      if (typeof error?.stack === 'string' && error.stack.length > 0) exc[ATTR_EXCEPTION_STACKTRACE] = error.stack;
      truncateAttributes(exc, this.maxLength);
      span.addEvent(EXCEPTION_EVENT_NAME, exc, time);
    } else if (this.mapper.okStatus === true && event.status === 'ok') {
      span.setStatus({ code: SpanStatusCode.OK });
    }
    if (attrs) {
      truncateAttributes(attrs, this.maxLength);
      span.setAttributes(attrs);
    }
    span.end(time);
    this.counts.spansEnded++;
    this.remember(event.uuid, o);
  }

  private remember(uuid: string, o: OpenSpan): void {
    // Only spans that had children (or were asked for their context) are likely parents of work
    // that outlives them; skipping the rest keeps the common leaf call cheap.
    if (o.ctx === undefined) return;
    const key = copyString(uuid);
    this.ended.set(key, endedSpan(o, key));
  }

  private onMark(event: MarkEvent): void {
    let attrs: Attributes | undefined;
    try {
      attrs = this.mapper.mark(event);
    } catch (err) {
      reportFailure(`${this.source}:mapping`, 'OpenTelemetry attribute mapping failed', err);
    }
    attrs ??= {};
    truncateAttributes(attrs, this.maxLength);
    const time = eventHrTime(event);
    const parent = event.parent_uuid !== null ? this.open.get(event.parent_uuid) : undefined;
    this.counts.marks++;
    if (parent) {
      parent.span.addEvent(event.name, attrs, time);
      return;
    }
    // No open span to attach to (a top-level mark, or its scope ended): a zero-length span keeps
    // it from being lost, in its scope's trace when that is remembered.
    attrs[ATTR_NEMO_FLOW_EVENT_KIND] = 'mark';
    const pu = event.parent_uuid;
    const e = pu !== null ? (this.ended.get(pu) ?? this.evicted.get(pu)) : undefined;
    const ctx = e ? trace.setSpanContext(ROOT_CONTEXT, e) : (remoteContextFrom(event.metadata) ?? ROOT_CONTEXT);
    this.tracer.startSpan(event.name, { kind: SpanKind.INTERNAL, attributes: attrs, startTime: time }, ctx).end(time);
  }

  private mapStart(event: ScopeEvent): SpanStart {
    try {
      return this.mapper.start(event);
    } catch (err) {
      reportFailure(`${this.source}:mapping`, 'OpenTelemetry attribute mapping failed', err);
      return { name: event.name, kind: SpanKind.INTERNAL, attributes: {} };
    }
  }

  private contextOf(o: OpenSpan): Context {
    return (o.ctx ??= trace.setSpan(ROOT_CONTEXT, o.span));
  }

  /**
   * More than `maxOpenSpans` are open: ends the oldest runs other than `current`, whole, children
   * first, so that no run is left with its root ended and its children starting new traces. One
   * scan of the open spans frees at least `evictionBatch` of them, so that a sustained overflow
   * costs little per span. When `current` is the only run (one run that never ends its scopes),
   * its oldest spans go instead.
   */
  private evict(current: string): void {
    const victims = new Set<string>();
    const doomed: [string, OpenSpan][] = [];
    for (const entry of this.open.entries()) {
      const run = entry[1].run;
      if (run === current) continue;
      if (!victims.has(run)) {
        if (doomed.length >= this.evictionBatch) continue; // enough chosen: collect the rest of theirs
        victims.add(run);
      }
      doomed.push(entry);
    }
    if (doomed.length === 0) {
      for (const entry of this.open.entries()) {
        doomed.push(entry);
        if (doomed.length >= this.evictionBatch) break;
      }
      this.report(
        `OpenTelemetry exporter ended the oldest open spans of a run early: more than maxOpenSpans (${this.maxOpen}) spans are open in that one run (scopes never ended?)`,
      );
    } else {
      this.counts.evictedRuns += victims.size;
      this.report(
        `OpenTelemetry exporter ended the ${victims.size === 1 ? 'oldest open run' : `${victims.size} oldest open runs`} early (${doomed.length} spans, marked incomplete): more than maxOpenSpans (${this.maxOpen}) spans were open; raise maxOpenSpans or end scopes that are left open`,
      );
    }
    for (let i = doomed.length - 1; i >= 0; i--) {
      const [uuid, o] = doomed[i]!;
      this.open.delete(uuid);
      this.endIncomplete(o);
      this.counts.evictedSpans++;
      const key = copyString(uuid);
      this.evicted.set(key, endedSpan(o, key));
    }
  }

  private onChildOfEvicted(event: ScopeEvent): void {
    this.counts.childrenOfEvicted++;
    this.report(
      `OpenTelemetry exporter recorded span "${event.name}" under a run it had ended early (maxOpenSpans ${this.maxOpen}): it stays in that trace, under an incomplete span`,
    );
  }

  /** Evictions are reported under one source: printed once, then counted. */
  private report(message: string): void {
    reportFailure(`${this.source}:evicted`, message, new Error(`more than maxOpenSpans (${this.maxOpen}) spans open`));
  }

  private endIncomplete(o: OpenSpan): void {
    try {
      o.span.setAttribute(ATTR_NEMO_FLOW_INCOMPLETE, true);
      o.span.end();
      this.counts.incompleteSpans++;
    } catch (err) {
      reportFailure(this.source, 'OpenTelemetry exporter failed to end a span', err);
    }
  }
}

/**
 * What is remembered of an ended span, its ids as strings of their own. Ids are slices of a shared
 * 8 KB hex pool (see ids.ts): one remembered id would otherwise keep a whole pool alive, and the
 * 4096 remembered parents of long concurrent runs, 4096 pools (33 MB instead of ~1 MB). The uuid
 * keys are copied flat too: one built by concatenation is a tree of small strings (~400 bytes
 * instead of 56).
 */
function endedSpan(o: OpenSpan, key: string): EndedSpan {
  const sc = o.span.spanContext();
  // A run's root names the run by its own uuid: the copied key serves as both.
  const run = o.run === key ? key : o.run;
  const e: EndedSpan = { traceId: copyString(sc.traceId), spanId: copyString(sc.spanId), traceFlags: sc.traceFlags, inherited: o.inherited, run };
  if (sc.isRemote !== undefined) e.isRemote = sc.isRemote;
  if (sc.traceState !== undefined) e.traceState = sc.traceState;
  return e;
}

/** A flat copy of a one-byte string that shares no memory with it. */
function copyString(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}

function uuidOf(scope: ScopeRef): string {
  return typeof scope === 'string' ? scope : scope.uuid;
}
