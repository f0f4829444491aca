/**
 * Deployment settings of the functions, read in one place. Timings of
 * matching and cleanup live in domain/limits.ts (they are pure and shared).
 */
import type { CallableOptions } from 'firebase-functions/v2/https';

/**
 * Region of every function. The web client calls the same region
 * (web/src/config.ts); change both together.
 */
export const REGION = 'us-central1';

export const CALLABLE_OPTIONS: CallableOptions = {
  region: REGION,
  // Pairing is a short transaction; a small instance answers in tens of ms.
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
