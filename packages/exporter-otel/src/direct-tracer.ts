/**
 * The tracer `SpanBridge` uses with the built-in pipeline: the SDK tracer's decisions (parent
 * from the context, suppressed tracing, the sampler, span limits, `onStart` on the processor)
 * with `RecordedSpan`s instead of SDK spans. It shares the isolated provider's processor chain,
 * resource and sampler, so its spans and spans made with `exporter.tracerProvider` travel
 * together. Not used with a provider you pass in: your provider makes your spans.
 */
import { INVALID_SPAN_CONTEXT, SpanKind, TraceFlags, context as apiContext, trace } from '@opentelemetry/api';
import type { Context, Span, SpanContext, SpanOptions, Tracer } from '@opentelemetry/api';
import { isTracingSuppressed, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { SamplingDecision, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { randomSpanId, randomTraceId } from './ids.js';
import { RecordedSpan, toHrTime, type ResolvedSpanLimits, type SpanSink } from './recorded-span.js';

export interface DirectTracerOptions {
  processor: SpanProcessor;
  resource: Resource;
  sampler: Sampler;
  limits: ResolvedSpanLimits;
  scope: InstrumentationScope;
}

const NO_LINKS: never[] = [];

export class DirectTracer implements Tracer {
  private readonly sink: SpanSink;
  private readonly sampler: Sampler;

  constructor(options: DirectTracerOptions) {
    this.sink = { processor: options.processor, resource: options.resource, scope: options.scope, limits: options.limits };
    this.sampler = options.sampler;
  }

  /**
   * Starts a span. The `attributes` object of `options` is adopted by the span (the bridge hands
   * over a fresh one per span), unlike the SDK, which copies it.
   */
  startSpan(name: string, options: SpanOptions = {}, ctx: Context = apiContext.active()): Span {
    if (options.root) ctx = trace.deleteSpan(ctx);
    if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    // A parent recorded here has valid ids by construction: only a foreign one is checked (two regexes).
    const parentSpan = trace.getSpan(ctx);
    const parent = parentSpan?.spanContext();
    const validParent = parent && (parentSpan instanceof RecordedSpan || trace.isSpanContextValid(parent)) ? parent : undefined;
    const traceId = validParent ? validParent.traceId : randomTraceId();
    const kind = options.kind ?? SpanKind.INTERNAL;
    const links = options.links ?? NO_LINKS;
    const result = this.sampler.shouldSample(ctx, traceId, name, kind, options.attributes ?? {}, links);
    const sc: SpanContext = {
      traceId,
      spanId: randomSpanId(),
      traceFlags: result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
    };
    const traceState = result.traceState ?? validParent?.traceState;
    if (traceState) sc.traceState = traceState;
    if (result.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(sc);
    let attributes = options.attributes;
    if (result.attributes) attributes = { ...attributes, ...result.attributes };
    const span = new RecordedSpan(this.sink, sc, validParent, name, kind, attributes, toHrTime(options.startTime));
    if (links.length > 0) span.addLinks(links);
    this.sink.processor.onStart(span, ctx);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, a?: SpanOptions | F, b?: Context | F, c?: F): ReturnType<F> {
    const fn = (typeof a === 'function' ? a : typeof b === 'function' ? b : c) as F;
    const options = typeof a === 'object' ? a : undefined;
    const parent = typeof b === 'object' ? b : apiContext.active();
    const span = this.startSpan(name, options, parent);
    return apiContext.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}
