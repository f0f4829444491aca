/**
 * Reactive controller that gives an element a RandomChatFlow: it builds the
 * session with the real browser and backend, re-renders the host on every
 * change, warms the backend up after first paint, and ends the call when the
 * page goes away.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { TIMING } from '../config.js';
import { ICE, rtcConfigFor } from '../ice.js';
import { MEDIA } from '../media.js';
import { RandomChatFlow, type RandomChatDeps } from '../flows/random-chat.js';
import { connectPageBackend } from './page-backend.js';

/** The production wiring; tests pass their own. */
export function browserRandomChatDeps(): RandomChatDeps {
  return {
    connect: connectPageBackend,
    media: MEDIA,
    rtcConfig: () => rtcConfigFor('random'),
    watchRtcConfig: (listener) => ICE.onChange(listener),
    timing: TIMING,
  };
}

export class RandomChatController implements ReactiveController {
  readonly session: RandomChatFlow;
  private unsubscribe: (() => void) | null = null;
  private readonly onPageHide = () => this.session.unload();

  constructor(
    private readonly host: ReactiveControllerHost,
    deps: RandomChatDeps = browserRandomChatDeps(),
  ) {
    this.session = new RandomChatFlow(deps);
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.session.onChange(() => this.host.requestUpdate());
    // pagehide, not unload/beforeunload: it also fires on mobile and when the
    // page enters the back/forward cache.
    window.addEventListener('pagehide', this.onPageHide);
    // Sign in while the person is still choosing a room, so Start is fast.
    const warmUp = () => void this.session.prepare().catch((err: unknown) => console.warn('backend not reachable yet', err));
    if ('requestIdleCallback' in window) requestIdleCallback(warmUp, { timeout: 500 });
    else setTimeout(warmUp, 0);
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    window.removeEventListener('pagehide', this.onPageHide);
  }
}
