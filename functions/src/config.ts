/**
 * Deployment settings of the functions, read in one place. Timings of
 * matching and cleanup live in domain/limits.ts (they are pure and shared).
 */
import { defineBoolean, defineInt } from 'firebase-functions/params';
import type { CallableOptions } from 'firebase-functions/v2/https';
import { DEFAULT_RATE_LIMITS, DEFAULT_WIDEN_AFTER_MS, type RateLimits } from './domain/limits.js';
import { DEFAULT_BAN_POLICY, type BanPolicy } from './domain/moderation.js';
import type { MatchingSettings } from './matching/matchmaker.js';
import { REGION } from './protocol/index.js';

/**
 * Region of every function. The web client calls the same region
 * (web/src/config.ts); change both together.
 */
export { REGION };

/**
 * Warm instances kept per callable, so that the first Start after a quiet
 * spell does not wait for a cold start (about 1-3 s for this code). Each one
 * costs idle time around the clock (docs/OPERATIONS.md); 0 by default. Set in
 * functions/.env.<project-id>.
 */
export const MIN_INSTANCES = defineInt('MIN_INSTANCES', {
  default: 0,
  description:
    'Instances of each callable (join, leave, report, block) kept warm; each costs idle time all month (docs/OPERATIONS.md).',
});

export const CALLABLE_OPTIONS: CallableOptions = {
  region: REGION,
  minInstances: MIN_INSTANCES,
  // Pairing is a few reads and one conditional batch; a small instance answers in tens of ms.
  memory: '256MiB',
  // Many joins arrive at once (Start is pressed in bursts); let one instance
  // take them concurrently rather than cold-starting one per request.
  concurrency: 80,
  cpu: 1,
};

/**
 * Abandoned waiting entries lapse after 45 s and unanswered calls after 60 s;
 * a sweep every minute removes them soon after.
 */
export const SWEEP_SCHEDULE = 'every 1 minutes';

/**
 * Deploy-time parameters (set in functions/.env.<project> or answered at
 * `firebase deploy`). The emulator uses the defaults.
 */
export const ENFORCE_APP_CHECK = defineBoolean('ENFORCE_APP_CHECK', {
  default: false,
  description: 'Refuse callable requests without a valid App Check token (turn on once App Check is set up).',
});

const JOIN_PER_MINUTE = defineInt('RATE_LIMIT_JOIN_PER_MINUTE', {
  default: DEFAULT_RATE_LIMITS.join.max,
  description: 'Start/Next (and waiting renewals) one person may make per minute.',
});
const REPORT_PER_MINUTE = defineInt('RATE_LIMIT_REPORT_PER_MINUTE', {
  default: DEFAULT_RATE_LIMITS.report.max,
  description: 'Reports one person may file per minute.',
});

/** The rate limits in force, read per request (parameter values are known only at run time). */
export function rateLimits(): RateLimits {
  return {
    ...DEFAULT_RATE_LIMITS,
    join: { ...DEFAULT_RATE_LIMITS.join, max: JOIN_PER_MINUTE.value() },
    report: { ...DEFAULT_RATE_LIMITS.report, max: REPORT_PER_MINUTE.value() },
  };
}

const WIDEN_AFTER_SECONDS = defineInt('WIDEN_AFTER_SECONDS', {
  default: DEFAULT_WIDEN_AFTER_MS / 1000,
  description: 'Seconds a person waits in a quiet room before they may also be paired from Anyone (0 turns widening off).',
});

/** Matching settings in force, read per request. */
export function matchingSettings(): MatchingSettings {
  return { widenAfterMs: Math.max(0, WIDEN_AFTER_SECONDS.value()) * 1000 };
}

/**
 * X-Forwarded-For entries that our platform appends after the client's own
 * address. Cloud Functions (2nd gen) and Cloud Run append the client's
 * address last: 0. Behind an extra load balancer of your own, 1. Used only
 * to tell reporters' networks apart (docs/SECURITY.md, Moderation).
 */
export const FORWARDED_HOPS_AFTER_CLIENT = defineInt('FORWARDED_HOPS_AFTER_CLIENT', {
  default: 0,
  description: "Proxies of your own between Google's front end and the functions (0 for a plain deployment).",
});

const BAN_MIN_ACCOUNT_MINUTES = defineInt('BAN_MIN_ACCOUNT_MINUTES', {
  default: DEFAULT_BAN_POLICY.minReporterAgeMs / 60_000,
  description: "A report counts toward a ban only if the reporter's anonymous account is at least this old.",
});
const BAN_MIN_CALL_SECONDS = defineInt('BAN_MIN_CALL_SECONDS', {
  default: DEFAULT_BAN_POLICY.minCallMs / 1000,
  description: 'A report counts toward a ban only if the reported call was connected at least this long.',
});

/** The ban rule in force, read per request (docs/SECURITY.md, Moderation). */
export function banPolicy(): BanPolicy {
  return {
    ...DEFAULT_BAN_POLICY,
    minReporterAgeMs: Math.max(0, BAN_MIN_ACCOUNT_MINUTES.value()) * 60_000,
    minCallMs: Math.max(0, BAN_MIN_CALL_SECONDS.value()) * 1000,
  };
}
