/**
 * The contract between the span plumbing (`SpanBridge`) and a vocabulary of attributes (GenAI
 * semantic conventions here, OpenInference elsewhere). A mapper decides what a span is called and
 * what it says; the bridge decides when it starts and ends, who its parent is, and how errors and
 * marks show up.
 */
import type { Attributes, SpanKind } from '@opentelemetry/api';
import type { MarkEvent, ScopeEvent } from '@nemo-flow/runtime';

/** What a start event becomes. */
export interface SpanStart {
  name: string;
  kind: SpanKind;
  /**
   * Attributes set when the span starts. Must be a fresh object on every call: the bridge adds to
   * it, and the built-in pipeline's span keeps it as its own attribute map.
   */
  attributes: Attributes;
  /**
   * Attributes every descendant span also gets, unless it sets them itself (e.g. the conversation
   * id of an agent run, so each LLM and tool span of the run carries it).
   */
  inherited?: Attributes;
}

/**
 * Maps lifecycle events to span names, kinds and attributes. Implementations must be fast on the
 * hot path: no serialization of payloads unless content capture asks for it.
 */
export interface AttributeMapper {
  /** Name, kind and attributes of the span a start event opens. */
  start(event: ScopeEvent): SpanStart;
  /**
   * Attributes added when the span ends. `start` is the start event of the same uuid. Status and
   * exception events for failed work are added by the bridge, not here.
   */
  end(event: ScopeEvent, start: ScopeEvent): Attributes | undefined;
  /** Attributes of the span event a mark becomes. */
  mark(event: MarkEvent): Attributes | undefined;
  /**
   * Set status OK on spans of work that ended well (OpenInference does; the GenAI conventions
   * leave it unset). Default false.
   */
  readonly okStatus?: boolean;
}

/** Options every mapper built into these packages understands. */
export interface MapperOptions {
  /** Record prompts, completions, tool arguments/results and scope input/output. Default false. */
  captureContent?: boolean;
  /** Cut attribute values (serialized payloads included) at this many characters. */
  maxAttributeLength?: number;
}
