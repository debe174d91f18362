/** Cost of LLM calls: the price table, user overrides, and the cost on each LLM end event. */
import { strict as assert } from 'node:assert';
import { llmCallExecute } from '@nemo-flow/runtime';
import type { LlmCategoryProfile, ScopeEvent } from '@nemo-flow/runtime';
import { ANTHROPIC_PRICES, cachePricesOf, llmCost, modelPrice, setModelPrices, PRICE_TABLE_DATE } from '@nemo-flow/runtime/models';
import { capture } from './helpers.js';

const close = (a: number | undefined, b: number): void => assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

async function endCost(
  codec: 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini',
  model: string,
  response: object,
): Promise<LlmCategoryProfile['cost']> {
  const cap = capture();
  try {
    const content =
      codec === 'gemini'
        ? { model, contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }
        : { model, messages: [{ role: 'user', content: 'hi' }], input: 'hi', max_tokens: 5 };
    await llmCallExecute('llm', { headers: {}, content }, () => response, { codec });
    const end = cap.scopes().find((e: ScopeEvent) => e.category === 'llm' && e.scope_category === 'end')!;
    return (end.category_profile as LlmCategoryProfile).cost;
  } finally {
    cap.stop();
  }
}

describe('pricing', () => {
  afterEach(() => setModelPrices({}, { replace: true }));

  it('OpenAI Chat: cached prompt tokens at the cached price, on the end event (hand-computed)', async () => {
    const cost = await endCost('openai-chat', 'gpt-4o-mini', {
      id: 'c1',
      object: 'chat.completion',
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10_000, completion_tokens: 2_000, total_tokens: 12_000, prompt_tokens_details: { cached_tokens: 4_000 } },
    });
    // 6000 × $0.15 + 4000 × $0.075 + 2000 × $0.60 per million
    assert.equal(cost?.priced, true);
    assert.equal(cost?.price_key, 'gpt-4o-mini');
    close(cost?.input_usd, 0.0009);
    close(cost?.cached_input_usd, 0.0003);
    close(cost?.output_usd, 0.0012);
    close(cost?.total_usd, 0.0024);
  });

  it('OpenAI Responses: reasoning tokens inside output are split out (hand-computed)', async () => {
    const cost = await endCost('openai-responses', 'o4-mini', {
      id: 'r1',
      object: 'response',
      model: 'o4-mini-2025-04-16',
      status: 'completed',
      output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] }],
      usage: {
        input_tokens: 5_000,
        input_tokens_details: { cached_tokens: 1_000 },
        output_tokens: 3_000,
        output_tokens_details: { reasoning_tokens: 2_000 },
        total_tokens: 8_000,
      },
    });
    // 4000 × 1.10 + 1000 × 0.275 + 1000 × 4.40 + 2000 × 4.40 per million
    close(cost?.input_usd, 0.0044);
    close(cost?.cached_input_usd, 0.000275);
    close(cost?.output_usd, 0.0044);
    close(cost?.reasoning_usd, 0.0088);
    close(cost?.total_usd, 0.017875);
  });

  it('Anthropic: cache reads at 0.1× and cache writes at 1.25× (hand-computed)', async () => {
    const cost = await endCost('anthropic-messages', 'claude-sonnet-4-5', {
      id: 'm1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'ok' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 100, cache_read_input_tokens: 20_000, cache_creation_input_tokens: 3_000, output_tokens: 500 },
    });
    // 100 × $3 + 20000 × $0.30 + 3000 × $3.75 + 500 × $15 per million
    close(cost?.input_usd, 0.0003);
    close(cost?.cached_input_usd, 0.006);
    close(cost?.cache_write_usd, 0.01125);
    close(cost?.output_usd, 0.0075);
    close(cost?.total_usd, 0.02505);
  });

  it('Gemini: prompt includes cached content; thoughts billed as output (hand-computed)', async () => {
    const cost = await endCost('gemini', 'gemini-2.5-flash', {
      candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 8_000, cachedContentTokenCount: 6_000, candidatesTokenCount: 400, thoughtsTokenCount: 600, totalTokenCount: 9_000 },
      modelVersion: 'gemini-2.5-flash',
    });
    // 2000 × 0.30 + 6000 × 0.075 + 400 × 2.50 + 600 × 2.50 per million
    assert.equal(cost?.price_key, 'gemini-2.5-flash');
    close(cost?.input_usd, 0.0006);
    close(cost?.cached_input_usd, 0.00045);
    close(cost?.output_usd, 0.001);
    close(cost?.reasoning_usd, 0.0015);
    close(cost?.total_usd, 0.00355);
    assert.equal(llmCost('models/gemini-2.5-flash', { input_tokens: 1 })?.price_key, 'gemini-2.5-flash');
  });

  it('longest prefix wins; provider prefixes and suffixes are stripped', () => {
    assert.equal(modelPrice('gpt-4o-2024-08-06')?.key, 'gpt-4o');
    assert.equal(modelPrice('gpt-4o-mini')?.key, 'gpt-4o-mini');
    assert.equal(modelPrice('openai/gpt-4.1-nano')?.key, 'gpt-4.1-nano');
    assert.equal(modelPrice('us.anthropic.claude-3-5-haiku-20241022-v1:0')?.key, 'claude-3-5-haiku');
    assert.equal(modelPrice('claude-opus-4-1@20250805')?.key, 'claude-opus-4-1');
    assert.equal(modelPrice('gpt-4ox'), undefined);
    assert.match(PRICE_TABLE_DATE, /^\d{4}-\d{2}-\d{2}$/);
  });

  it('unknown models cost nothing and say so; user prices override and add', async () => {
    const unknown = llmCost('my-local-llama', { input_tokens: 10, output_tokens: 5 });
    assert.equal(unknown?.priced, false);
    assert.equal(unknown?.total_usd, 0);
    assert.match(unknown?.note ?? '', /no price for model "my-local-llama"/);
    assert.equal(modelPrice('gpt-4o-mini-2024-07-18')?.source, 'builtin'); // remembered until prices change
    setModelPrices({ 'my-local-llama': { input: 1, output: 2 }, 'gpt-4o-mini': { input: 1, cachedInput: 0.5, output: 1 } });
    close(llmCost('my-local-llama', { input_tokens: 1_000_000, output_tokens: 1_000_000 })?.total_usd, 3);
    const over = llmCost('gpt-4o-mini-2024-07-18', { input_tokens: 2_000_000, cache_read_tokens: 1_000_000, output_tokens: 0 });
    assert.equal(over?.price_source, 'user');
    close(over?.total_usd, 1.5);
    assert.throws(() => setModelPrices({ x: { input: -1, output: 1 } }), /price of "x": input must be a finite number ≥ 0/);
    assert.throws(() => setModelPrices({ x: { input: 1 } as never }), /needs both input and output/);
    assert.throws(() => setModelPrices({ x: { input: 1, output: 1, cached: 1 } as never }), /unknown field "cached"/);
  });

  it('cache price multiples per model agree with the planner constants', () => {
    assert.deepEqual(cachePricesOf('claude-sonnet-4-5'), { read: ANTHROPIC_PRICES.read, write: ANTHROPIC_PRICES.write });
    assert.deepEqual(cachePricesOf('gpt-4o'), { read: 0.5, write: 1 });
    assert.deepEqual(cachePricesOf('gpt-4.1-mini'), { read: 0.25, write: 1 });
    assert.equal(cachePricesOf('unknown-model'), undefined);
  });

  it('no usage, no cost field', async () => {
    const cost = await endCost('openai-chat', 'gpt-4o', {
      id: 'c2',
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }],
    });
    assert.equal(cost, undefined);
  });
});
