/**
 * Shapes that travel between the session, the signaling channel and the
 * matcher. Plain data, no browser or Firebase types beyond the WebRTC inits.
 */

/** A session description as signaling carries it. */
export interface SessionDescription {
  readonly type: 'offer' | 'answer';
  readonly sdp: string;
}

/** An ICE candidate as signaling carries it (the fields of RTCIceCandidateInit we send). */
export interface IceCandidate {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
}

/** The two roles in a call: the caller waited and made the offer; the callee answers it. */
export type Role = 'caller' | 'callee';

export function toIceCandidate(c: RTCIceCandidate | RTCIceCandidateInit): IceCandidate {
  return { candidate: c.candidate ?? '', sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
}
