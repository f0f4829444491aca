import { logger } from 'firebase-functions';
import type { CallableRequest } from 'firebase-functions/v2/https';
import { parseBlockRequest, parseReportRequest } from '../domain/moderation.js';
import { UsageMeter } from '../domain/usage.js';
import type { FirestoreModerator } from '../moderation/moderator.js';
import { guarded, parseOrReject, requireUid } from './auth.js';

/** `report({ callId, reason })`: end the call, store the report, block the person for the reporter. */
export function reportHandler(moderator: () => FirestoreModerator) {
  return guarded(async (request: CallableRequest<unknown>): Promise<{ ended: true }> => {
    const uid = requireUid(request);
    const report = parseOrReject(parseReportRequest, request.data);
    const meter = new UsageMeter();
    const { banned } = await moderator().report(uid, report, meter);
    // Whether someone got banned is for the logs and moderators, not the reporter.
    logger.info('report', { callId: report.callId, reason: report.reason, banned, usage: meter.usage });
    return { ended: true };
  });
}

/** `block({ callId })`: never pair the caller with that call's other participant again. */
export function blockHandler(moderator: () => FirestoreModerator) {
  return guarded(async (request: CallableRequest<unknown>): Promise<{ ended: true }> => {
    const uid = requireUid(request);
    const block = parseOrReject(parseBlockRequest, request.data);
    const meter = new UsageMeter();
    await moderator().block(uid, block, meter);
    logger.info('block', { callId: block.callId, usage: meter.usage });
    return { ended: true };
  });
}
