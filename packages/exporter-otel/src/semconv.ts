/**
 * Attribute names and values this package writes. The OpenTelemetry GenAI semantic conventions are
 * still in development, and OpenTelemetry advises instrumentations to copy unstable names rather
 * than import them from `@opentelemetry/semantic-conventions/incubating` (whose exports may change
 * in a minor release). Names checked against semantic-conventions 1.45 (GenAI spans, 2026).
 */

// ── GenAI: operation and provider ────────────────────────────────────────────────────────────────
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';

export const GEN_AI_OPERATION_CHAT = 'chat';
export const GEN_AI_OPERATION_EXECUTE_TOOL = 'execute_tool';
export const GEN_AI_OPERATION_INVOKE_AGENT = 'invoke_agent';
export const GEN_AI_OPERATION_EMBEDDINGS = 'embeddings';
export const GEN_AI_OPERATION_RETRIEVAL = 'retrieval';

export const GEN_AI_PROVIDER_OPENAI = 'openai';
export const GEN_AI_PROVIDER_ANTHROPIC = 'anthropic';
/** The Gemini API (Google AI Studio); Vertex AI would be `gcp.vertex_ai`. */
export const GEN_AI_PROVIDER_GCP_GEMINI = 'gcp.gemini';

// ── GenAI: request ──────────────────────────────────────────────────────────────────────────────
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';

// ── GenAI: response and usage ───────────────────────────────────────────────────────────────────
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** The newest name of the cache-creation count (emitted with `gen_ai_latest_experimental`). */
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';

// ── GenAI: tools and agents ─────────────────────────────────────────────────────────────────────
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
export const ATTR_GEN_AI_TOOL_DESCRIPTION = 'gen_ai.tool.description';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_GEN_AI_AGENT_VERSION = 'gen_ai.agent.version';

export const GEN_AI_TOOL_TYPE_FUNCTION = 'function';

// ── GenAI: opt-in content (JSON strings) ───────────────────────────────────────────────────────
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_TOOL_DEFINITIONS = 'gen_ai.tool.definitions';
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';

// ── GenAI: client metrics ────────────────────────────────────────────────────────────────────────
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const GEN_AI_TOKEN_TYPE_INPUT = 'input';
export const GEN_AI_TOKEN_TYPE_OUTPUT = 'output';
/** The conventions' advised bucket boundaries: powers of 4 from 1 to 4^13 tokens. */
export const GEN_AI_TOKEN_USAGE_BUCKETS: readonly number[] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** The conventions' advised bucket boundaries: 10 ms doubling up to 81.92 s. */
export const GEN_AI_DURATION_BUCKETS: readonly number[] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/**
 * The semantic-conventions release these names are pinned to by default. With
 * `OTEL_SEMCONV_STABILITY_OPT_IN` containing `gen_ai_latest_experimental` the newest names are
 * emitted instead (today: `gen_ai.usage.cache_write.input_tokens` for cache creation).
 */
export const GEN_AI_SEMCONV_VERSION = '1.45.0';
export const GEN_AI_LATEST_OPT_IN = 'gen_ai_latest_experimental';

// ── General OpenTelemetry conventions (stable) ─────────────────────────────────────────────────
export const ATTR_ERROR_TYPE = 'error.type';

// ── Transport (stable general conventions, plus GenAI's time to first chunk, in seconds) ─────────
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
/** HTTP attempts of one LLM call, the client's retries included (no convention for a logical call). */
export const ATTR_NEMO_FLOW_LLM_ATTEMPTS = 'nemo_flow.llm.attempts';
export const ATTR_USER_ID = 'user.id';
export const EXCEPTION_EVENT_NAME = 'exception';
export const ATTR_EXCEPTION_TYPE = 'exception.type';
export const ATTR_EXCEPTION_MESSAGE = 'exception.message';
export const ATTR_EXCEPTION_STACKTRACE = 'exception.stacktrace';

// ── NeMo Flow: what the runtime knew, kept verbatim ──────────────────────────────────────────
export const ATTR_NEMO_FLOW_UUID = 'nemo_flow.uuid';
export const ATTR_NEMO_FLOW_PARENT_UUID = 'nemo_flow.parent_uuid';
/** The event's `name`, on spans whose name does not carry it (LLM calls are named after the model). */
export const ATTR_NEMO_FLOW_NAME = 'nemo_flow.name';
export const ATTR_NEMO_FLOW_CATEGORY = 'nemo_flow.category';
/** The event's sorted attribute strings, e.g. `["streaming"]`. */
export const ATTR_NEMO_FLOW_ATTRIBUTES = 'nemo_flow.attributes';
/** Start-event metadata as JSON. */
export const ATTR_NEMO_FLOW_METADATA = 'nemo_flow.metadata';
/** End-event metadata as JSON, when it has any. */
export const ATTR_NEMO_FLOW_END_METADATA = 'nemo_flow.end_metadata';
/** USD cost of an LLM call from the model price table (`category_profile.cost.total_usd`); absent for unpriced models. */
export const ATTR_NEMO_FLOW_LLM_COST_USD = 'nemo_flow.llm.cost_usd';
export const ATTR_NEMO_FLOW_DATA_SCHEMA = 'nemo_flow.data_schema';
/** The guardrail that rejected the call. */
export const ATTR_NEMO_FLOW_GUARDRAIL = 'nemo_flow.guardrail';
/** Scope input/output, mark data (content capture only), as JSON. */
export const ATTR_NEMO_FLOW_INPUT = 'nemo_flow.input';
export const ATTR_NEMO_FLOW_OUTPUT = 'nemo_flow.output';
export const ATTR_NEMO_FLOW_DATA = 'nemo_flow.data';
/** Set on spans that were still open at shutdown and ended by the exporter, not by the runtime. */
export const ATTR_NEMO_FLOW_INCOMPLETE = 'nemo_flow.incomplete';
/** `mark` on the zero-length span that stands for a mark without a live parent span. */
export const ATTR_NEMO_FLOW_EVENT_KIND = 'nemo_flow.event_kind';

/** Appended to attribute values cut at `maxAttributeLength`. */
export const TRUNCATION_MARKER = '…[truncated]';

/** Scope metadata keys that continue an incoming W3C trace (see README "Propagation"). */
export const METADATA_TRACEPARENT = 'traceparent';
export const METADATA_TRACESTATE = 'tracestate';

// ── MCP (semantic conventions for the Model Context Protocol; development status) ───────────────
export const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
export const ATTR_MCP_SESSION_ID = 'mcp.session.id';
export const ATTR_MCP_PROTOCOL_VERSION = 'mcp.protocol.version';
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri';
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
export const ATTR_JSONRPC_REQUEST_ID = 'jsonrpc.request.id';
/** `pipe` for stdio, `tcp` for HTTP. */
export const ATTR_NETWORK_TRANSPORT = 'network.transport';
export const MCP_METHOD_TOOLS_CALL = 'tools/call';
