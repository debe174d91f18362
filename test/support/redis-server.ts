/** Starts Debian's redis-server on 127.0.0.1 on a free port, without persistence, for tests. */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

/** Installs redis-server when missing (as root), else throws with the command to run. */
export function ensureRedis(): void {
  execFileSync('bash', [resolve(__dirname, 'ensure-redis.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
}

export { freePort } from './free-port.js';

export class RedisServer {
  #child: ChildProcess | undefined;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<this> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    let out = '';
    await new Promise<void>((ok, fail) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) ok();
      });
      child.once('exit', (code) => fail(new Error(`redis-server exited (${String(code)}): ${out}`)));
    });
    return this;
  }
  async stop(): Promise<void> {
    const c = this.#child;
    this.#child = undefined;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGKILL');
    await once(c, 'exit');
  }
}
