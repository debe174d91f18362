/**
 * Stream chunks as accumulators receive them: usually parsed event objects (what the OpenAI and
 * Anthropic SDKs yield), but a raw `fetch` stream yields bytes or text in server-sent-event
 * framing, and SSE parser libraries yield `{ event, data }` messages. This turns each into event
 * objects.
 */
/**
 * A message object from an SSE parser library: `{ event?, data: string, id? }`. Its `data` is an own
 * field; SDK response classes may have a `data` getter (Google's warns when read), never called here.
 */
function isSseMessage(v: unknown): v is { data: string } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return Object.hasOwn(o, 'data') && typeof o.data === 'string' && o.type === undefined && o.choices === undefined && o.object === undefined;
}

export class ChunkReader {
  private buffer = '';
  private decoder: InstanceType<typeof TextDecoder> | undefined;

  /** Feeds one chunk; calls `sink` for every complete event object it contains. Never throws. */
  feed(chunk: unknown, sink: (event: unknown) => void): void {
    if (typeof chunk === 'string') this.text(chunk, sink);
    else if (chunk instanceof Uint8Array) {
      this.decoder ??= new TextDecoder();
      this.text(this.decoder.decode(chunk, { stream: true }), sink);
    } else if (isSseMessage(chunk)) this.line(`data: ${chunk.data}`, sink);
    else sink(chunk);
  }

  /** Processes a trailing line without a newline. */
  end(sink: (event: unknown) => void): void {
    if (this.decoder) this.buffer += this.decoder.decode();
    const rest = this.buffer;
    this.buffer = '';
    if (rest !== '') this.line(rest, sink);
  }

  private text(s: string, sink: (event: unknown) => void): void {
    let buf = this.buffer + s;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      this.line(buf.slice(0, nl), sink);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
    this.buffer = buf;
  }

  private line(raw: string, sink: (event: unknown) => void): void {
    let line = raw.trim();
    if (line.startsWith('data:')) line = line.slice(5).trim();
    else if (!line.startsWith('{')) return; // `event:` / `id:` lines, comments, blank separators
    if (line === '' || line === '[DONE]') return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return; // a malformed event is skipped, not fatal
    }
    sink(event);
  }
}
