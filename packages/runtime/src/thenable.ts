/** Promise detection shared by the scope lifecycle and the call pipelines. */

/** True for a promise-like value. Never throws (a revoked proxy is not thenable). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  try {
    return typeof (v as PromiseLike<unknown>).then === 'function';
  } catch {
    return false;
  }
}
