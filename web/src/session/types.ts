/**
 * Shapes that travel between the session, the signaling channel and the
 * matcher. Plain data, no browser or Firebase types beyond the WebRTC inits.
 */

import type { IceCandidate } from '../engine/types.js';

export type { IceCandidate, SessionDescription } from '../engine/types.js';

/** The two roles in a call: the caller waited and made the offer; the callee answers it. */
export type Role = 'caller' | 'callee';

/** The fields the random call's candidate documents carry (the rules refuse any other). */
export function toIceCandidate(c: RTCIceCandidate | RTCIceCandidateInit): IceCandidate {
  return { candidate: c.candidate ?? '', sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
}
