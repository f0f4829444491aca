import { logger } from 'firebase-functions';
import { parseJoinRequest } from '../domain/requests.js';
import type { Matchmaker } from '../matching/matchmaker.js';
import type { RequestGate } from '../matching/rate-limit.js';
import { countedCallable } from './auth.js';

/**
 * `join({ room, offer })`: pair the caller with someone waiting in the room,
 * or queue them. Calling it again while waiting renews the wait.
 */
export function joinHandler(matchmaker: () => Matchmaker, gate: () => RequestGate) {
  return countedCallable('join', gate, parseJoinRequest, async (uid, join, meter, count) => {
    const outcome = await matchmaker().join(uid, join, meter, count);
    // Never log the offer: SDP carries addresses. Usage is what Firestore bills.
    // lostRaces: conditional writes retried (contention), and racesBy where
    // they happened (the benchmark adds them up); ms: time per step;
    // ops: the operations by what they touched. usage stays last, the benchmark reads it there.
    logger.info('join', {
      room: join.room,
      status: outcome.status,
      callId: outcome.callId,
      lostRaces: meter.lostRaces,
      racesBy: meter.lostRacesByWhere,
      ms: meter.phaseMs,
      ops: meter.byName,
      usage: meter.usage,
    });
    return outcome;
  });
}
