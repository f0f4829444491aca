/**
 * The signaling channel of one random call, as the session sees it: the
 * link's descriptions and candidates, both ways, after the match (the
 * waiter's first offer travels with `join`). The Firestore implementation
 * lives in backend/; tests use an in-memory one. The session never imports
 * Firestore.
 */
import type { LinkSignal } from '../engine/types.js';
import type { Role } from './types.js';

export interface SignalingListener {
  /** The call exists: for a waiting caller this is the moment of the match. */
  ready(): void;
  /** A description or candidate from the partner (the caller's first is the answer). */
  signal(signal: LinkSignal): void;
  /**
   * The partner wrote to its mailbox: a sign of life through the backend.
   * `bare`: the write carried nothing new (a probe or a reply; see
   * engine/liveness.ts). Comes after the write's signals, if any.
   */
  activity?(bare: boolean): void;
  /**
   * Before the match: our place in the queue is gone and no call took it
   * (swept, or a match whose call already ended): renew it now.
   */
  placeLost?(): void;
  /** The call was ended (by the partner, a Next, or cleanup). */
  ended(): void;
  /** The channel failed (e.g. the backend refused or went away). */
  error(error: unknown): void;
}

export interface SignalingChannel {
  readonly callId: string;
  readonly role: Role;
  /**
   * Sends a description or candidate to the partner; held until the call
   * exists. Resolves once written (the benchmark marks the answer's), rejects
   * if the backend refused it.
   */
  send(signal: LinkSignal): Promise<void>;
  /**
   * Writes our mailbox again with nothing new: tells the partner we are
   * here (the waiter's acknowledgement of the match, a liveness probe or its
   * reply). Held until the call exists; resolves once stored.
   */
  probe(): Promise<void>;
  /** Starts delivering the partner's messages. Call once. */
  subscribe(listener: SignalingListener): void;
  /** Stops listening and sending. Does not end the call for the partner (the matcher does). */
  close(): void;
}
