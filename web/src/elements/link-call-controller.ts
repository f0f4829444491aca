/**
 * Reactive controller that gives an element a LinkCallFlow: builds it with
 * the real browser and backend, re-renders the host on every change, and
 * leaves the call when the page goes away.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DATA_USE } from '../data-use.js';
import { ICE, rtcConfigFor } from '../ice.js';
import { canShareScreen, MEDIA, requestScreen } from '../media.js';
import { LinkCallFlow, type LinkCallDeps } from '../flows/link-call.js';
import { connectPageBackend } from './page-backend.js';

/** The production wiring; tests pass their own. */
export function browserLinkCallDeps(): LinkCallDeps {
  return {
    connect: connectPageBackend,
    media: MEDIA,
    dataUse: DATA_USE,
    rtcConfig: () => rtcConfigFor('link'),
    watchRtcConfig: (listener) => ICE.onChange(listener),
    ...(canShareScreen() ? { captureScreen: requestScreen } : {}),
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
