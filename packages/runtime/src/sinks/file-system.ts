/**
 * Whether files can be written here. File outputs check it at construction, so that a runtime
 * without a usable filesystem gets one clear error naming the alternative, not a failure on the
 * first event (or nothing at all).
 */
import { openSync, writeSync } from 'node:fs';

/** Why files cannot be written in this runtime, or undefined when they can. */
export function fileSystemMissing(): string | undefined {
  const ua = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  // Workers with nodejs_compat have a node:fs, but an in-memory one that is gone after the request.
  if (ua === 'Cloudflare-Workers') return 'Cloudflare Workers have no persistent filesystem';
  // Bundlers for browsers replace node:fs with an empty module.
  if (typeof openSync !== 'function' || typeof writeSync !== 'function') return 'node:fs is not available in this runtime';
  return undefined;
}
