import { localized } from '@lit/localize';
import { ANYONE_ROOM, isRoomId, ROOMS, type RoomId } from '@parley/functions/protocol';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { CHECK_HASH } from '../page-url.js';
import { relayOnly } from '../ice.js';
import { chosenLocale, type LocaleCode, roomForLocale } from '../locale.js';
import { confirmedAdult, recall, remember, rememberAdult } from '../settings.js';
import { canNext, isActive, type RandomChatState } from '../flows/random-chat-state.js';
import { mark, Mark, type RandomChatDeps, type RandomChatFlow } from '../flows/random-chat.js';
import {
  cameraLossText,
  LABELS,
  MODERATION_BUTTON,
  moderationNoticeText,
  problemWords,
  randomChatStatusText,
  roomCountText,
  roomOptionLabel,
} from './messages.js';
import { FRONT_DOOR, PAGE_LINKS } from './front-door-messages.js';
import { LOGO, MIC_OFF } from './icons.js';
import { VIDEO_OFF_LABELS, videoOff, videoOffText } from './video-off-messages.js';
import { sendSoundTo } from './speaker.js';
import { InCallElementsLoader } from './in-call-loader.js';
import { chatFitsBeside, devicesDialogStyles, headerStyles, pageColumn, sharedStyles } from './page-styles.js';
import { problemBox } from './problem-links.js';
import { RandomChatController } from './random-chat-controller.js';
import { CameraWatch } from './camera-watch.js';
import { once } from './media-binding.js';
import { SoundController } from './sound-controller.js';
import type { InCall } from '../features/in-call.js';
import type { ModerationRequest } from './parley-report-dialog.js';
import './parley-data-use.js';
import './parley-hide-ip.js';
import './parley-language.js';

/** Where the chosen room is remembered between visits. */
const ROOM_STORAGE_KEY = 'parley.room';
/** Where the widen-to-Anyone choice is remembered between visits ('true' or 'false'). */
const WIDEN_STORAGE_KEY = 'parley.widen';

/** The room the person chose last time, or null when they never chose one. */
function storedRoom(): RoomId | null {
  const r = recall(ROOM_STORAGE_KEY);
  return isRoomId(r) ? r : null;
}

/** Whether the page is wide enough for the chat beside the video (the same width as the stylesheet's). */
/** On unless the person turned it off. */
function storedWiden(): boolean {
  return recall(WIDEN_STORAGE_KEY) !== 'false';
}

/**
 * The stranger-chat page: room picker, the two videos, Start / Next / Stop,
 * Report and Block, and a status line. Renders the RandomChatFlow's state;
 * all call logic is there. Says when the person picks a room
 * (`parley-room-change`) or asks for a private call (`parley-new-call`).
 */
@customElement('parley-random')
@localized()
export class ParleyRandom extends LitElement {
  static override styles = [
    sharedStyles,
    headerStyles,
    devicesDialogStyles,
    css`
      /* The video takes what the header, buttons and status line leave, so
         Start and the status are never below the fold (laptops of 768 px,
         phones of 844 px). */
      :host {
        ${pageColumn}
      }
      /* A phone held sideways (or any window under 30rem high): the header
         and room picker beside the call rather than above it, so the video,
         Start and the status still fit without scrolling. */
      @media (orientation: landscape) and (max-height: 30rem) {
        :host {
          display: grid;
          grid-template-columns: minmax(14rem, 2fr) 3fr;
          grid-template-rows: minmax(0, 1fr);
          column-gap: 1rem;
        }
        header {
          align-self: start;
          align-content: start;
          max-height: 100%;
          overflow-y: auto;
        }
      }
      /* Below the header: the same column, so the video still takes what the rest leaves. */
      main {
        ${pageColumn}
      }
      .picker {
        display: grid;
        gap: 0.25rem;
      }
      .picker p {
        margin: 0;
        font-size: 0.9rem;
        color: var(--parley-muted);
      }
      /* The counts come and go (unknown until signed in, not watched during
         a call) and their words change length: the line keeps one line's
         height whatever it says, so the video below never moves. */
      #room-count {
        height: 1.25rem;
        line-height: 1.25rem;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      /* A phone: the line only while searching ("You are the only one
         waiting…"), under the room in up to two lines. Otherwise the picker's
         own label says the room's counts, and the page has no height to
         spare in the longer languages. Beside the room it had about 100 px:
         even the English lost its end, and the Tamil the whole line. */
      @media (max-width: 40rem) {
        #room-count {
          display: none;
        }
        #room-count.searching {
          height: 2.5rem;
          white-space: normal;
          display: -webkit-box;
          -webkit-box-orient: vertical;
          -webkit-line-clamp: 2;
        }
      }
      /* The video and, beside it, the chat; on a phone the chat opens over the video's lower part. */
      .room {
        position: relative;
        display: flex;
        gap: 0.5rem;
        flex: 1 1 auto;
        min-height: 10rem;
      }
      parley-chat {
        flex: 0 0 18rem;
      }
      @media (max-width: 40rem), (max-height: 30rem) {
        parley-chat {
          position: absolute;
          left: 0;
          right: 0;
          bottom: 0;
          height: 60%;
          z-index: 2;
          box-shadow: 0 -0.25rem 1rem #0004;
        }
      }
      .stage {
        position: relative;
        flex: 1 1 auto;
        min-width: 0;
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
      /* Screening blurs the stranger's video where it is (features/screening-incoming.ts): the element stays, only its look changes. */
      video.screened {
        filter: blur(2.5rem);
      }
      .screened-note {
        position: absolute;
        inset: 0;
        margin: 0;
        display: flex;
        flex-direction: column;
        align-items: center;
        justify-content: center;
        gap: 0.75rem;
        padding: 0 1rem;
        text-align: center;
        color: #fff;
      }
      .screened-note div {
        display: flex;
        gap: 0.5rem;
      }
      /* A camera that is off shows this instead of a frozen or black frame. */
      video.off {
        visibility: hidden;
      }
      .camera-off {
        position: absolute;
        inset: 0;
        margin: 0;
        display: grid;
        place-items: center;
        padding: 0 1rem;
        text-align: center;
        color: #ddd;
        font-size: 1.1rem;
      }
      /* What is said in the stranger's place stays clear of our own picture
         (bottom right, at most 40% high): on a short stage (a phone held
         sideways) it would cover the sentence's last words. */
      .stage.with-self .overlay,
      .stage.with-self .camera-off:not(.self) {
        bottom: calc(40% + 0.75rem);
      }
      .camera-off.self {
        inset: auto 0.75rem 0.75rem auto;
        width: 25%;
        aspect-ratio: 4 / 3;
        max-height: 40%;
        background: #333;
        border-radius: 0.5rem;
        font-size: 0.8rem;
      }
      .weak-uplink {
        position: absolute;
        left: 50%;
        top: 0.75rem;
        transform: translateX(-50%);
        margin: 0;
        padding: 0.35rem 0.75rem;
        border-radius: 0.5rem;
        background: #000c;
        color: #fff;
        font-size: 0.9rem;
        text-align: center;
      }
      .muted {
        position: absolute;
        left: 0.75rem;
        top: 0.75rem;
        display: grid;
        place-items: center;
        padding: 0.35rem;
        border-radius: 50%;
        background: #b3261e;
        color: #fff;
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
      /* A phone: narrower buttons, so that Tamil's and Malayalam's labels
         (half again as wide as English's) wrap to as few rows as they can,
         and the status still fits under them. */
      @media (max-width: 40rem) {
        .controls button {
          padding-inline: 0.9rem;
        }
      }
      button.danger {
        border-color: var(--parley-danger);
        color: var(--parley-danger);
      }
      button:disabled {
        opacity: 0.45;
        cursor: default;
      }
      /* One line, whether or not it shows the sentence: no shift when the stage takes it over. */
      #status {
        margin: 0;
        line-height: 1.4;
        min-height: 1.4em;
      }

      a {
        color: var(--parley-link);
      }
      .controls .check-link {
        align-self: center;
        margin-left: auto;
      }
      /* The front door, in the video's place until the first random chat:
         what Parley is, why it is private, and the two ways in. It scrolls
         inside the stage, so Start and the status stay where they are. */
      .intro {
        position: absolute;
        inset: 0;
        z-index: 1;
        overflow-y: auto;
        display: grid;
        padding: 1rem 1.25rem;
        border: 1px solid var(--parley-line);
        border-radius: inherit;
        background: var(--parley-surface);
        color: var(--parley-text);
      }
      /* Centred in the stage, at a width that reads well. */
      .intro > div {
        margin: auto;
        max-width: 40rem;
      }
      .intro .mark {
        display: block;
        width: 3.5rem;
        height: 3.5rem;
        margin-bottom: 0.5rem;
      }
      .intro .mark svg {
        width: 100%;
        height: 100%;
      }
      .intro h2 {
        margin: 0 0 0.4rem;
        font-size: var(--parley-text-xxl);
        line-height: 1.2;
      }
      .intro p,
      .intro li {
        line-height: 1.4;
      }
      .intro p {
        margin: 0 0 0.5rem;
      }
      .intro ul {
        margin: 0 0 0.75rem;
        padding-left: 1.2rem;
        display: grid;
        gap: 0.25rem;
      }
      /* The two ways in stay in sight while the text scrolls under them (a
         phone, a long language: Malayalam's introduction is twice English's). */
      .intro .actions {
        position: sticky;
        bottom: -1rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin: 0 -0.25rem 0.75rem;
        padding: 0.5rem 0.25rem 1rem;
        background: var(--parley-surface);
      }
      .intro .actions button {
        min-height: 2.75rem;
      }
      .intro nav {
        display: flex;
        gap: 1rem;
        font-size: var(--parley-text-s);
      }
      .intro nav a {
        display: inline-block;
        padding: 0.5rem 0;
      }
      @media (max-width: 40rem), (max-height: 30rem) {
        .intro {
          padding: 0.75rem;
          font-size: 0.9rem;
        }
        .intro h2 {
          font-size: var(--parley-text-l);
        }
        .intro .mark {
          display: none;
        }
      }
    `,
  ];

  /** The room to look for someone in; a change applies to the next Start. */
  @property() room: RoomId = storedRoom() ?? roomForLocale(chosenLocale(navigator.languages));

  /** Whether a long wait in a quiet room may also pair the person from Anyone. */
  @state() private widen: boolean = storedWiden();

  /** Whether the person confirmed on this device that they are 18 or older: until then Start asks first, and the page introduces Parley. */
  @state() private adult = confirmedAdult();

  /** Whether the 18+ confirmation is open (its code loads with the first Start that needs it). */
  @state() private askingAge = false;

  /** Which confirmation is open: Report (with a reason) or Block. */
  @state() private confirming: 'report' | 'block' | null = null;

  /** Whether the chat panel is open: beside the video on a wide screen from the start, on a phone when asked for. */
  @state() private chatOpen = chatFitsBeside();

  /** Whether the camera, microphone and speaker pickers are open (with a preview before Start). */
  @state() private devicesOpen = false;

  /** The speaker the stranger's sound goes to (null: the browser's default); the remembered one once known. */
  @state() private speaker: string | null = null;
  private readonly inCallElements = new InCallElementsLoader();

  private readonly chat: RandomChatController;
  /** Plays the stranger with sound, or muted with "Tap to unmute" where the browser wants a gesture first. */
  private readonly sound = new SoundController(this);
  /** Says when the camera stops giving pictures mid-call (another tab took it, or it was unplugged). */
  private readonly camera = new CameraWatch(this);
  /** The remote stream whose first frame we already watch for. */
  private watchedStream: MediaStream | null = null;

  constructor(deps?: RandomChatDeps) {
    super();
    this.chat = new RandomChatController(this, deps);
  }

  /** The flow behind the page: the shell stops it before the check or a private call, tests drive and read it. */
  get flow(): RandomChatFlow {
    return this.chat.flow;
  }

  override render() {
    const flow = this.chat.flow;
    const state = flow.state;
    const active = isActive(state);
    const problem = state.status === 'failed' || state.status === 'media-error' ? state.problem : null;
    // While reconnecting the stranger's last frame stays, with the notice over it.
    const showOverlay = state.status !== 'connected';
    // A first visit, before anything is on the stage: the front door in the video's place.
    const introduce = !this.adult && state.status === 'idle' && !flow.localStream;
    const overlaid = showOverlay && !introduce;
    const counts = flow.roomCounts;
    const searching = state.status === 'searching';
    const countText = counts ? roomCountText(counts[this.room], this.room, searching) : '';
    const target = flow.moderationTarget;
    const text = randomChatStatusText(state, this.room);
    // What the stranger says they send (mute, camera off), while there is a stranger; and our own camera.
    const peer = state.status === 'connected' || state.status === 'reconnecting' ? flow.call?.peers[0] : undefined;
    const them = peer && flow.inCall ? flow.inCall.media.of(peer.id) : null;
    const ownCameraOff = flow.inCall !== null && !flow.inCall.media.camera;
    // Their uplink could not carry video (features/call-quality.ts): say so instead of a frozen frame.
    // Or someone chose audio only: said the same way.
    const off =
      peer !== undefined && flow.inCall !== null
        ? videoOff(flow.inCall.quality.of(peer.id), flow.inCall.quality.audioOnly)
        : null;
    const ourVideoPaused = flow.inCall !== null && flow.inCall.quality.videoPaused;
    // Screening withholds our camera (features/screening.ts): say why; it outranks a weak uplink.
    const screeningPaused = flow.inCall?.screening?.paused === true;
    // Their video is screened here before it is seen: blurred until scored clean, or while a frame may show nudity.
    const incoming = flow.inCall?.incoming ?? null;
    const strangerId = flow.call?.peers[0]?.id ?? null;
    const blurred = incoming !== null && (strangerId === null || incoming.blurred(strangerId));
    const flagged = incoming !== null && strangerId !== null && incoming.flagged(strangerId);
    return html`
      <header>
        <div class="nav">
          <h1>${LOGO}${LABELS.brand()}</h1>
          <!-- Locked, not removed, while active: the header keeps its height and the video its place. -->
          <button id="private-call" ?disabled=${active} @click=${this._onPrivateCall}>${LABELS.privateCall()}</button>
          <parley-hide-ip kind="random" ?disabled=${active}></parley-hide-ip>
          <parley-data-use></parley-data-use>
          <parley-language></parley-language>
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
          <p id="room-count" class=${searching ? 'searching' : ''}>${countText}</p>
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
      <!-- The page's one main landmark: the call, its controls and what it says (the header is the banner). -->
      <main>
        <div class="room">
          <div class="stage ${flow.localStream ? 'with-self' : ''}">
            <video
              id="remote"
              class=${them?.video === false || off !== null ? 'off' : blurred ? 'screened' : ''}
              aria-label=${LABELS.stranger()}
              autoplay
              playsinline
              .srcObject=${once(flow.remoteStream)}
            ></video>
            ${
              flagged && them?.video !== false && off === null
                ? html`<div class="screened-note" id="screened" role="status">
                    <p>${LABELS.screenedIncoming()}</p>
                    <div>
                      <button id="show-anyway" @click=${() => strangerId && incoming?.showAnyway(strangerId)}>
                        ${LABELS.showAnyway()}
                      </button>
                      ${
                        target
                          ? html`<button id="screened-report" class="danger" @click=${() => this.confirm('report')}>
                              ${MODERATION_BUTTON.report[target]()}
                            </button>`
                          : nothing
                      }
                    </div>
                  </div>`
                : nothing
            }
            ${them?.video === false ? html`<p class="camera-off" id="remote-camera-off">${LABELS.cameraOff()}</p>` : nothing}
            ${
              off !== null && them?.video !== false
                ? html`<p class="camera-off" id=${off === 'weak' ? 'remote-video-paused' : 'remote-audio-only'}>
                    ${videoOffText(off)}
                  </p>`
                : nothing
            }
            ${
              screeningPaused
                ? html`<p class="weak-uplink" id="screening-paused" role="status">${LABELS.screeningPaused()}</p>`
                : ourVideoPaused
                  ? html`<p class="weak-uplink" id="weak-uplink" role="status">${VIDEO_OFF_LABELS.ourVideoPaused()}</p>`
                  : nothing
            }
            ${
              them?.audio === false
                ? html`<span
                    class="muted"
                    id="remote-muted"
                    role="img"
                    aria-label=${LABELS.microphoneOff()}
                    title=${LABELS.microphoneOff()}
                    >${MIC_OFF}</span
                  >`
                : nothing
            }
            ${
              peer && flow.inCall
                ? html`<parley-link-quality
                    id="remote-quality"
                    .quality=${flow.inCall.quality.of(peer.id)}
                    ?relay-by-choice=${relayOnly('random')}
                  ></parley-link-quality>`
                : nothing
            }
            <!-- Hidden while it has no picture: an empty bordered box otherwise (after Stop). -->
            <video
              id="local"
              class=${ownCameraOff || !flow.localStream ? 'off' : ''}
              aria-label=${LABELS.you()}
              autoplay
              playsinline
              muted
              .srcObject=${once(flow.localStream)}
            ></video>
            ${ownCameraOff ? html`<p class="camera-off self" id="local-camera-off">${LABELS.cameraOff()}</p>` : nothing}
            ${introduce ? this.intro() : nothing}
            ${overlaid ? html`<div class="overlay" aria-hidden="true">${text}</div>` : nothing}
            ${
              this.sound.needsTap
                ? html`<button id="unmute" class="unmute" @click=${() => void this.sound.unmute()}>
                    ${LABELS.tapToUnmute()}
                  </button>`
                : nothing
            }
          </div>
          ${
            flow.inCall && this.chatOpen
              ? html`<parley-chat id="chat" kind="random" .chat=${flow.inCall.chat} visible></parley-chat>`
              : nothing
          }
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
          <button id="devices-toggle" aria-expanded=${this.devicesOpen ? 'true' : 'false'} @click=${this._onDevices}>
            ${LABELS.devices()}
          </button>
          ${flow.inCall ? this.inCallControls(flow.inCall) : nothing}
          ${active ? nothing : html`<a id="check-link" class="check-link action" href=${CHECK_HASH}>${LABELS.testConnection()}</a>`}
          ${
            target
              ? html`<button id="report" class="danger" @click=${() => this.confirm('report')}>
                    ${MODERATION_BUTTON.report[target]()}
                  </button>
                  <button id="block" @click=${() => this.confirm('block')}>${MODERATION_BUTTON.block[target]()}</button>`
              : nothing
          }
        </div>
        ${
          // A modal dialog, as on the call page: as a panel under the controls it pushed the page past a phone's screen.
          this.devicesOpen
            ? html`<dialog id="devices-dialog" aria-labelledby="devices-title" @close=${this._onDevicesClosed}>
                <h2 id="devices-title">${LABELS.devices()}</h2>
                <parley-devices
                  .media=${flow.media}
                  .speaker=${this.speaker}
                  @parley-speaker=${(e: GlobalEventHandlersEventMap['parley-speaker']) => (this.speaker = e.detail.deviceId)}
                ></parley-devices>
                <div class="dialog-actions"><button id="devices-close" @click=${this._onDevices}>${LABELS.close()}</button></div>
              </dialog>`
            : nothing
        }
        ${
          this.confirming && target
            ? html`<parley-report-dialog
                .action=${this.confirming}
                .target=${target}
                @parley-moderate=${this._onModerate}
                @parley-cancel=${this._onCancelConfirm}
              ></parley-report-dialog>`
            : nothing
        }
        ${this.askingAge ? html`<parley-age-dialog @parley-age-answer=${this._onAgeAnswer}></parley-age-dialog>` : nothing}
        <!-- One sentence per state, shown once: over the stage when the stage shows it, else here; always announced from here. -->
        <p id="status" role="status" aria-live="polite" data-status=${state.status}>
          <span class=${overlaid ? 'visually-hidden' : ''}>${text}</span>
        </p>
        ${
          flow.moderationNotice
            ? html`<p id="moderation-notice" role="status">${moderationNoticeText(flow.moderationNotice)}</p>`
            : nothing
        }
        ${this.camera.loss ? html`<p id="camera-lost" class="problem" role="alert">${cameraLossText(this.camera.loss, 'random')}</p>` : nothing}
        ${
          // The status says what went wrong already: the box says what to do, not the same sentence again.
          problem ? problemBox(problem, 'random', { saysWhat: problemWords(problem, 'random').message !== text }) : nothing
        }
      </main>
    `;
  }

  /** What Parley is and why it is private, with the two ways in and the rules, privacy and terms pages. */
  private intro() {
    return html`<section id="intro" class="intro" aria-labelledby="intro-title">
      <div>
        <span class="mark">${LOGO}</span>
        <h2 id="intro-title">${FRONT_DOOR.introTitle()}</h2>
        <p>${FRONT_DOOR.introWhat()}</p>
        <ul>
          <li>${FRONT_DOOR.introDirect()}</li>
          <li>${FRONT_DOOR.introNothingStored()}</li>
          <li>${FRONT_DOOR.introHideIp()}</li>
          <li>${FRONT_DOOR.introRules()}</li>
        </ul>
        <div class="actions">
          <button id="intro-start" class="primary" @click=${this._onStart}>${FRONT_DOOR.startChatting()}</button>
          <button id="intro-private-call" @click=${this._onPrivateCall}>${FRONT_DOOR.privateCall()}</button>
        </div>
        <nav id="pages" aria-label=${FRONT_DOOR.aboutPages()}>
          ${PAGE_LINKS.map((l) => html`<a class="action" href=${l.href}>${l.text()}</a>`)}
        </nav>
      </div>
    </section>`;
  }

  private inCallControls(inCall: InCall) {
    const members = (this.chat.flow.call?.peers ?? []).map((p) => ({ id: p.id, name: LABELS.stranger() }));
    return html`<parley-call-controls
      .inCall=${inCall}
      .members=${members}
      ?chat-open=${this.chatOpen}
      @parley-toggle-chat=${() => (this.chatOpen = !this.chatOpen)}
    ></parley-call-controls>`;
  }

  protected override willUpdate(): void {
    // The in-call elements' code comes with the first conversation, not with the page.
    if (this.chat.flow.inCall) this.loadInCallElements();
    this.camera.watch(this.chat.flow.localStream);
    this.sound.keep([this.chat.flow.remoteStream]);
  }

  /** Loads the in-call elements (once), and then the remembered speaker. */
  /**
   * Opens the Report or Block confirmation. Its element comes with the
   * in-call elements, loaded with the first call (Report and Block exist
   * only in or after one); asked for here too in case they have not arrived.
   */
  private confirm(action: 'report' | 'block'): void {
    this.loadInCallElements();
    this.confirming = action;
  }

  private loadInCallElements(): void {
    this.inCallElements.load((id) => (this.speaker ??= id));
  }

  private readonly _onDevices = () => {
    if (this.devicesOpen) {
      this.closeDevices();
      return;
    }
    this.devicesOpen = true;
    this.loadInCallElements();
    // A preview before Start: the camera opens now (and Start uses it).
    void this.chat.flow.preview();
  };

  /** Closed by Escape (the browser closes a modal dialog itself). */
  private readonly _onDevicesClosed = () => {
    if (this.devicesOpen) this.closeDevices();
  };

  /** Closes the devices dialog (the preview's camera goes off before Start), and puts focus back on what opened it. */
  private closeDevices(): void {
    // Closed now, not at the next render: while it is modal the rest of the page is inert and cannot take focus.
    this.renderRoot.querySelector<HTMLDialogElement>('#devices-dialog')?.close();
    this.devicesOpen = false;
    this.chat.flow.endPreview();
    this.renderRoot.querySelector<HTMLButtonElement>('#devices-toggle')?.focus();
  }

  override updated(): void {
    // Modal once shown: the top layer, focus inside, Escape closes it.
    const devices = this.renderRoot.querySelector<HTMLDialogElement>('#devices-dialog');
    if (devices && !devices.open && this.isConnected) devices.showModal();
    this.followFocus();
    const remote = this.renderRoot.querySelectorAll<HTMLVideoElement>('#remote');
    this.sound.play(remote);
    sendSoundTo(remote, this.speaker);
    const stream = this.chat.flow.remoteStream;
    if (stream && stream !== this.watchedStream) {
      this.watchedStream = stream;
      // The moment a stranger's face is actually on screen (decoded), not just connected.
      const video = this.renderRoot.querySelector<HTMLVideoElement>('#remote');
      video?.requestVideoFrameCallback?.(() => mark(Mark.firstRemoteFrame));
    }
  }

  /** The confirmation closed without acting: focus goes back to the button that opened it. */
  private async _onCancelConfirm(): Promise<void> {
    const opener = this.confirming;
    this.confirming = null;
    await this.updateComplete;
    if (opener) this.shadowRoot?.querySelector<HTMLButtonElement>(`#${opener}`)?.focus();
  }

  private _onModerate(e: GlobalEventHandlersEventMap['parley-moderate']): void {
    this.confirming = null;
    // The dialog takes focus with it: it follows the main action (Next, to move on) once the call has ended.
    this.focusFollows = this.chat.flow.state;
    const request: ModerationRequest = e.detail;
    const flow = this.chat.flow;
    void (request.action === 'report' ? flow.report(request.reason) : flow.block());
  }

  /** The page's language changed: its room becomes the room, unless the person chose one themself. */
  followLanguage(code: LocaleCode): void {
    if (storedRoom() === null) this.room = roomForLocale(code);
  }

  private _onRoomChange(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    if (!isRoomId(value)) return;
    this.room = value;
    remember(ROOM_STORAGE_KEY, value);
    this.dispatchEvent(new CustomEvent('parley-room-change', { detail: { room: value }, bubbles: true, composed: true }));
  }

  private _onWidenChange(e: Event): void {
    this.widen = (e.target as HTMLInputElement).checked;
    remember(WIDEN_STORAGE_KEY, String(this.widen));
  }

  private _onPrivateCall(): void {
    this.dispatchEvent(new CustomEvent('parley-new-call', { bubbles: true, composed: true }));
  }

  /**
   * After the person's own Start, Next or Stop, focus follows the main
   * action: the button pressed is replaced (Start by Next, Next by Start)
   * or disabled while searching, and focus would fall to the page (five
   * Tabs to reach Start again). Stop holds it while Next cannot be used;
   * Next or Start take it once they can. A person who moved elsewhere
   * meanwhile (the chat, a setting) is left there.
   */
  private focusFollows: RandomChatState | null = null;

  private followFocus(): void {
    // Not before the action has changed the state (its first render may still show the old one). By
    // identity, not status: Next with someone already waiting goes from connected to connected again.
    if (this.focusFollows === null || this.focusFollows === this.chat.flow.state) return;
    const root = this.renderRoot as ShadowRoot;
    const find = (id: string) => root.querySelector<HTMLButtonElement>(`#${id}`);
    const start = find('start');
    const next = find('next');
    const stop = find('stop');
    const main = start ?? (next && !next.disabled ? next : stop && !stop.disabled ? stop : null);
    if (!main) return;
    const active = root.activeElement;
    // Still on one of the three (Next keeps focus a moment after it is disabled), or on nothing: follow.
    if (active !== null && active !== start && active !== next && active !== stop) {
      this.focusFollows = null;
      return;
    }
    if (active !== main) main.focus();
    if (main !== stop) this.focusFollows = null;
  }

  private _onStart(): void {
    if (!this.adult) {
      // Asked once per device, before the first random chat; its code is not part of the page.
      void import('./parley-age-dialog.js');
      this.askingAge = true;
      return;
    }
    this.begin();
  }

  private _onAgeAnswer(e: GlobalEventHandlersEventMap['parley-age-answer']): void {
    this.askingAge = false;
    if (!e.detail.adult) return;
    rememberAdult();
    this.adult = true;
    this.begin();
  }

  private begin(): void {
    this.focusFollows = this.chat.flow.state;
    // Set at Start: the choice cannot change while active, so Next and every renewal keep it.
    this.chat.flow.widen = this.widen;
    void this.chat.flow.start(this.room);
  }

  private _onNext(): void {
    this.focusFollows = this.chat.flow.state;
    void this.chat.flow.next();
  }

  private _onStop(): void {
    this.focusFollows = this.chat.flow.state;
    void this.chat.flow.stop();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-random': ParleyRandom;
  }
  interface GlobalEventHandlersEventMap {
    /** The person picked a room (the shell puts it in the address). */
    'parley-room-change': CustomEvent<{ readonly room: RoomId }>;
    /** The person asked for a new private call (from random chat, or after a call ended). */
    'parley-new-call': CustomEvent<undefined>;
  }
}
