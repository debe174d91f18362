/** Test helpers: a fake OpenAI server, an instrumented client on it, and the captured event stream. */
import OpenAI from 'openai';
import { deregisterSubscriber, registerSubscriber, type LlmCategoryProfile, type ScopeEvent } from '@nemo-flow/runtime';
import { startFakeServer, type FakeServer } from '../../../test/support/fake-providers/server.js';
import { instrumentOpenAI, type InstrumentOpenAIOptions } from '@nemo-flow/openai';

export interface Captured {
  scopes: ScopeEvent[];
  ends(name?: string): ScopeEvent[];
  stop(): void;
}

let n = 0;
export function capture(): Captured {
  const name = `openai-capture-${n++}`;
  const scopes: ScopeEvent[] = [];
  registerSubscriber(name, (e) => {
    if (e.kind === 'scope') scopes.push(e);
  });
  return {
    scopes,
    ends: (callName) => scopes.filter((e) => e.scope_category === 'end' && (callName === undefined || e.name === callName)),
    stop: () => void deregisterSubscriber(name),
  };
}

export const profile = (e: ScopeEvent | undefined): LlmCategoryProfile => e!.category_profile as LlmCategoryProfile;

export async function setupServer(): Promise<FakeServer> {
  return startFakeServer();
}

export function client(server: FakeServer, options: { maxRetries?: number } & InstrumentOpenAIOptions = {}): OpenAI {
  const { maxRetries, ...instrument } = options;
  return instrumentOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: maxRetries ?? 0 }), instrument);
}
