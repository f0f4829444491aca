/**
 * Rooms in the address: `/#/room/ta` opens Parley in the Tamil room, so a link
 * can invite people into a room. Pure.
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
