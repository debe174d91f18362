/**
 * The governor's memory of what it asked the provider to cache: prefix fingerprint → last time a
 * request carried a breakpoint there (a write or a read, both of which restart the provider's
 * lifetime). Bounded (least recently used entries are dropped) and conservative: an entry counts
 * as live only until shortly before the provider would evict it.
 */
export class CacheMirror {
  readonly #lastUse = new Map<string, number>();

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
    /** Safety margin before the provider's expiry (ms). */
    readonly marginMs = 10_000,
  ) {}

  isLive(prefixHash: string, now: number): boolean {
    const t = this.#lastUse.get(prefixHash);
    return t !== undefined && now - t < this.ttlMs - this.marginMs;
  }

  touch(prefixHash: string, now: number): void {
    this.#lastUse.delete(prefixHash);
    this.#lastUse.set(prefixHash, now);
    if (this.#lastUse.size > this.maxEntries) this.#lastUse.delete(this.#lastUse.keys().next().value!);
  }

  get size(): number {
    return this.#lastUse.size;
  }

  clear(): void {
    this.#lastUse.clear();
  }
}
