/**
 * The evidence that a random call really ran, as Firestore holds it: each
 * member's page records in the call document, once, when its media link
 * connected (`connectedAt.<uid>`, CONNECTED_AT_FIELD; firestore.rules lets
 * each member add only its own). The onCallDeleted trigger copies it into
 * the call's history from the deleted document itself, so whoever ends a
 * call may delete everything under it at once. The pure rule that weighs it
 * is domain/moderation.ts, bothConnectedMs.
 */
import { Timestamp } from 'firebase-admin/firestore';
import type { ConnectedAt } from '../domain/moderation.js';
import { CONNECTED_AT_FIELD } from '../protocol/moderation.js';

/** The records in a call document's or a history document's data (anything but a timestamp is no record). */
export function connectedAtOf(data: Readonly<Record<string, unknown>> | undefined): ConnectedAt {
  const stored = data?.[CONNECTED_AT_FIELD];
  if (typeof stored !== 'object' || stored === null) return {};
  const out: Record<string, number> = {};
  for (const [uid, at] of Object.entries(stored)) if (at instanceof Timestamp) out[uid] = at.toMillis();
  return out;
}

/** The same records, as the history document keeps them (Firestore timestamps, by uid). */
export function storedConnectedAt(connectedAt: ConnectedAt): Record<string, Timestamp> {
  return Object.fromEntries(Object.entries(connectedAt).map(([uid, ms]) => [uid, Timestamp.fromMillis(ms)]));
}
