/**
 * Parley's Cloud Functions: a table of contents. Each export is a trigger that
 * validates its input and calls one method of a plain class; the logic lives in
 * domain/ (pure) and matching/, cleanup/ (Firestore).
 */
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { logger } from 'firebase-functions';
import { onDocumentDeleted } from 'firebase-functions/v2/firestore';
import { onCall } from 'firebase-functions/v2/https';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { deleteCallCandidates, Sweeper } from './cleanup/sweeper.js';
import { joinHandler } from './handlers/join.js';
import { leaveHandler } from './handlers/leave.js';
import { CALLS } from './matching/collections.js';
import { FirestoreMatchmaker } from './matching/matchmaker.js';
import { queryReads, type Usage } from './domain/usage.js';
import { CALLABLE_OPTIONS, REGION, SWEEP_SCHEDULE } from './config.js';

initializeApp();

// Created on first use, not at load: deploy analysis loads this file without credentials.
let matchmaker: FirestoreMatchmaker | undefined;
const getMatchmaker = () => (matchmaker ??= new FirestoreMatchmaker(getFirestore()));

/** Pair with a stranger in a room, or wait for one. */
export const join = onCall(CALLABLE_OPTIONS, joinHandler(getMatchmaker));

/** Stop: leave the queue and end one's calls. */
export const leave = onCall(CALLABLE_OPTIONS, leaveHandler(getMatchmaker));

/** A call document was deleted (hang-up, Next, sweep): remove its candidates. */
export const onCallDeleted = onDocumentDeleted({ document: `${CALLS}/{callId}`, region: REGION }, async (event) => {
  const deleted = await deleteCallCandidates(getFirestore(), event.params.callId);
  const usage: Usage = { reads: queryReads(deleted), writes: 0, deletes: deleted };
  logger.info('call candidates removed', { callId: event.params.callId, usage });
});

/** Backstop for abrupt exits: delete lapsed waiting entries and abandoned calls. */
export const sweep = onSchedule({ schedule: SWEEP_SCHEDULE, region: REGION }, async () => {
  const report = await new Sweeper(getFirestore()).sweep(Date.now());
  logger.info('sweep', { ...report });
});
