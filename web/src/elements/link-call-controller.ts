/**
 * Reactive controller that gives an element a LinkCallFlow: builds it with
 * the real browser and backend, re-renders the host on every change, and
 * leaves the call when the page goes away.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { MEDIA_CONSTRAINTS } from '../config.js';
import { ICE, rtcConfigFor } from '../ice.js';
import { LinkCallFlow, type LinkCallDeps } from '../flows/link-call.js';

/**
 * A member whose link stays interrupted this long, ICE restarts included, is
 * taken off the grid: a closed tab or a lost network, as far as this page can
 * tell. ICE reports "disconnected" a few seconds after the last packet; 10 s
 * more gives a blip two or three restarts, and still drops a crashed page
 * within about 15 s.
 */
export const LINK_LOST_AFTER_MS = 10_000;

/** The production wiring; tests pass their own. */
export function browserLinkCallDeps(): LinkCallDeps {
  return {
    // Firebase is loaded only now, after the shell has painted.
    connect: async () => {
      const m = await import('../backend/firebase-backend.js');
      const service = await m.connectCallService();
      // The relay's servers before the first link: it gathers with them.
      await ICE.attach(m.fetchTurnCredentials);
      return service;
    },
    getUserMedia: () => {
      if (!navigator.mediaDevices?.getUserMedia) {
        return Promise.reject(new DOMException('getUserMedia is unavailable here', 'SecurityError'));
      }
      return navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
    },
    rtcConfig: () => rtcConfigFor('link'),
    freshRtcConfig: async () => {
      await ICE.fresh();
      return rtcConfigFor('link');
    },
    watchRtcConfig: (listener) => ICE.onChange(listener),
    lostAfterMs: LINK_LOST_AFTER_MS,
  };
}

export class LinkCallController implements ReactiveController {
  readonly flow: LinkCallFlow;
  private unsubscribe: (() => void) | null = null;
  private readonly onPageHide = () => this.flow.unload();

  constructor(
    private readonly host: ReactiveControllerHost,
    deps: LinkCallDeps = browserLinkCallDeps(),
  ) {
    this.flow = new LinkCallFlow(deps);
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.flow.onChange(() => this.host.requestUpdate());
    // pagehide, not unload/beforeunload: it also fires on mobile and when the
    // page enters the back/forward cache.
    window.addEventListener('pagehide', this.onPageHide);
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    window.removeEventListener('pagehide', this.onPageHide);
    // The element left the page (the person went back to random chat).
    void this.flow.leave();
    this.flow.reset();
  }
}
