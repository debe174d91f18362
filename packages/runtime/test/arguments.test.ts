/**
 * Every public entry of the runtime core, called with wrong arguments: each throws (or rejects
 * with) a TypeError whose message starts with the function and names the argument — never an
 * engine message such as "x is not iterable" or "Cannot convert a Symbol value to a string".
 */
import { strict as assert } from 'node:assert';
import * as rt from '@nemo-flow/runtime';
import { ScopeStack, ScopeType, createScopeStack } from '@nemo-flow/runtime';

const sym = Symbol('s');
const req = { headers: {}, content: { model: 'm', messages: [] } };
const noop = (): void => {};
const root = createScopeStack().root;

type Row = [fn: string, arg: string, call: () => unknown];

const rows: Row[] = [
  ['pushScope', 'name', () => rt.pushScope(42 as never, ScopeType.Agent)],
  ['pushScope', 'name', () => rt.pushScope(sym as never, ScopeType.Agent)],
  ['pushScope', 'type', () => rt.pushScope('s', 1n as never)],
  ['pushScope', 'options', () => rt.pushScope('s', ScopeType.Agent, 42 as never)],
  ['pushScope', 'attributes', () => rt.pushScope('s', ScopeType.Agent, { attributes: 5 as never })],
  ['pushScope', 'attributes', () => rt.pushScope('s', ScopeType.Agent, { attributes: 'abc' as never })],
  ['pushScope', 'attributes', () => rt.pushScope('s', ScopeType.Agent, { attributes: [sym] as never })],
  ['pushScope', 'parent', () => rt.pushScope('s', ScopeType.Agent, { parent: {} as never })],
  ['pushScope', 'timestamp', () => rt.pushScope('s', ScopeType.Agent, { timestamp: sym as never })],
  ['popScope', 'handle', () => rt.popScope(42 as never)],
  ['popScope', 'options', () => rt.popScope(root, 'x' as never)],
  ['withScope', 'name', () => rt.withScope(sym as never, ScopeType.Agent, noop)],
  ['withScope', 'type', () => rt.withScope('s', 'nope' as never, noop)],
  ['withScope', 'fn', () => rt.withScope('s', ScopeType.Agent, 'x' as never)],
  ['withScope', 'options', () => rt.withScope('s', ScopeType.Agent, noop, [] as never)],
  ['mark', 'name', () => rt.mark(null as never)],
  ['mark', 'options', () => rt.mark('m', 'x' as never)],
  ['mark', 'category', () => rt.mark('m', { category: 'nope' as never })],
  ['mark', 'timestamp', () => rt.mark('m', { timestamp: -1 })],
  ['runWithScopeStack', 'stack', () => rt.runWithScopeStack({} as never, noop)],
  ['runWithScopeStack', 'fn', () => rt.runWithScopeStack(createScopeStack(), 1 as never)],
  ['bindScopeStack', 'stack', () => rt.bindScopeStack(null as never, noop)],
  ['bindScopeStack', 'fn', () => rt.bindScopeStack(createScopeStack(), 1 as never)],
  ['ScopeStack', 'base', () => new ScopeStack(42 as never)],
  ['registerSubscriber', 'name', () => rt.registerSubscriber(sym as never, noop)],
  ['registerSubscriber', 'subscriber', () => rt.registerSubscriber('s', 42 as never)],
  ['registerSubscriber', 'options', () => rt.registerSubscriber('s', noop, 7 as never)],
  ['registerSubscriber', 'scope', () => rt.registerSubscriber('s', noop, { scope: {} as never })],
  ['deregisterSubscriber', 'name', () => rt.deregisterSubscriber(42 as never)],
  ['deregisterSubscriber', 'scope', () => rt.deregisterSubscriber('s', { scope: 'x' as never })],
  ['flushSubscribers', 'options', () => rt.flushSubscribers(42 as never)],
  ['flushSubscribers', 'timeoutMs', () => rt.flushSubscribers({ timeoutMs: Number.NaN })],
  ['flushSubscribers', 'timeoutMs', () => rt.flushSubscribers({ timeoutMs: -1 })],
  ['toolCallExecute', 'name', () => rt.toolCallExecute(sym as never, {}, noop)],
  ['toolCallExecute', 'fn', () => rt.toolCallExecute('t', {}, null as never)],
  ['toolCallExecute', 'options', () => rt.toolCallExecute('t', {}, noop, 42 as never)],
  ['toolCallExecute', 'attributes', () => rt.toolCallExecute('t', {}, noop, { attributes: 5 as never })],
  ['toolCallExecute', 'toolCallId', () => rt.toolCallExecute('t', {}, noop, { toolCallId: 5 as never })],
  ['toolCallExecute', 'parent', () => rt.toolCallExecute('t', {}, noop, { parent: 'p' as never })],
  ['toolCall', 'name', () => rt.toolCall('', {})],
  ['toolCall', 'timestamp', () => rt.toolCall('t', {}, { timestamp: 'x' as never })],
  ['toolCall', 'options', () => rt.toolCall('t', {}, true as never)],
  ['toolCallEnd', 'handle', () => rt.toolCallEnd(42 as never, {})],
  ['toolCallError', 'handle', () => rt.toolCallError({} as never, new Error('x'))],
  ['llmCallExecute', 'name', () => rt.llmCallExecute(sym as never, req, noop)],
  ['llmCallExecute', 'request', () => rt.llmCallExecute('l', null as never, noop)],
  ['llmCallExecute', 'content', () => rt.llmCallExecute('l', { headers: {} } as never, noop)],
  ['llmCallExecute', 'fn', () => rt.llmCallExecute('l', req, 5 as never)],
  ['llmCallExecute', 'modelName', () => rt.llmCallExecute('l', req, noop, { modelName: 5 as never })],
  ['llmCallExecute', 'codec', () => rt.llmCallExecute('l', req, noop, { codec: 'nope' as never })],
  ['llmCallExecute', 'attributes', () => rt.llmCallExecute('l', req, noop, { attributes: {} as never })],
  ['llmCall', 'name', () => rt.llmCall(1 as never, req)],
  ['llmCall', 'request', () => rt.llmCall('l', 'x' as never)],
  ['llmCall', 'timestamp', () => rt.llmCall('l', req, { timestamp: 1.5 })],
  ['llmCallEnd', 'handle', () => rt.llmCallEnd(null as never, {})],
  ['llmCallError', 'handle', () => rt.llmCallError(sym as never, new Error('x'))],
  ['llmStreamCallExecute', 'name', () => rt.llmStreamCallExecute(sym as never, req, () => [])],
  ['llmStreamCallExecute', 'request', () => rt.llmStreamCallExecute('l', [] as never, () => [])],
  ['llmStreamCallExecute', 'fn', () => rt.llmStreamCallExecute('l', req, {} as never)],
  ['llmStreamCallExecute', 'collector', () => rt.llmStreamCallExecute('l', req, () => [], { collector: 5 as never })],
  ['llmStreamCallExecute', 'finalizer', () => rt.llmStreamCallExecute('l', req, () => [], { finalizer: 'x' as never })],
  ['toolConditionalExecution', 'name', () => rt.toolConditionalExecution(42 as never, {})],
  ['toolConditionalExecution', 'options', () => rt.toolConditionalExecution('t', {}, 5 as never)],
  ['toolRequestIntercepts', 'name', () => rt.toolRequestIntercepts(sym as never, {})],
  ['llmConditionalExecution', 'request', () => rt.llmConditionalExecution(5 as never)],
  ['llmConditionalExecution', 'options.name', () => rt.llmConditionalExecution(req, { name: 5 as never })],
  ['llmRequestIntercepts', 'name', () => rt.llmRequestIntercepts(null as never, req)],
  ['llmRequestIntercepts', 'request', () => rt.llmRequestIntercepts('l', 5 as never)],
  ['llmRequestIntercepts', 'codec', () => rt.llmRequestIntercepts('l', req, { codec: 'nope' as never })],
  ['registerMiddleware', 'family', () => rt.registerMiddleware('nope' as never, 'm', 0, noop as never)],
  ['registerMiddleware', 'name', () => rt.registerMiddleware('tool_sanitize_request', sym as never, 0, noop)],
  ['registerMiddleware', 'priority', () => rt.registerMiddleware('tool_sanitize_request', 'm', Number.NaN, noop)],
  ['deregisterMiddleware', 'family', () => rt.deregisterMiddleware(42 as never, 'm')],
  ['deregisterMiddleware', 'name', () => rt.deregisterMiddleware('tool_sanitize_request', '')],
  ['ConsoleExporter', 'options', () => new rt.ConsoleExporter(42 as never)],
  ['ConsoleExporter', 'stream', () => new rt.ConsoleExporter({ stream: {} as never })],
  ['ConsoleExporter', 'color', () => new rt.ConsoleExporter({ color: 'yes' as never })],
  ['ConsoleExporter', 'payloadChars', () => new rt.ConsoleExporter({ payloadChars: -1 })],
  ['AtofFileExporter', 'path', () => new rt.AtofFileExporter(null as never)],
  ['AtofFileExporter', 'path', () => new rt.AtofFileExporter({ path: 42 as never })],
];

// Every middleware family: register* and deregister*.
const families = Object.keys(rt).filter((k) => /^register(Tool|Llm)\w+(Guardrail|Intercept)$/.test(k));
assert.equal(families.length, 11, 'every middleware family is covered');
for (const reg of families) {
  const register = (rt as unknown as Record<string, (...a: unknown[]) => unknown>)[reg]!;
  const dereg = `de${reg}`;
  const deregister = (rt as unknown as Record<string, (...a: unknown[]) => unknown>)[dereg]!;
  rows.push(
    [reg, 'name', () => register(sym, 0, noop)],
    [reg, 'priority', () => register('m', '1', noop)],
    [reg, 'fn', () => register('m', 0, null)],
    [reg, 'options', () => register('m', 0, noop, 5)],
    [reg, 'scope', () => register('m', 0, noop, { scope: {} })],
    [dereg, 'name', () => deregister(42)],
    [dereg, 'scope', () => deregister('m', { scope: 1 })],
  );
  if (/RequestIntercept$/.test(reg)) rows.push([reg, 'breakChain', () => register('m', 0, noop, { breakChain: 'yes' })]);
}

/** The error a call throws or its promise rejects with. */
async function failureOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('wrong arguments at every public entry of the runtime core', () => {
  it(`${rows.length} calls: a TypeError naming the function and the argument`, async () => {
    const wrong: string[] = [];
    for (const [fn, arg, call] of rows) {
      const err = await failureOf(call);
      const msg = err instanceof Error ? err.message : String(err);
      if (!(err instanceof TypeError) || !msg.startsWith(fn) || !msg.includes(arg) || !/got|must|has no/.test(msg)) {
        wrong.push(`${fn} / ${arg}: ${err instanceof Error ? `${err.name}: ${msg}` : `returned without error (${msg})`}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(
      rt.listSubscribers().filter((n) => n === 's'),
      [],
      'nothing was registered by a failing call',
    );
  });
});
