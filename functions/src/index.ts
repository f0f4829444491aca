/**
 * Parley's Cloud Functions: a table of contents. Each export is a trigger that
 * validates its input and calls one method of a plain class; the logic lives in
 * domain/ (pure) and matching/, moderation/, cleanup/ (Firestore).
 */
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { logger } from 'firebase-functions';
import { onDocumentDeleted } from 'firebase-functions/v2/firestore';
import { onCall } from 'firebase-functions/v2/https';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { onCallEnded, Sweeper } from './cleanup/sweeper.js';
import { CALLABLE_OPTIONS, rateLimits, REGION, SWEEP_SCHEDULE } from './config.js';
import { joinHandler } from './handlers/join.js';
import { leaveHandler } from './handlers/leave.js';
import { blockHandler, reportHandler } from './handlers/moderation.js';
import { CALLS } from './matching/collections.js';
import { FirestoreMatchmaker } from './matching/matchmaker.js';
import { FirestoreModerator } from './moderation/moderator.js';

initializeApp();

// Created on first use, not at load: deploy analysis loads this file without credentials.
let matchmaker: FirestoreMatchmaker | undefined;
const getMatchmaker = () => (matchmaker ??= new FirestoreMatchmaker(getFirestore(), Date.now, rateLimits));
let moderator: FirestoreModerator | undefined;
const getModerator = () => (moderator ??= new FirestoreModerator(getFirestore(), Date.now, rateLimits));

/** Pair with a stranger in a room, or wait for one. */
export const join = onCall(CALLABLE_OPTIONS, joinHandler(getMatchmaker));

/** Stop: leave the queue and end one's calls. */
export const leave = onCall(CALLABLE_OPTIONS, leaveHandler(getMatchmaker));

/** Report the other person of a current or recent call: ends it; repeated reports ban. */
export const report = onCall(CALLABLE_OPTIONS, reportHandler(getModerator));

/** Never be paired with the other person of a current or recent call again. */
export const block = onCall(CALLABLE_OPTIONS, blockHandler(getModerator));

/** A call document was deleted (hang-up, Next, report, sweep): remember it briefly, remove its candidates. */
export const onCallDeleted = onDocumentDeleted({ document: `${CALLS}/{callId}`, region: REGION }, async (event) => {
  const usage = await onCallEnded(getFirestore(), event.params.callId, event.data?.data(), Date.now());
  logger.info('call ended', { callId: event.params.callId, usage });
});

/** Backstop for abrupt exits: delete lapsed waiting entries, abandoned calls, expired records. */
export const sweep = onSchedule({ schedule: SWEEP_SCHEDULE, region: REGION }, async () => {
  const report = await new Sweeper(getFirestore()).sweep(Date.now());
  logger.info('sweep', { ...report });
});
