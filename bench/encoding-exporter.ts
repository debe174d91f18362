/**
 * A span exporter that does the real work of an OTLP exporter short of the network: every batch is
 * encoded to OTLP protobuf bytes (the SDK's own serializer), then discarded. Used on both sides of
 * the exporter workloads, so ours and the SDK baseline pay the same encoding.
 */
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Tracer } from '@opentelemetry/api';

export class EncodingSpanExporter implements SpanExporter {
  spans = 0;
  bytes = 0;
  /** Called with every span before encoding (the parentage check uses it). */
  constructor(private readonly inspect?: (span: ReadableSpan) => void) {}
  export(spans: ReadableSpan[], done: (r: { code: number }) => void): void {
    if (this.inspect) for (const s of spans) this.inspect(s);
    const bytes = ProtobufTraceSerializer.serializeRequest(spans);
    this.spans += spans.length;
    this.bytes += bytes?.byteLength ?? 0;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

/** Batch-processor settings shared by both sides. */
export const BATCH = { maxQueueSize: 1 << 18, maxExportBatchSize: 512, scheduledDelayMillis: 50 } as const;

/** An SDK tracer whose spans are batched and encoded like the exporter's. */
export function encodingTracer(): { tracer: Tracer; provider: BasicTracerProvider } {
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new EncodingSpanExporter(), BATCH)] });
  return { tracer: provider.getTracer('bench-sdk'), provider };
}
