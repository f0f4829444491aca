import { logger } from 'firebase-functions';
import type { CallableRequest } from 'firebase-functions/v2/https';
import { parseLeaveRequest } from '../domain/requests.js';
import { UsageMeter } from '../domain/usage.js';
import type { Matchmaker } from '../matching/matchmaker.js';
import { guarded, parseOrReject, requireUid } from './auth.js';

/** `leave()`: end the caller's wait and calls (Stop, and closing the tab). */
export function leaveHandler(matchmaker: () => Matchmaker) {
  return guarded(async (request: CallableRequest<unknown>): Promise<{ endedCalls: number; leftQueue: boolean }> => {
    const uid = requireUid(request);
    parseOrReject(parseLeaveRequest, request.data);
    const meter = new UsageMeter();
    const result = await matchmaker().leave(uid, meter);
    logger.info('leave', { ...result, usage: meter.usage });
    return { ...result };
  });
}
