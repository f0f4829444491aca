/**
 * Skip memory kept on the device: whom this person was paired with in the
 * last SKIP_MEMORY_MS, so that a page opened again (a reload, a second tab)
 * still sends it with its first `join` (`recent`), and the server need not
 * query its history for it (2 reads of every first call; docs/PROTOCOL.md,
 * step 2). It is the person's own preference, not a safeguard: blocks are
 * stored on the server. Pure: the storage itself is settings.ts's.
 */
import { MAX_UID_LENGTH, SKIP_MEMORY_MS, SKIP_MEMORY_SIZE } from '@parley/functions/protocol';

/** Whom we met, by uid, and when (epoch ms). */
export type Met = ReadonlyMap<string, number>;

/** Where a page keeps it. `load`: null when it cannot tell (storage blocked), else what is kept for `uid` (maybe nothing). */
export interface SkipMemoryStore {
  load(uid: string): Met | null;
  save(uid: string, met: Met): void;
}

const UID = new RegExp(`^[A-Za-z0-9]{1,${MAX_UID_LENGTH}}$`);

/** The newest SKIP_MEMORY_SIZE of `entries` met within SKIP_MEMORY_MS before `nowMs`, the oldest first. */
export function recentEntries(entries: Iterable<readonly [string, number]>, nowMs: number): [string, number][] {
  return [...entries]
    .filter(([, at]) => at > nowMs - SKIP_MEMORY_MS)
    .map(([uid, at]): [string, number] => [uid, at])
    .sort(([, x], [, y]) => x - y)
    .slice(-SKIP_MEMORY_SIZE);
}

/**
 * What `raw` (as stored by storedSkipMemory, or null: nothing stored) keeps
 * for `uid` at `nowMs`: only well-formed entries of the last SKIP_MEMORY_MS,
 * the newest SKIP_MEMORY_SIZE. Anything else (another account's memory,
 * garbage, a clock gone back) is nothing met: what join is sent must pass
 * the server's checks.
 */
export function parseSkipMemory(raw: string | null, uid: string, nowMs: number): Map<string, number> {
  let stored: unknown;
  try {
    stored = raw === null ? null : JSON.parse(raw);
  } catch {
    return new Map();
  }
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return new Map();
  const { uid: owner, met } = stored as Record<string, unknown>;
  if (owner !== uid || typeof met !== 'object' || met === null || Array.isArray(met)) return new Map();
  const entries = Object.entries(met as Record<string, unknown>).filter(
    (e): e is [string, number] => UID.test(e[0]) && e[0] !== uid && typeof e[1] === 'number' && e[1] <= nowMs,
  );
  return new Map(recentEntries(entries, nowMs));
}

/** What to store for `uid`: its memory as of `nowMs` (older entries dropped), for parseSkipMemory. */
export function storedSkipMemory(uid: string, met: Met, nowMs: number): string {
  return JSON.stringify({ uid, met: Object.fromEntries(recentEntries(met, nowMs)) });
}
