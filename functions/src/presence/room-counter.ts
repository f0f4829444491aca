/**
 * The live room counts: one public document (`stats/rooms`, numbers only)
 * that every open page listens to, kept by the functions so that no page
 * reads the queue.
 *
 * Counting is exact, not incremental: Firestore count() queries per room (one
 * read per 1000 entries). Counters kept by increments drift whenever a
 * trigger runs twice or not at all; a count does not.
 *
 * When to count is decided by domain/room-count-schedule.ts, on a schedule
 * document of the functions' own (`stats/roomsSchedule`: the rules let no
 * page read it, so its writes cost the listening pages nothing). A change
 * trigger (`changed`) reads it and writes it only when no count covers its
 * change: to schedule one, or to mark the running one as maybe too early. A
 * write that makes a count due triggers `countWhenDue`, the only code that
 * waits: it sleeps until the count is due, counts, publishes `stats/rooms`
 * when the numbers changed, and schedules the follow-up a marked change
 * needs. So one count sleeps at a time, and a change trigger costs one read
 * when a count is already coming (in the Functions emulator an invocation
 * that overlaps another of the same function starts a Node process of its
 * own: a sleep in every change trigger would start one per change).
 */
import { Timestamp, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
import { ROOM_COUNTS_DELAY_MS, ROOM_COUNTS_INTERVAL_MS } from '../domain/limits.js';
import {
  nextAfterCount,
  NO_SCHEDULE,
  onChange,
  sameCounts,
  startsCount,
  type ChangeDecision,
  type RoomCountSchedule,
  type RoomCountTiming,
} from '../domain/room-count-schedule.js';
import { UsageMeter } from '../domain/usage.js';
import { CALLS_COLLECTION, QUEUE_COLLECTION } from '../protocol/calls.js';
import {
  parseRoomCounts,
  ROOM_COUNTS_COLLECTION,
  ROOM_COUNTS_DOC,
  type RoomCount,
  type RoomCounts,
} from '../protocol/room-counts.js';
import { ROOMS, type RoomId } from '../protocol/rooms.js';
import { isLostRace, MeteredBatch, readDoc } from '../matching/optimistic.js';

/** `stats/roomsSchedule`: when the counts were and will be counted, and what was published (functions only). */
export const ROOM_COUNTS_SCHEDULE_DOC = 'roomsSchedule';

/**
 * Conditional writes of the schedule lost to other writers before giving
 * up. Each loss is another trigger scheduling, marking or publishing, so a
 * few are normal in a burst; ten in a row means something is wrong.
 */
const WRITE_ATTEMPTS = 10;

export const DEFAULT_ROOM_COUNT_TIMING: RoomCountTiming = {
  delayMs: ROOM_COUNTS_DELAY_MS,
  intervalMs: ROOM_COUNTS_INTERVAL_MS,
};

export type ChangeOutcome = ChangeDecision['kind'] | 'gave-up';

export class RoomCounter {
  constructor(
    private readonly db: Firestore,
    private readonly now: () => number = Date.now,
    private readonly timing: RoomCountTiming = DEFAULT_ROOM_COUNT_TIMING,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  private get publicRef() {
    return this.db.collection(ROOM_COUNTS_COLLECTION).doc(ROOM_COUNTS_DOC);
  }

  private get scheduleRef() {
    return this.db.collection(ROOM_COUNTS_COLLECTION).doc(ROOM_COUNTS_SCHEDULE_DOC);
  }

  /**
   * Something the counts show changed at `changedAtMs` (its commit time, or
   * later): makes sure a count starts after it.
   */
  async changed(changedAtMs: number, meter = new UsageMeter()): Promise<ChangeOutcome> {
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      const snap = await readDoc(this.scheduleRef, meter);
      const decision = onChange(scheduleOf(snap), changedAtMs, this.now(), this.timing);
      if (decision.kind !== 'mark' && decision.kind !== 'schedule') return decision.kind;
      const fields =
        decision.kind === 'mark'
          ? { dirtyAt: Timestamp.fromMillis(decision.dirtyAtMs) }
          : { pendingAt: Timestamp.fromMillis(decision.pendingAtMs), dirtyAt: Timestamp.fromMillis(0) };
      const batch = new MeteredBatch(this.db, meter);
      if (snap.exists) batch.update(this.scheduleRef, fields, { lastUpdateTime: snap.updateTime! });
      else batch.create(this.scheduleRef, { countedAt: Timestamp.fromMillis(0), pendingAt: Timestamp.fromMillis(0), ...fields });
      try {
        await batch.commit();
        return decision.kind;
      } catch (err) {
        if (!isLostRace(err)) throw err;
        meter.lostRace('room counts'); // someone else scheduled, marked or published: read again
      }
    }
    return 'gave-up';
  }

  /**
   * Runs on every write of the schedule (`before` and `after` it): when the
   * write made a count due, waits until then, counts, and publishes. Returns
   * the counts, or null when there was nothing to do or another run of the
   * same schedule (a trigger delivered twice) published first.
   */
  async countWhenDue(
    before: DocumentSnapshot | undefined,
    after: DocumentSnapshot | undefined,
    meter = new UsageMeter(),
  ): Promise<RoomCounts | null> {
    const dueAtMs = pendingAtOf(after);
    if (!startsCount(pendingAtOf(before), dueAtMs)) return null;
    const waitMs = dueAtMs - this.now();
    if (waitMs > 0) await this.sleep(waitMs);
    const startedAtMs = this.now();
    const rooms = await this.countNow(startedAtMs, meter);
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      const snap = await readDoc(this.scheduleRef, meter);
      const schedule = scheduleOf(snap);
      if (schedule.pendingAtMs !== dueAtMs) return null;
      const shown = snap.get('rooms') as unknown;
      const publish = new MeteredBatch(this.db, meter);
      publish.update(
        this.scheduleRef,
        {
          countedAt: Timestamp.fromMillis(startedAtMs),
          pendingAt: Timestamp.fromMillis(nextAfterCount(schedule, startedAtMs, this.now(), this.timing)),
          dirtyAt: Timestamp.fromMillis(0),
          rooms,
        },
        { lastUpdateTime: snap.updateTime! },
      );
      // Unchanged numbers are not written: every listening page would read them again.
      if (shown === undefined || !sameCounts(parseRoomCounts(shown), rooms)) publish.set(this.publicRef, { rooms });
      try {
        await publish.commit();
        return rooms;
      } catch (err) {
        if (!isLostRace(err)) throw err;
        meter.lostRace('room counts'); // a change was marked meanwhile: read it, then publish with its follow-up
      }
    }
    return null;
  }

  private async countNow(startedAtMs: number, meter: UsageMeter): Promise<RoomCounts> {
    const live = Timestamp.fromMillis(startedAtMs);
    return Object.fromEntries(
      await Promise.all(
        ROOMS.map(async (room): Promise<[RoomId, RoomCount]> => {
          const [waiting, calls] = await Promise.all([
            this.db.collection(QUEUE_COLLECTION).where('room', '==', room.id).where('leaseExpiresAt', '>', live).count().get(),
            // Random calls only: a call by link has no room.
            this.db.collection(CALLS_COLLECTION).where('room', '==', room.id).count().get(),
          ]);
          // A count() costs one read per 1000 index entries, at least one.
          meter.read(Math.max(1, Math.ceil(waiting.data().count / 1000)) + Math.max(1, Math.ceil(calls.data().count / 1000)));
          return [room.id, { waiting: waiting.data().count, chatting: 2 * calls.data().count }];
        }),
      ),
    ) as RoomCounts;
  }
}

function millis(snap: DocumentSnapshot | undefined, field: string): number {
  return (snap?.get(field) as Timestamp | undefined)?.toMillis() ?? 0;
}

function pendingAtOf(snap: DocumentSnapshot | undefined): number {
  return snap?.exists ? millis(snap, 'pendingAt') : 0;
}

function scheduleOf(snap: DocumentSnapshot): RoomCountSchedule {
  if (!snap.exists) return NO_SCHEDULE;
  return { countedAtMs: millis(snap, 'countedAt'), pendingAtMs: millis(snap, 'pendingAt'), dirtyAtMs: millis(snap, 'dirtyAt') };
}
