/**
 * The sampler and span limits of the built-in pipeline, resolved once the way the SDK's
 * `BasicTracerProvider` resolves them (options, then `OTEL_*` variables, then SDK defaults), and
 * handed to both the provider and the exporter's `DirectTracer`, so every span of the pipeline
 * obeys the same ones.
 */
import { diag } from '@opentelemetry/api';
import { getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler, type SpanLimits } from '@opentelemetry/sdk-trace-base';
import { envVar } from './env.js';
import type { ResolvedSpanLimits } from './recorded-span.js';

/** Span limits: each given one, else `OTEL_SPAN_*` / `OTEL_ATTRIBUTE_*`, else the SDK default. */
export function resolveSpanLimits(limits: SpanLimits = {}): ResolvedSpanLimits {
  return {
    attributeCountLimit:
      limits.attributeCountLimit ?? getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT') ?? 128,
    attributeValueLengthLimit:
      limits.attributeValueLengthLimit ??
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      getNumberFromEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      Infinity,
    eventCountLimit: limits.eventCountLimit ?? getNumberFromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT') ?? 128,
    linkCountLimit: limits.linkCountLimit ?? getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT') ?? 128,
    attributePerEventCountLimit: limits.attributePerEventCountLimit ?? getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT') ?? 128,
    attributePerLinkCountLimit: limits.attributePerLinkCountLimit ?? getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT') ?? 128,
  };
}

function ratioFromEnv(): number {
  const p = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG');
  if (p === undefined || p < 0 || p > 1) {
    diag.error(`OTEL_TRACES_SAMPLER_ARG must be a ratio in [0, 1]; using 1`);
    return 1;
  }
  return p;
}

/** The sampler `OTEL_TRACES_SAMPLER` (and `_ARG`) name; parent-based always-on by default. */
export function samplerFromEnv(): Sampler {
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratioFromEnv());
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratioFromEnv()) });
    case 'parentbased_always_on':
      break;
    default:
      diag.error(`OTEL_TRACES_SAMPLER "${name}" is not supported; using parentbased_always_on`);
  }
  return new ParentBasedSampler({ root: new AlwaysOnSampler() });
}

function envFlag(name: string): string | undefined {
  const v = envVar(name);
  return v === undefined || v.trim() === '' ? undefined : v.trim().toLowerCase();
}

/** `OTEL_SDK_DISABLED=true`: record nothing (no spans, no metrics), as every OpenTelemetry SDK does. */
export function sdkDisabledByEnv(): boolean {
  return envFlag('OTEL_SDK_DISABLED') === 'true';
}

/** `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER` listing `none`: that signal is not exported. */
export function exporterOffByEnv(signal: 'TRACES' | 'METRICS'): boolean {
  const v = envFlag(`OTEL_${signal}_EXPORTER`);
  return v?.split(',').some((s) => s.trim() === 'none') === true;
}

/** `OTEL_SEMCONV_STABILITY_OPT_IN` contains `gen_ai_latest_experimental`: emit the newest GenAI names. */
export function genAiLatestByEnv(): boolean {
  const v = envVar('OTEL_SEMCONV_STABILITY_OPT_IN');
  return v?.split(',').some((s) => s.trim() === 'gen_ai_latest_experimental') === true;
}
