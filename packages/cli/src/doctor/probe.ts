/**
 * One request to an OTLP/HTTP traces endpoint, to tell "nothing listens", "wrong path" and "wrong
 * protocol" apart. An empty export request is valid OTLP: a collector answers it with 200.
 */
import { request } from 'node:http';
import { request as requestTls } from 'node:https';

export type ProbeResult = { ok: true; status: number } | { ok: false; status?: number; reason: string };

export function probeOtlp(url: string, protocol: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ ok: false, reason: `not a URL: ${url}` });
      return;
    }
    const json = protocol === 'http/json';
    const body = json ? '{}' : '';
    const send = u.protocol === 'https:' ? requestTls : request;
    const req = send(u, {
      method: 'POST',
      headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf', 'content-length': Buffer.byteLength(body) },
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, reason: `answered HTTP ${status}` });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, reason: err.code ? `${err.code} (${err.message})` : err.message }));
    req.end(body);
  });
}
