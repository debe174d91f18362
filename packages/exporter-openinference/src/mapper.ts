/**
 * The OpenInference vocabulary for the OTel exporter's span machinery (`SpanBridge`): span kind by
 * scope category, LLM spans with flattened messages, tools and token counts, TOOL spans with the
 * tool's definition when a model was offered it, `input.value` / `output.value` on every span, and
 * the run's session, user, tags and metadata on every descendant. Masking follows the resolved
 * `TraceConfig`; hidden content is never serialized.
 */
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { type MarkEvent, type ScopeEvent, type ScopeType } from '@nemo-flow/runtime';
import { reportFailure, unwrapView } from '@nemo-flow/runtime/exporter-kit';
import {
  ATTR_NEMO_FLOW_ATTRIBUTES,
  ATTR_NEMO_FLOW_CATEGORY,
  ATTR_NEMO_FLOW_PARENT_UUID,
  ATTR_NEMO_FLOW_UUID,
  DEFAULT_MAX_ATTRIBUTE_LENGTH,
  llmModelName,
  nemoFlowMarkAttributes,
  type AttributeMapper,
  type MapperOptions,
  type SpanStart,
} from '@nemo-flow/exporter-otel';
import { jsonText } from './json.js';
import { addLlmEnd, addLlmStart, requestContent, requestFormatOf, requestOf, responseOf, type LlmContext } from './llm.js';
import { AGENT_NAME, OPENINFERENCE_SPAN_KIND, OpenInferenceSpanKind, TOOL_CALL_ID, TOOL_DESCRIPTION, TOOL_ID, TOOL_NAME, TOOL_PARAMETERS } from './names.js';
import { RunContexts, type RunContextOptions } from './run-context.js';
import { ToolCatalog } from './tool-catalog.js';
import { resolveTraceConfig, type TraceConfig, type TraceConfigOptions } from './trace-config.js';
import { addInputValue, addOutputValue } from './values.js';

export interface OpenInferenceMapperOptions extends MapperOptions, RunContextOptions {
  /**
   * Record content (inputs, outputs, messages). Default true, as OpenInference instrumentations
   * do; `false` hides inputs and outputs whatever `traceConfig` and the environment say.
   */
  captureContent?: boolean;
  /** Masking; unset settings come from the `OPENINFERENCE_*` environment variables. */
  traceConfig?: TraceConfigOptions;
  /** Failure-report source prefix (default `exporter-openinference`). */
  source?: string;
}

const KIND_BY_CATEGORY: Readonly<Record<ScopeType, OpenInferenceSpanKind>> = {
  agent: OpenInferenceSpanKind.AGENT,
  function: OpenInferenceSpanKind.CHAIN,
  tool: OpenInferenceSpanKind.TOOL,
  llm: OpenInferenceSpanKind.LLM,
  retriever: OpenInferenceSpanKind.RETRIEVER,
  embedder: OpenInferenceSpanKind.EMBEDDING,
  reranker: OpenInferenceSpanKind.RERANKER,
  guardrail: OpenInferenceSpanKind.GUARDRAIL,
  evaluator: OpenInferenceSpanKind.EVALUATOR,
  custom: OpenInferenceSpanKind.CHAIN,
  unknown: OpenInferenceSpanKind.CHAIN,
};

/** The OpenInference span kind of a scope category (CHAIN for anything unknown). */
export function spanKindOf(category: string): OpenInferenceSpanKind {
  return KIND_BY_CATEGORY[category as ScopeType] ?? OpenInferenceSpanKind.CHAIN;
}

function toolCallIdOf(event: ScopeEvent): string | undefined {
  const id = (unwrapView(event.category_profile) as { tool_call_id?: unknown } | null)?.tool_call_id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** The model the caller asked for: the runtime's `model_name`, else the payload's `model`. */
function requestModelOf(start: ScopeEvent, fallback?: unknown): string | undefined {
  const m = llmModelName(start);
  if (m) return m;
  if (typeof fallback === 'string' && fallback.length > 0) return fallback;
  const content = requestContent(start);
  const model = typeof content === 'object' && content !== null ? (content as { model?: unknown }).model : undefined;
  return typeof model === 'string' && model.length > 0 ? model : undefined;
}

export class OpenInferenceMapper implements AttributeMapper {
  /** The masking in force (code, then environment, then defaults; `captureContent: false` applied). */
  readonly traceConfig: TraceConfig;
  private readonly maxLength: number;
  private readonly source: string;
  private readonly llm: LlmContext;
  private readonly contexts: RunContexts;
  private readonly tools = new ToolCatalog();

  constructor(options: OpenInferenceMapperOptions = {}) {
    this.maxLength = options.maxAttributeLength ?? DEFAULT_MAX_ATTRIBUTE_LENGTH;
    this.source = options.source ?? 'exporter-openinference';
    let config = resolveTraceConfig(options.traceConfig);
    if (options.captureContent === false) config = Object.freeze({ ...config, hideInputs: true, hideOutputs: true });
    this.traceConfig = config;
    this.llm = {
      config,
      maxLength: this.maxLength,
      inputMask: {
        hideText: config.hideInputText,
        hideImages: config.hideInputImages,
        base64ImageMaxLength: config.base64ImageMaxLength,
        maxLength: this.maxLength,
      },
      // OpenInference has no switch for output images; the base64 limit still applies.
      outputMask: { hideText: config.hideOutputText, hideImages: false, base64ImageMaxLength: config.base64ImageMaxLength, maxLength: this.maxLength },
    };
    this.contexts = new RunContexts(options, this.maxLength);
  }

  start(event: ScopeEvent): SpanStart {
    const kind = spanKindOf(event.category);
    // Assigned, not a computed-key literal: V8 builds those far slower (measured ~90 ns a span).
    const attrs: Attributes = {};
    attrs[OPENINFERENCE_SPAN_KIND] = kind;
    this.contexts.enter(event, attrs);
    // Enough of the event to find it in the NeMo Flow stream (ATOF files, other exporters).
    attrs[ATTR_NEMO_FLOW_UUID] = event.uuid;
    if (event.parent_uuid) attrs[ATTR_NEMO_FLOW_PARENT_UUID] = event.parent_uuid;
    attrs[ATTR_NEMO_FLOW_CATEGORY] = event.category;
    if (event.attributes.length > 0) attrs[ATTR_NEMO_FLOW_ATTRIBUTES] = event.attributes.slice();
    // A payload that cannot be read costs its own attributes, not the span's kind and run context.
    try {
      switch (kind) {
        case OpenInferenceSpanKind.LLM:
          this.llmStart(event, attrs);
          break;
        case OpenInferenceSpanKind.TOOL:
          this.toolStart(event, attrs);
          break;
        case OpenInferenceSpanKind.AGENT:
          attrs[AGENT_NAME] = event.name;
          addInputValue(attrs, event.data, this.traceConfig.hideInputs, this.maxLength);
          break;
        default:
          addInputValue(attrs, event.data, this.traceConfig.hideInputs, this.maxLength);
      }
    } catch (err) {
      reportFailure(`${this.source}:mapping`, `OpenInference mapping of a ${event.category} start event failed`, err);
    }
    return { name: event.name, kind: SpanKind.INTERNAL, attributes: attrs };
  }

  end(event: ScopeEvent, start: ScopeEvent): Attributes | undefined {
    this.contexts.leave(event.uuid);
    const attrs: Attributes = {};
    try {
      if (event.category === 'llm') {
        const res = event.status === 'error' ? undefined : responseOf(event, start);
        addLlmEnd(attrs, event, res, requestModelOf(start), this.llm, requestFormatOf(start));
      } else {
        addOutputValue(attrs, event.data, this.traceConfig.hideOutputs, this.maxLength);
      }
    } catch (err) {
      reportFailure(`${this.source}:mapping`, `OpenInference mapping of a ${event.category} end event failed`, err);
    }
    return attrs;
  }

  mark(event: MarkEvent): Attributes | undefined {
    const c = this.traceConfig;
    return nemoFlowMarkAttributes(event, this.maxLength, !c.hideInputs && !c.hideOutputs);
  }

  private llmStart(event: ScopeEvent, attrs: Attributes): void {
    const req = requestOf(event);
    if (req && Array.isArray(req.tools) && req.tools.length > 0) this.tools.learn(req.tools);
    addLlmStart(attrs, event, req, requestModelOf(event, req?.model), this.llm);
  }

  private toolStart(event: ScopeEvent, attrs: Attributes): void {
    attrs[TOOL_NAME] = event.name;
    const id = toolCallIdOf(event);
    if (id) {
      attrs[TOOL_CALL_ID] = id;
      attrs[TOOL_ID] = id;
    }
    const def = this.tools.get(event.name);
    if (def) {
      if (typeof def.description === 'string' && def.description.length > 0) attrs[TOOL_DESCRIPTION] = def.description;
      if (def.parameters !== undefined) attrs[TOOL_PARAMETERS] = jsonText(def.parameters, this.maxLength);
    }
    addInputValue(attrs, event.data, this.traceConfig.hideInputs, this.maxLength);
  }
}
