/**
 * Shapes that travel between the session, the signaling channel and the
 * matcher. Plain data, no browser or Firebase types beyond the WebRTC inits.
 */

export type { IceCandidate, SessionDescription } from '../engine/types.js';

/** The two roles in a call: the caller waited and made the offer; the callee answers it. */
export type Role = 'caller' | 'callee';
