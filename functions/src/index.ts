/**
 * Parley's Cloud Functions: a table of contents. Each export is a trigger that
 * validates its input and calls one method of a plain class; the logic lives in
 * domain/ (pure) and matching/, calls/, moderation/, cleanup/ (Firestore).
 */
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { logger } from 'firebase-functions';
import { onDocumentCreated, onDocumentDeleted, onDocumentWritten } from 'firebase-functions/v2/firestore';
import { onCall } from 'firebase-functions/v2/https';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { isLinkCall, LinkCalls } from './calls/link-calls.js';
import { onCallEnded } from './cleanup/call-end.js';
import { Sweeper } from './cleanup/sweeper.js';
import {
  banPolicy,
  CALLABLE_OPTIONS,
  matchingSettings,
  rateLimits,
  REGION,
  SWEEP_SCHEDULE,
  TURN_CALLABLE_OPTIONS,
  turnSettings,
} from './config.js';
import { SWEEP_SECOND_PASS_MS } from './domain/limits.js';
import { latestInstantOf } from './domain/room-count-schedule.js';
import { joinHandler } from './handlers/join.js';
import { leaveHandler } from './handlers/leave.js';
import { createCallHandler, enterCallHandler, leaveCallHandler, peekCallHandler } from './handlers/link-calls.js';
import { blockHandler, reportHandler } from './handlers/moderation.js';
import { turnCredentialsHandler } from './handlers/turn.js';
import { CALLS_COLLECTION, QUEUE_COLLECTION } from './protocol/calls.js';
import { ROOM_COUNTS_COLLECTION } from './protocol/room-counts.js';
import { FirestoreMatchmaker } from './matching/matchmaker.js';
import { RequestGate } from './matching/rate-limit.js';
import { FirestoreModerator } from './moderation/moderator.js';
import { NetworkHasher } from './moderation/networks.js';
import { ROOM_COUNTS_SCHEDULE_DOC, RoomCounter } from './presence/room-counter.js';

initializeApp();

// Created on first use, not at load: deploy analysis loads this file without credentials.
let matchmaker: FirestoreMatchmaker | undefined;
const getMatchmaker = () => (matchmaker ??= new FirestoreMatchmaker(getFirestore(), Date.now, matchingSettings));
let moderator: FirestoreModerator | undefined;
const getModerator = () =>
  (moderator ??= new FirestoreModerator(getFirestore(), new NetworkHasher(getFirestore()), Date.now, banPolicy));
let linkCalls: LinkCalls | undefined;
const getLinkCalls = () => (linkCalls ??= new LinkCalls(getFirestore(), Date.now));
// One per instance: it remembers full rate windows and recent bans (matching/rate-limit.ts).
let gate: RequestGate | undefined;
const getGate = () => (gate ??= new RequestGate(getFirestore(), Date.now, rateLimits));
let counter: RoomCounter | undefined;
const getCounter = () => (counter ??= new RoomCounter(getFirestore()));

/** Pair with a stranger in a room, or wait for one. */
export const join = onCall(CALLABLE_OPTIONS, joinHandler(getMatchmaker, getGate));

/** Stop: leave the queue and end one's calls. */
export const leave = onCall(CALLABLE_OPTIONS, leaveHandler(getMatchmaker, getGate));

/** Report the other person of a current or recent call: ends it; repeated reports ban. */
export const report = onCall(CALLABLE_OPTIONS, reportHandler(getModerator, getGate));

/** Never be paired with the other person of a current or recent call again. */
export const block = onCall(CALLABLE_OPTIONS, blockHandler(getModerator, getGate));

/** Start a private call by link (1:1 or a group of up to five): the caller is its first member. */
export const createCall = onCall(CALLABLE_OPTIONS, createCallHandler(getLinkCalls, getGate));

/** Whether a call by link can be entered: open (how many are in it), full, or ended. */
export const peekCall = onCall(CALLABLE_OPTIONS, peekCallHandler(getLinkCalls, getGate));

/** Enter a call by link (or refresh one's seat in it). */
export const enterCall = onCall(CALLABLE_OPTIONS, enterCallHandler(getLinkCalls, getGate));

/** Leave a call by link; the last one out ends it. */
export const leaveCall = onCall(CALLABLE_OPTIONS, leaveCallHandler(getLinkCalls, getGate));

/** STUN and TURN servers with a short-lived relay credential for the caller (the relay's secret stays here). */
export const turnCredentials = onCall(
  TURN_CALLABLE_OPTIONS,
  turnCredentialsHandler({ now: Date.now, settings: turnSettings, gate: getGate }),
);

/**
 * A call document was deleted (hang-up, Next, report, sweep, last leave):
 * a random call's history was written by whatever ended it; one that TTL
 * deleted past its expiry is remembered now. A call by link is not
 * remembered; anything left under it is removed. Room counts follow.
 */
export const onCallDeleted = onDocumentDeleted({ document: `${CALLS_COLLECTION}/{callId}`, region: REGION }, async (event) => {
  const call = event.data?.data();
  const [usage] = await Promise.all([
    // Ended at the deletion's commit, however late the trigger runs.
    onCallEnded(getFirestore(), event.params.callId, call, Date.parse(event.time)),
    // Link calls are not in the room counts.
    isLinkCall(call) ? null : countRooms(event.time),
  ]);
  logger.info('call ended', { callId: event.params.callId, link: isLinkCall(call), usage });
});

/**
 * Live room counts (see presence/room-counter.ts): someone started or
 * stopped waiting. A pairing deletes the waiter's entry in the commit that
 * creates the call, so onQueueLeft covers new calls too; ended calls come
 * through onCallDeleted and sweep.
 */
const TRIGGER = { region: REGION };
export const onQueueEntered = onDocumentCreated({ ...TRIGGER, document: `${QUEUE_COLLECTION}/{uid}` }, (e) => countRooms(e.time));
export const onQueueLeft = onDocumentDeleted({ ...TRIGGER, document: `${QUEUE_COLLECTION}/{uid}` }, (e) => countRooms(e.time));

/** `time`: the change's event time (its commit, or later), which decides whether a count already includes it. */
async function countRooms(time: string): Promise<void> {
  // The trigger runs after the commit, so now also bounds it (and stands in for a time that does not parse).
  const now = Date.now();
  const latest = latestInstantOf(time);
  const outcome = await getCounter().changed(Number.isNaN(latest) ? now : Math.min(latest, now));
  if (outcome === 'gave-up') logger.warn('room counts: schedule contended, change not scheduled');
  else logger.debug('room counts', { outcome, time, lagMs: now - Date.parse(time) });
}

/** The count schedule was written: if that made a count due, count when it is due and publish. */
export const countRoomsWhenDue = onDocumentWritten(
  { ...TRIGGER, document: `${ROOM_COUNTS_COLLECTION}/${ROOM_COUNTS_SCHEDULE_DOC}` },
  async (e) => {
    const counts = await getCounter().countWhenDue(e.data?.before, e.data?.after);
    if (counts) logger.debug('room counts published');
  },
);

/**
 * Backstop for abrupt exits: delete lapsed waiting entries, abandoned calls,
 * expired records. Cloud Scheduler runs it once a minute; it looks at
 * liveness once more half a minute later, so that what people who vanished
 * leave is gone within the lease + 30 s: a waiting entry or a seat in a call
 * by link within a minute, a random call within two (presenceTiming).
 */
export const sweep = onSchedule({ schedule: SWEEP_SCHEDULE, region: REGION, timeoutSeconds: 120 }, async () => {
  const sweeper = new Sweeper(getFirestore(), undefined, (message) => logger.warn(message));
  const startedAt = Date.now();
  const report = await sweeper.sweep(startedAt);
  // Entries whose lease lapsed leave the counts without any document changing.
  await getCounter().changed(Date.now());
  logger.info('sweep', { ...report });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + SWEEP_SECOND_PASS_MS - Date.now())));
  const lapsed = await sweeper.sweepLapsed(Date.now());
  await getCounter().changed(Date.now());
  logger.info('sweep (liveness)', { ...lapsed });
});
