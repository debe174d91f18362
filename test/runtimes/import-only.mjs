/**
 * Imports every library package and does nothing else: each runtime must print nothing and exit at
 * once (no timers, listeners, files or sockets opened at import time). The namespaces are exported
 * so that a bundler (the Worker's) keeps every module.
 */
export * as runtime from '@nemo-flow/runtime';
export * as codecs from '@nemo-flow/runtime/codecs';
export * as plugins from '@nemo-flow/runtime/plugins';
export * as exporterKit from '@nemo-flow/runtime/exporter-kit';
export * as models from '@nemo-flow/runtime/models';
export * as typed from '@nemo-flow/runtime/typed';
export * as sdk from '@nemo-flow/sdk';
export * as otel from '@nemo-flow/exporter-otel';
export * as openinference from '@nemo-flow/exporter-openinference';
export * as atif from '@nemo-flow/exporter-atif';
export * as adaptive from '@nemo-flow/adaptive';
export * as openai from '@nemo-flow/openai';
export * as anthropic from '@nemo-flow/anthropic';
export * as googleGenai from '@nemo-flow/google-genai';
export * as aiSdk from '@nemo-flow/ai-sdk';
export * as mcp from '@nemo-flow/mcp';
export * as langchain from '@nemo-flow/langchain';
export * as openaiAgents from '@nemo-flow/openai-agents';
