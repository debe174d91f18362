/** `captureContent: false` on tool calls: no arguments or result on events; the tool and the caller get the real ones. */
import { strict as assert } from 'node:assert';
import { toolCall, toolCallEnd, toolCallExecute } from '@nemo-flow/runtime';
import { capture } from './helpers.js';

describe('tool calls with captureContent: false', () => {
  it('managed and manual calls show no payloads; the tool id, name and status stay', async () => {
    const c = capture();
    try {
      let seen: unknown;
      const got = await toolCallExecute('lookup', { ssn: 'secret-123' }, (a) => ((seen = a), { card: 'secret-card' }), {
        toolCallId: 'call_1',
        captureContent: false,
      });
      assert.deepEqual(seen, { ssn: 'secret-123' }, 'the tool gets the real arguments');
      assert.deepEqual(got, { card: 'secret-card' }, 'the caller gets the real result');
      const h = toolCall('manual', { ssn: 'secret-456' }, { captureContent: false });
      toolCallEnd(h, 'secret-result');
      const events = c.scopes();
      assert.equal(events.length, 4);
      for (const e of events) {
        assert.equal(e.data, null, `${e.name} ${e.scope_category}`);
        assert.ok(!JSON.stringify(e).includes('secret'), `${e.name} ${e.scope_category} shows no content`);
      }
      assert.equal((events[1]!.category_profile as { tool_call_id?: string }).tool_call_id, 'call_1');
      assert.equal(events[1]!.status, 'ok');
      assert.throws(() => toolCallExecute('bad', {}, () => 1, { captureContent: 'no' as unknown as boolean }), /captureContent must be a boolean/);
    } finally {
      c.stop();
    }
  });
});
