import { logger } from 'firebase-functions';
import type { CallableRequest } from 'firebase-functions/v2/https';
import { parseJoinRequest } from '../domain/requests.js';
import type { JoinOutcome, Matchmaker } from '../matching/matchmaker.js';
import { parseOrReject, requireUid } from './auth.js';

/**
 * `join({ room, offer })`: pair the caller with someone waiting in the room,
 * or queue them. Calling it again while waiting renews the wait.
 */
export function joinHandler(matchmaker: () => Matchmaker) {
  return async (request: CallableRequest<unknown>): Promise<JoinOutcome> => {
    const uid = requireUid(request);
    const join = parseOrReject(parseJoinRequest, request.data);
    const outcome = await matchmaker().join(uid, join);
    // Never log the offer: SDP carries addresses.
    logger.info('join', { room: join.room, status: outcome.status, callId: outcome.callId });
    return outcome;
  };
}
