/**
 * The page's one ICE configuration: the backend's STUN/TURN servers, kept
 * fresh (engine/ice-config.ts), and the relay-only policy from the person's
 * "Hide my IP" choice or the deployment's default (config.ts). Random chat
 * and calls by link both take their `rtcConfig` from here.
 */
import type { CallKind } from '@parley/functions/protocol';
import { iceServers, relayOnlyFor } from './config.js';
import { IceConfigSource } from './engine/ice-config.js';
import { hideMyIpChoice } from './settings.js';

/** One per page: one credential, renewed once, for every call the page makes. */
export const ICE = new IceConfigSource({ fallback: () => iceServers() });

/** Whether a new call of this kind goes through the relay only. */
export function relayOnly(kind: CallKind): boolean {
  return relayOnlyFor(kind, hideMyIpChoice(), ICE.relayOnlyDefault);
}

/** The configuration for a new link (or an ICE restart) of a call of this kind. */
export function rtcConfigFor(kind: CallKind): RTCConfiguration {
  return ICE.config(relayOnly(kind));
}
