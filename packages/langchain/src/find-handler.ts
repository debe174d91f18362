/** Finds the NemoFlowCallbackHandler among a run's callbacks, and the run it is called from. */
import { NemoFlowCallbackHandler } from './handler.js';

export interface AttachedHandler {
  handler: NemoFlowCallbackHandler;
  /** The LangChain run the call belongs under (a callback manager's parent run). */
  parentRunId: string | undefined;
}

/** `callbacks` of a RunnableConfig, or a run manager: an array of handlers or an object holding `handlers`. */
export function findHandler(callbacks: unknown): AttachedHandler | undefined {
  if (callbacks === null || typeof callbacks !== 'object') return undefined;
  const list: unknown = Array.isArray(callbacks) ? callbacks : (callbacks as { handlers?: unknown }).handlers;
  if (!Array.isArray(list)) return undefined;
  const handler = list.find((h): h is NemoFlowCallbackHandler => h instanceof NemoFlowCallbackHandler);
  if (!handler) return undefined;
  const parentRunId = Array.isArray(callbacks) ? undefined : (callbacks as { _parentRunId?: string })._parentRunId;
  return { handler, parentRunId };
}
