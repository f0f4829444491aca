/**
 * Reactive controller that gives an element a RandomChatFlow: it builds the
 * flow with the real browser and backend, re-renders the host on every
 * change, warms the backend up after first paint, and ends the call when the
 * page goes away.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { TIMING } from '../config.js';
import { DATA_USE } from '../data-use.js';
import { ICE, rtcConfigFor } from '../ice.js';
import { MEDIA } from '../media.js';
import { RandomChatFlow, type RandomChatDeps } from '../flows/random-chat.js';
import { STORED_SKIP_MEMORY } from '../settings.js';
import { connectPageBackend } from './page-backend.js';

/** The production wiring; tests pass their own. */
export function browserRandomChatDeps(): RandomChatDeps {
  return {
    connect: connectPageBackend,
    media: MEDIA,
    dataUse: DATA_USE,
    rtcConfig: () => rtcConfigFor('random'),
    watchRtcConfig: (listener) => ICE.onChange(listener),
    timing: TIMING,
    skipMemory: STORED_SKIP_MEMORY,
  };
}

export class RandomChatController implements ReactiveController {
  readonly flow: RandomChatFlow;
  private unsubscribe: (() => void) | null = null;
  private readonly onPageHide = () => this.flow.unload();
  private watchingPageHide = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    deps: RandomChatDeps = browserRandomChatDeps(),
  ) {
    this.flow = new RandomChatFlow(deps);
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.flow.onChange(() => this.host.requestUpdate());
    // What changed while the host was off the page (the shell showed the guide).
    this.host.requestUpdate();
    // pagehide, not unload/beforeunload: it also fires on mobile and when the
    // page enters the back/forward cache. Watched for as long as the flow
    // lives, not only while the host is shown: a call goes on while the
    // shell shows the guide, and the tab may close there.
    if (!this.watchingPageHide) window.addEventListener('pagehide', this.onPageHide);
    this.watchingPageHide = true;
    // Sign in while the person is still choosing a room, so Start is fast.
    const warmUp = () => void this.flow.prepare().catch((err: unknown) => console.warn('backend not reachable yet', err));
    if ('requestIdleCallback' in window) requestIdleCallback(warmUp, { timeout: 500 });
    else setTimeout(warmUp, 0);
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
