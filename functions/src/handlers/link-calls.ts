import { logger } from 'firebase-functions';
import type { LinkCalls } from '../calls/link-calls.js';
import {
  parseCreateCallRequest,
  parseEnterCallRequest,
  parseLeaveCallRequest,
  parsePeekCallRequest,
} from '../domain/requests.js';
import type { RequestGate } from '../matching/rate-limit.js';
import { callable } from './auth.js';

/*
 * Calls by link. Logs carry the call id, the outcome and the usage: never
 * members' uids beyond counts, never anything the pages signal.
 */

/** `createCall({screenIncoming?})`: a new call by link, with the caller as its first member. */
export function createCallHandler(calls: () => LinkCalls, gate: () => RequestGate) {
  return callable('createCall', gate, parseCreateCallRequest, async (uid, request, meter) => {
    const result = await calls().create(uid, request, meter);
    logger.info('createCall', { callId: result.callId, screenIncoming: result.screenIncoming, usage: meter.usage });
    return result;
  });
}

/** `peekCall({callId})`: open (with how many are in it), full, or ended; nothing else. */
export function peekCallHandler(calls: () => LinkCalls, gate: () => RequestGate) {
  return callable('peekCall', gate, parsePeekCallRequest, async (_uid, { callId }, meter) => {
    const result = await calls().peek(callId, meter);
    logger.info('peekCall', { callId, status: result.status, usage: meter.usage });
    return result;
  });
}

/** `enterCall({callId})`: take a seat (or refresh one's own), or learn it is full or ended. */
export function enterCallHandler(calls: () => LinkCalls, gate: () => RequestGate) {
  return callable('enterCall', gate, parseEnterCallRequest, async (uid, { callId }, meter) => {
    const result = await calls().enter(uid, callId, meter);
    const members = result.status === 'entered' ? result.members.length : result.status === 'full' ? result.members : 0;
    logger.info('enterCall', { callId, status: result.status, members, lostRaces: meter.lostRaces, usage: meter.usage });
    return result;
  });
}

/** `leaveCall({callId})`: leave (also sent with keepalive when the tab closes); the last one out ends the call. */
export function leaveCallHandler(calls: () => LinkCalls, gate: () => RequestGate) {
  return callable('leaveCall', gate, parseLeaveCallRequest, async (uid, { callId }, meter) => {
    const result = await calls().leave(uid, callId, meter);
    logger.info('leaveCall', { callId, ...result, usage: meter.usage });
    return result;
  });
}
