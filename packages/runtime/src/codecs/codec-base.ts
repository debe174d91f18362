/** The shape every provider codec shares: its functions behind the `LlmCodec` interface, errors named. */
import type { CodecName, LlmCodec, NormalizedRequest, NormalizedResponse, StreamAccumulator } from './types.js';
import { toCodecError } from './util.js';

/** One provider's functions. Request functions may throw path errors; they become `CodecError`s. */
export interface CodecParts {
  decodeRequest(content: unknown): NormalizedRequest;
  encodeRequest(normalized: NormalizedRequest, original: unknown): unknown;
  decodeResponse(response: unknown): NormalizedResponse;
  summarizeResponse(response: unknown): NormalizedResponse;
  createAccumulator(): StreamAccumulator;
}

/** Stateless; one instance can serve every call. */
export class ProviderCodec implements LlmCodec {
  constructor(
    readonly name: CodecName,
    private readonly parts: CodecParts,
  ) {}

  decode(content: unknown): NormalizedRequest {
    try {
      return this.parts.decodeRequest(content);
    } catch (e) {
      return toCodecError(e, this.name);
    }
  }

  encode(normalized: NormalizedRequest, original: unknown): unknown {
    try {
      return this.parts.encodeRequest(normalized, original);
    } catch (e) {
      return toCodecError(e, this.name);
    }
  }

  decodeResponse(response: unknown): NormalizedResponse {
    return this.parts.decodeResponse(response);
  }

  summarizeResponse(response: unknown): NormalizedResponse {
    return this.parts.summarizeResponse(response);
  }

  createAccumulator(): StreamAccumulator {
    return this.parts.createAccumulator();
  }
}
