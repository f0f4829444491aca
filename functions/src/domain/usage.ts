/**
 * Counting Firestore operations the way they are billed, so that the cost of
 * a call can be logged and benchmarked. Pure.
 */

export interface Usage {
  readonly reads: number;
  readonly writes: number;
  readonly deletes: number;
}

/** Firestore bills a query at least one read, even when it returns nothing. */
export function queryReads(documentsReturned: number): number {
  return Math.max(1, documentsReturned);
}

/** Accumulates operations across the attempts of one request. */
export class UsageMeter {
  private totals = { reads: 0, writes: 0, deletes: 0 };

  read(n: number): void {
    this.totals.reads += n;
  }

  write(n = 1): void {
    this.totals.writes += n;
  }

  delete(n = 1): void {
    this.totals.deletes += n;
  }

  /** Adds another meter's totals (e.g. the committed attempt of a transaction). */
  add(other: Usage): void {
    this.totals.reads += other.reads;
    this.totals.writes += other.writes;
    this.totals.deletes += other.deletes;
  }

  get usage(): Usage {
    return { ...this.totals };
  }

  /**
   * Conditional writes that lost a race and were retried. Not billed as
   * such (their reads are), but the measure of contention the benchmark prints.
   */
  private races = 0;

  lostRace(): void {
    this.races++;
  }

  get lostRaces(): number {
    return this.races;
  }
}
