/**
 * @nemo-flow/runtime/typed — typed tool, LLM and stream calls: value codecs and Standard Schema
 * validators (zod, valibot, arktype) at the JSON boundary of middleware and events.
 *
 * @module @nemo-flow/runtime/typed
 */
export { passthroughCodec, dateCodec, bigintCodec, arrayCodec, setCodec, mapCodec, objectCodec, classCodec } from './value-codecs.js';
export type { ValueCodec } from './value-codecs.js';
export { ValidationError, isStandardSchema } from './standard-schema.js';
export type { StandardSchemaV1, StandardResult, StandardIssue, InferOutput, ValidationIssue } from './standard-schema.js';
export { typedToolExecute, typedLlmExecute, typedLlmStreamExecute, TypedLlmStream } from './calls.js';
export type { CodecOrSchema, TypedToolOptions, TypedLlmOptions, TypedLlmStreamOptions } from './calls.js';
export { toolDefinition } from './tool-definition.js';
