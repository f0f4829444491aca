import { ANYONE_ROOM, DEFAULT_ROOM, isRoomId, ROOMS, type RoomId } from '@parley/functions/protocol';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { CHECK_HASH } from '../page-url.js';
import { relayOnly } from '../ice.js';
import { recall, remember } from '../settings.js';
import { canNext, isActive } from '../flows/random-chat-state.js';
import { mark, Mark, type RandomChatDeps, type RandomChatFlow } from '../flows/random-chat.js';
import {
  cameraLossText,
  LABELS,
  MODERATION_BUTTON,
  moderationNoticeText,
  randomChatStatusText,
  roomCountText,
  roomOptionLabel,
} from './messages.js';
import { MIC_OFF } from './icons.js';
import { QUALITY_LABELS, videoOff, videoOffText } from './quality-messages.js';
import { sendSoundTo } from './speaker.js';
import { InCallElementsLoader } from './in-call-loader.js';
import { headerStyles, sharedStyles } from './page-styles.js';
import { problemBox } from './problem-links.js';
import { RandomChatController } from './random-chat-controller.js';
import { CameraWatch } from './camera-watch.js';
import { once } from './media-binding.js';
import { SoundController } from './sound-controller.js';
import type { InCall } from '../features/in-call.js';
import type { ModerationRequest } from './parley-report-dialog.js';
import './parley-data-use.js';
import './parley-hide-ip.js';
import './parley-report-dialog.js';

/** Where the chosen room is remembered between visits. */
const ROOM_STORAGE_KEY = 'parley.room';
/** Where the widen-to-Anyone choice is remembered between visits ('true' or 'false'). */
const WIDEN_STORAGE_KEY = 'parley.widen';

/** The room chosen last time, else the default. */
function storedRoom(): RoomId {
  const r = recall(ROOM_STORAGE_KEY);
  return isRoomId(r) ? r : DEFAULT_ROOM;
}

/** Whether the page is wide enough for the chat beside the video (the same width as the stylesheet's). */
function wideScreen(): boolean {
  return globalThis.matchMedia?.('(min-width: 40.01rem)').matches ?? true;
}

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
export class ParleyRandom extends LitElement {
  static override styles = [
    sharedStyles,
    headerStyles,
    css`
      /* The video takes what the header, buttons and status line leave, so
         Start and the status are never below the fold (laptops of 768 px,
         phones of 844 px). */
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        flex: 1 1 auto;
        min-height: 0;
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
      @media (max-width: 40rem) {
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
      button.danger {
        border-color: #b3261e;
        color: #b3261e;
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

  /** The room to look for someone in; a change applies to the next Start. */
  @property() room: RoomId = storedRoom();

  /** Whether a long wait in a quiet room may also pair the person from Anyone. */
  @state() private widen: boolean = storedWiden();

  /** Which confirmation is open: Report (with a reason) or Block. */
  @state() private confirming: 'report' | 'block' | null = null;

  /** Whether the chat panel is open: beside the video on a wide screen from the start, on a phone when asked for. */
  @state() private chatOpen = wideScreen();

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
    const counts = flow.roomCounts;
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
          <h1>${LABELS.brand()}</h1>
          <!-- Locked, not removed, while active: the header keeps its height and the video its place. -->
          <button id="private-call" ?disabled=${active} @click=${this._onPrivateCall}>${LABELS.privateCall()}</button>
          <parley-hide-ip kind="random" ?disabled=${active}></parley-hide-ip>
          <parley-data-use></parley-data-use>
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
          <p id="room-count">${counts ? roomCountText(counts[this.room], this.room, state.status === 'searching') : ''}</p>
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
      <div class="room">
        <div class="stage">
          <video
            id="remote"
            class=${them?.video === false || off !== null ? 'off' : blurred ? 'screened' : ''}
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
                        ? html`<button id="screened-report" class="danger" @click=${() => (this.confirming = 'report')}>
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
                ? html`<p class="weak-uplink" id="weak-uplink" role="status">${QUALITY_LABELS.ourVideoPaused()}</p>`
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
          <video
            id="local"
            class=${ownCameraOff ? 'off' : ''}
            autoplay
            playsinline
            muted
            .srcObject=${once(flow.localStream)}
          ></video>
          ${ownCameraOff ? html`<p class="camera-off self" id="local-camera-off">${LABELS.cameraOff()}</p>` : nothing}
          ${showOverlay ? html`<div class="overlay" aria-hidden="true">${text}</div>` : nothing}
          ${
            this.sound.needsTap
              ? html`<button id="unmute" class="unmute" @click=${() => void this.sound.unmute()}>${LABELS.tapToUnmute()}</button>`
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
      ${
        this.devicesOpen
          ? html`<parley-devices
              .media=${flow.media}
              .speaker=${this.speaker}
              @parley-speaker=${(e: GlobalEventHandlersEventMap['parley-speaker']) => (this.speaker = e.detail.deviceId)}
            ></parley-devices>`
          : nothing
      }
      ${
        this.confirming && target
          ? html`<parley-report-dialog
              .action=${this.confirming}
              .target=${target}
              @parley-moderate=${this._onModerate}
              @parley-cancel=${() => (this.confirming = null)}
            ></parley-report-dialog>`
          : nothing
      }
      <p id="status" role="status" aria-live="polite" data-status=${state.status}>${text}</p>
      ${
        flow.moderationNotice
          ? html`<p id="moderation-notice" role="status">${moderationNoticeText(flow.moderationNotice)}</p>`
          : nothing
      }
      ${this.camera.loss ? html`<p id="camera-lost" class="problem" role="alert">${cameraLossText(this.camera.loss, 'random')}</p>` : nothing}
      ${problem ? problemBox(problem, 'random') : nothing}
    `;
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
  private loadInCallElements(): void {
    this.inCallElements.load((id) => (this.speaker ??= id));
  }

  private readonly _onDevices = () => {
    this.devicesOpen = !this.devicesOpen;
    if (this.devicesOpen) {
      this.loadInCallElements();
      // A preview before Start: the camera opens now (and Start uses it).
      void this.chat.flow.preview();
    } else {
      this.chat.flow.endPreview();
    }
  };

  override updated(): void {
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

  private _onModerate(e: GlobalEventHandlersEventMap['parley-moderate']): void {
    this.confirming = null;
    const request: ModerationRequest = e.detail;
    const flow = this.chat.flow;
    void (request.action === 'report' ? flow.report(request.reason) : flow.block());
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

  private _onStart(): void {
    // Set at Start: the choice cannot change while active, so Next and every renewal keep it.
    this.chat.flow.widen = this.widen;
    void this.chat.flow.start(this.room);
  }

  private _onNext(): void {
    void this.chat.flow.next();
  }

  private _onStop(): void {
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
