/**
 * The live room counts: one public document (`stats/rooms`) that every open
 * page listens to, kept by the functions, so that no page reads the queue.
 *
 * Counting is exact, not incremental: Firestore count() queries per room (one
 * read per 1000 entries). Counters kept by increments drift whenever a
 * trigger runs twice or not at all; a count does not.
 *
 * Debounced, without making the changes wait: every change (a trigger on
 * queue entries and calls) only makes sure a count is scheduled after it, by
 * writing `pendingAt` = when the next count may start (at once after a quiet
 * spell, else when ROOM_COUNTS_INTERVAL_MS since the last count is over). A
 * change already covered (a count started, or is scheduled to start, after
 * it) writes nothing. The write of `pendingAt` triggers `countWhenDue`, the
 * only code that waits: it sleeps until pendingAt, counts, and publishes, on
 * condition that nobody rescheduled meanwhile (if someone did, their write
 * triggers the next count). So the document takes at most two writes per
 * interval, and a change is never left out of the next count. (The Firestore
 * emulator delivers triggers one at a time: a sleep in every change trigger
 * would queue a wait per change.)
 */
import { Timestamp, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
import { ROOM_COUNTS_INTERVAL_MS } from '../domain/limits.js';
import {
  emptyRoomCounts,
  ROOM_COUNTS_COLLECTION,
  ROOM_COUNTS_DOC,
  type RoomCount,
  type RoomCounts,
} from '../protocol/room-counts.js';
import { ROOMS, type RoomId } from '../protocol/rooms.js';
import { UsageMeter } from '../domain/usage.js';
import { CALLS_COLLECTION, QUEUE_COLLECTION } from '../protocol/calls.js';
import { isLostRace, MeteredBatch, readDoc, replaceIfUnchanged } from '../matching/optimistic.js';

/** Scheduling writes lost to other triggers before giving up (each loss means someone else scheduled or counted). */
const SCHEDULE_ATTEMPTS = 5;

/**
 * Commit times come from Firestore, count times from this instance's clock:
 * a change this close before a count is counted again rather than risk
 * missing it over clock skew.
 */
const CLOCK_MARGIN_MS = 1_000;

export class RoomCounter {
  constructor(
    private readonly db: Firestore,
    private readonly now: () => number = Date.now,
    private readonly intervalMs: number = ROOM_COUNTS_INTERVAL_MS,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  private get ref() {
    return this.db.collection(ROOM_COUNTS_COLLECTION).doc(ROOM_COUNTS_DOC);
  }

  /**
   * Something the counts show changed at `changedAtMs` (its commit time, or
   * later). Schedules a count after it unless one is already due after it.
   */
  async changed(changedAtMs: number, meter = new UsageMeter()): Promise<'scheduled' | 'already-counted' | 'already-scheduled'> {
    for (let attempt = 1; attempt <= SCHEDULE_ATTEMPTS; attempt++) {
      const snap = await readDoc(this.ref, meter);
      const nowMs = this.now();
      const { countedAtMs, pendingAtMs } = times(snap);
      if (countedAtMs >= changedAtMs + CLOCK_MARGIN_MS) return 'already-counted';
      if (pendingAtMs >= changedAtMs + CLOCK_MARGIN_MS) return 'already-scheduled';
      const schedule = new MeteredBatch(this.db, meter);
      replaceIfUnchanged(schedule, snap, {
        rooms: snap.get('rooms') ?? emptyRoomCounts(),
        countedAt: snap.get('countedAt') ?? Timestamp.fromMillis(0),
        // Never sooner than CLOCK_MARGIN_MS from now, so the count surely starts after this change.
        pendingAt: Timestamp.fromMillis(Math.max(nowMs + CLOCK_MARGIN_MS, countedAtMs + this.intervalMs)),
      });
      try {
        await schedule.commit();
        return 'scheduled';
      } catch (err) {
        if (!isLostRace(err)) throw err; // someone else scheduled or counted: read again
      }
    }
    return 'already-scheduled';
  }

  /**
   * Runs on every write of the counts document: when a count is pending,
   * waits until it is due, counts and publishes. Returns the published counts,
   * or null when there was nothing to do or someone rescheduled meanwhile.
   */
  async countWhenDue(meter = new UsageMeter()): Promise<RoomCounts | null> {
    const first = await readDoc(this.ref, meter);
    const { pendingAtMs } = times(first);
    if (pendingAtMs === 0) return null;
    const waitMs = pendingAtMs - this.now();
    if (waitMs > 0) await this.sleep(waitMs);
    const due = await readDoc(this.ref, meter);
    if (times(due).pendingAtMs !== pendingAtMs) return null; // counted or rescheduled by another run
    const counts = await this.countNow(meter);
    const publish = new MeteredBatch(this.db, meter);
    publish.update(
      this.ref,
      { rooms: counts.rooms, countedAt: Timestamp.fromMillis(counts.startedAtMs), pendingAt: Timestamp.fromMillis(0) },
      { lastUpdateTime: due.updateTime! },
    );
    try {
      await publish.commit();
    } catch (err) {
      if (isLostRace(err)) return null; // a change rescheduled during the count: its count comes next
      throw err;
    }
    return counts.rooms;
  }

  private async countNow(meter: UsageMeter): Promise<{ rooms: RoomCounts; startedAtMs: number }> {
    const startedAtMs = this.now();
    const live = Timestamp.fromMillis(startedAtMs);
    const rooms = Object.fromEntries(
      await Promise.all(
        ROOMS.map(async (room): Promise<[RoomId, RoomCount]> => {
          const [waiting, calls] = await Promise.all([
            this.db.collection(QUEUE_COLLECTION).where('room', '==', room.id).where('leaseExpiresAt', '>', live).count().get(),
            this.db.collection(CALLS_COLLECTION).where('room', '==', room.id).count().get(),
          ]);
          // A count() costs one read per 1000 index entries, at least one.
          meter.read(Math.max(1, Math.ceil(waiting.data().count / 1000)) + Math.max(1, Math.ceil(calls.data().count / 1000)));
          return [room.id, { waiting: waiting.data().count, chatting: 2 * calls.data().count }];
        }),
      ),
    ) as RoomCounts;
    return { rooms, startedAtMs };
  }
}

function times(snap: DocumentSnapshot): { countedAtMs: number; pendingAtMs: number } {
  return {
    countedAtMs: (snap.get('countedAt') as Timestamp | undefined)?.toMillis() ?? 0,
    pendingAtMs: (snap.get('pendingAt') as Timestamp | undefined)?.toMillis() ?? 0,
  };
}
