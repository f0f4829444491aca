/**
 * The Matcher over the `join`, `leave`, `report` and `block` callables
 * (functions/src/handlers), and the waiting heartbeat on `queue/{uid}`.
 */
import {
  MAX_AVOID,
  QUEUE_COLLECTION,
  SKIP_MEMORY_SIZE,
  WAITING_HEARTBEAT_MS,
  type LeaveRequest,
} from '@parley/functions/protocol';
import { doc, serverTimestamp, updateDoc, type Firestore } from 'firebase/firestore';
import type { SessionDescription } from '../engine/types.js';
import type { JoinOptions, JoinResult, Matcher, ReportReason } from '../flows/backend.js';
import type { Callables } from './callable.js';
import { countUsage } from './firestore-mailbox.js';
import { callOnUnload } from './keepalive.js';
import { BEAT_DEFER_MS, beatNeeded } from './waiting-beat.js';

export class FunctionsMatcher implements Matcher {
  /** The joins running, and when the last answered (performance.now()): each refreshes the entry's `seenAt` too (waiting-beat.ts). */
  private joins = { running: 0, lastAtMs: Number.NEGATIVE_INFINITY };

  constructor(
    private readonly call: Callables,
    private readonly db: Firestore,
    private readonly uid: string,
    /** URL of the `leave` callable, for the keepalive request at unload. */
    private readonly leaveUrl: string,
    /** The current ID token, kept fresh by the caller (unload cannot await one). */
    private readonly idToken: () => string | null,
  ) {}

  async join(
    room: string,
    offer: SessionDescription,
    { renewing, widen, avoid = [], recent, leaving }: JoinOptions,
  ): Promise<JoinResult> {
    // `widen` always: the server's default (true) must not decide for a person who said no.
    const data = {
      room,
      offer,
      widen,
      ...(renewing ? { renewing } : {}),
      // The newest MAX_AVOID: older blocks are stored by now.
      ...(avoid.length > 0 ? { avoid: avoid.slice(-MAX_AVOID) } : {}),
      // Our call connection beats the call document (firestore-call.ts): no presence document to make or delete.
      presenceOnCall: true,
      // As the joiner we make our mailbox to the waiter with our answer (firestore-mailbox.ts): join makes one mailbox, not two.
      makesOwnMailbox: true,
      ...(recent ? { recent: recent.slice(-SKIP_MEMORY_SIZE) } : {}),
      // null included: "nothing of ours is there" spares the server two reads.
      ...(leaving !== undefined && renewing === undefined ? { leaving } : {}),
    };
    this.joins.running++;
    this.joins.lastAtMs = performance.now();
    let result;
    try {
      result = await this.call<JoinResult>('join', data);
    } finally {
      this.joins.running--;
      this.joins.lastAtMs = performance.now();
    }
    if (result.status !== 'waiting') return result;
    // A server without widening omits these; an undefined delay would become
    // a renewal timer of 0 ms and renew in a tight loop.
    const { widened, widenInMs } = result as Partial<typeof result>;
    return {
      ...result,
      widened: widened === true,
      widenInMs: typeof widenInMs === 'number' && Number.isFinite(widenInMs) ? Math.max(0, widenInMs) : null,
    };
  }

  /**
   * The waiter proves it is alive while it waits: `join` pairs nobody whose
   * entry was not seen lately (a killed tab is no longer matchable). The
   * rules let us write nothing else there. A refused beat means the entry is
   * gone: matched, or swept. A beat is left out while a `join` (which sets
   * `seenAt` itself) runs or when one answered just before, and waits for
   * one sent just after: the renewal due at the same moment goes first.
   */
  keepWaiting(placeLost: () => void): () => void {
    const ref = doc(this.db, QUEUE_COLLECTION, this.uid);
    let stopped = false;
    const beat = () => {
      if (stopped || !beatNeeded(performance.now(), this.joins)) return;
      countUsage('queue (heartbeat)', { writes: 1, heartbeat: true });
      updateDoc(ref, { seenAt: serverTimestamp() }).catch(() => {
        if (stopped) return;
        stop();
        placeLost();
      });
    };
    const timer = setInterval(() => setTimeout(beat, BEAT_DEFER_MS), WAITING_HEARTBEAT_MS);
    const stop = () => {
      stopped = true;
      clearInterval(timer);
    };
    return stop;
  }

  async leave(callId?: string): Promise<void> {
    await this.call('leave', leaveRequest(callId));
  }

  async report(callId: string, reason: ReportReason): Promise<void> {
    await this.call('report', { callId, reason });
  }

  async block(callId: string): Promise<void> {
    await this.call('block', { callId });
  }

  leaveOnUnload(callId?: string): void {
    callOnUnload(this.leaveUrl, this.idToken(), leaveRequest(callId));
  }
}

/** `leave`'s argument (LeaveRequest): the call we are in, if any. */
function leaveRequest(callId: string | undefined): LeaveRequest {
  return callId === undefined ? {} : { callId };
}
