/**
 * One schema for a tool: it types the arguments, validates them (`typedToolExecute`) and
 * describes them to the model as the JSON Schema tool definition the codecs carry.
 */
import type { ToolDefinition } from '../codecs/types.js';
import type { StandardSchemaV1 } from './standard-schema.js';

interface JsonSchemaCapable {
  '~standard': { jsonSchema?: { input?: (options: { target: string }) => Record<string, unknown> } };
}

/**
 * The tool definition for `schema`, from the validator's Standard JSON Schema export (zod 4
 * implements it). Throws a TypeError when the validator exposes no JSON Schema.
 */
export function toolDefinition(name: string, schema: StandardSchemaV1, options?: { description?: string }): ToolDefinition {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('toolDefinition: name must be a non-empty string');
  const input = (schema as unknown as JsonSchemaCapable)?.['~standard']?.jsonSchema?.input;
  if (typeof input !== 'function') {
    throw new TypeError(
      `toolDefinition("${name}"): the schema does not expose a JSON Schema (Standard JSON Schema's ~standard.jsonSchema); zod 4 does, others may need a converter`,
    );
  }
  const { $schema: _ignored, ...parameters } = input({ target: 'draft-2020-12' });
  const def: ToolDefinition = { name, parameters };
  if (options?.description !== undefined) def.description = options.description;
  return def;
}
