/**
 * Reports, bans, blocks and rate limits: the decisions, as pure functions.
 * The Firestore classes read the facts, ask these, and write the outcome.
 */
import { REPORT_REASONS, type ReportReason } from '../protocol/moderation.js';
import { CALL_ID, InvalidRequest, isPlainObject, rejectUnknownKeys } from './requests.js';

export { REPORT_REASONS, type ReportReason };

function parseCallId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !CALL_ID.test(value)) {
    throw new InvalidRequest(`${what} needs "callId": the id of your current or last call.`);
  }
  return value;
}

export interface ReportRequest {
  readonly callId: string;
  readonly reason: ReportReason;
}

export function parseReportRequest(data: unknown): ReportRequest {
  if (!isPlainObject(data)) throw new InvalidRequest('report expects an object: { callId, reason }.');
  rejectUnknownKeys(data, ['callId', 'reason'], 'The report');
  const callId = parseCallId(data['callId'], 'A report');
  const reason = data['reason'];
  if (typeof reason !== 'string' || !(REPORT_REASONS as readonly string[]).includes(reason)) {
    throw new InvalidRequest(`Choose a reason for the report: one of ${REPORT_REASONS.join(', ')}.`);
  }
  return { callId, reason: reason as ReportReason };
}

export interface BlockRequest {
  readonly callId: string;
}

export function parseBlockRequest(data: unknown): BlockRequest {
  if (!isPlainObject(data)) throw new InvalidRequest('block expects an object: { callId }.');
  rejectUnknownKeys(data, ['callId'], 'The block request');
  return { callId: parseCallId(data['callId'], 'Blocking') };
}

/** The other participant of a call, or null when `uid` is not in it. */
export function partnerOf(participants: readonly string[], uid: string): string | null {
  if (participants.length !== 2 || !participants.includes(uid)) return null;
  const other = participants.find((p) => p !== uid);
  return other ?? null;
}

export interface BanPolicy {
  /** Distinct people whose reports within the window lead to a ban. */
  readonly reporters: number;
  readonly windowMs: number;
  readonly banMs: number;
}

/**
 * Three different people within a day: one angry or malicious person can
 * never ban anyone alone, while a persistent abuser meets many people fast.
 */
export const DEFAULT_BAN_POLICY: BanPolicy = { reporters: 3, windowMs: 24 * 3600_000, banMs: 24 * 3600_000 };

/**
 * When a ban should end, given the reports against a person, or null for no
 * ban. Counts distinct reporters with a report inside the window.
 */
export function banUntil(
  reports: ReadonlyArray<{ readonly reporter: string; readonly atMs: number }>,
  nowMs: number,
  policy: BanPolicy = DEFAULT_BAN_POLICY,
): number | null {
  const recent = new Set(reports.filter((r) => nowMs - r.atMs < policy.windowMs).map((r) => r.reporter));
  return recent.size >= policy.reporters ? nowMs + policy.banMs : null;
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

/** Takes one call from the window (starting a new window when the old one is over). */
export function takeRate(current: RateWindow | null, nowMs: number, policy: RatePolicy): RateDecision {
  if (current === null || nowMs - current.windowStartMs >= policy.windowMs) {
    return { allowed: true, next: { windowStartMs: nowMs, count: 1 } };
  }
  if (current.count < policy.max) {
    return { allowed: true, next: { windowStartMs: current.windowStartMs, count: current.count + 1 } };
  }
  return { allowed: false, retryAfterMs: current.windowStartMs + policy.windowMs - nowMs };
}

/** Most people a person can block; the oldest blocks make way for new ones. */
export const MAX_BLOCKED = 1000;

/** The blocked list after blocking `uid`: no duplicates, newest last, capped. */
export function withBlocked(blocked: readonly string[], uid: string, max = MAX_BLOCKED): string[] {
  const next = blocked.filter((b) => b !== uid);
  next.push(uid);
  return next.slice(Math.max(0, next.length - max));
}
