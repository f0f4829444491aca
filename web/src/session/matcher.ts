/**
 * The pairing service, as the session sees it: implemented over Cloud
 * Functions in backend/. Rooms are ids from functions/src/domain/rooms.ts.
 */
import type { ReportReason } from '../../../functions/src/domain/moderation.js';
import type { SessionDescription } from './types.js';

export type { ReportReason };

export type JoinResult =
  /** Queued; the call will appear under callId when someone arrives. */
  | { readonly status: 'waiting'; readonly callId: string }
  /** Paired with someone already waiting: answer their offer. */
  | { readonly status: 'matched'; readonly callId: string; readonly offer: SessionDescription };

export interface Matcher {
  /**
   * Joins a room with a prepared offer. Ends any call of ours on the server.
   * `renewing` is the callId we are waiting for, when renewing our place.
   */
  join(room: string, offer: SessionDescription, renewing?: string): Promise<JoinResult>;
  /** Leaves the queue and ends our calls. */
  leave(): Promise<void>;
  /** Best-effort leave while the page unloads (no response awaited). */
  leaveOnUnload(): void;
  /** Reports the other person of a current or recent call; the server ends the call. */
  report(callId: string, reason: ReportReason): Promise<void>;
  /** Never be paired with the other person of a current or recent call again; ends the call. */
  block(callId: string): Promise<void>;
}
