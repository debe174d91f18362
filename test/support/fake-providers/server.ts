/**
 * The base of the loopback fake provider servers (OpenAI, Anthropic, Gemini…): an HTTP server on
 * 127.0.0.1 that records every request and answers from a script of replies, so real SDK clients
 * can be pointed at it through their `baseURL`. Provider modules build their JSON and SSE bodies on
 * top of this; nothing here knows a provider.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake server received it. */
export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1/chat/completions`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body parsed as JSON (undefined when empty or not JSON). */
  body: unknown;
  raw: string;
}

/** One scripted answer. */
export type Reply =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  /** Server-sent events: each entry is written as one `event:`/`data:` block. */
  | {
      kind: 'sse';
      events: SseEvent[];
      headers?: Record<string, string> /** Close the socket after this many events (a broken stream). */;
      breakAfter?: number /** Wait for this promise before each event after the first (lets a test abort mid-stream). */;
      gate?: () => Promise<void>;
    }
  /** Newline-free raw body (e.g. a Gemini streamed JSON array). */
  | { kind: 'raw'; status?: number; contentType: string; body: string };

export interface SseEvent {
  event?: string;
  /** Serialized with JSON.stringify unless already a string. */
  data: unknown;
}

/** Decides the reply for a request; return undefined to fall through to the queued replies. */
export type Responder = (req: RecordedRequest) => Reply | undefined;

export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: Reply[] = [];
  private readonly responders: Responder[] = [];
  private server: Server | undefined;
  private baseUrl = '';

  /** Starts listening on 127.0.0.1 on a free port. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  /** `http://127.0.0.1:PORT` (append the provider's path prefix, e.g. `/v1`). */
  get url(): string {
    return this.baseUrl;
  }

  /** Queues replies answered in order, one per request. */
  enqueue(...replies: Reply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Adds a responder consulted before the queue (routing by path, counting attempts…). */
  respond(responder: Responder): this {
    this.responders.push(responder);
    return this;
  }

  /** Forgets recorded requests, queued replies and responders. */
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.responders.length = 0;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, raw };
    this.requests.push(recorded);
    let reply: Reply | undefined;
    for (const r of this.responders) {
      reply = r(recorded);
      if (reply) break;
    }
    reply ??= this.queue.shift();
    if (!reply) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake server: no reply scripted for ${recorded.method} ${recorded.url}` } }));
      return;
    }
    await writeReply(res, reply);
  }
}

async function writeReply(res: ServerResponse, reply: Reply): Promise<void> {
  if (reply.kind === 'json') {
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
    return;
  }
  if (reply.kind === 'raw') {
    res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType });
    res.end(reply.body);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...reply.headers });
  for (let i = 0; i < reply.events.length; i++) {
    if (reply.breakAfter !== undefined && i >= reply.breakAfter) {
      res.destroy();
      return;
    }
    if (i > 0 && reply.gate) await reply.gate();
    if (res.destroyed) return;
    const e = reply.events[i]!;
    const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${data}\n\n`);
  }
  res.end();
}

/** Starts a fake server; call `stop()` in `after`. */
export function startFakeServer(): Promise<FakeServer> {
  return new FakeServer().start();
}
