/** Maps each provider's finish/stop reason onto the shared FinishReason vocabulary. */
import type { FinishReason } from './types.js';

/** OpenAI Chat Completions `finish_reason`. */
export function chatFinishReason(raw: string): FinishReason {
  switch (raw) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    case 'error':
      return 'error';
    default:
      return 'other';
  }
}

/** Anthropic Messages `stop_reason`. */
export function anthropicFinishReason(raw: string): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other'; // pause_turn and future reasons
  }
}

/**
 * Gemini `finishReason`. Gemini ends a turn that called functions with `STOP`; such a turn
 * finished for tool calls.
 */
export function geminiFinishReason(raw: string, hasToolCalls: boolean): FinishReason {
  switch (raw) {
    case 'STOP':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
      return 'content_filter';
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
      return 'error';
    default:
      return 'other'; // LANGUAGE, OTHER, TOO_MANY_TOOL_CALLS, NO_IMAGE and future reasons
  }
}

/**
 * OpenAI Responses: the response `status` plus `incomplete_details.reason`. A completed response
 * that called functions finished for tool calls. Returns undefined while the response is running.
 */
export function responsesFinishReason(status: string, incompleteReason: string | undefined, hasToolCalls: boolean): FinishReason | undefined {
  switch (status) {
    case 'completed':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'incomplete':
      if (incompleteReason === 'max_output_tokens') return 'length';
      if (incompleteReason === 'content_filter') return 'content_filter';
      return 'other';
    case 'failed':
      return 'error';
    case 'cancelled':
      return 'other';
    default:
      return undefined; // in_progress, queued
  }
}
