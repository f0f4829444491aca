import { logger } from 'firebase-functions';
import { parseBlockRequest, parseReportRequest } from '../domain/moderation.js';
import type { RequestGate } from '../matching/rate-limit.js';
import type { FirestoreModerator } from '../moderation/moderator.js';
import { callable } from './auth.js';

/** `report({ callId, reason })`: end the call, store the report, block the person for the reporter. */
export function reportHandler(moderator: () => FirestoreModerator, gate: () => RequestGate) {
  return callable('report', gate, parseReportRequest, async (uid, report, meter, caller) => {
    const { banned, counted } = await moderator().report(uid, report, caller, meter);
    // Whether someone got banned is for the logs and moderators, not the reporter.
    logger.info('report', { callId: report.callId, reason: report.reason, counted, banned, usage: meter.usage });
    return { ended: true } as const;
  });
}

/** `block({ callId })`: never pair the caller with that call's other member again. */
export function blockHandler(moderator: () => FirestoreModerator, gate: () => RequestGate) {
  return callable('block', gate, parseBlockRequest, async (uid, block, meter) => {
    await moderator().block(uid, block, meter);
    logger.info('block', { callId: block.callId, usage: meter.usage });
    return { ended: true } as const;
  });
}
