/**
 * Who to pair a joiner with. Pure: the Firestore transaction reads the oldest
 * waiting entries of the room and asks this module which one to take.
 */

/** What pairing needs to know about a waiting entry. Times in epoch ms. */
export interface WaitingEntry {
  readonly uid: string;
  readonly room: string;
  readonly createdAtMs: number;
  readonly leaseExpiresAtMs: number;
  /** People this waiter blocked: never paired with them. */
  readonly blocked?: readonly string[];
}

/** An entry is eligible while its lease runs: a lapsed lease means a closed or dead page. */
export function isLeaseLive(entry: Pick<WaitingEntry, 'leaseExpiresAtMs'>, nowMs: number): boolean {
  return entry.leaseExpiresAtMs > nowMs;
}

/**
 * The partner for `joinerUid` in `room`: the longest-waiting entry of that room
 * whose lease is live, that is not the joiner, and where neither blocked the
 * other. Null when nobody qualifies. `waiting` may come in any order and may
 * hold other rooms' entries.
 */
export function choosePartner<E extends WaitingEntry>(
  joinerUid: string,
  room: string,
  waiting: readonly E[],
  nowMs: number,
  blockedByJoiner: ReadonlySet<string> = new Set(),
): E | null {
  let best: E | null = null;
  for (const entry of waiting) {
    if (entry.uid === joinerUid || entry.room !== room || !isLeaseLive(entry, nowMs)) continue;
    if (blockedByJoiner.has(entry.uid) || entry.blocked?.includes(joinerUid)) continue;
    if (best === null || entry.createdAtMs < best.createdAtMs) best = entry;
  }
  return best;
}
