/**
 * Per-user rate limits: counted first on the instance, and in Firestore
 * (`rateLimits/{uid}_{action}`) past a small allowance.
 *
 * Every callable request passes the RequestGate (handlers/auth.ts), which
 * counts it whatever happens next: refused requests (invalid, not found,
 * banned) count like the others, and a request over the limit is refused
 * uncounted, without a read once the instance knows the window is full.
 *
 * Where the count lives: an instance admits a person's first few requests
 * of an action in its window (domain/moderation.ts, localAllowance: a fifth
 * of the limit) on its own count, without a read or a write; the next one
 * is counted in the shared window together with the ones admitted before,
 * and so on. A person who starts a call or two a minute, which is nearly
 * everyone, costs no rate-limit operation at all (two joins and two leaves
 * used to cost four reads and four writes per call); a flooder costs one
 * read and one write per allowance, and one instance never admits more than
 * the limit in a window. What is given up: n instances that each see the
 * same person admit at most `max + n × allowance` in a window, not `max`
 * (docs/SECURITY.md).
 *
 * The shared window is written with a conditional write, so that concurrent
 * requests of one person are counted one after the other. Most callables
 * are counted before they are parsed; `join` reads its window beside its
 * other reads and writes it in its own batch (runCounted), because it runs
 * by the dozen at the same moment and every round trip of a join is time
 * in which another joiner can take the same waiter (docs/PERFORMANCE.md).
 * The gate is the only count: the matchmaker and the calls by link count
 * nothing themselves.
 */
import {
  Timestamp,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type WriteResult,
} from 'firebase-admin/firestore';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../domain/limits.js';
import { ExpiringMemo } from '../domain/memo.js';
import { localAllowance, takeLocal, takeRate, type LocalWindow, type RatePolicy } from '../domain/moderation.js';
import { Banned, RateLimited } from '../domain/refusals.js';
import type { UsageMeter } from '../domain/usage.js';
import { RATE_LIMITS } from './collections.js';
import { isLostRace, MeteredBatch, readDoc, replaceIfUnchanged } from './optimistic.js';

/** The actions rate-limited per user: one per callable. */
export type RateAction = keyof RateLimits;

/**
 * Conditional writes of one window the gate tries before refusing. Only one
 * person's simultaneous requests of one action contend (a flood, not a page:
 * a page sends one join or report at a time), so a few losses mean "too many".
 */
const GATE_ATTEMPTS = 4;

/**
 * How long an instance keeps refusing a banned person without reading their
 * ban again. A ban only ends early when an operator lifts it
 * (scripts/moderation.mjs): warm instances notice within this time.
 */
export const BAN_MEMO_MS = 60_000;

/**
 * One request's count. The work awaits `check` before writing anything
 * (RateLimited if the window is full), counts the request in its own batch
 * with `commit`, calls `reread` after that commit lost a race, and `settle`
 * when it committed nothing. A request admitted on the instance's own count
 * does nothing in any of them.
 */
export interface RequestCount {
  check(): Promise<void>;
  reread(): void;
  commit(batch: MeteredBatch): Promise<WriteResult[]>;
  settle(): Promise<void>;
}

/** A request admitted within the instance's allowance: nothing to read or write. */
const ADMITTED_ON_INSTANCE: RequestCount = {
  check: async () => undefined,
  reread: () => undefined,
  commit: (batch) => batch.commit(),
  settle: async () => undefined,
};

/**
 * One request's count in the shared window, with the requests this
 * instance admitted before it on its own count (`carried`). The window is
 * read as soon as the request arrives; `commit` writes the counted window in
 * the request's own batch (conditional on what was read, so that one
 * person's simultaneous requests are counted one after the other); `settle`
 * writes it on its own when the request committed nothing (refused, or
 * nothing to write). A full window refuses the request (RateLimited) and
 * counts nothing.
 */
class SharedCount implements RequestCount {
  private window: Promise<DocumentSnapshot>;
  private counted = false;

  constructor(
    private readonly db: Firestore,
    private readonly ref: DocumentReference,
    private readonly action: RateAction,
    private readonly policy: RatePolicy,
    private readonly now: () => number,
    private readonly meter: UsageMeter,
    /** Told when the window turns out full, and until when. */
    private readonly onFull: (untilMs: number) => void,
    private readonly carried: number,
  ) {
    this.window = this.read();
  }

  /** Refuses the request (RateLimited) if its window is full; the request awaits it with its own reads. */
  async check(): Promise<void> {
    if (!this.counted) this.next(await this.window);
  }

  /** After the request's commit lost a race: the window may be what changed, read it again. */
  reread(): void {
    if (!this.counted) this.window = this.read();
  }

  /** Commits `batch` with the request counted in it, unless an earlier commit of the request counted it. */
  async commit(batch: MeteredBatch): Promise<WriteResult[]> {
    if (this.counted) return batch.commit();
    const snap = await this.window;
    replaceIfUnchanged(batch, snap, this.next(snap), this.what);
    const results = await batch.commit();
    this.counted = true;
    return results;
  }

  /** Counts the request on its own if nothing it committed did. */
  async settle(): Promise<void> {
    for (let attempt = 1; attempt <= GATE_ATTEMPTS && !this.counted; attempt++) {
      try {
        await this.commit(new MeteredBatch(this.db, this.meter));
      } catch (err) {
        if (!isLostRace(err)) throw err;
        this.meter.lostRace('rate limit');
        this.reread();
      }
    }
    // Lost every race against the same person's own simultaneous requests.
    if (!this.counted) throw new RateLimited(this.action, 1000);
  }

  private get what(): string {
    return `rateLimits (${this.action})`;
  }

  private read(): Promise<DocumentSnapshot> {
    const read = readDoc(this.ref, this.meter, this.what);
    // Awaited later (check, commit): not an unhandled rejection meanwhile.
    read.catch(() => undefined);
    return read;
  }

  private next(snap: DocumentSnapshot) {
    const nowMs = this.now();
    try {
      return decide(snap, this.action, nowMs, this.policy, this.carried);
    } catch (err) {
      if (err instanceof RateLimited) this.onFull(nowMs + err.retryAfterMs);
      throw err;
    }
  }
}

/**
 * The first step of every callable request: count it against the caller's
 * window for `action`, or refuse it (RateLimited) when the window is full.
 * Within the instance's allowance (see the header) the request is admitted
 * on the instance's own count; past it, it is counted in the shared window.
 * No read when this instance already refused the same window (a full window
 * stays full until it ends, whatever other instances do).
 *
 * `run` counts the request before its work (in the shared window: one read
 * and one write when admitted, one read when refused). `runCounted` is for
 * work that commits anyway (join): the window is read in parallel with the
 * work's own reads and written in the work's own batch, so that counting
 * adds no round trip of its own; only a request that commits nothing
 * (refused, or answered without a write) writes its window alone. A request
 * over the limit then costs what the work read before the window's answer
 * came, once per instance and window.
 *
 * It also remembers bans this instance has seen, so that a banned person's
 * repeated join (or enterCall, createCall) is refused after counting it,
 * without reading anything more.
 */
export class RequestGate {
  /** Full windows: when each ends. */
  private readonly full = new ExpiringMemo<number>();
  /** Bans seen a moment ago: when each ends. */
  private readonly bans = new ExpiringMemo<number>();
  /** This instance's own count of each window (domain/moderation.ts, takeLocal). */
  private readonly local = new ExpiringMemo<LocalWindow>();

  constructor(
    private readonly db: Firestore,
    private readonly now: () => number = Date.now,
    private readonly limits: () => RateLimits = () => DEFAULT_RATE_LIMITS,
    /** Requests admitted between two shared counts; 0 counts every request in Firestore. */
    private readonly allowance: (policy: RatePolicy) => number = localAllowance,
  ) {}

  /**
   * The request's count: admitted on the instance, or its shared window
   * being read; RateLimited at once if this instance knows the window is
   * full, or admitted the whole limit in it by itself.
   */
  private count(uid: string, action: RateAction, meter: UsageMeter): RequestCount {
    const key = `${uid}_${action}`;
    const nowMs = this.now();
    const knownFull = this.full.get(key, nowMs);
    if (knownFull !== null) throw new RateLimited(action, knownFull - nowMs);
    const markFull = (untilMs: number) => this.full.set(key, untilMs, untilMs);
    const policy = this.limits()[action];
    const local = takeLocal(this.local.get(key, nowMs), nowMs, policy, this.allowance(policy));
    if (local.kind === 'refused') {
      markFull(nowMs + local.retryAfterMs);
      throw new RateLimited(action, local.retryAfterMs);
    }
    this.local.set(key, local.next, local.next.startMs + policy.windowMs);
    if (local.kind === 'local') return ADMITTED_ON_INSTANCE;
    const ref = this.db.collection(RATE_LIMITS).doc(key);
    return new SharedCount(this.db, ref, action, policy, this.now, meter, markFull, local.carried);
  }

  /** Counts the request (one read, one write) or refuses it. */
  async admit(uid: string, action: RateAction, meter: UsageMeter): Promise<void> {
    await this.count(uid, action, meter).settle();
  }

  /**
   * A request as the gate sees it: counted first (admit), refused at once if
   * this instance saw a ban refuse the same action a moment ago, else `work`
   * runs (parse and do it) with the request's meter; a ban it meets is
   * remembered.
   */
  async run<T>(uid: string, action: RateAction, meter: UsageMeter, work: () => Promise<T>): Promise<T> {
    await meter.timed('gate', this.admit(uid, action, meter));
    return this.guardBans(uid, action, work);
  }

  /**
   * Like `run`, for work that counts the request in its own commit
   * (RequestCount.commit) and awaits `check` before writing anything: the
   * same refusals, each counted, with one round trip and one commit fewer.
   */
  async runCounted<T>(uid: string, action: RateAction, meter: UsageMeter, work: (count: RequestCount) => Promise<T>): Promise<T> {
    const count = this.count(uid, action, meter);
    let result: T;
    try {
      result = await this.guardBans(uid, action, () => work(count));
    } catch (err) {
      // A full window refuses uncounted, as `admit` does; every other refusal counts.
      if (!(err instanceof RateLimited)) await count.settle();
      throw err;
    }
    await count.settle();
    return result;
  }

  private async guardBans<T>(uid: string, action: RateAction, work: () => Promise<T>): Promise<T> {
    const key = `${uid}_${action}`;
    const bannedUntil = this.bans.get(key, this.now());
    if (bannedUntil !== null) throw new Banned(bannedUntil);
    try {
      return await work();
    } catch (err) {
      if (err instanceof Banned) this.bans.set(key, err.untilMs, Math.min(err.untilMs, this.now() + BAN_MEMO_MS));
      throw err;
    }
  }
}

/** The window after this request, or RateLimited. */
function decide(snap: DocumentSnapshot, action: RateAction, nowMs: number, policy: RatePolicy, carried: number) {
  const current = snap.exists
    ? { windowStartMs: (snap.get('windowStart') as Timestamp).toMillis(), count: snap.get('count') as number }
    : null;
  const decision = takeRate(current, nowMs, policy, carried);
  if (!decision.allowed) throw new RateLimited(action, decision.retryAfterMs);
  return {
    windowStart: Timestamp.fromMillis(decision.next.windowStartMs),
    count: decision.next.count,
    // TTL: the window is useless once over.
    expireAt: Timestamp.fromMillis(decision.next.windowStartMs + 2 * policy.windowMs),
  };
}
