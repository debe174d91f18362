/** Test setup: a 127.0.0.1 OTLP receiver with an OpenInference exporter pointed at it, and small assertion helpers. */
import { strict as assert } from 'node:assert';
import { OpenInferenceExporter, type OpenInferenceExporterOptions } from '@nemo-flow/exporter-openinference';
import { startOtlpReceiver, type AttrMap, type OtlpReceiver, type ReceivedSpan } from '../../../test/support/otlp-receiver.js';

export interface Harness {
  receiver: OtlpReceiver;
  exporter: OpenInferenceExporter;
  /** Flushes the exporter and waits until `n` spans have arrived. */
  spans(n: number): Promise<ReceivedSpan[]>;
  done(): Promise<void>;
}

let counter = 0;

/** A receiver plus a registered exporter sending to it (fast batches, so tests do not wait on the schedule). */
export async function setup(options: OpenInferenceExporterOptions = {}): Promise<Harness> {
  const receiver = await startOtlpReceiver();
  const exporter = new OpenInferenceExporter({ endpoint: receiver.url, scheduledDelayMillis: 20, ...options });
  exporter.register(`openinference-test-${++counter}`);
  return {
    receiver,
    exporter,
    spans: async (n) => {
      await exporter.forceFlush();
      return receiver.waitForSpans(n);
    },
    done: async () => {
      await exporter.shutdown({ timeoutMillis: 2000 });
      await receiver.close();
    },
  };
}

/** The one span called `name` (with the span names present in the failure message). */
export function only(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `expected one span "${name}", got ${found.length} among ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
}

/** Attributes whose key starts with `prefix`, with the prefix removed (to compare a flattened list at once). */
export function under(attrs: AttrMap, prefix: string): AttrMap {
  const out: AttrMap = {};
  for (const [k, v] of Object.entries(attrs)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/** Parses a JSON string attribute. */
export function json(attrs: Readonly<Record<string, unknown>>, key: string): unknown {
  const v = attrs[key];
  assert.equal(typeof v, 'string', `attribute ${key} should be a JSON string, got ${String(v)}`);
  return JSON.parse(v as string);
}

export { withEnv } from '../../../test/support/env.js';
export { collectFailures } from '../../../test/support/failures.js';
