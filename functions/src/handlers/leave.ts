import { logger } from 'firebase-functions';
import { parseLeaveRequest } from '../domain/requests.js';
import type { Matchmaker } from '../matching/matchmaker.js';
import type { RequestGate } from '../matching/rate-limit.js';
import { callable } from './auth.js';

/** `leave()`: end the caller's wait and calls (Stop, and closing the tab). */
export function leaveHandler(matchmaker: () => Matchmaker, gate: () => RequestGate) {
  return callable('leave', gate, parseLeaveRequest, async (uid, request, meter) => {
    const result = await matchmaker().leave(uid, request, meter);
    logger.info('leave', { ...result, ops: meter.byName, usage: meter.usage });
    return { ...result };
  });
}
