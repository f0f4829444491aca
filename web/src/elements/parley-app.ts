import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { canMakeCalls } from '../browser-support.js';
import { ExtraHelpTopic, type HelpTopic } from '../flows/help-topic.js';
import { isActive } from '../flows/random-chat-state.js';
import type { RandomChatDeps } from '../flows/random-chat.js';
import { hashForHelp, helpFromHash, isCheckHash } from '../page-url.js';
import { callFromHash, hashForRoom, roomFromHash } from '../room-url.js';
import { LABELS } from './messages.js';
import { headerStyles } from './page-styles.js';
import { ParleyRandom } from './parley-random.js';
import './parley-call.js';
import './parley-data-use.js';
import './parley-hide-ip.js';

/** The page the address names: the check, the guide (at a topic, or '' for all of it), a private call, or random chat. */
type Route =
  | { readonly page: 'check' }
  | { readonly page: 'help'; readonly topic: HelpTopic | '' }
  | { readonly page: 'call'; readonly callId: string }
  | { readonly page: 'random' };

function routeFromHash(hash: string): Route {
  if (isCheckHash(hash)) return { page: 'check' };
  const topic = helpFromHash(hash);
  if (topic !== null) return { page: 'help', topic };
  const callId = callFromHash(hash);
  return callId === null ? { page: 'random' } : { page: 'call', callId };
}

/** Whether Back from the check or the guide may return to this route. */
function isPlace(route: Route): boolean {
  return route.page === 'random' || route.page === 'call';
}

/**
 * The shell: reads the address (`#/`, `#/room/<id>`, `#/call/<id>`,
 * `#/check`, `#/help/<topic>`) and shows that page under Parley's header.
 * Pages say what the person asked for with events; the shell changes the
 * address. The random chat page is kept for the whole visit, so that its
 * flow (signed in, room counts, the last stranger to report) outlives a
 * look at the check or the guide.
 */
@customElement('parley-app')
export class ParleyApp extends LitElement {
  static override styles = [
    headerStyles,
    css`
      /* One screen: the page takes what the header leaves. */
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        box-sizing: border-box;
        height: 100vh;
        height: 100dvh;
        max-width: 60rem;
        margin: 0 auto;
        padding: 0.75rem 1rem;
        font-family: system-ui, sans-serif;
        color: #1d1d1f;
      }
      #cannot-call h2 {
        margin: 0.5rem 0;
        font-size: 1.3rem;
      }
      #cannot-call a {
        color: #0b57d0;
      }
    `,
  ];

  @state() private route: Route = routeFromHash(location.hash);

  /** Where Back on the check and the guide goes: the last address that was neither. */
  private returnHash = '#/';

  private readonly random: ParleyRandom;

  /**
   * Decided once, before anything offers Start or Join: without WebRTC a
   * call could only fail after the camera was asked for, so random chat and
   * calls by link show what to use instead (the guide and the check still
   * open, and say the same).
   */
  private readonly canCall = canMakeCalls();

  /** `deps`: the random chat's wiring (tests pass the in-memory backend). */
  constructor(deps?: RandomChatDeps) {
    super();
    this.random = new ParleyRandom(deps);
    const room = roomFromHash(location.hash);
    if (room) this.random.room = room;
    this.random.addEventListener('parley-room-change', (e) => {
      // The address names the room, so it can be shared or bookmarked.
      history.replaceState(null, '', hashForRoom(e.detail.room));
    });
    this.random.addEventListener('parley-new-call', this.onNewCall);
  }

  override render() {
    const route = this.route;
    if (!this.canCall && isPlace(route)) return this.renderCannotCall();
    switch (route.page) {
      case 'random':
        return this.random;
      case 'check':
        return html`<header><h1>${LABELS.brand()}</h1></header>
          <parley-check back-href=${this.returnHash}></parley-check>`;
      case 'help':
        return html`<header><h1>${LABELS.brand()}</h1></header>
          <parley-guide back-href=${this.returnHash} .topic=${route.topic}></parley-guide>`;
      case 'call':
        return html`<header>
            <h1>${LABELS.brand()}</h1>
            <span>${LABELS.privateCall()}</span>
            <parley-hide-ip kind="link"></parley-hide-ip>
            <parley-data-use></parley-data-use>
          </header>
          <parley-call
            call-id=${route.callId}
            @parley-new-call=${this.onNewCall}
            @parley-random-chat=${this.onRandomChat}
            @parley-call-created=${this.onCallCreated}
          ></parley-call>`;
    }
  }

  private renderCannotCall() {
    return html`<header><h1>${LABELS.brand()}</h1></header>
      <section id="cannot-call" role="alert">
        <h2>${LABELS.cannotCall()}</h2>
        <p>${LABELS.cannotCallWhy()}</p>
        <p><strong>${LABELS.cannotCallWhatToUse()}</strong></p>
        <p>${LABELS.cannotCallInApp()}</p>
        <p><a id="cannot-call-help" href=${hashForHelp(ExtraHelpTopic.oldBrowser)}>${LABELS.moreAboutThis()}</a></p>
      </section>`;
  }

  private readonly onHashChange = (e: HashChangeEvent) => {
    const from = routeFromHash(new URL(e.oldURL).hash);
    if (isPlace(from)) this.returnHash = new URL(e.oldURL).hash || '#/';
    this.route = routeFromHash(location.hash);
    this.loadPage();
    const flow = this.random.flow;
    // The check needs the camera, and a private call starts from idle: a random chat in progress ends first.
    if ((this.route.page === 'check' || this.route.page === 'call') && isActive(flow.state)) void flow.stop();
    const room = roomFromHash(location.hash);
    // A room change applies to the next Start, never to a call in progress.
    if (room && !isActive(flow.state)) this.random.room = room;
  };

  private readonly onNewCall = () => {
    location.hash = '#/call/new';
  };

  private readonly onRandomChat = () => {
    location.hash = '';
  };

  /** A new call exists: the address becomes its link, so a reload or a copy of it works. */
  private readonly onCallCreated = (e: GlobalEventHandlersEventMap['parley-call-created']) => {
    history.replaceState(null, '', `#/call/${e.detail.callId}`);
    this.route = { page: 'call', callId: e.detail.callId };
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    this.loadPage();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHashChange);
    super.disconnectedCallback();
  }

  /** The check and the guide are loaded on first use: the chat page does not wait for them. */
  private loadPage(): void {
    if (this.route.page === 'check') void import('./parley-check.js');
    if (this.route.page === 'help') void import('./parley-guide.js');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-app': ParleyApp;
  }
}
