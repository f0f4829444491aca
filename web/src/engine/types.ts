/**
 * What travels over a link's signaling, whatever carries it (a Firestore
 * mailbox, join's result, an in-memory pipe in tests). Plain data; no
 * Firebase. A session description is the protocol's: one type on both sides.
 */
import type { SessionDescription } from '@parley/functions/protocol';

export type { SessionDescription };

/** An ICE candidate as signaling carries it (the fields of RTCIceCandidateInit). */
export interface IceCandidate {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
  /**
   * The ICE generation it belongs to. Optional: the random call's documents
   * do not carry it; mailboxes do, so that a candidate of a generation an
   * ICE restart replaced is recognised as stale.
   */
  readonly usernameFragment?: string | null;
}

/** One message from one end of a link to the other. */
export type LinkSignal = { readonly description: SessionDescription } | { readonly candidate: IceCandidate };

export function toIceCandidate(c: RTCIceCandidate | RTCIceCandidateInit): IceCandidate {
  return {
    candidate: c.candidate ?? '',
    sdpMid: c.sdpMid ?? null,
    sdpMLineIndex: c.sdpMLineIndex ?? null,
    usernameFragment: c.usernameFragment ?? null,
  };
}
