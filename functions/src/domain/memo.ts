/**
 * A bounded in-memory map whose entries hold until a known time: what one
 * function instance remembers of a refusal so that repeating the refused
 * request costs no Firestore read. Pure (time is passed in).
 */

/** Entries kept per instance; the oldest go first. A few hundred KB at this size. */
export const MEMO_CAPACITY = 10_000;

export class ExpiringMemo<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly untilMs: number }>();

  constructor(private readonly capacity = MEMO_CAPACITY) {}

  /** Remembers `value` under `key` until `untilMs` (a later call replaces it). */
  set(key: string, value: V, untilMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, untilMs });
    // A Map iterates in insertion order: the first key is the oldest entry.
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The value under `key`, or null when there is none or it is over. */
  get(key: string, nowMs: number): V | null {
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    if (entry.untilMs <= nowMs) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  get size(): number {
    return this.entries.size;
  }
}
