/**
 * Names of the Firestore collections that make up the signaling data model.
 * docs/PROTOCOL.md describes each document; firestore.rules guards them.
 */
export const QUEUE = 'queue';
export const CALLS = 'calls';
/** Subcollection of a call: one document per trickled ICE candidate. */
export const CANDIDATES = 'candidates';
