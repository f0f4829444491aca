/**
 * The signaling channel of one call, as the session sees it. The Firestore
 * implementation lives in backend/; tests use an in-memory one. The session
 * never imports Firestore.
 */
import type { IceCandidate, Role, SessionDescription } from './types.js';

export interface SignalingListener {
  /** The call exists: for a waiting caller this is the moment of the match. */
  ready(): void;
  /** The partner's session description (the caller receives the answer). */
  description(description: SessionDescription): void;
  /** One of the partner's trickled ICE candidates. */
  candidate(candidate: IceCandidate): void;
  /** The call was ended (by the partner, a Next, or cleanup). */
  ended(): void;
  /** The channel failed (e.g. the backend refused or went away). */
  error(error: unknown): void;
}

export interface SignalingChannel {
  readonly callId: string;
  readonly role: Role;
  /** Sends this side's description. The caller's offer travels with `join`, so only the callee uses it today. */
  sendDescription(description: SessionDescription): Promise<void>;
  /** Sends a local candidate; held until the call exists. */
  sendCandidate(candidate: IceCandidate): void;
  /** Starts delivering the partner's messages. Call once. */
  subscribe(listener: SignalingListener): void;
  /** Stops listening and sending. Does not end the call for the partner (the matcher does). */
  close(): void;
}
