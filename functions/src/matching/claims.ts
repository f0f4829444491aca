/**
 * Which waiting entries this function instance is taking right now, and
 * which it took a moment ago, so that the joins it runs at the same time
 * stop racing each other for the same waiter.
 *
 * Why: an instance takes up to 80 joins at once (functions/src/config.ts).
 * When people press Start together, each join scans the same pool and picks
 * the longest waiter; the conditional commits then let one win and make
 * every other read again and pick again. Measured with 200 simultaneous
 * joins on one instance (bench part `pairing`, `via: one instance`): 779
 * lost races, 42 reads per join, and 3 joins that gave up (`Contended`).
 *
 * Only a hint: the commit's preconditions (optimistic.ts) still decide, so
 * two instances, or a claim this instance forgot, can never pair anyone
 * twice. And never a reason to leave two compatible people waiting: a join
 * passes over an entry that is being taken here only while it has someone
 * else to try; with nobody else, it waits for that pairing to settle and
 * tries the entry if it is still there (see FirestoreMatchmaker's
 * confirmedPartner).
 */

/** How long an entry deleted by a pairing of this instance is remembered (a scan begun before it may still list it). */
export const TAKEN_MEMORY_MS = 10_000;

/**
 * The longest a claim holds. A pairing's confirming read and commit take
 * tens of milliseconds (hundreds under a burst); one whose request hangs
 * (a stalled connection, until the function's timeout) must not keep its
 * waiter from this instance's other joins, nor keep them waiting on it.
 */
export const CLAIM_HOLD_MS = 10_000;

/** One waiting entry as read: its owner and the version (update time) the pairing deletes on condition of. */
export interface EntryVersion {
  readonly uid: string;
  readonly version: string;
}

/** A pairing's hold on its two people (PairingClaims.reserve). */
export interface Claim {
  /** Ends the claim: `deleted` the entries the pairing deleted when it committed, null when it did not. Once only. */
  release(deleted: readonly EntryVersion[] | null): void;
}

interface Held {
  /** Settles to whether the pairing committed. */
  readonly done: Promise<boolean>;
  readonly sinceMs: number;
}

export class PairingClaims {
  /** People in a pairing being committed here. */
  private readonly inFlight = new Map<string, Held>();
  /** `uid@version` of entries a committed pairing of this instance deleted, with when to forget them. */
  private readonly taken = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly memoryMs = TAKEN_MEMORY_MS,
    private readonly holdMs = CLAIM_HOLD_MS,
  ) {}

  /** Whether someone is in a pairing being committed here (for at most `holdMs` so far). */
  isTaking(uid: string): boolean {
    return this.held(uid) !== undefined;
  }

  /**
   * The pairing `uid` is in here, if any: resolves to whether it committed,
   * or to false once the claim is `holdMs` old (never rejects).
   */
  settled(uid: string): Promise<boolean> | undefined {
    const held = this.held(uid);
    if (held === undefined) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, held.sinceMs + this.holdMs - this.now()));
    });
    return Promise.race([held.done, expired]).finally(() => clearTimeout(timer));
  }

  private held(uid: string): Held | undefined {
    const held = this.inFlight.get(uid);
    return held !== undefined && this.now() - held.sinceMs < this.holdMs ? held : undefined;
  }

  /** Whether this exact entry was deleted by a pairing of this instance: reading it again would find it gone. */
  wasTaken(entry: EntryVersion): boolean {
    const until = this.taken.get(key(entry));
    return until !== undefined && until > this.now();
  }

  /**
   * Claims `people` for a pairing about to be confirmed and committed;
   * `release` must follow however it ends, with the entries the pairing
   * deleted if it committed (remembered as taken), or null if it did not.
   * Someone already claimed keeps the earlier claim: this pairing, if it
   * goes on, will lose its commit should the two collide.
   */
  reserve(people: readonly string[]): Claim {
    let settle!: (committed: boolean) => void;
    const held: Held = { done: new Promise<boolean>((resolve) => (settle = resolve)), sinceMs: this.now() };
    // A claim past its hold is replaced; its release then leaves this one alone.
    const mine = people.filter((uid) => !this.isTaking(uid));
    for (const uid of mine) this.inFlight.set(uid, held);
    let released = false;
    return {
      release: (deleted) => {
        if (released) return;
        released = true;
        if (deleted !== null) this.remember(deleted);
        for (const uid of mine) if (this.inFlight.get(uid) === held) this.inFlight.delete(uid);
        settle(deleted !== null);
      },
    };
  }

  private remember(entries: readonly EntryVersion[]): void {
    const nowMs = this.now();
    for (const [k, until] of this.taken) if (until <= nowMs) this.taken.delete(k);
    for (const e of entries) this.taken.set(key(e), nowMs + this.memoryMs);
  }
}

function key({ uid, version }: EntryVersion): string {
  return `${uid}@${version}`;
}
