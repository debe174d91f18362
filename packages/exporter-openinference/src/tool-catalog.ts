/**
 * Tool definitions seen in LLM requests, by name, so a TOOL span can show the description and the
 * parameter schema of the tool it runs (`tool.description`, `tool.parameters`) although the tool
 * call itself carries only its arguments. Bounded: the oldest names are forgotten first.
 */
import type { ToolDefinition } from '@nemo-flow/runtime/codecs';

const MAX_TOOLS = 1024;

export class ToolCatalog {
  private readonly defs = new Map<string, ToolDefinition>();

  /** Records (or refreshes) the definitions offered to a model. */
  learn(tools: readonly ToolDefinition[]): void {
    for (const t of tools) {
      const name = t?.name;
      if (typeof name !== 'string' || name.length === 0) continue;
      this.defs.set(name, t);
    }
    while (this.defs.size > MAX_TOOLS) {
      const oldest = this.defs.keys().next();
      if (oldest.done) break;
      this.defs.delete(oldest.value);
    }
  }

  get(name: string): ToolDefinition | undefined {
    return this.defs.get(name);
  }
}
