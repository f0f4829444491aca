/**
 * What the sweeper may delete. Pure: the scheduled function queries likely
 * candidates and deletes only those this module calls stale, so the decision
 * is tested without an emulator. Times in epoch ms.
 */
import { MAX_CALL_AGE_MS, UNANSWERED_CALL_MS } from './limits.js';
import { isLeaseLive } from './pairing.js';
import type { CallKind } from '../protocol/calls.js';

export interface StalenessPolicy {
  readonly unansweredCallMs: number;
  readonly maxCallAgeMs: number;
}

export const DEFAULT_STALENESS: StalenessPolicy = {
  unansweredCallMs: UNANSWERED_CALL_MS,
  maxCallAgeMs: MAX_CALL_AGE_MS,
};

/** A waiting entry is stale once its lease lapsed or its heartbeat stopped: its page stopped renewing. */
export function isStaleWaitingEntry(
  entry: { readonly leaseExpiresAtMs: number; readonly seenAtMs?: number },
  nowMs: number,
): boolean {
  return !isLeaseLive(entry, nowMs);
}

export interface CallFacts {
  /** A call by link has no answer: only its age (and its members' leases, see membership.ts) end it. */
  readonly kind: CallKind;
  readonly createdAtMs: number;
  /**
   * A random call's answer is in the joiner's mailbox to the waiter
   * (`signals/{joiner}_{waiter}`, members[0] to members[1]): how many times
   * the joiner wrote it (its `n`). The joiner's first write carries its
   * answer to the waiter's offer, so any write means
   * answered. `null`: that mailbox does not exist. `undefined`: not known; a
   * call is never judged unanswered on a fact nobody looked up (the sweeper
   * finds the mailboxes nobody wrote, and gives 0 for a call whose joiner's
   * is one of them).
   */
  readonly joinerWrites?: number | null;
}

/** A random call past the answer timeout: only its joiner's mailbox can tell whether it was answered. */
function mayBeUnanswered(call: CallFacts, nowMs: number, policy: StalenessPolicy): boolean {
  return call.kind === 'random' && nowMs - call.createdAtMs >= policy.unansweredCallMs;
}

/**
 * A random call is stale when its joiner never answered in time (never
 * wrote its mailbox); any call is stale when it is older than any
 * conversation we keep signaling data for.
 */
export function isStaleCall(call: CallFacts, nowMs: number, policy: StalenessPolicy = DEFAULT_STALENESS): boolean {
  if (nowMs - call.createdAtMs >= policy.maxCallAgeMs) return true;
  if (!mayBeUnanswered(call, nowMs, policy) || call.joinerWrites === undefined) return false;
  return call.joinerWrites === null || call.joinerWrites <= 0;
}
