import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import {
  ANYONE_ROOM,
  DEFAULT_ROOM,
  isRoomId,
  REPORT_REASONS,
  ROOMS,
  type ReportReason,
  type RoomId,
} from '@parley/functions/protocol';
import type { HelpTopic } from '../flows/help-topic.js';
import { CHECK_HASH, helpFromHash, isCheckHash } from '../page-url.js';
import { relayOnlyFor } from '../config.js';
import { ICE } from '../ice.js';
import { callFromHash, hashForRoom, roomFromHash } from '../room-url.js';
import { hideMyIpChoice, recall, remember, rememberHideMyIp } from '../settings.js';
import { canNext, isActive } from '../flows/random-chat-state.js';
import { mark, Mark, type RandomChatDeps } from '../flows/random-chat.js';
import { RandomChatController } from './random-chat-controller.js';
import './parley-call.js';
import {
  CONFIRM_WORDS,
  LABELS,
  MODERATION_BUTTON,
  moderationNoticeText,
  randomChatStatusText,
  REASON_LABELS,
  roomCountText,
  roomOptionLabel,
} from './messages.js';
import { sharedStyles } from './page-styles.js';
import { problemBox } from './problem-links.js';

/** Where the chosen room is remembered between visits. */
const ROOM_STORAGE_KEY = 'parley.room';
/** Where the widen-to-Anyone choice is remembered between visits ('true' or 'false'). */
const WIDEN_STORAGE_KEY = 'parley.widen';

/** On unless the person turned it off. */
function storedWiden(): boolean {
  return recall(WIDEN_STORAGE_KEY) !== 'false';
}

/** The check or the guide, when the address names one (`#/check`, `#/help/<topic>`). */
type PageRoute = { readonly page: 'check' } | { readonly page: 'help'; readonly topic: HelpTopic | '' } | null;

function pageFromHash(hash: string): PageRoute {
  if (isCheckHash(hash)) return { page: 'check' };
  const topic = helpFromHash(hash);
  return topic === null ? null : { page: 'help', topic };
}

function storedRoom(): RoomId {
  const r = recall(ROOM_STORAGE_KEY);
  return isRoomId(r) ? r : DEFAULT_ROOM;
}

/**
 * The stranger-chat page: room picker, the two videos, Start / Next / Stop and
 * a status line. Renders the RandomChatFlow's state; all call logic is there.
 */
@customElement('parley-app')
export class ParleyApp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      /* One screen: the video takes what the header, buttons and status line
       leave, so Start and the status are never below the fold (laptops of
       768 px, phones of 844 px). */
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
      header .nav {
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        justify-content: space-between;
        gap: 0.5rem;
      }
      h1 {
        margin: 0;
        font-size: 1.5rem;
      }
      .hide-ip {
        font-size: 0.9rem;
        white-space: nowrap;
      }
      .picker {
        display: grid;
        gap: 0.25rem;
      }
      .picker p {
        margin: 0;
        font-size: 0.9rem;
        color: #555;
      }
      .stage {
        position: relative;
        flex: 1 1 auto;
        min-height: 10rem;
        background: #111;
        border-radius: 0.75rem;
        overflow: hidden;
      }
      video {
        background: #222;
        object-fit: cover;
      }
      #remote {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
      }
      #local {
        position: absolute;
        right: 0.75rem;
        bottom: 0.75rem;
        width: 25%;
        max-height: 40%;
        border-radius: 0.5rem;
        border: 2px solid #fff4;
        transform: scaleX(-1); /* a mirror, as people expect to see themselves */
      }
      .overlay {
        position: absolute;
        inset: 0;
        display: grid;
        place-items: center;
        color: #fff;
        font-size: 1.1rem;
        text-align: center;
        padding: 1rem;
        pointer-events: none;
      }
      .controls {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      button.danger {
        border-color: #b3261e;
        color: #b3261e;
      }
      button.primary.danger,
      form button.danger {
        background: #b3261e;
        color: #fff;
      }
      .confirm {
        border: 1px solid #888;
        border-radius: 0.5rem;
        padding: 0.75rem 1rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .confirm p {
        flex-basis: 100%;
        margin: 0;
      }
      button:disabled {
        opacity: 0.45;
        cursor: default;
      }
      #status {
        margin: 0;
      }
      a {
        color: #0b57d0;
      }
      .controls .check-link {
        align-self: center;
        margin-left: auto;
      }
    `,
  ];

  /** The room to look for someone in: from the address (/#/room/ta), else the last one used. */
  @state() private room: RoomId = roomFromHash(location.hash) ?? storedRoom();

  /** The private call in the address (`#/call/<id>`, or 'new'), or null for random chat. */
  @state() private callRoute: string | null = callFromHash(location.hash);

  /** The connection check or the guide in the address, or null. */
  @state() private pageRoute: PageRoute = pageFromHash(location.hash);

  /** Where Back on the check and the guide goes: the last address that was neither. */
  private returnHash = '#/';

  /** Whether a long wait in a quiet room may also pair the person from Anyone. */
  @state() private widen: boolean = storedWiden();

  /** Which confirmation is open: Report (with a reason) or Block. */
  @state() private confirming: 'report' | 'block' | null = null;

  @state() private reason: ReportReason = 'harassment';

  /** "Hide my IP" as the person chose it (remembered), or null: the deployment's default applies to random calls. */
  @state() private hideIpChoice: boolean | null = hideMyIpChoice();

  private readonly chat: RandomChatController;
  /** The remote stream whose first frame we already watch for. */
  private watchedStream: MediaStream | null = null;

  constructor(deps?: RandomChatDeps) {
    super();
    this.chat = new RandomChatController(this, deps);
  }

  /** The session behind the page (for tests and diagnostics). */
  get session() {
    return this.chat.session;
  }

  /**
   * "Hide my IP": every call relayed (iceTransportPolicy 'relay'), so the
   * other person learns the relay's address, never this person's. Read when
   * a call starts: a change applies to the next call.
   */
  private renderHideIp(kind: 'random' | 'link', disabled: boolean) {
    const on = relayOnlyFor(kind, this.hideIpChoice, ICE.relayOnlyDefault);
    return html`<label class="hide-ip" title=${LABELS.hideMyIpTitle()}>
      <input type="checkbox" id="hide-ip" .checked=${on} ?disabled=${disabled} @change=${this._onHideIpChange} />
      ${LABELS.hideMyIp()}
    </label>`;
  }

  override render() {
    if (this.pageRoute?.page === 'check') {
      return html`<header><h1>${LABELS.brand()}</h1></header>
        <parley-check back-href=${this.returnHash}></parley-check>`;
    }
    if (this.pageRoute?.page === 'help') {
      return html`<header><h1>${LABELS.brand()}</h1></header>
        <parley-guide back-href=${this.returnHash} .topic=${this.pageRoute.topic}></parley-guide>`;
    }
    if (this.callRoute !== null) {
      return html`<header>
          <h1>${LABELS.brand()}</h1>
          <span>${LABELS.privateCall()}</span>
          ${this.renderHideIp('link', false)}
        </header>
        <parley-call call-id=${this.callRoute}></parley-call>`;
    }
    const session = this.chat.session;
    const state = session.state;
    const active = isActive(state);
    const problem = state.status === 'failed' || state.status === 'media-error' ? state.problem : null;
    // While reconnecting the stranger's last frame stays, with the notice over it.
    const showOverlay = state.status !== 'connected';
    const counts = session.roomCounts;
    const text = randomChatStatusText(state, this.room);
    const target = session.moderationTarget;
    return html`
      <header>
        <div class="nav">
          <h1>${LABELS.brand()}</h1>
          ${active ? nothing : html`<button id="private-call" @click=${this._onPrivateCall}>${LABELS.privateCall()}</button>`}
          ${this.renderHideIp('random', active)}
        </div>
        <div class="picker">
          <label>
            ${LABELS.room()}
            <select id="room" .value=${this.room} ?disabled=${active} @change=${this._onRoomChange}>
              ${ROOMS.map(
                (r) =>
                  html`<option value=${r.id} ?selected=${r.id === this.room}>
                    ${roomOptionLabel(r.nativeName, counts?.[r.id] ?? null)}
                  </option>`,
              )}
            </select>
          </label>
          ${counts ? html`<p id="room-count">${roomCountText(counts[this.room], this.room)}</p>` : nothing}
          ${
            this.room === ANYONE_ROOM
              ? nothing
              : html`<label>
                  <input type="checkbox" id="widen" .checked=${this.widen} ?disabled=${active} @change=${this._onWidenChange} />
                  ${LABELS.widen()}
                </label>`
          }
        </div>
      </header>
      <div class="stage">
        <video id="remote" autoplay playsinline .srcObject=${session.remoteStream}></video>
        <video id="local" autoplay playsinline muted .srcObject=${session.localStream}></video>
        ${showOverlay ? html`<div class="overlay" aria-hidden="true">${text}</div>` : nothing}
      </div>
      <div class="controls">
        ${
          active
            ? html`<button id="next" class="primary" ?disabled=${!canNext(state)} @click=${this._onNext}>
                ${LABELS.next()}
              </button>`
            : html`<button id="start" class="primary" @click=${this._onStart}>${LABELS.start()}</button>`
        }
        <button id="stop" ?disabled=${!active} @click=${this._onStop}>${LABELS.stop()}</button>
        ${active ? nothing : html`<a id="check-link" class="check-link" href=${CHECK_HASH}>${LABELS.testConnection()}</a>`}
        ${
          target
            ? html`<button id="report" class="danger" @click=${() => (this.confirming = 'report')}>
                  ${MODERATION_BUTTON.report[target]()}
                </button>
                <button id="block" @click=${() => (this.confirming = 'block')}>${MODERATION_BUTTON.block[target]()}</button>`
            : nothing
        }
      </div>
      ${this.confirming && target ? this.renderConfirm(this.confirming, target) : nothing}
      <p id="status" role="status" aria-live="polite" data-status=${state.status}>${text}</p>
      ${
        session.moderationNotice
          ? html`<p id="moderation-notice" role="status">${moderationNoticeText(session.moderationNotice)}</p>`
          : nothing
      }
      ${problem ? problemBox(problem, 'random') : nothing}
    `;
  }

  private readonly onHashChange = (e: HashChangeEvent) => {
    const from = new URL(e.oldURL).hash;
    if (pageFromHash(from) === null) this.returnHash = from || '#/';
    this.pageRoute = pageFromHash(location.hash);
    // The check needs the camera: a random chat in progress ends first.
    if (this.pageRoute?.page === 'check' && isActive(this.chat.session.state)) void this.chat.session.stop();
    this.loadPage();
    const call = callFromHash(location.hash);
    // Random chat in progress keeps the page: a private call starts from idle.
    if (call !== null && isActive(this.chat.session.state)) void this.chat.session.stop();
    this.callRoute = call;
    const room = roomFromHash(location.hash);
    // A room change applies to the next Start, never to a call in progress.
    if (room && !isActive(this.chat.session.state)) this.room = room;
  };

  /** The deployment's relay-only default arrives with the relay's servers: show it. */
  private stopWatchingIce: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    this.loadPage();
    this.stopWatchingIce = ICE.onChange(() => this.requestUpdate());
  }

  /** The check and the guide are loaded on first use: the chat page does not wait for them. */
  private loadPage(): void {
    if (this.pageRoute?.page === 'check') void import('./parley-check.js');
    if (this.pageRoute?.page === 'help') void import('./parley-guide.js');
  }

  override disconnectedCallback(): void {
    this.stopWatchingIce?.();
    this.stopWatchingIce = null;
    window.removeEventListener('hashchange', this.onHashChange);
    super.disconnectedCallback();
  }

  override updated(): void {
    const stream = this.chat.session.remoteStream;
    if (stream && stream !== this.watchedStream) {
      this.watchedStream = stream;
      // The moment a stranger's face is actually on screen (decoded), not just connected.
      const video = this.renderRoot.querySelector<HTMLVideoElement>('#remote');
      video?.requestVideoFrameCallback?.(() => mark(Mark.firstRemoteFrame));
    }
  }

  private renderConfirm(action: 'report' | 'block', target: 'current' | 'last') {
    const words = CONFIRM_WORDS[action][target];
    const title = words.title();
    const consequence = words.consequence();
    const submit = words.submit();
    return html`<form
      id="confirm"
      class="confirm"
      role="dialog"
      aria-label=${title}
      @submit=${(e: Event) => {
        e.preventDefault();
        this._onConfirm(action);
      }}
    >
      <p><strong>${title}</strong> ${consequence}</p>
      ${
        action === 'report'
          ? html`<label
              >${LABELS.reason()}
              <select
                id="reason"
                .value=${this.reason}
                @change=${(e: Event) => (this.reason = (e.target as HTMLSelectElement).value as ReportReason)}
              >
                ${REPORT_REASONS.map((r) => html`<option value=${r} ?selected=${r === this.reason}>${REASON_LABELS[r]()}</option>`)}
              </select></label
            >`
          : nothing
      }
      <button id="confirm-${action}" class="danger" type="submit">${submit}</button>
      <button id="cancel" type="button" @click=${() => (this.confirming = null)}>${LABELS.cancel()}</button>
    </form>`;
  }

  private _onConfirm(action: 'report' | 'block'): void {
    this.confirming = null;
    const session = this.chat.session;
    void (action === 'report' ? session.report(this.reason) : session.block());
  }

  private _onRoomChange(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    if (!isRoomId(value)) return;
    this.room = value;
    // The address names the room, so it can be shared or bookmarked.
    history.replaceState(null, '', hashForRoom(value));
    remember(ROOM_STORAGE_KEY, value);
  }

  private _onWidenChange(e: Event): void {
    this.widen = (e.target as HTMLInputElement).checked;
    remember(WIDEN_STORAGE_KEY, String(this.widen));
  }

  private _onHideIpChange(e: Event): void {
    this.hideIpChoice = (e.target as HTMLInputElement).checked;
    rememberHideMyIp(this.hideIpChoice);
  }

  private _onPrivateCall(): void {
    location.hash = '#/call/new';
  }

  private _onStart(): void {
    // Set at Start: the choice cannot change while active, so Next and every renewal keep it.
    this.chat.session.widen = this.widen;
    void this.chat.session.start(this.room);
  }

  private _onNext(): void {
    void this.chat.session.next();
  }

  private _onStop(): void {
    void this.chat.session.stop();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-app': ParleyApp;
  }
}
