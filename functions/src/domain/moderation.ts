/**
 * Reports, bans, blocks and rate limits: the decisions, as pure functions.
 * The Firestore classes read the facts, ask these, and write the outcome.
 */
import { REPORT_REASONS, type ReportReason } from '../protocol/moderation.js';
import { InvalidRequest } from './refusals.js';
import { isPlainObject, ownField, parseCallId, rejectForeignPrototype, rejectUnknownKeys, WHOLE_REQUEST } from './requests.js';

export interface ReportRequest {
  readonly callId: string;
  readonly reason: ReportReason;
}

export function parseReportRequest(data: unknown): ReportRequest {
  if (!isPlainObject(data)) throw new InvalidRequest(WHOLE_REQUEST, 'report expects an object: { callId, reason }.');
  rejectForeignPrototype(data, 'The report');
  rejectUnknownKeys(data, ['callId', 'reason'], 'The report');
  const callId = parseCallId(ownField(data, 'callId'), 'A report');
  const reason = ownField(data, 'reason');
  if (typeof reason !== 'string' || !(REPORT_REASONS as readonly string[]).includes(reason)) {
    throw new InvalidRequest('reason', `"reason" must be one of ${REPORT_REASONS.join(', ')}.`);
  }
  return { callId, reason: reason as ReportReason };
}

export interface BlockRequest {
  readonly callId: string;
}

export function parseBlockRequest(data: unknown): BlockRequest {
  if (!isPlainObject(data)) throw new InvalidRequest(WHOLE_REQUEST, 'block expects an object: { callId }.');
  rejectForeignPrototype(data, 'The block request');
  rejectUnknownKeys(data, ['callId'], 'The block request');
  return { callId: parseCallId(ownField(data, 'callId'), 'Blocking') };
}

/** The other member of a random call (or its history), or null when `uid` is not one of its two members. */
export function partnerOf(members: readonly string[], uid: string): string | null {
  if (members.length !== 2 || !members.includes(uid)) return null;
  const other = members.find((m) => m !== uid);
  return other ?? null;
}

export interface BanPolicy {
  /** Reports within the window that lead to a ban: from this many different accounts AND this many different networks. */
  readonly people: number;
  readonly windowMs: number;
  readonly banMs: number;
  /** A report counts only if the reporter's account was at least this old when they reported. */
  readonly minReporterAgeMs: number;
  /** A report counts only if the reported call had run with both sides connected at least this long (bothConnectedMs). */
  readonly minCallMs: number;
}

/**
 * Three different people within a day ban for a day. "Different people" is
 * what the functions can check without accounts: three anonymous accounts
 * that are at least ten minutes old, on three different networks, each of
 * whom was really connected to the person for a few seconds (both pages
 * recorded the connection: bothConnectedMs). One person with
 * many fresh tabs on one connection never bans anyone; see docs/SECURITY.md
 * for what it takes to get past this, and why agreeing reasons do not count more.
 */
export const DEFAULT_BAN_POLICY: BanPolicy = {
  people: 3,
  windowMs: 24 * 3600_000,
  banMs: 24 * 3600_000,
  // An abuser's tab is spent in minutes; a person who reports has usually
  // been on Parley a while. A script must keep its accounts alive this long.
  minReporterAgeMs: 10 * 60_000,
  // Long enough that the two saw each other for some seconds once both
  // links connected, short enough for someone who sees a flasher and
  // presses Report, picks a reason and confirms.
  minCallMs: 5_000,
};

/** What the ban rule weighs about one report: kept only for the ban window (`strikes`). */
export interface Strike {
  readonly reporter: string;
  /** A keyed hash of the reporter's network (moderation/networks.ts); null when it was unknown. */
  readonly network: string | null;
  readonly atMs: number;
  /** How old the reporter's account was when they reported; null when unknown. */
  readonly reporterAgeMs: number | null;
  /** How long the reported call had run with both sides connected (bothConnectedMs) when it was reported, or when it ended. */
  readonly callMs: number;
}

/**
 * What each member's page recorded of a random call: when its link first
 * connected (epoch ms, the request time of its `connectedAt` write), by uid.
 * A member missing here never recorded it. Each member can write only its
 * own (firestore.rules), so one side cannot make up the other's.
 */
export type ConnectedAt = Readonly<Record<string, number>>;

/**
 * How long a random call between `members` ran with both sides connected:
 * from the later of the two `connectedAt` to its end (or to `nowMs` while it
 * goes on); 0 unless both members recorded theirs. This is the evidence the
 * ban rule weighs (Strike.callMs): "the call really ran" means the media
 * link connected from both people's point of view. Neither a mailbox
 * existing nor the other side's answer or candidates is enough: an honest
 * page writes those before any media flows, even to a stranger who
 * answered with a made-up answer (docs/SECURITY.md).
 */
export function bothConnectedMs(
  members: readonly string[],
  connectedAt: ConnectedAt,
  endedAtMs: number | null,
  nowMs: number,
): number {
  if (members.length !== 2) return 0;
  const times = members.map((m) => (Object.prototype.hasOwnProperty.call(connectedAt, m) ? connectedAt[m] : undefined));
  if (times.some((t) => typeof t !== 'number' || !Number.isFinite(t))) return 0;
  const since = Math.max(...(times as number[]));
  return Math.max(0, (endedAtMs ?? nowMs) - since);
}

/** Whether a report can count toward a ban at all: an old enough account, a real call, a known network. */
export function strikeCounts(strike: Strike, policy: BanPolicy = DEFAULT_BAN_POLICY): boolean {
  return (
    strike.network !== null &&
    strike.reporterAgeMs !== null &&
    strike.reporterAgeMs >= policy.minReporterAgeMs &&
    strike.callMs >= policy.minCallMs
  );
}

/**
 * When a ban should end, given the reports against a person, or null for no
 * ban. Only reports inside the window that count (strikeCounts) are weighed,
 * and they must come from `policy.people` different accounts and as many
 * different networks: many accounts on one network are one person, and so
 * is one account reporting from many networks.
 */
export function banUntil(strikes: readonly Strike[], nowMs: number, policy: BanPolicy = DEFAULT_BAN_POLICY): number | null {
  const counted = strikes.filter((s) => nowMs - s.atMs < policy.windowMs && strikeCounts(s, policy));
  const accounts = new Set(counted.map((s) => s.reporter)).size;
  const networks = new Set(counted.map((s) => s.network)).size;
  return Math.min(accounts, networks) >= policy.people ? nowMs + policy.banMs : null;
}

/** A fixed-window rate limit: at most `max` calls per `windowMs`. */
export interface RatePolicy {
  readonly max: number;
  readonly windowMs: number;
}

export interface RateWindow {
  readonly windowStartMs: number;
  readonly count: number;
}

export type RateDecision =
  { readonly allowed: true; readonly next: RateWindow } | { readonly allowed: false; readonly retryAfterMs: number };

/**
 * Takes one call from the window (starting a new window when the old one is
 * over), together with `carried` calls that were admitted before without
 * being counted here (an instance's local allowance, takeLocal): they are
 * added to the count, and the call is allowed only if the window has room
 * for it after them.
 */
export function takeRate(current: RateWindow | null, nowMs: number, policy: RatePolicy, carried = 0): RateDecision {
  if (current === null || nowMs - current.windowStartMs >= policy.windowMs) {
    return { allowed: true, next: { windowStartMs: nowMs, count: carried + 1 } };
  }
  if (current.count + carried < policy.max) {
    return { allowed: true, next: { windowStartMs: current.windowStartMs, count: current.count + carried + 1 } };
  }
  return { allowed: false, retryAfterMs: current.windowStartMs + policy.windowMs - nowMs };
}

/**
 * What one function instance knows of one person's calls of one action in
 * its own window: how many it admitted, and how many of those no shared
 * window (Firestore) has counted yet.
 */
export interface LocalWindow {
  readonly startMs: number;
  readonly admitted: number;
  readonly unrecorded: number;
}

/**
 * An instance's decision about one call, before any shared count:
 * - `local`: admitted without a read or a write (within the allowance);
 * - `record`: count it in the shared window, with the `carried` calls the
 *   instance admitted before and the shared window has not counted;
 * - refused: this instance alone admitted `max` in its window.
 */
export type LocalDecision =
  | { readonly kind: 'local'; readonly next: LocalWindow }
  | { readonly kind: 'record'; readonly carried: number; readonly next: LocalWindow }
  | { readonly kind: 'refused'; readonly retryAfterMs: number };

/**
 * How many calls an instance may admit between two shared counts: a fifth
 * of the limit (30 joins a minute: 6). A person who stays under it on an
 * instance costs the shared window nothing; every further call is counted
 * there with the ones admitted before it, so one instance never lets more
 * than `max` through a window, and n instances at most `max + n × allowance`.
 */
export function localAllowance(policy: RatePolicy): number {
  return Math.floor(policy.max / 5);
}

/** Takes one call from an instance's local window (see LocalDecision). */
export function takeLocal(current: LocalWindow | null, nowMs: number, policy: RatePolicy, allowance: number): LocalDecision {
  const window =
    current === null || nowMs - current.startMs >= policy.windowMs ? { startMs: nowMs, admitted: 0, unrecorded: 0 } : current;
  if (window.admitted >= policy.max) {
    return { kind: 'refused', retryAfterMs: window.startMs + policy.windowMs - nowMs };
  }
  if (window.unrecorded < allowance) {
    return { kind: 'local', next: { ...window, admitted: window.admitted + 1, unrecorded: window.unrecorded + 1 } };
  }
  return { kind: 'record', carried: window.unrecorded, next: { ...window, admitted: window.admitted + 1, unrecorded: 0 } };
}

/** Most people a person can block; the oldest blocks make way for new ones. */
export const MAX_BLOCKED = 1000;

/** The blocked list after blocking `uid`: no duplicates, newest last, capped. */
export function withBlocked(blocked: readonly string[], uid: string, max = MAX_BLOCKED): string[] {
  const next = blocked.filter((b) => b !== uid);
  next.push(uid);
  return next.slice(Math.max(0, next.length - max));
}
