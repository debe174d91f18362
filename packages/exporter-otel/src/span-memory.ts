/**
 * A bounded uuid → value map that forgets its oldest entry when full: the bridge's memory of
 * ended spans that late children may still name as their parent. An insertion ring of the keys
 * makes forgetting the oldest cost no iterator.
 */
export class SpanMemory<V> {
  private readonly map = new Map<string, V>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity);
  }

  get(uuid: string): V | undefined {
    return this.map.get(uuid);
  }

  set(uuid: string, value: V): void {
    const i = this.next;
    const old = this.ring[i];
    if (old !== undefined) this.map.delete(old);
    this.ring[i] = uuid;
    this.next = (i + 1) % this.capacity;
    this.map.set(uuid, value);
  }
}
