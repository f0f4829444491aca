/**
 * Client settings, read in one place: where the backend is, which ICE servers
 * to use, and how long to wait for each step of a call.
 */
import { REGION, type CallKind } from '@parley/functions/protocol';

/** True when the page is served by the local emulator suite (npm start, tests). */
export function isLocalDevelopment(hostname: string = location.hostname): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/**
 * Emulator addresses; must match "emulators" in firebase.json. The page uses
 * the host it was served from, so 127.0.0.1 and localhost both work.
 */
export const EMULATOR_PORTS = { auth: 9099, firestore: 8080, functions: 5001 } as const;

/** Project id the emulator suite runs under (a demo- id needs no login and no network). */
export const DEMO_PROJECT_ID = 'demo-parley';

/** Region of the callables: the one the functions deploy to. */
export const FUNCTIONS_REGION = REGION;

/**
 * STUN servers used in production until the backend's `turnCredentials`
 * answers (and if it cannot): a STUN server tells a browser its public
 * address so peers behind ordinary NATs can reach each other. Locally there is
 * no internet, and peers on one machine or LAN need none, so none is used.
 * The servers the page really uses, TURN included, come from the backend
 * (engine/ice-config.ts, ice.ts).
 */
export const PRODUCTION_ICE_SERVERS: readonly RTCIceServer[] = [
  { urls: ['stun:stun.l.google.com:19302', 'stun:stun1.l.google.com:19302'] },
];

export function iceServers(local: boolean = isLocalDevelopment()): RTCIceServer[] {
  return local ? [] : [...PRODUCTION_ICE_SERVERS];
}

/**
 * Whether a call goes through the relay only ("Hide my IP"): the person's own
 * choice when they made one; otherwise, for random calls, the deployment's
 * default (RELAY_ONLY_DEFAULT), and for calls by link (people who know each
 * other) direct.
 */
export function relayOnlyFor(kind: CallKind, choice: boolean | null, deploymentDefault: boolean): boolean {
  if (choice !== null) return choice;
  return kind === 'random' && deploymentDefault;
}

export interface Timing {
  /**
   * After a match, how long the caller waits for the answer before looking for
   * someone else. The callee answers within a few hundred ms when alive, and 8 s
   * still covers a slow phone. Not 10 s: a waiter whose partner never answers
   * must be back in the queue within 10 s, and the requeue's join (a fresh
   * offer, then the round trip) takes a few hundred ms on top of this.
   */
  readonly answerTimeoutMs: number;
  /**
   * After a match, how long the joiner waits for the waiter's acknowledgement
   * (its first mailbox write, made the moment it sees the call) before
   * treating the waiter as a ghost and looking again, when the waiter had
   * missed a heartbeat before the pairing (flows/match-ack.ts). A live
   * waiter's takes a listener delivery and a write (well under a second); 3 s,
   * so that someone paired with a dead tab is back in the queue within 5 s.
   */
  readonly matchAckTimeoutMs: number;
  /**
   * The same wait for a waiter seen alive within its last heartbeat period
   * before the pairing: most likely alive, maybe slow (a Firefox waiter
   * under load was seen to take just over 3 s). Giving up on it loses a call
   * that was about to start, for both. 4.5 s: someone paired with a ghost
   * must still be back in the queue within 5 s, and the requeue's join takes
   * 0.1–0.2 s after this.
   */
  readonly liveWaiterAckTimeoutMs: number;
  /** From match to connected: past this the network most likely blocks the direct path. */
  readonly connectTimeoutMs: number;
  /** How often a waiting page renews its place in the queue (server lease: 45 s; liveness: its heartbeat, WAITING_HEARTBEAT_MS). */
  readonly renewMs: number;
}

/**
 * From a link's start (for a random call: the match) to connected: past this
 * the network most likely blocks the path, and the page says why (a link
 * that fails sooner says so sooner). 20 s covers relay allocation and a slow
 * phone's gathering several times over.
 */
export const CONNECT_TIMEOUT_MS = 20_000;

export const TIMING: Timing = {
  answerTimeoutMs: 8_000,
  matchAckTimeoutMs: 3_000,
  liveWaiterAckTimeoutMs: 4_500,
  connectTimeoutMs: CONNECT_TIMEOUT_MS,
  renewMs: 15_000,
};

/**
 * After a link's connection drops, how long it restarts ICE to recover
 * before it is given up (engine/reconnect-policy.ts times the tries within
 * it; a link that never connected shows why for as long). One per kind of
 * call, because what the person sees meanwhile differs:
 * - random: the stranger is the whole call. ICE reports "disconnected" a few
 *   seconds after the last packet; 20 s more rides out a Wi-Fi roam or a
 *   mobile handover, and is as long as a person will look at a frozen face
 *   before they would rather meet someone else.
 * - link: one tile among others, and the person can do nothing but wait.
 *   10 s gives a blip two or three restarts and still takes a crashed
 *   member's tile off the grid within about 15 s (a dead page goes sooner:
 *   engine/liveness.ts).
 */
export const RECONNECT_FOR_MS: Readonly<Record<CallKind, number>> = {
  random: 20_000,
  link: 10_000,
};

/** Camera and microphone request: modest video so phones and weak uplinks cope. */
export const MEDIA_CONSTRAINTS: MediaStreamConstraints = {
  audio: { echoCancellation: true, noiseSuppression: true },
  video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } },
};

/**
 * Screen share request: the picture only (a tab's sound would need its own
 * section and echo handling), and no more than 15 frames a second: a shared
 * document or slide changes seldom, and the bits go to sharpness instead
 * (the track's contentHint is 'detail').
 */
export const SCREEN_CONSTRAINTS: DisplayMediaStreamOptions = {
  audio: false,
  video: { frameRate: { ideal: 15, max: 15 } },
};
