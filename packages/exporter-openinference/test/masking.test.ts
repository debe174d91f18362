/**
 * Privacy: OpenInference's masking switches, set in code or by `OPENINFERENCE_*` environment
 * variables (code wins), checked on what actually leaves the process (decoded OTLP bytes).
 */
import { strict as assert } from 'node:assert';
import { ScopeType, llmCallExecute, mark, toolCallExecute, withScope } from '@nemo-flow/runtime';
import { SemanticConventions as SC } from '@arizeai/openinference-semantic-conventions';
import {
  DEFAULT_TRACE_CONFIG,
  OpenInferenceExporter,
  REDACTED_VALUE,
  resolveTraceConfig,
  type OpenInferenceExporterOptions,
} from '@nemo-flow/exporter-openinference';
import type { AttrMap, ReceivedSpan } from '../../../test/support/otlp-receiver.js';
import { ANTHROPIC_RESPONSE, CHAT_RESPONSE, PNG_BASE64, anthropicRequest, chatRequest } from './fixtures.js';
import { collectFailures, json, only, setup, under, withEnv } from './helpers.js';

const IN = `${SC.LLM_INPUT_MESSAGES}.`;
const OUT = `${SC.LLM_OUTPUT_MESSAGES}.`;
const ALL_ENV = [
  'OPENINFERENCE_HIDE_INPUTS',
  'OPENINFERENCE_HIDE_OUTPUTS',
  'OPENINFERENCE_HIDE_INPUT_MESSAGES',
  'OPENINFERENCE_HIDE_OUTPUT_MESSAGES',
  'OPENINFERENCE_HIDE_INPUT_IMAGES',
  'OPENINFERENCE_HIDE_INPUT_TEXT',
  'OPENINFERENCE_HIDE_OUTPUT_TEXT',
  'OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH',
];
const CLEAN_ENV = Object.fromEntries(ALL_ENV.map((k) => [k, undefined]));

/** One agent run with an OpenAI chat call (image in the history), an Anthropic call and a tool; returns its spans by name. */
interface Run {
  spans: ReceivedSpan[];
  agent: AttrMap;
  openai: AttrMap;
  anthropic: AttrMap;
  tool: AttrMap;
}

async function recordRun(options: OpenInferenceExporterOptions, env: Record<string, string | undefined> = {}): Promise<Run> {
  return withEnv({ ...CLEAN_ENV, ...env }, async () => {
    const h = await setup(options);
    try {
      await withScope(
        'agent',
        ScopeType.Agent,
        async () => {
          await llmCallExecute('openai', chatRequest(), async () => CHAT_RESPONSE, { codec: 'auto' });
          await llmCallExecute('anthropic', anthropicRequest(), async () => ANTHROPIC_RESPONSE, { codec: 'auto' });
          await toolCallExecute('get_weather', { city: 'Paris' }, () => ({ temp_c: 21 }), { toolCallId: 'call_w1' });
          mark('checkpoint', { data: { secret: 'mark-data' } });
          return 'final answer';
        },
        { input: 'user question', metadata: { session_id: 's-1' } },
      );
      const spans = await h.spans(4);
      return {
        spans,
        agent: only(spans, 'agent').attributes,
        openai: only(spans, 'openai').attributes,
        anthropic: only(spans, 'anthropic').attributes,
        tool: only(spans, 'get_weather').attributes,
      };
    } finally {
      await h.done();
    }
  });
}

/** Every attribute value of the spans and their events, as one string (to assert something appears nowhere). */
function wireText(spans: readonly ReceivedSpan[]): string {
  return JSON.stringify(spans.map((s) => [s.attributes, s.events.map((e) => e.attributes)]));
}

function keysUnder(a: AttrMap, prefix: string): string[] {
  return Object.keys(under(a, prefix));
}

describe('exporter-openinference: masking', () => {
  describe('resolveTraceConfig', () => {
    it('defaults to showing everything, images up to 32000 characters', () => {
      assert.deepEqual(resolveTraceConfig({}, {}), DEFAULT_TRACE_CONFIG);
      assert.equal(DEFAULT_TRACE_CONFIG.base64ImageMaxLength, 32000);
      assert.equal(REDACTED_VALUE, '__REDACTED__');
    });

    it('reads every OPENINFERENCE_* variable', () => {
      const env = Object.fromEntries(ALL_ENV.map((k) => [k, 'true']));
      env['OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH'] = '1000';
      assert.deepEqual(resolveTraceConfig({}, env), {
        hideInputs: true,
        hideOutputs: true,
        hideInputMessages: true,
        hideOutputMessages: true,
        hideInputImages: true,
        hideInputText: true,
        hideOutputText: true,
        base64ImageMaxLength: 1000,
      });
      assert.equal(resolveTraceConfig({}, { OPENINFERENCE_HIDE_INPUTS: 'TRUE' }).hideInputs, true);
      assert.equal(resolveTraceConfig({}, { OPENINFERENCE_HIDE_INPUTS: 'false' }).hideInputs, false);
    });

    it('code wins over the environment, setting by setting', () => {
      const env = { OPENINFERENCE_HIDE_INPUTS: 'true', OPENINFERENCE_HIDE_OUTPUTS: 'true', OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH: '10' };
      const c = resolveTraceConfig({ hideInputs: false, base64ImageMaxLength: 500 }, env);
      assert.equal(c.hideInputs, false, 'code false beats env true');
      assert.equal(c.hideOutputs, true, 'unset in code: env applies');
      assert.equal(c.base64ImageMaxLength, 500);
    });

    it('reports an invalid environment value and keeps the default; rejects an invalid value in code', () => {
      const f = collectFailures();
      try {
        const c = resolveTraceConfig({}, { OPENINFERENCE_HIDE_OUTPUTS: 'maybe', OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH: 'lots' });
        assert.equal(c.hideOutputs, false);
        assert.equal(c.base64ImageMaxLength, 32000);
        assert.ok(
          f.failures.some((x) => x.message.includes('OPENINFERENCE_HIDE_OUTPUTS')),
          JSON.stringify(f.failures),
        );
      } finally {
        f.restore();
      }
      assert.throws(() => resolveTraceConfig({ base64ImageMaxLength: -1 }, {}), TypeError);
    });

    it('the exporter resolves its configuration once, from code then environment', async () => {
      await withEnv({ ...CLEAN_ENV, OPENINFERENCE_HIDE_OUTPUT_TEXT: 'true' }, async () => {
        const e = new OpenInferenceExporter({ endpoint: 'http://127.0.0.1:9', traceConfig: { hideInputText: true } });
        try {
          assert.equal(e.traceConfig.hideInputText, true);
          assert.equal(e.traceConfig.hideOutputText, true);
          assert.equal(e.traceConfig.hideInputs, false);
        } finally {
          await e.shutdown({ timeoutMillis: 500 });
        }
      });
    });
  });

  describe('on the wire', () => {
    it('nothing hidden by default: messages, images, values and mark data all exported', async () => {
      const r = await recordRun({});
      assert.equal(r.openai[`${IN}1.message.contents.1.message_content.image.image.url`], `data:image/png;base64,${PNG_BASE64}`);
      assert.equal(r.openai[`${OUT}0.message.content`], 'It is 21 °C and clear in Paris.');
      assert.equal(r.agent[SC.INPUT_VALUE], 'user question');
      assert.equal(r.tool[SC.OUTPUT_VALUE], '{"temp_c":21}');
      const ev = only(r.spans, 'agent').events.find((e) => e.name === 'checkpoint');
      assert.equal(ev?.attributes['nemo_flow.data'], '{"secret":"mark-data"}');
    });

    it('hideInputs: input values redacted without MIME type; input messages and offered tools gone; outputs intact', async () => {
      const r = await recordRun({ traceConfig: { hideInputs: true } });
      for (const name of ['agent', 'openai', 'anthropic', 'tool'] as const) {
        const a = r[name];
        assert.equal(a[SC.INPUT_VALUE], REDACTED_VALUE, name);
        assert.equal(a[SC.INPUT_MIME_TYPE], undefined, name);
        assert.deepEqual(keysUnder(a, IN), [], name);
        assert.deepEqual(keysUnder(a, `${SC.LLM_TOOLS}.`), [], name);
      }
      assert.equal(r.openai[`${OUT}0.message.content`], 'It is 21 °C and clear in Paris.');
      assert.equal(r.tool[SC.OUTPUT_VALUE], '{"temp_c":21}');
      assert.equal(r.agent[SC.OUTPUT_VALUE], 'final answer');
      // What identifies the call stays: model, parameters, token counts, tool name, session.
      assert.equal(r.openai[SC.LLM_MODEL_NAME], 'gpt-4o-mini-2024-07-18');
      assert.equal(r.openai[SC.LLM_TOKEN_COUNT_TOTAL], 424);
      assert.equal(r.tool[SC.TOOL_NAME], 'get_weather');
      assert.equal(r.tool[SC.SESSION_ID], 's-1');
      const ev = only(r.spans, 'agent').events.find((e) => e.name === 'checkpoint');
      assert.equal(ev?.attributes['nemo_flow.data'], undefined, 'mark payloads are content too');
      assert.ok(!wireText(r.spans).includes('Paris\\"}'), 'the tool arguments appear nowhere');
    });

    it('hideOutputs: output values redacted; output messages gone; inputs intact', async () => {
      const r = await recordRun({ traceConfig: { hideOutputs: true } });
      for (const name of ['agent', 'openai', 'anthropic', 'tool'] as const) {
        const a = r[name];
        assert.equal(a[SC.OUTPUT_VALUE], REDACTED_VALUE, name);
        assert.equal(a[SC.OUTPUT_MIME_TYPE], undefined, name);
        assert.deepEqual(keysUnder(a, OUT), [], name);
      }
      assert.equal(r.openai[`${IN}0.message.content`], 'You are a concise travel assistant.');
      assert.deepEqual(json(r.tool, SC.INPUT_VALUE), { city: 'Paris' });
      assert.equal(r.anthropic[SC.LLM_TOKEN_COUNT_PROMPT], 420);
      assert.ok(!wireText(r.spans).includes('umbrella'), 'the completion text appears nowhere');
    });

    it('hideInputMessages / hideOutputMessages drop the flattened messages but keep the values', async () => {
      const r = await recordRun({ traceConfig: { hideInputMessages: true, hideOutputMessages: true } });
      for (const name of ['openai', 'anthropic'] as const) {
        const a = r[name];
        assert.deepEqual(keysUnder(a, IN), [], name);
        assert.deepEqual(keysUnder(a, OUT), [], name);
        assert.equal(typeof a[SC.INPUT_VALUE], 'string', name);
        assert.notEqual(a[SC.INPUT_VALUE], REDACTED_VALUE, name);
        assert.notEqual(a[SC.OUTPUT_VALUE], REDACTED_VALUE, name);
        assert.ok(keysUnder(a, `${SC.LLM_TOOLS}.`).length > 0, 'offered tools are not messages');
      }
    });

    it('hideInputText / hideOutputText redact message text and text parts, keeping roles, images and tool calls', async () => {
      const r = await recordRun({ traceConfig: { hideInputText: true, hideOutputText: true } });
      const o = under(r.openai, IN);
      assert.equal(o['0.message.role'], 'system');
      assert.equal(o['0.message.content'], REDACTED_VALUE);
      assert.equal(o['1.message.contents.0.message_content.text'], REDACTED_VALUE);
      assert.equal(o['1.message.contents.1.message_content.image.image.url'], `data:image/png;base64,${PNG_BASE64}`);
      assert.equal(o['2.message.tool_calls.0.tool_call.function.name'], 'get_weather');
      assert.equal(o['3.message.content'], REDACTED_VALUE);
      assert.equal(r.openai[`${OUT}0.message.content`], REDACTED_VALUE);
      const out = under(r.anthropic, OUT);
      assert.equal(out['0.message.contents.0.message_content.type'], 'reasoning');
      assert.equal(out['0.message.contents.0.message_content.text'], REDACTED_VALUE);
      assert.equal(out['0.message.contents.1.message_content.text'], REDACTED_VALUE);
    });

    it('hideInputImages drops image URLs (the part stays typed as an image)', async () => {
      const r = await recordRun({ traceConfig: { hideInputImages: true } });
      for (const name of ['openai', 'anthropic'] as const) {
        const m = under(r[name], `${IN}1.message.contents.1.`);
        assert.deepEqual(m, { 'message_content.type': 'image' }, name);
        assert.match(String(r[name][`${IN}1.message.contents.0.message_content.text`]), /\?$/, 'the text next to the image stays');
      }
    });

    it('base64 images longer than base64ImageMaxLength are redacted, shorter ones and plain URLs kept', async () => {
      const short = await recordRun({ traceConfig: { base64ImageMaxLength: 200 } });
      assert.equal(short.openai[`${IN}1.message.contents.1.message_content.image.image.url`], `data:image/png;base64,${PNG_BASE64}`);
      const cut = await recordRun({ traceConfig: { base64ImageMaxLength: 50 } });
      assert.equal(cut.openai[`${IN}1.message.contents.1.message_content.image.image.url`], REDACTED_VALUE);
      assert.equal(cut.anthropic[`${IN}1.message.contents.1.message_content.image.image.url`], REDACTED_VALUE);
    });

    it('environment variables alone configure masking', async () => {
      const r = await recordRun({}, { OPENINFERENCE_HIDE_INPUTS: 'true', OPENINFERENCE_HIDE_OUTPUT_TEXT: 'true', OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH: '10' });
      assert.equal(r.openai[SC.INPUT_VALUE], REDACTED_VALUE);
      assert.deepEqual(keysUnder(r.openai, IN), []);
      assert.equal(r.openai[`${OUT}0.message.content`], REDACTED_VALUE);
      assert.equal(r.tool[SC.INPUT_VALUE], REDACTED_VALUE);
    });

    it('code wins over the environment', async () => {
      const r = await recordRun(
        { traceConfig: { hideInputs: false, hideOutputs: true, base64ImageMaxLength: 100_000 } },
        { OPENINFERENCE_HIDE_INPUTS: 'true', OPENINFERENCE_HIDE_OUTPUTS: 'false', OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH: '10' },
      );
      assert.equal(r.openai[`${IN}0.message.content`], 'You are a concise travel assistant.');
      assert.equal(r.openai[`${IN}1.message.contents.1.message_content.image.image.url`], `data:image/png;base64,${PNG_BASE64}`);
      assert.deepEqual(json(r.tool, SC.INPUT_VALUE), { city: 'Paris' });
      assert.equal(r.openai[SC.OUTPUT_VALUE], REDACTED_VALUE);
      assert.deepEqual(keysUnder(r.openai, OUT), []);
    });

    it('captureContent: false hides inputs and outputs whatever the configuration says', async () => {
      const r = await recordRun({ captureContent: false, traceConfig: { hideInputs: false } }, { OPENINFERENCE_HIDE_OUTPUTS: 'false' });
      assert.equal(r.openai[SC.INPUT_VALUE], REDACTED_VALUE);
      assert.equal(r.openai[SC.OUTPUT_VALUE], REDACTED_VALUE);
      assert.deepEqual(keysUnder(r.openai, IN), []);
      assert.deepEqual(keysUnder(r.openai, OUT), []);
    });
  });
});
