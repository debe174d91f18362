/** LLM transport facts and SDK error classes on the wire: server.*, HTTP status, error.type, time to first chunk. */
import { strict as assert } from 'node:assert';
import { deregisterSubscriber, getHandle, LlmHandle, llmCallExecute, llmStreamCallExecute, registerSubscriber, withScope, ScopeType } from '@nemo-flow/runtime';
import { spanNamed } from '../../../test/support/otlp-receiver.js';
import { setup } from './helpers.js';

class InternalServerError extends Error {}

describe('exporter-otel: transport facts', () => {
  it('maps server, status, attempts, error class and time to first chunk', async () => {
    const { receiver, exporter, done } = await setup();
    registerSubscriber('otel-transport', exporter);
    try {
      const transport = { server_address: 'llm.internal', server_port: 8443 };
      await withScope('run', ScopeType.Agent, async () => {
        await llmCallExecute(
          'plain',
          { headers: {}, content: { model: 'a', messages: [] } },
          () => {
            (getHandle() as LlmHandle).recordTransport({ http_status: 200, attempts: 1 });
            return { id: 'r1' };
          },
          { transport },
        );
        await llmCallExecute(
          'failing',
          { headers: {}, content: { model: 'b', messages: [] } },
          () => {
            (getHandle() as LlmHandle).recordTransport({ http_status: 500, attempts: 3 });
            throw new InternalServerError('boom');
          },
          { transport },
        ).catch(() => undefined);
        const s = await llmStreamCallExecute('streamed', { headers: {}, content: { model: 'c', messages: [] } }, async function* () {
          await new Promise((r) => setTimeout(r, 5));
          yield { id: 'c1' };
        });
        for await (const _ of s) void _;
      });
      await exporter.forceFlush();
      const spans = await receiver.waitForSpans(4);
      const plain = spanNamed(spans, 'chat a').attributes;
      assert.equal(plain['server.address'], 'llm.internal');
      assert.equal(plain['server.port'], 8443);
      assert.equal(plain['http.response.status_code'], 200);
      assert.equal(plain['nemo_flow.llm.attempts'], 1);
      assert.equal(plain['error.type'], undefined);
      const failing = spanNamed(spans, 'chat b');
      assert.equal(failing.attributes['http.response.status_code'], 500);
      assert.equal(failing.attributes['nemo_flow.llm.attempts'], 3);
      assert.equal(failing.attributes['error.type'], 'InternalServerError');
      assert.equal(failing.status.code, 'ERROR');
      const ttfc = spanNamed(spans, 'chat c').attributes['gen_ai.response.time_to_first_chunk'];
      assert.ok(typeof ttfc === 'number' && ttfc >= 0.004 && ttfc < 5, `time to first chunk in seconds: ${ttfc}`);
    } finally {
      deregisterSubscriber('otel-transport');
      await done();
    }
  });
});
