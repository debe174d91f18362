/**
 * Open spans (or calls) by uuid: a `Map` from uuid to a slot number, the records in a slot array.
 * Why not a `Map` of the records: a long-lived `Map` with steady churn is rehashed in old space
 * every few hundred operations, and each dead table still points at the records it held. The
 * young-generation collector treats those pointers as live until the next full collection, so
 * every record (its span, its start event) open at some rehash is promoted to the old generation:
 * with 100 concurrent runs the exporter promoted 1.37 MB per young collection where the SDK doing
 * the same work promoted 45 KB. Dead tables here hold uuids and slot numbers only; a slot is
 * cleared as soon as its span ends.
 */

/**
 * Always in the index, never a uuid. V8 shrinks a `Map` whenever a delete leaves it (nearly) empty,
 * allocating a new table: calls made one at a time outside any scope emptied the index on every
 * end, and that reallocation was the exporter's single largest cost per call.
 */
const KEEP = '\u0000open-table:keep';

export class OpenTable<V> {
  /** Insertion order is the order spans started (eviction and shutdown rely on it). */
  private readonly index = new Map<string, number>([[KEEP, -1]]);
  private readonly slots: (V | undefined)[] = [];
  private readonly free: number[] = [];

  get size(): number {
    return this.index.size - 1;
  }

  get(key: string): V | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.slots[i];
  }

  has(key: string): boolean {
    return key !== KEEP && this.index.has(key);
  }

  /** Adds an entry for a key that is not in the table (the caller checked with `has`). */
  add(key: string, value: V): void {
    const i = this.free.length > 0 ? this.free.pop()! : this.slots.length;
    this.slots[i] = value;
    this.index.set(key, i);
  }

  delete(key: string): boolean {
    const i = this.index.get(key);
    if (i === undefined || key === KEEP) return false;
    this.index.delete(key);
    this.slots[i] = undefined;
    this.free.push(i);
    return true;
  }

  clear(): void {
    this.index.clear();
    this.index.set(KEEP, -1);
    this.slots.length = 0;
    this.free.length = 0;
  }

  /** The key added first of those still in the table. */
  oldestKey(): string | undefined {
    for (const key of this.index.keys()) if (key !== KEEP) return key;
    return undefined;
  }

  /** Entries in start order. */
  *entries(): IterableIterator<[string, V]> {
    for (const [key, i] of this.index) if (key !== KEEP) yield [key, this.slots[i] as V];
  }

  /** Values in start order. */
  *values(): IterableIterator<V> {
    for (const [key, i] of this.index) if (key !== KEEP) yield this.slots[i] as V;
  }
}
