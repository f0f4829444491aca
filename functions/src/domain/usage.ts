/**
 * Counting Firestore operations the way they are billed, so that the cost of
 * a call can be logged and benchmarked, each operation under a name that
 * says what it is for; and timing the steps of a request. Pure.
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

const NONE: Usage = { reads: 0, writes: 0, deletes: 0 };

function plus(a: Usage, b: Partial<Usage>): Usage {
  return { reads: a.reads + (b.reads ?? 0), writes: a.writes + (b.writes ?? 0), deletes: a.deletes + (b.deletes ?? 0) };
}

/**
 * Accumulates operations across the attempts of one request. Each is counted
 * under `what` (the document or query it touched, e.g. `queue/own` or
 * `candidates`): the benchmark prints that breakdown, so that every read and
 * write of a call is named. Unnamed ones count under `other`.
 */
export class UsageMeter {
  private totals: Usage = NONE;
  private readonly named = new Map<string, Usage>();
  private readonly phases = new Map<string, number>();
  private readonly races = new Map<string, number>();

  private readonly startedAtMs: number;

  /** `now`: the clock the steps are timed with; the request begins when the meter is made. */
  constructor(private readonly now: () => number = Date.now) {
    this.startedAtMs = now();
  }

  read(n: number, what = 'other'): void {
    this.count({ reads: n }, what);
  }

  write(n = 1, what = 'other'): void {
    this.count({ writes: n }, what);
  }

  delete(n = 1, what = 'other'): void {
    this.count({ deletes: n }, what);
  }

  /** Adds another meter's operations (e.g. the committed attempt of a transaction), names included. */
  add(other: UsageMeter): void {
    for (const [what, usage] of other.named) this.count(usage, what);
  }

  get usage(): Usage {
    return { ...this.totals };
  }

  /** The operations by name, as a plain object (for a log line). */
  get byName(): Record<string, Usage> {
    return Object.fromEntries([...this.named].map(([what, u]) => [what, { ...u }]));
  }

  /**
   * Conditional writes that lost a race and were retried, by `where` they
   * happened. Not billed as such (their reads are), but the measure of
   * contention the benchmark prints.
   */
  lostRace(where = 'other'): void {
    this.races.set(where, (this.races.get(where) ?? 0) + 1);
  }

  get lostRaces(): number {
    let total = 0;
    for (const n of this.races.values()) total += n;
    return total;
  }

  /** The lost races by where they happened (e.g. `pairing (look again)`), for a log line. */
  get lostRacesByWhere(): Record<string, number> {
    return Object.fromEntries(this.races);
  }

  /** Awaits `work`, adding the time it took to `phase` (phases of all attempts add up). */
  async timed<T>(phase: string, work: Promise<T>): Promise<T> {
    const started = this.now();
    try {
      return await work;
    } finally {
      this.phases.set(phase, (this.phases.get(phase) ?? 0) + (this.now() - started));
    }
  }

  /** Milliseconds spent per phase, and `total` since the request began, rounded (for a log line). */
  get phaseMs(): Record<string, number> {
    return Object.fromEntries(
      [...this.phases, ['total', this.now() - this.startedAtMs] as const].map(([phase, ms]) => [phase, Math.round(ms)]),
    );
  }

  private count(usage: Partial<Usage>, what: string): void {
    this.totals = plus(this.totals, usage);
    this.named.set(what, plus(this.named.get(what) ?? NONE, usage));
  }
}
