import { logger } from 'firebase-functions';
import type { CallableRequest } from 'firebase-functions/v2/https';
import { parseJoinRequest } from '../domain/requests.js';
import { UsageMeter } from '../domain/usage.js';
import type { JoinOutcome, Matchmaker } from '../matching/matchmaker.js';
import { guarded, parseOrReject, requireUid } from './auth.js';

/**
 * `join({ room, offer })`: pair the caller with someone waiting in the room,
 * or queue them. Calling it again while waiting renews the wait.
 */
export function joinHandler(matchmaker: () => Matchmaker) {
  return guarded(async (request: CallableRequest<unknown>): Promise<JoinOutcome> => {
    const uid = requireUid(request);
    const join = parseOrReject(parseJoinRequest, request.data);
    const meter = new UsageMeter();
    const outcome = await matchmaker().join(uid, join, meter);
    // Never log the offer: SDP carries addresses. Usage is what Firestore bills.
    logger.info('join', { room: join.room, status: outcome.status, callId: outcome.callId, usage: meter.usage });
    return outcome;
  });
}
