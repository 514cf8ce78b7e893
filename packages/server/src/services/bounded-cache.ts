/** A map that keeps at most `limit` entries, dropping the least recently used one first. */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  /** The value under `key`, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // A Map iterates in insertion order: re-inserting moves the entry to the end.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Keep `value` under `key`, dropping the least recently used entry when full. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as K);
  }

  /** How many entries are kept. */
  get size(): number {
    return this.entries.size;
  }
}
