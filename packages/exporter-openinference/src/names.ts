/**
 * Attribute names and values, all taken from `@arizeai/openinference-semantic-conventions` (never
 * retyped, so a rename there is a compile error here), plus the flattened-key prefixes built from
 * them once at load time instead of on every span.
 */
import { SemanticConventions as SC } from '@arizeai/openinference-semantic-conventions';

export {
  LLMProvider,
  LLMSystem,
  MimeType,
  OpenInferenceSpanKind,
  SEMRESATTRS_PROJECT_NAME,
  SemanticConventions,
} from '@arizeai/openinference-semantic-conventions';

export const {
  OPENINFERENCE_SPAN_KIND,
  INPUT_VALUE,
  INPUT_MIME_TYPE,
  OUTPUT_VALUE,
  OUTPUT_MIME_TYPE,
  LLM_MODEL_NAME,
  LLM_REQUEST_MODEL_NAME,
  LLM_RESPONSE_MODEL_NAME,
  LLM_PROVIDER,
  LLM_SYSTEM,
  LLM_INVOCATION_PARAMETERS,
  LLM_INPUT_MESSAGES,
  LLM_OUTPUT_MESSAGES,
  LLM_TOOLS,
  LLM_FINISH_REASON,
  LLM_TOKEN_COUNT_PROMPT,
  LLM_TOKEN_COUNT_COMPLETION,
  LLM_TOKEN_COUNT_TOTAL,
  LLM_COST_TOTAL,
  LLM_COST_PROMPT,
  LLM_COST_COMPLETION,
  LLM_COST_INPUT,
  LLM_COST_OUTPUT,
  LLM_COST_PROMPT_DETAILS_CACHE_READ,
  LLM_COST_PROMPT_DETAILS_CACHE_WRITE,
  LLM_COST_COMPLETION_DETAILS_REASONING,
  LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ,
  LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE,
  LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING,
  MESSAGE_ROLE,
  MESSAGE_NAME,
  MESSAGE_CONTENT,
  MESSAGE_CONTENTS,
  MESSAGE_TOOL_CALLS,
  MESSAGE_TOOL_CALL_ID,
  MESSAGE_CONTENT_TYPE,
  MESSAGE_CONTENT_TEXT,
  MESSAGE_CONTENT_IMAGE,
  MESSAGE_CONTENT_SIGNATURE,
  MESSAGE_CONTENT_DATA,
  IMAGE_URL,
  TOOL_CALL_ID,
  TOOL_CALL_FUNCTION_NAME,
  TOOL_CALL_FUNCTION_ARGUMENTS_JSON,
  TOOL_NAME,
  TOOL_DESCRIPTION,
  TOOL_PARAMETERS,
  TOOL_JSON_SCHEMA,
  TOOL_ID,
  AGENT_NAME,
  SESSION_ID,
  USER_ID,
  METADATA,
  TAG_TAGS,
} = SC;

/** `message_content.image.image.url`: where an image part's URL goes inside `message.contents.{j}`. */
export const CONTENT_IMAGE_URL = `${MESSAGE_CONTENT_IMAGE}.${IMAGE_URL}`;

/** `llm.tools.{i}.tool.json_schema` is `${LLM_TOOLS}.${i}.${TOOL_JSON_SCHEMA}`. */
export const toolSchemaKey = (i: number): string => `${LLM_TOOLS}.${i}.${TOOL_JSON_SCHEMA}`;
