import { logger } from 'firebase-functions';
import { RelayNotConfigured } from '../domain/refusals.js';
import { parseTurnCredentialsRequest } from '../domain/requests.js';
import { turnCredentialsFor, type TurnSettings } from '../domain/turn.js';
import type { RequestGate } from '../matching/rate-limit.js';
import type { TurnCredentialsResult } from '../protocol/turn.js';
import { callable } from './auth.js';

export interface TurnCredentialsDeps {
  readonly now: () => number;
  readonly settings: () => TurnSettings;
  /** Meters every request, refused or not, before anything else (matching/rate-limit.ts). */
  readonly gate: () => RequestGate;
}

/**
 * `turnCredentials({})`: STUN and TURN servers with a credential minted for
 * the caller (domain/turn.ts). The log says how long it lasts and what it
 * cost: never the username, the credential or the secret.
 */
export function turnCredentialsHandler(deps: TurnCredentialsDeps) {
  return callable(
    'turnCredentials',
    deps.gate,
    parseTurnCredentialsRequest,
    async (uid, _request, meter): Promise<TurnCredentialsResult> => {
      const nowMs = deps.now();
      let settings: TurnSettings;
      try {
        settings = deps.settings();
      } catch (err) {
        logger.error('turnCredentials: relay misconfigured', { error: String(err) });
        throw new RelayNotConfigured();
      }
      if (settings.turnUrls.length > 0 && settings.secret.length === 0) {
        logger.error('turnCredentials: TURN_SECRET is empty');
        throw new RelayNotConfigured();
      }
      const result = turnCredentialsFor(settings, uid, nowMs);
      logger.info('turnCredentials', { validForMs: result.validForMs, servers: result.iceServers.length, usage: meter.usage });
      return result;
    },
  );
}
