/** The error a tool result with `isError: true` is recorded as. */
import { isObject } from './metadata.js';

/**
 * Thrown inside the managed call for an MCP tool result with `isError: true`, so the call's end
 * event records a failure (and execution intercepts can retry it). The instrumented `callTool`
 * catches it and returns `result` unchanged: the caller never sees this error.
 */
export class McpToolError extends Error {
  override readonly name = 'McpToolError';
  /** The tool result as the SDK returned it. */
  readonly result: unknown;
  readonly tool: string;

  constructor(tool: string, result: unknown) {
    super(`MCP tool "${tool}" returned an error result: ${errorText(result)}`);
    this.tool = tool;
    this.result = result;
  }
}

/** The text parts of a tool result, joined (what the server said went wrong). */
function errorText(result: unknown): string {
  const content = isObject(result) ? result.content : undefined;
  if (!Array.isArray(content)) return '(no content)';
  const texts = content.filter((c): c is { text: string } => isObject(c) && typeof c.text === 'string').map((c) => c.text);
  const text = texts.join('\n');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text || '(no text content)';
}

/** Whether an MCP result says the tool failed. */
export function isErrorResult(result: unknown): boolean {
  return isObject(result) && result.isError === true;
}
