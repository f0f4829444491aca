/**
 * How many people are waiting and chatting in each room: the shape of the one
 * public document (`stats/rooms`) that the functions keep and every open page
 * listens to, so no page ever reads the queue. Pure: shared by the functions
 * (which write it) and the web client (which reads it).
 */
import { ROOMS, type RoomId } from './rooms.js';

/** Path of the aggregate document, readable by signed-in pages, written only by the functions. */
export const ROOM_COUNTS_COLLECTION = 'stats';
export const ROOM_COUNTS_DOC = 'rooms';

export interface RoomCount {
  /** Entries in the room's queue whose lease is live. */
  readonly waiting: number;
  /** People in calls made in this room (two per call, answered or not yet). */
  readonly chatting: number;
}

export type RoomCounts = Readonly<Record<RoomId, RoomCount>>;

/** Every room at zero. */
export function emptyRoomCounts(): RoomCounts {
  return Object.fromEntries(ROOMS.map((r) => [r.id, { waiting: 0, chatting: 0 }])) as unknown as RoomCounts;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/**
 * The counts in a `stats/rooms` document's `rooms` field. Tolerant: a room
 * missing from the document (added after the last count) reads as zero, and
 * anything malformed as zero, so a page never breaks on the document's shape.
 */
export function parseRoomCounts(value: unknown): RoomCounts {
  const counts = emptyRoomCounts() as Record<RoomId, RoomCount>;
  if (typeof value !== 'object' || value === null) return counts;
  for (const room of ROOMS) {
    const entry = (value as Record<string, unknown>)[room.id];
    if (typeof entry === 'object' && entry !== null) {
      const e = entry as Record<string, unknown>;
      counts[room.id] = { waiting: count(e['waiting']), chatting: count(e['chatting']) };
    }
  }
  return counts;
}
