/**
 * The ATIF document (Harbor's Agent Trajectory Interchange Format), as this package writes and
 * validates it. Field sets follow Harbor's validator: unknown keys are rejected everywhere, so
 * anything else a producer wants to keep goes into an `extra` object.
 */

/** A JSON-compatible value, as stored in `extra` objects and tool arguments. */
export type AtifJson = null | boolean | number | string | AtifJson[] | { [key: string]: AtifJson };

/** A JSON object. */
export type AtifJsonObject = { [key: string]: AtifJson };

/** Every schema version the validator accepts. */
export const ATIF_SCHEMA_VERSIONS = ['ATIF-v1.0', 'ATIF-v1.1', 'ATIF-v1.2', 'ATIF-v1.3', 'ATIF-v1.4', 'ATIF-v1.5', 'ATIF-v1.6', 'ATIF-v1.7'] as const;
export type AtifSchemaVersion = (typeof ATIF_SCHEMA_VERSIONS)[number];

/** The versions the exporter writes. */
export type AtifOutputVersion = 'ATIF-v1.6' | 'ATIF-v1.7';

/** Image reference inside a content part. */
export interface AtifImageSource {
  media_type: 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';
  /** File path or URL of the image. */
  path: string;
}

/** One part of multimodal content (ATIF v1.6+). */
export type AtifContentPart = { type: 'text'; text: string } | { type: 'image'; source: AtifImageSource };

/** A step's message or an observation's content: plain text or content parts. */
export type AtifContent = string | AtifContentPart[];

export interface AtifToolCall {
  tool_call_id: string;
  function_name: string;
  arguments: AtifJsonObject;
  /** v1.7 only. */
  extra?: AtifJsonObject;
}

/** Reference to a subagent trajectory. v1.6: `session_id` (+ `trajectory_path`); v1.7: `trajectory_id` and/or `trajectory_path`. */
export interface AtifSubagentRef {
  session_id?: string;
  trajectory_id?: string;
  trajectory_path?: string;
  extra?: AtifJsonObject;
}

export interface AtifObservationResult {
  /** A `tool_call_id` of the same step's `tool_calls`; omitted when the result answers no call. */
  source_call_id?: string;
  content?: AtifContent;
  subagent_trajectory_ref?: AtifSubagentRef[];
}

export interface AtifObservation {
  results: AtifObservationResult[];
}

export interface AtifMetrics {
  /** Input tokens, including tokens served from the prompt cache. */
  prompt_tokens?: number;
  completion_tokens?: number;
  cached_tokens?: number;
  cost_usd?: number;
  prompt_token_ids?: number[];
  completion_token_ids?: number[];
  logprobs?: number[];
  extra?: AtifJsonObject;
}

export type AtifStepSource = 'system' | 'user' | 'agent';

export interface AtifStep {
  /** 1, 2, 3 … in order, no gaps. */
  step_id: number;
  /** ISO 8601. */
  timestamp?: string;
  source: AtifStepSource;
  message: AtifContent;
  /** Agent steps only. */
  model_name?: string;
  /** Agent steps only. */
  reasoning_effort?: string | number;
  /** Agent steps only. */
  reasoning_content?: string;
  /** Agent steps only. */
  tool_calls?: AtifToolCall[];
  observation?: AtifObservation;
  /** Agent steps only. */
  metrics?: AtifMetrics;
  is_copied_context?: boolean;
  /** v1.7 only: how many LLM inferences the step stands for (0 = a step without an LLM call). */
  llm_call_count?: number;
  extra?: AtifJsonObject;
}

export interface AtifAgent {
  name: string;
  version: string;
  model_name?: string;
  tool_definitions?: AtifJsonObject[];
  extra?: AtifJsonObject;
}

export interface AtifFinalMetrics {
  total_prompt_tokens?: number;
  total_completion_tokens?: number;
  total_cached_tokens?: number;
  total_cost_usd?: number;
  total_steps?: number;
  extra?: AtifJsonObject;
}

export interface AtifTrajectory {
  schema_version: AtifSchemaVersion;
  /** Required up to v1.6; optional in v1.7. */
  session_id?: string;
  /** v1.7 only; required on embedded subagent trajectories. */
  trajectory_id?: string;
  agent: AtifAgent;
  steps: AtifStep[];
  notes?: string;
  final_metrics?: AtifFinalMetrics;
  continued_trajectory_ref?: string;
  extra?: AtifJsonObject;
  /** v1.7 only. */
  subagent_trajectories?: AtifTrajectory[];
}

/** One rule a document breaks, located by a JSON path such as `$.steps[3].observation.results[0].source_call_id`. */
export interface AtifViolation {
  path: string;
  message: string;
}
