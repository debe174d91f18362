/** Starts the fixture MCP server in a child process and connects a real SDK client to it. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { LifecycleEvent } from '@nemo-flow/runtime';
import { instrumentMcpClient, type McpClientOptions } from '@nemo-flow/mcp';

const FIXTURE = join(process.cwd(), 'packages', 'mcp', 'test', 'fixtures', 'mcp-server.ts');
const NODE_ARGS = ['--conditions=nemo-flow-src', '--import', 'tsx', FIXTURE];

export type Mode = 'stdio' | 'http';

/** What the server process wrote to stderr: its lifecycle events and any other line. */
export class ServerOutput {
  readonly events: LifecycleEvent[] = [];
  readonly lines: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(stream: Readable) {
    createInterface({ input: stream }).on('line', (line) => {
      if (line.startsWith('EVENT ')) this.events.push(JSON.parse(line.slice(6)) as LifecycleEvent);
      else this.lines.push(line);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves with the first event matching `pred` (already seen or still to come). */
  async waitFor(pred: (e: LifecycleEvent) => boolean, timeoutMs = 5000): Promise<LifecycleEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`server event not seen; got: ${this.events.map((e) => e.name).join(', ')}\n${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

export interface Connection {
  client: Client;
  server: ServerOutput;
  close(): Promise<void>;
}

export async function connect(mode: Mode, env: Record<string, string>, options?: McpClientOptions): Promise<Connection> {
  const client = instrumentMcpClient(new Client({ name: 'test-client', version: '0.0.1' }), options);
  const childEnv = { ...(process.env as Record<string, string>), NODE_OPTIONS: '', ...env };
  if (mode === 'stdio') {
    const transport = new StdioClientTransport({ command: process.execPath, args: [...NODE_ARGS, 'stdio'], env: childEnv, stderr: 'pipe', cwd: process.cwd() });
    const server = new ServerOutput(transport.stderr as Readable);
    await client.connect(transport);
    return { client, server, close: () => client.close() };
  }
  const child = spawn(process.execPath, [...NODE_ARGS, 'http'], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'], cwd: process.cwd() });
  const server = new ServerOutput(child.stderr);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^LISTENING (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error(`MCP server exited before listening:\n${server.lines.join('\n')}`)));
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
  return {
    client,
    server,
    close: async () => {
      await client.close();
      child.stdin.end();
      await exited;
    },
  };
}
