/**
 * Rooms and calls in the address: `/#/room/ta` opens Parley in the Tamil
 * room, so a link can invite people into a room; `/#/call/<id>` opens a
 * private call. Pure.
 */
import { isRoomId, type RoomId } from '@parley/functions/protocol';

/** The room a location hash names, or null when it names none (or an unknown one). */
export function roomFromHash(hash: string): RoomId | null {
  const m = /^#\/room\/([a-z]+)\/?$/.exec(hash);
  const id = m?.[1];
  return isRoomId(id) ? id : null;
}

/** The hash that names `room`. */
export function hashForRoom(room: RoomId): string {
  return `#/room/${room}`;
}

/**
 * The private call a location hash names (`#/call/<id>`), 'new' for
 * `#/call/new` (create one), or null. The id's shape is checked by the
 * backend; here only that it is a plausible one.
 */
export function callFromHash(hash: string): string | null {
  const m = /^#\/call\/([A-Za-z0-9]{1,64})\/?$/.exec(hash);
  return m?.[1] ?? null;
}
