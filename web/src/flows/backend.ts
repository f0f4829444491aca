import type { RoomCounts } from '@parley/functions/protocol';
import type { Matcher } from './matcher.js';
import type { SignalingChannel } from './signaling.js';
import type { Role } from './types.js';

/** What the session needs from the backend once it is connected and signed in. */
export interface Backend {
  /** Our anonymous user id. */
  readonly uid: string;
  readonly matcher: Matcher;
  openSignaling(callId: string, role: Role): SignalingChannel;
  /**
   * Live counts of people waiting and chatting per room (one small document
   * kept by the functions). Calls `listener` with each new count; returns the
   * function that stops listening.
   */
  watchRoomCounts(listener: (counts: RoomCounts) => void): () => void;
}
