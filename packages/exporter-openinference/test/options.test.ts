/** Constructor arguments of the OpenInference exporter: wrong options are errors naming them. */
import { strict as assert } from 'node:assert';
import { OpenInferenceExporter, createOpenInferenceExporter, type OpenInferenceExporterOptions } from '@nemo-flow/exporter-openinference';

function make(options: unknown): OpenInferenceExporter {
  return new OpenInferenceExporter(options as OpenInferenceExporterOptions);
}

describe('exporter-openinference: option validation', () => {
  it('rejects options that are not an object', () => {
    for (const bad of [null, 42, 'x', []]) {
      assert.throws(
        () => make(bad),
        (e: Error) => e instanceof TypeError && /new OpenInferenceExporter\(\): options must be an object/.test(e.message),
      );
    }
    assert.throws(() => createOpenInferenceExporter(42 as never), /createOpenInferenceExporter\(\): options must be an object, got 42/);
  });

  it('rejects bad numeric options naming them', () => {
    for (const [key, bad] of [
      ['maxQueueSize', NaN],
      ['maxQueueSize', ''],
      ['maxQueueSize', 0],
      ['maxQueueSize', -1],
      ['maxOpenSpans', 0],
      ['shutdownTimeoutMillis', -5],
      ['maxAttributeLength', NaN],
    ] as const) {
      assert.throws(
        () => make({ [key]: bad }),
        (e: Error) => e.message.startsWith(`new OpenInferenceExporter(): ${key} must be`),
        `${key}: ${String(bad)}`,
      );
    }
  });

  it('rejects bad types of its own options', () => {
    assert.throws(() => make({ headers: 'x' }), /headers must be an object/);
    assert.throws(() => make({ projectName: 1 }), /projectName must be a string/);
    assert.throws(() => make({ tags: 'a' }), /tags must be an array of strings/);
    assert.throws(() => make({ traceConfig: null }), /traceConfig must be an object, got null/);
  });
});
