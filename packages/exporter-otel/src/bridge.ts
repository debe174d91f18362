/**
 * Lifecycle events → OpenTelemetry spans, independent of any attribute vocabulary. One span per
 * start/end pair, parented by `parent_uuid`, timed by the events' own timestamps; marks become span
 * events; failed work gets status ERROR and an exception event. Spans live in a uuid→span map only
 * while open, so memory follows the number of runs in flight, not their history.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { type LifecycleEvent, type MarkEvent, type ScopeEvent } from '@nemo-flow/runtime';
import { reportFailure } from '@nemo-flow/runtime/exporter-kit';
import type { AttributeMapper, SpanStart } from './mapper.js';
import { formatTraceContext, remoteContextFrom, type TraceContextHeaders } from './propagation.js';
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
   * Open spans kept at most; past it the oldest open span is ended as incomplete. Guards against
   * scopes that are never ended. Default 100000.
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
}

interface OpenSpan {
  span: Span;
  start: ScopeEvent;
  inherited: Attributes | undefined;
  /** Lazily built context holding `span`, shared by all its children. */
  ctx: Context | undefined;
}

/** What a child started after its parent ended (fire-and-forget work) still needs of the parent. */
interface EndedSpan {
  sc: SpanContext;
  inherited: Attributes | undefined;
}

interface ParentInfo {
  ctx: Context;
  inherited: Attributes | undefined;
}

/** Recently ended spans remembered for late children; small, so memory stays bounded. */
const ENDED_MEMORY = 4096;

export class SpanBridge {
  private readonly tracer: Tracer;
  private readonly mapper: AttributeMapper;
  private readonly maxLength: number;
  private readonly maxOpen: number;
  private readonly parentContext: ((event: ScopeEvent) => Context | undefined) | undefined;
  private readonly source: string;
  private readonly open = new Map<string, OpenSpan>();
  private readonly ended = new Map<string, EndedSpan>();
  /** Insertion ring of `ended`'s keys: evicting the oldest costs no iterator. */
  private readonly endedRing: (string | undefined)[] = new Array<string | undefined>(ENDED_MEMORY);
  private endedNext = 0;
  private readonly counts = { spansStarted: 0, spansEnded: 0, marks: 0, unmatchedEnds: 0, incompleteSpans: 0 };

  constructor(options: SpanBridgeOptions) {
    this.tracer = options.tracer;
    this.mapper = options.mapper;
    this.maxLength = options.maxAttributeLength ?? DEFAULT_MAX_ATTRIBUTE_LENGTH;
    this.maxOpen = options.maxOpenSpans ?? 100_000;
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
    return this.parentOf(uuidOf(scope))?.ctx;
  }

  /** The open span of a scope or call. */
  spanFor(scope: ScopeRef): Span | undefined {
    return this.open.get(uuidOf(scope))?.span;
  }

  stats(): SpanBridgeStats {
    return { ...this.counts, openSpans: this.open.size };
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
    const parent = event.parent_uuid !== null ? this.parentOf(event.parent_uuid) : undefined;
    const attrs = s.attributes;
    let inherited = s.inherited;
    let ctx: Context;
    if (parent) {
      ctx = parent.ctx;
      const pi = parent.inherited;
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
    this.open.set(event.uuid, { span, start: event, inherited, ctx: undefined });
    this.counts.spansStarted++;
    if (this.open.size > this.maxOpen) this.evictOldest();
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

  /** The context and inherited attributes of a parent that is open or recently ended. */
  private parentOf(uuid: string): ParentInfo | undefined {
    const o = this.open.get(uuid);
    if (o) return { ctx: this.contextOf(o), inherited: o.inherited };
    const e = this.ended.get(uuid);
    return e && { ctx: trace.setSpanContext(ROOT_CONTEXT, e.sc), inherited: e.inherited };
  }

  private remember(uuid: string, o: OpenSpan): void {
    // Only spans that had children (or were asked for their context) are likely parents of work
    // that outlives them; skipping the rest keeps the common leaf call cheap.
    if (o.ctx === undefined) return;
    const i = this.endedNext;
    const old = this.endedRing[i];
    if (old !== undefined) this.ended.delete(old);
    this.endedRing[i] = uuid;
    this.endedNext = (i + 1) % ENDED_MEMORY;
    this.ended.set(uuid, { sc: o.span.spanContext(), inherited: o.inherited });
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
    // No open span to attach to (a top-level mark): a zero-length span keeps it from being lost.
    attrs[ATTR_NEMO_FLOW_EVENT_KIND] = 'mark';
    const ctx = remoteContextFrom(event.metadata) ?? ROOT_CONTEXT;
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

  private evictOldest(): void {
    for (const [uuid, o] of this.open) {
      this.open.delete(uuid);
      this.endIncomplete(o);
      return;
    }
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

function uuidOf(scope: ScopeRef): string {
  return typeof scope === 'string' ? scope : scope.uuid;
}
