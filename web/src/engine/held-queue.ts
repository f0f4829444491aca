/**
 * Holds items until a consumer is ready, then delivers them in order, and
 * delivers later items at once. Used twice in a call: remote ICE candidates
 * that arrive before the remote description (applying them then would fail),
 * and our own candidates, which the other end learns only once it answered.
 */
export class HeldQueue<T> {
  private held: T[] = [];
  private consumer: ((item: T) => void) | null = null;

  /** Delivers now if open, otherwise keeps the item for `open`. */
  push(item: T): void {
    if (this.consumer) this.consumer(item);
    else this.held.push(item);
  }

  /** Delivers everything held, in arrival order, then passes items straight through. */
  open(consumer: (item: T) => void): void {
    // Drain before opening: an item pushed by the consumer while it handles a
    // held one joins the back of the line instead of jumping ahead.
    while (this.held.length > 0) consumer(this.held.shift()!);
    this.consumer = consumer;
  }

  get isOpen(): boolean {
    return this.consumer !== null;
  }

  /** Items waiting for `open`. */
  get size(): number {
    return this.held.length;
  }

  /** Drops held items and stops delivering. */
  clear(): void {
    this.held = [];
    this.consumer = null;
  }
}
