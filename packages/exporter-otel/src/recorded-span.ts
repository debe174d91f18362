/**
 * A span recorded straight into the pipeline's span processor: what `SpanBridge` gets from the
 * built-in pipeline instead of the SDK's `Span`. It behaves like the SDK span (same attribute
 * validation, span limits, status rules and exception events; `onStart`/`onEnding`/`onEnd` on
 * the processor) and is a `ReadableSpan`, so batch processors and OTLP exporters take it as-is.
 *
 * Why: the bridge already holds every attribute in a fresh object it owns, and the times from
 * the events. The SDK span copies and re-validates attributes three times on start and reads the
 * clock; on the hot path that was half the cost of a tool call. Here the attributes object is
 * adopted after one validation pass.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, AttributeValue, Exception, HrTime, Link, Span, SpanContext, SpanKind, SpanStatus, TimeInput } from '@opentelemetry/api';
import {
  hrTime,
  hrTimeDuration,
  isAttributeValue,
  isTimeInput,
  isTimeInputHrTime,
  millisToHrTime,
  otperformance,
  type InstrumentationScope,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE, EXCEPTION_EVENT_NAME } from './semconv.js';

/** Span limits with every field set (the SDK's defaults where the user set none). */
export type ResolvedSpanLimits = Required<SpanLimits>;

/** What every span of one tracer shares. */
export interface SpanSink {
  readonly processor: SpanProcessor;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly limits: ResolvedSpanLimits;
}

const hasOwn = Object.prototype.hasOwnProperty;
const ZERO_TIME: HrTime = Object.freeze([0, 0]) as unknown as HrTime;
const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NO_LINKS: Link[] = Object.freeze([]) as unknown as Link[];
const NO_EVENTS: TimedEvent[] = Object.freeze([]) as unknown as TimedEvent[];

/** Epoch-based `HrTime` for any `TimeInput` (a number at or below `performance.now()` is a performance timestamp). */
export function toHrTime(input: TimeInput | undefined): HrTime {
  if (input === undefined) return hrTime();
  if (isTimeInputHrTime(input)) return input;
  if (typeof input === 'number') return input <= otperformance.now() ? hrTime(input) : millisToHrTime(input);
  return millisToHrTime(input.getTime());
}

function truncateValue(value: AttributeValue, limit: number): AttributeValue {
  if (typeof value === 'string') return value.length > limit ? value.slice(0, limit) : value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' && v.length > limit ? v.slice(0, limit) : v)) as AttributeValue;
  return value;
}

/** Validated, count-limited, length-limited copy of `attributes` (events and links). */
function limitedCopy(attributes: Attributes | undefined, countLimit: number, lengthLimit: number): { attributes: Attributes; dropped: number } {
  const out: Attributes = {};
  let n = 0;
  let dropped = 0;
  if (attributes) {
    for (const key in attributes) {
      if (!hasOwn.call(attributes, key)) continue;
      const v = attributes[key];
      if (key.length === 0 || v === undefined || v === null || !isAttributeValue(v)) continue;
      if (n >= countLimit) {
        dropped++;
        continue;
      }
      out[key] = lengthLimit === Infinity ? v : truncateValue(v, lengthLimit);
      n++;
    }
  }
  return { attributes: out, dropped };
}

/** Appends `item` within `limit`, dropping the oldest entry first as the SDK does; returns how many were dropped. */
function pushNewest<T>(list: T[], limit: number, item: T): number {
  if (limit <= 0) return 1;
  let dropped = 0;
  if (list.length >= limit) {
    list.shift();
    dropped = 1;
  }
  list.push(item);
  return dropped;
}

export class RecordedSpan implements Span, ReadableSpan {
  name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  // Shared until first written (an event, a link, a status, the end): most spans never get a
  // link or an event, and two fewer arrays per span is less for the collector when thousands are open.
  endTime: HrTime = ZERO_TIME;
  duration: HrTime = ZERO_TIME;
  status: SpanStatus = UNSET_STATUS;
  readonly attributes: Attributes;
  links: Link[] = NO_LINKS;
  events: TimedEvent[] = NO_EVENTS;
  ended = false;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributeCount = 0;
  private readonly context: SpanContext;
  private readonly sink: SpanSink;

  /**
   * `attributes` is adopted (the caller hands over a fresh object and never touches it again);
   * entries the SDK would refuse are removed, and entries past the count limit dropped.
   */
  constructor(
    sink: SpanSink,
    context: SpanContext,
    parent: SpanContext | undefined,
    name: string,
    kind: SpanKind,
    attributes: Attributes | undefined,
    startTime: HrTime,
  ) {
    this.sink = sink;
    this.context = context;
    this.parentSpanContext = parent;
    this.name = name;
    this.kind = kind;
    this.startTime = startTime;
    this.resource = sink.resource;
    this.instrumentationScope = sink.scope;
    this.attributes = attributes ? this.adopt(attributes) : {};
  }

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (value === undefined || value === null || this.ended || key.length === 0 || !isAttributeValue(value)) return this;
    const isNew = !hasOwn.call(this.attributes, key);
    const limits = this.sink.limits;
    if (isNew && this.attributeCount >= limits.attributeCountLimit) {
      this.droppedAttributesCount++;
      return this;
    }
    this.attributes[key] = limits.attributeValueLengthLimit === Infinity ? value : truncateValue(value, limits.attributeValueLengthLimit);
    if (isNew) this.attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) if (hasOwn.call(attributes, key)) this.setAttribute(key, attributes[key]!);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const limits = this.sink.limits;
    let attributes: Attributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime;
    } else {
      attributes = attributesOrTime;
    }
    const a = limitedCopy(attributes, limits.attributePerEventCountLimit, limits.attributeValueLengthLimit);
    if (this.events === NO_EVENTS) this.events = [];
    this.droppedEventsCount += pushNewest(this.events, limits.eventCountLimit, {
      name,
      attributes: a.attributes,
      time: toHrTime(time),
      droppedAttributesCount: a.dropped,
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    const limits = this.sink.limits;
    const a = limitedCopy(link.attributes, limits.attributePerLinkCountLimit, limits.attributeValueLengthLimit);
    const out: Link = { context: link.context };
    if (Object.keys(a.attributes).length > 0) out.attributes = a.attributes;
    if (a.dropped > 0) out.droppedAttributesCount = a.dropped;
    if (this.links === NO_LINKS) this.links = [];
    this.droppedLinksCount += pushNewest(this.links, limits.linkCountLimit, out);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  /** As the SDK: UNSET is ignored, OK is final, a message only with ERROR. */
  setStatus(status: SpanStatus): this {
    if (this.ended || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status =
      status.code === SpanStatusCode.ERROR && typeof status.message === 'string' ? { code: status.code, message: status.message } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    let end = toHrTime(endTime);
    let duration = hrTimeDuration(this.startTime, end);
    if (duration[0] < 0) {
      end = [this.startTime[0], this.startTime[1]];
      duration = [0, 0];
    }
    this.endTime = end;
    this.duration = duration;
    const processor = this.sink.processor;
    processor.onEnding?.(this);
    this.ended = true;
    processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes[ATTR_EXCEPTION_MESSAGE] = exception;
    } else if (exception) {
      if (exception.code) attributes[ATTR_EXCEPTION_TYPE] = exception.code.toString();
      else if (exception.name) attributes[ATTR_EXCEPTION_TYPE] = exception.name;
      if (exception.message) attributes[ATTR_EXCEPTION_MESSAGE] = exception.message;
      if (exception.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = exception.stack;
    }
    if (attributes[ATTR_EXCEPTION_TYPE] || attributes[ATTR_EXCEPTION_MESSAGE]) this.addEvent(EXCEPTION_EVENT_NAME, attributes, time);
  }

  /** Keeps `attributes` as the span's own, minus what the SDK would not have accepted. */
  private adopt(attributes: Attributes): Attributes {
    const limits = this.sink.limits;
    const lengthLimit = limits.attributeValueLengthLimit;
    let n = 0;
    let clean = true;
    for (const key in attributes) {
      const v = attributes[key];
      if (!hasOwn.call(attributes, key) || key.length === 0 || v === undefined || v === null || !isAttributeValue(v) || n >= limits.attributeCountLimit) {
        clean = false;
        break;
      }
      if (lengthLimit !== Infinity) attributes[key] = truncateValue(v, lengthLimit);
      n++;
    }
    this.attributeCount = n;
    if (clean) return attributes;
    // Rare (a custom mapper's bad value, or more attributes than the limit): rebuild through the setter.
    const own: Attributes = {};
    (this as { attributes: Attributes }).attributes = own;
    this.attributeCount = 0;
    this.setAttributes(attributes);
    return own;
  }
}
