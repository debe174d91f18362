/**
 * @nemo-flow/adaptive — the adaptive layer: learns from observed agent runs, then plans prompt caching, sends router
 * hints and reports tool-parallelism guidance. Model facts (cache prices, minimum cacheable lengths) are
 * read from `@nemo-flow/runtime/models`. See docs/adaptive.md.
 *
 * @module @nemo-flow/adaptive
 */
export { Adaptive } from './adaptive.js';
export type { AdaptiveOptions, CacheReport, AgentCacheReport, ShapeReport } from './adaptive.js';
export { adaptivePlugin, getAdaptive, ADAPTIVE_PLUGIN_KIND } from './plugin.js';
export { readAdaptiveConfig, ADAPTIVE_SECTIONS } from './config.js';
export type { AdaptiveSettings, RedisStoreSettings } from './config.js';
export { InMemoryAdaptiveStore } from './store.js';
export type { AdaptiveStore, InMemoryStoreOptions } from './store.js';
export { isRunRecord } from './records.js';
export type { RunRecord, CallRecord, LlmCallRecord, ToolCallRecord, AdaptiveSnapshot, ImportResult } from './records.js';
export { LEARNER_NAMES } from './learners.js';
export type { LearnerName, PositionStats, ToolPairStats, CallPrediction, ToolParallelismGuidance, AgentModel, ShapeStability } from './learners.js';
export type { Summary } from './stats.js';
export { planAnthropicCache, MAX_BREAKPOINTS, DEFAULT_CONTINUE_PROBABILITY } from './anthropic-planner.js';
export type { AnthropicPlan, AnthropicPlanOptions, PlannedBreakpoint, BreakpointReason } from './anthropic-planner.js';
export { AnthropicCacheSimulator } from './simulator.js';
export type { AnthropicCacheSimulatorOptions, SimulatedUsage } from './simulator.js';
export { anthropicLayout, openAIChatLayout, openAIResponsesLayout, layoutOf, boundariesOf, shapeOf } from './prompt-layout.js';
export type { PromptLayout, PromptBlock, PromptSection, CacheMark, Boundary } from './prompt-layout.js';
export { estimateTokens, CHARS_PER_TOKEN } from './tokens.js';
export { crossRunBreakEven, continuationBreakEven } from './pricing.js';
export { callCacheStats, runCacheStats, sumCacheStats } from './cache-report.js';
export type { CacheUsageStats } from './cache-report.js';
export { GOVERNOR_DEFAULTS } from './governor.js';
export type { CacheGovernorOptions } from './governor.js';
export { HINT_FIELDS, DEFAULT_HINTS_BODY_PATH, injectHints } from './hints.js';
export type { HintField, HintsOptions, AgentHints } from './hints.js';
export { setLatencySensitivity, withLatencySensitivity, currentLatencySensitivity } from './latency.js';
export { TOOL_PARALLELISM_MARK } from './tool-guidance.js';
export type { ToolParallelismOptions } from './tool-guidance.js';
export { prefixId } from './stability.js';
