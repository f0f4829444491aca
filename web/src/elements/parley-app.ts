import { localized } from '@lit/localize';
import { css, html, LitElement, nothing, unsafeCSS } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { canMakeCalls } from '../browser-support.js';
import { ExtraHelpTopic, type HelpTopic } from '../flows/help-topic.js';
import { isActive } from '../flows/random-chat-state.js';
import type { ConnectionCheckDeps } from '../flows/connection-check.js';
import type { LinkCallDeps } from '../flows/link-call.js';
import type { RandomChatDeps } from '../flows/random-chat.js';
import { hashForHelp, helpFromHash, isCheckHash } from '../page-url.js';
import { callFromHash, hashForRoom, roomFromHash } from '../room-url.js';
import { INDIC_FONT_FAMILIES } from './fonts.js';
import { LABELS } from './messages.js';
import { LOGO } from './icons.js';
import { headerStyles, themeStyles } from './page-styles.js';
import { ParleyRandom } from './parley-random.js';
// Types only (its events and element): the call page itself loads on its route.
import type { ParleyCall as ParleyCallPage } from './parley-call.js';
import type { ParleyCheck as ParleyCheckPage } from './parley-check.js';
import './parley-data-use.js';
import './parley-hide-ip.js';
import './parley-language.js';

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
@localized()
export class ParleyApp extends LitElement {
  static override styles = [
    themeStyles,
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
        /* The Indic faces serve what the system's font cannot draw (fonts.ts). */
        font-family: system-ui, ${unsafeCSS(INDIC_FONT_FAMILIES.map((f) => `'${f}'`).join(', '))}, sans-serif;
        color: var(--parley-text);
      }
      /* A phone held sideways (or any window under 30rem high): a call's
         header beside the grid rather than above it, as random chat does in
         its own element, so the grid, Leave and the status fit. */
      @media (orientation: landscape) and (max-height: 30rem) {
        :host([page='call']) {
          display: grid;
          grid-template-columns: minmax(14rem, 2fr) 3fr;
          grid-template-rows: minmax(0, 1fr);
          column-gap: 1rem;
        }
        :host([page='call']) header {
          align-self: start;
          align-content: start;
          max-height: 100%;
          overflow-y: auto;
        }
      }
      #cannot-call h2 {
        margin: 0.5rem 0;
        font-size: 1.3rem;
      }
      #cannot-call a {
        color: var(--parley-link);
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

  /** The call page's wiring, when given (tests: the in-memory backend), and that page once made. */
  private readonly linkDeps: (() => LinkCallDeps) | undefined;
  private callPage: ParleyCallPage | null = null;

  /** The check's wiring, when given (tests: the fake camera, their own ICE servers), and that page once made. */
  private readonly checkDeps: (() => ConnectionCheckDeps) | undefined;
  private checkPage: ParleyCheckPage | null = null;

  /**
   * `deps`: the random chat's wiring, `linkDeps`: the call page's (tests pass
   * the in-memory backend), `checkDeps`: the connection check's.
   */
  constructor(deps?: RandomChatDeps, linkDeps?: () => LinkCallDeps, checkDeps?: () => ConnectionCheckDeps) {
    super();
    this.linkDeps = linkDeps;
    this.checkDeps = checkDeps;
    this.random = new ParleyRandom(deps);
    const room = roomFromHash(location.hash);
    if (room) this.random.room = room;
    this.random.addEventListener('parley-room-change', (e) => {
      // The address names the room, so it can be shared or bookmarked.
      history.replaceState(null, '', hashForRoom(e.detail.room));
    });
    this.random.addEventListener('parley-new-call', this.onNewCall);
    this.addEventListener('parley-language-change', (e) => {
      // A room named by the address was asked for; otherwise the room follows the language (unless the person picked one).
      if (roomFromHash(location.hash) === null && !isActive(this.random.flow.state)) this.random.followLanguage(e.detail.locale);
    });
  }

  /** The page shown, on the host (`page="call"`), for the layouts that depend on it. */
  protected override willUpdate(): void {
    this.setAttribute('page', this.route.page);
  }

  override render() {
    const route = this.route;
    if (!this.canCall && isPlace(route)) return this.renderCannotCall();
    switch (route.page) {
      case 'random':
        return this.random;
      case 'check':
        return html`<header>
            <h1>${LOGO}${LABELS.brand()}</h1>
            <parley-language></parley-language>
          </header>
          ${this.renderCheckPage()}`;
      case 'help':
        return html`<header>
            <h1>${LOGO}${LABELS.brand()}</h1>
            <parley-language></parley-language>
          </header>
          <parley-guide back-href=${this.returnHash} .topic=${route.topic}></parley-guide>`;
      case 'call':
        return html`<header>
            <h1>${LOGO}${LABELS.brand()}</h1>
            <span>${LABELS.privateCall()}</span>
            <parley-hide-ip kind="link"></parley-hide-ip>
            <parley-data-use></parley-data-use>
            <parley-language></parley-language>
          </header>
          ${this.renderCallPage(route.callId)}`;
    }
  }

  /** The call page: made by its template, or (given `linkDeps`) here, with that wiring, once its code has loaded. */
  private renderCallPage(callId: string) {
    if (!this.linkDeps) {
      return html`<parley-call
        call-id=${callId}
        @parley-new-call=${this.onNewCall}
        @parley-random-chat=${this.onRandomChat}
        @parley-call-created=${this.onCallCreated}
      ></parley-call>`;
    }
    const CallPage = customElements.get('parley-call') as (new (deps: LinkCallDeps) => ParleyCallPage) | undefined;
    if (!CallPage) {
      void customElements.whenDefined('parley-call').then(() => this.requestUpdate());
      return nothing;
    }
    if (!this.callPage) {
      const page = new CallPage(this.linkDeps());
      page.addEventListener('parley-new-call', this.onNewCall);
      page.addEventListener('parley-random-chat', this.onRandomChat);
      page.addEventListener('parley-call-created', this.onCallCreated);
      this.callPage = page;
    }
    this.callPage.callId = callId;
    return this.callPage;
  }

  /**
   * The check: made by its template, or (given `checkDeps`) here, with that
   * wiring, once its code has loaded. The same element is shown again on a
   * later visit: leaving the page stops its check, showing it runs it afresh.
   */
  private renderCheckPage() {
    if (!this.checkDeps) return html`<parley-check back-href=${this.returnHash}></parley-check>`;
    const CheckPage = customElements.get('parley-check') as (new (deps: ConnectionCheckDeps) => ParleyCheckPage) | undefined;
    if (!CheckPage) {
      void customElements.whenDefined('parley-check').then(() => this.requestUpdate());
      return nothing;
    }
    this.checkPage ??= new CheckPage(this.checkDeps());
    this.checkPage.backHref = this.returnHash;
    return this.checkPage;
  }

  private renderCannotCall() {
    return html`<header>
        <h1>${LOGO}${LABELS.brand()}</h1>
        <parley-language></parley-language>
      </header>
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

  /**
   * The check, the guide and the private call page are loaded on first use:
   * the chat page does not wait for them (and the page stays within its
   * budget of JavaScript before first paint, docs/PERFORMANCE.md).
   */
  private loadPage(): void {
    if (this.route.page === 'call') void import('./parley-call.js');
    if (this.route.page === 'check') void import('./parley-check.js');
    if (this.route.page === 'help') void import('./parley-guide.js');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-app': ParleyApp;
  }
}
