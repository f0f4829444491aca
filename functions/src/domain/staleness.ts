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

/** A waiting entry is stale once its lease lapsed: its page stopped renewing. */
export function isStaleWaitingEntry(entry: { readonly leaseExpiresAtMs: number }, nowMs: number): boolean {
  return !isLeaseLive(entry, nowMs);
}

export interface CallFacts {
  /** A call by link has no answer: only its age (and its members' leases, see membership.ts) end it. Default 'random'. */
  readonly kind?: CallKind;
  readonly createdAtMs: number;
  /** Null while the callee has not answered. */
  readonly answeredAtMs: number | null;
}

/**
 * A random call is stale when its callee never answered in time; any call is
 * stale when it is older than any conversation we keep signaling data for.
 */
export function isStaleCall(call: CallFacts, nowMs: number, policy: StalenessPolicy = DEFAULT_STALENESS): boolean {
  const age = nowMs - call.createdAtMs;
  if (call.kind !== 'link' && call.answeredAtMs === null && age >= policy.unansweredCallMs) return true;
  return age >= policy.maxCallAgeMs;
}
