/**
 * Reactive controller that gives an element a ConnectionCheck: builds it with
 * the real browser, starts it when the element appears, re-renders the host
 * on every change (and each meter reading), and releases the camera when the
 * element goes away.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { MEDIA_CONSTRAINTS } from '../config.js';
import { ICE } from '../ice.js';
import { requestMedia } from '../media.js';
import { connectPageBackend } from './page-backend.js';
import { ConnectionCheck, type ConnectionCheckDeps } from '../flows/connection-check.js';

/**
 * How long candidates may take to gather. A STUN or TURN server that answers
 * at all does so within a second or two; 10 s (as Chitchatter's
 * ConnectionTest) leaves a slow mobile network room, and past it the server
 * counts as unreachable.
 */
export const GATHER_TIMEOUT_MS = 10_000;

/**
 * How long the two relay-only test peers may take to connect: two TURN
 * allocations and one connectivity check through them, a second on a good
 * network; past 8 s calls through the relay would not be usable anyway.
 */
export const RELAY_TIMEOUT_MS = 8_000;

/**
 * The ICE configuration calls use, with the real short-lived TURN
 * credentials (ice.ts), so the check tests the relay calls would use. The
 * probe gathers every candidate type itself, whatever Hide my IP says.
 */
async function iceConfig(): Promise<RTCConfiguration> {
  await connectPageBackend();
  return ICE.config(false);
}

/** The production wiring; tests pass their own. */
export function browserCheckDeps(): ConnectionCheckDeps {
  return {
    getUserMedia: requestMedia,
    constraints: MEDIA_CONSTRAINTS,
    iceConfig,
    gatherTimeoutMs: GATHER_TIMEOUT_MS,
    relayTimeoutMs: RELAY_TIMEOUT_MS,
  };
}

export class CheckController implements ReactiveController {
  readonly check: ConnectionCheck;
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    deps: ConnectionCheckDeps = browserCheckDeps(),
  ) {
    this.check = new ConnectionCheck(deps);
    host.addController(this);
  }

  hostConnected(): void {
    // A meter the autoplay policy held back starts with the first click or key anywhere on the page (a gesture).
    const resume = () => this.check.resumeAudio();
    for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, resume, { capture: true });
    this.unsubscribe = [
      this.check.onChange(() => this.host.requestUpdate()),
      this.check.onLevel(() => this.host.requestUpdate()),
      () => {
        for (const type of ['pointerdown', 'keydown'] as const) window.removeEventListener(type, resume, { capture: true });
      },
    ];
    // Opening the page is asking for the check.
    void this.check.start();
  }

  hostDisconnected(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    // The person left the page: the camera goes off.
    this.check.stop();
  }
}
