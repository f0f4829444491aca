/**
 * Retry timing for transactions that lost a contention race. Pure.
 */

/**
 * Delay before retry `attempt` (1-based): exponential from `baseMs`, capped,
 * with full jitter so that joins that collided once do not collide again in
 * lock-step. `random` is injected for tests.
 */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 40, capMs = 1000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

/** gRPC ABORTED: Firestore's answer to a transaction that lost to another one. */
export function isContention(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 10;
}
