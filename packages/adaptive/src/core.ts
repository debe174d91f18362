/** What the request-path parts (cache governor, hints, tool guidance) need from the adaptive instance. */
import type { ScopeHandle } from '@nemo-flow/runtime';
import type { AgentModel } from './learners.js';
import type { CacheMirror } from './mirror.js';
import type { PromptLayout } from './prompt-layout.js';
import type { CodecName } from '@nemo-flow/runtime/codecs';

/** Where an LLM call happens: its agent run and its position in that run. */
export interface CallSite {
  /** Agent id of the enclosing agent scope; undefined outside agent scopes. */
  agentId: string | undefined;
  agentScope: ScopeHandle | undefined;
  /** Position the call will have in its run (1 outside runs). */
  position: number;
  /** What the agent's retained runs teach (undefined outside agent scopes). */
  model: AgentModel | undefined;
}

export interface AdaptiveCore {
  /** Current time in epoch ms. */
  now(): number;
  /** The call site of an LLM call about to start in the current async context. */
  site(): CallSite;
  mirror: CacheMirror;
  /**
   * The layout of a payload: remembered for payloads the request path itself built (fresh objects
   * nobody else mutates), computed otherwise. Throws on a payload the format cannot read.
   */
  layout(content: object, format?: CodecName): PromptLayout | undefined;
  /** Remembers the layout of a payload the request path built, so later steps need not recompute it. */
  rememberLayout(content: object, layout: PromptLayout): void;
  maxPrefixMessages: number;
}
