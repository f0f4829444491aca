/**
 * The pairing service, as the session sees it: implemented over Cloud
 * Functions in backend/. Rooms are ids from functions/src/domain/rooms.ts.
 */
import type { ReportReason } from '@parley/functions/protocol';
import type { SessionDescription } from './types.js';

export type { ReportReason };

export type JoinResult =
  /**
   * Queued; the call will appear under callId when someone arrives.
   * `widened`: the entry is also in the Anyone pool (the room was quiet).
   * `widenInMs`: when to renew so that it widens (null: it will not, or already did).
   */
  | {
      readonly status: 'waiting';
      readonly callId: string;
      readonly widened: boolean;
      readonly widenInMs: number | null;
    }
  /** Paired with someone already waiting: answer their offer. `room`: where the pair met (may be 'any' after widening). */
  | { readonly status: 'matched'; readonly callId: string; readonly offer: SessionDescription; readonly room: string };

export interface JoinOptions {
  /** The callId we are waiting for, when renewing our place. */
  readonly renewing?: string;
  /** Whether a long wait in a quiet room may pair us from the Anyone pool. */
  readonly widen: boolean;
}

export interface Matcher {
  /** Joins a room with a prepared offer. Ends any call of ours on the server (unless renewing). */
  join(room: string, offer: SessionDescription, options: JoinOptions): Promise<JoinResult>;
  /** Leaves the queue and ends our calls. */
  leave(): Promise<void>;
  /** Best-effort leave while the page unloads (no response awaited). */
  leaveOnUnload(): void;
  /** Reports the other person of a current or recent call; the server ends the call. */
  report(callId: string, reason: ReportReason): Promise<void>;
  /** Never be paired with the other person of a current or recent call again; ends the call. */
  block(callId: string): Promise<void>;
}
