/**
 * Deployment settings of the functions, read in one place. Timings of
 * matching and cleanup live in domain/limits.ts (they are pure and shared).
 */
import { defineBoolean, defineInt, defineSecret, defineString } from 'firebase-functions/params';
import type { CallableOptions } from 'firebase-functions/v2/https';
import { DEFAULT_RATE_LIMITS, DEFAULT_WIDEN_AFTER_MS, type RateLimits } from './domain/limits.js';
import { DEFAULT_BAN_POLICY, type BanPolicy } from './domain/moderation.js';
import type { MatchingSettings } from './matching/matchmaker.js';
import { parseIceUrls, type TurnSettings } from './domain/turn.js';
import { REGION, TURN_MAX_TTL_SECONDS } from './protocol/index.js';

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
 * The TURN relay's shared secret (coturn's `static-auth-secret`): a Cloud
 * Functions secret (Secret Manager), bound only to turnCredentials and read
 * only while it runs. Never in the page, the bundle or a log. Production:
 * `firebase functions:secrets:set TURN_SECRET`; locally scripts/parley.mjs
 * generates one into functions/.secret.local (git-ignored) and gives coturn
 * the same (docs/TURN.md).
 */
export const TURN_SECRET = defineSecret('TURN_SECRET');

const TURN_URLS = defineString('TURN_URLS', {
  default: 'turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp',
  description:
    'Comma-separated TURN URLs of your relay, e.g. turn:turn.example.com:3478?transport=udp,turns:turn.example.com:443?transport=tcp (the default is the local coturn of npm start). Empty: no relay.',
});
const STUN_URLS = defineString('STUN_URLS', {
  default: 'stun:stun.l.google.com:19302,stun:stun1.l.google.com:19302',
  description: 'Comma-separated STUN URLs given to pages with the TURN credentials (empty: none).',
});
const TURN_TTL_SECONDS = defineInt('TURN_TTL_SECONDS', {
  default: TURN_MAX_TTL_SECONDS,
  description: 'How long a TURN credential is valid, in seconds (300 to 3600); pages renew it 10 minutes before it lapses.',
});
const RELAY_ONLY_DEFAULT = defineBoolean('RELAY_ONLY_DEFAULT', {
  default: false,
  description:
    'Relay every random call through TURN unless the person turns "Hide my IP" off: nobody learns the other\'s address, at the cost of relay bandwidth for every call.',
});

/** The TURN settings in force, read per request (secrets and parameters are known only at run time). */
export function turnSettings(): TurnSettings {
  return {
    secret: TURN_SECRET.value(),
    turnUrls: parseIceUrls(TURN_URLS.value(), 'turn'),
    stunUrls: parseIceUrls(STUN_URLS.value(), 'stun'),
    ttlSeconds: TURN_TTL_SECONDS.value(),
    relayOnlyDefault: RELAY_ONLY_DEFAULT.value(),
  };
}

/** turnCredentials: the shared callable options, plus the secret it alone may read. */
export const TURN_CALLABLE_OPTIONS: CallableOptions = { ...CALLABLE_OPTIONS, secrets: [TURN_SECRET] };

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
  description:
    'A report counts toward a ban only if both pages said the reported call connected, at least this long before it ended.',
});

/** The ban rule in force, read per request (docs/SECURITY.md, Moderation). */
export function banPolicy(): BanPolicy {
  return {
    ...DEFAULT_BAN_POLICY,
    minReporterAgeMs: Math.max(0, BAN_MIN_ACCOUNT_MINUTES.value()) * 60_000,
    minCallMs: Math.max(0, BAN_MIN_CALL_SECONDS.value()) * 1000,
  };
}
