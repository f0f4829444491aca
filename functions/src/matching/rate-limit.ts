/**
 * Per-user rate limits kept in Firestore (`rateLimits/{uid}_{action}`).
 *
 * Every callable request passes the RequestGate first (handlers/auth.ts), before
 * it is parsed and before anything else reads Firestore: refused requests
 * (invalid, not found, banned) count like the others, and a request over the
 * limit costs one read, or none once the instance knows the window is full.
 * The window is written with a conditional write, so that concurrent
 * requests of one person are counted one after the other.
 * The gate is the only count: the matchmaker and the calls by link count
 * nothing themselves.
 */
import { Timestamp, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../domain/limits.js';
import { ExpiringMemo } from '../domain/memo.js';
import { takeRate, type RatePolicy } from '../domain/moderation.js';
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
 * The first step of every callable request: count it against the caller's
 * window for `action`, or refuse it (RateLimited) when the window is full.
 * One read and one write when admitted; one read when refused; no read when
 * this instance already refused the same window (a full window stays full
 * until it ends, whatever other instances do).
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

  constructor(
    private readonly db: Firestore,
    private readonly now: () => number = Date.now,
    private readonly limits: () => RateLimits = () => DEFAULT_RATE_LIMITS,
  ) {}

  async admit(uid: string, action: RateAction, meter: UsageMeter): Promise<void> {
    const key = `${uid}_${action}`;
    const knownFull = this.full.get(key, this.now());
    if (knownFull !== null) throw new RateLimited(action, knownFull - this.now());
    const ref = this.db.collection(RATE_LIMITS).doc(key);
    const policy = this.limits()[action];
    for (let attempt = 1; attempt <= GATE_ATTEMPTS; attempt++) {
      const snap = await readDoc(ref, meter);
      const nowMs = this.now();
      let next: ReturnType<typeof decide>;
      try {
        next = decide(snap, action, nowMs, policy);
      } catch (err) {
        if (err instanceof RateLimited) this.full.set(key, nowMs + err.retryAfterMs, nowMs + err.retryAfterMs);
        throw err;
      }
      const batch = new MeteredBatch(this.db, meter);
      replaceIfUnchanged(batch, snap, next);
      try {
        await batch.commit();
      } catch (err) {
        if (!isLostRace(err)) throw err;
        meter.lostRace();
        continue;
      }
      return;
    }
    // Lost every race against the same person's own simultaneous requests.
    throw new RateLimited(action, 1000);
  }

  /**
   * A request as the gate sees it: counted first (admit), refused at once if
   * this instance saw a ban refuse the same action a moment ago, else `work`
   * runs (parse and do it) with the request's meter; a ban it meets is
   * remembered.
   */
  async run<T>(uid: string, action: RateAction, meter: UsageMeter, work: () => Promise<T>): Promise<T> {
    await meter.timed('gate', this.admit(uid, action, meter));
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
function decide(snap: DocumentSnapshot, action: RateAction, nowMs: number, policy: RatePolicy) {
  const current = snap.exists
    ? { windowStartMs: (snap.get('windowStart') as Timestamp).toMillis(), count: snap.get('count') as number }
    : null;
  const decision = takeRate(current, nowMs, policy);
  if (!decision.allowed) throw new RateLimited(action, decision.retryAfterMs);
  return {
    windowStart: Timestamp.fromMillis(decision.next.windowStartMs),
    count: decision.next.count,
    // TTL: the window is useless once over.
    expireAt: Timestamp.fromMillis(decision.next.windowStartMs + 2 * policy.windowMs),
  };
}
