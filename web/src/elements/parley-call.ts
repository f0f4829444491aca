import { localized } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Peer } from '../engine/call.js';
import type { InCall } from '../features/in-call.js';
import type { LinkCallDeps } from '../flows/link-call.js';
import type { LinkCallState } from '../flows/link-call-state.js';
import { linkProblem } from '../flows/problems.js';
import { LinkCallController } from './link-call-controller.js';
import { isDisplayName } from '../engine/channel-messages.js';
import { recall, remember } from '../settings.js';
import { relayOnly } from '../ice.js';
import {
  CALL_LABELS,
  linkCallStatusText,
  memberJoinedText,
  memberLeftText,
  memberName,
  screenCaption,
  tileCaption,
} from './call-messages.js';
import { cameraLossText, LABELS, problemWords } from './messages.js';
import { MIC_OFF } from './icons.js';
import { VIDEO_OFF_LABELS, videoOff, videoOffText } from './video-off-messages.js';
import { sendSoundTo } from './speaker.js';
import { InCallElementsLoader } from './in-call-loader.js';
import { chatFitsBeside, devicesDialogStyles, sharedStyles } from './page-styles.js';
import { problemBox } from './problem-links.js';
import { CameraWatch } from './camera-watch.js';
import { once } from './media-binding.js';
import { SoundController } from './sound-controller.js';

/** Where the name a person shows in calls by link is kept: on this device, never sent to the backend. */
const DISPLAY_NAME_STORAGE_KEY = 'parley.displayName';

/** Where the choice to screen one's own camera in calls by link is kept ('true'; absent or anything else: off). */
const SCREEN_MY_CAMERA_STORAGE_KEY = 'parley.screenMyCamera';

function storedDisplayName(): string | null {
  const name = recall(DISPLAY_NAME_STORAGE_KEY);
  return name && isDisplayName(name) ? name : null;
}

/** The address of a call's link. */
export function callLink(callId: string, base: string = location.href): string {
  const url = new URL(base);
  url.hash = `#/call/${callId}`;
  return url.toString();
}

/**
 * Columns for `tiles` tiles so that they fill the stage without scrolling:
 * wide stages put them side by side, tall ones (a phone) stack them.
 */
export function gridColumns(tiles: number, wide: boolean): number {
  if (tiles <= 1) return 1;
  if (wide) return tiles <= 2 ? 2 : tiles <= 4 ? 2 : 3;
  return tiles <= 2 ? 1 : 2;
}

/**
 * A call by link: the lobby (own preview, "n of 5", Join), the grid of tiles
 * in the call, and the screens for full, ended and left. Renders the
 * LinkCallFlow's state; all call logic is there. Says when a new call exists
 * (`parley-call-created`), and when the person asks for another one
 * (`parley-new-call`) or for random chat (`parley-random-chat`).
 */
@customElement('parley-call')
@localized()
export class ParleyCall extends LitElement {
  static override styles = [
    sharedStyles,
    devicesDialogStyles,
    css`
      :host,
      main {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        min-height: 0;
        flex: 1 1 auto;
      }
      /* The grid and, beside it, the chat; on a phone the chat opens over the grid's lower part. */
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
        display: grid;
        gap: 0.4rem;
        background: #111;
        border-radius: 0.75rem;
        padding: 0.4rem;
        grid-auto-rows: minmax(0, 1fr);
        overflow: hidden;
      }
      .cols-1 {
        grid-template-columns: minmax(0, 1fr);
      }
      .cols-2 {
        grid-template-columns: repeat(2, minmax(0, 1fr));
      }
      .cols-3 {
        grid-template-columns: repeat(3, minmax(0, 1fr));
      }
      .tile {
        position: relative;
        min-height: 0;
        min-width: 0;
        background: #222;
        border-radius: 0.5rem;
        overflow: hidden;
      }
      .tile video {
        width: 100%;
        height: 100%;
        object-fit: cover;
        display: block;
      }
      .tile.self video {
        transform: scaleX(-1); /* a mirror, as people expect to see themselves */
      }
      /* Why a member's link does not carry the call, over their tile. */
      .tile .why {
        position: absolute;
        inset: 0;
        margin: 0;
        display: grid;
        place-items: center;
        padding: 0.5rem;
        color: #fff;
        text-align: center;
        font-size: 0.9rem;
      }
      /* A camera that is off shows this instead of a frozen or black frame. */
      /* Screening blurs a member's video where it is: the element stays, only its look changes. */
      .tile video.screened {
        filter: blur(2rem);
      }
      .tile .screened-note {
        position: absolute;
        inset: 0;
        margin: 0;
        display: flex;
        flex-direction: column;
        align-items: center;
        justify-content: center;
        gap: 0.5rem;
        padding: 0 0.75rem;
        text-align: center;
        color: #fff;
      }
      .tile video.off {
        visibility: hidden;
      }
      .tile .camera-off {
        position: absolute;
        inset: 0;
        margin: 0;
        display: grid;
        place-items: center;
        padding: 0 0.75rem;
        text-align: center;
        color: #ddd;
      }
      .tile .weak-uplink {
        position: absolute;
        left: 0.5rem;
        right: 0.5rem;
        top: 0.5rem;
        margin: 0;
        padding: 0.25rem 0.5rem;
        border-radius: 0.4rem;
        background: #000c;
        color: #fff;
        font-size: 0.8rem;
        text-align: center;
      }
      .tile .muted {
        display: inline-grid;
        vertical-align: middle;
        margin-left: 0.35rem;
        color: #ff8a80;
      }
      .tile .label {
        position: absolute;
        left: 0.4rem;
        bottom: 0.4rem;
        padding: 0.15rem 0.5rem;
        border-radius: 0.3rem;
        background: #000a;
        color: #fff;
        font-size: 0.85rem;
      }
      /*
       * Someone shares a screen: it takes the stage, the cameras go on in a
       * strip beside it (wide) or below it (tall, a phone).
       */
      .stage.sharing {
        display: flex;
        flex-direction: row;
      }
      .stage.sharing.tall {
        flex-direction: column;
      }
      .tile.screen {
        flex: 1 1 auto;
        background: #000;
      }
      .tile.screen video {
        object-fit: contain;
      }
      /* The cameras keep their shape beside a share: a cropped sliver of a face helps nobody. */
      .strip {
        flex: 0 0 25%;
        min-width: 0;
        min-height: 0;
        display: grid;
        gap: 0.4rem;
        align-content: start;
        overflow: hidden;
      }
      .strip .tile {
        aspect-ratio: 4 / 3;
      }
      /* Below the share on a phone: a row that leaves the share most of the height, however short the stage gets. */
      .stage.sharing.tall .strip {
        flex: 0 0 30%;
        grid-auto-flow: column;
        grid-auto-columns: minmax(0, 1fr);
        grid-template-rows: minmax(0, 1fr);
      }
      .stage.sharing.tall .strip .tile {
        aspect-ratio: auto;
      }
      .message {
        display: grid;
        place-items: center;
        color: #fff;
        text-align: center;
        padding: 1rem;
        font-size: 1.1rem;
      }
      .controls {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        align-items: center;
      }
      /* A phone: narrower buttons, as random chat's (fewer rows in the longer languages). */
      @media (max-width: 40rem) {
        .controls button {
          padding-inline: 0.9rem;
        }
      }
      #screening-settings {
        display: flex;
        flex-direction: column;
        margin: 0;
        padding: 0.25rem 0.75rem;
        border: 1px solid var(--parley-border);
        border-radius: 0.5rem;
      }
      #screening-settings p {
        margin: 0;
        font-size: 0.875rem;
        color: var(--parley-muted);
      }
      #screening-off {
        position: absolute;
        top: 0.5rem;
        left: 50%;
        transform: translateX(-50%);
        width: max-content;
        max-width: calc(100% - 1rem);
        margin: 0;
        padding: 0.25rem 0.5rem;
        border-radius: 0.25rem;
        background: rgb(0 0 0 / 70%);
        color: #fff;
        font-size: 0.8125rem;
        text-align: center;
        pointer-events: none;
        z-index: 1;
      }
      .link {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        flex: 1 1 16rem;
        min-width: 0;
      }
      .link input {
        flex: 1 1 auto;
        min-width: 0;
        font: inherit;
        font-size: 0.85rem;
        padding: 0.5rem;
        border: 1px solid var(--parley-border);
        border-radius: 0.5rem;
      }
      button.danger {
        border-color: #b3261e;
        background: #b3261e;
        color: #fff;
      }
      /* One line, whether or not it shows the sentence: no shift when the stage takes it over. */
      #status {
        margin: 0;
        line-height: 1.4;
        min-height: 1.4em;
      }
      .problem a {
        color: var(--parley-link);
      }
    `,
  ];

  /** The call in the address (`#/call/<id>`), or 'new' to create one. */
  @property({ attribute: 'call-id' }) callId = '';

  /** Whether the stage is wider than tall (decides the grid's columns). */
  @state() private wide = true;
  @state() private copied = false;
  /** Who joined or left last (a live region's words); the members seen then, by id, with their names (null: not in a call). */
  @state() private membersSaid = '';
  private knownMembers: Map<string, string> | null = null;
  /** Whether the camera, microphone and speaker pickers are open. */
  @state() private devicesOpen = false;
  /** The speaker the others' sound goes to (null: the browser's default); the remembered one once known. */
  @state() private speaker: string | null = null;
  private readonly inCallElements = new InCallElementsLoader();

  /** Whether the chat panel is open: beside the grid on a wide screen from the start, on a phone when asked for. */
  @state() private chatOpen = chatFitsBeside();

  private readonly controller: LinkCallController;
  /** Plays the members with sound, or muted with "Tap to unmute" where the browser wants a gesture first. */
  private readonly sound = new SoundController(this);
  /** Says when the camera stops giving pictures mid-call (another tab took it, or it was unplugged). */
  private readonly camera = new CameraWatch(this);
  private readonly resizeObserver = new ResizeObserver((entries) => {
    const box = entries[0]?.contentRect;
    if (box) this.wide = box.width >= box.height;
  });

  constructor(deps?: LinkCallDeps) {
    super();
    this.controller = new LinkCallController(this, deps);
    this.controller.flow.displayName = storedDisplayName();
    this.controller.flow.screenCamera = recall(SCREEN_MY_CAMERA_STORAGE_KEY) === 'true';
  }

  /** The flow behind the element (for tests and diagnostics). */
  get flow() {
    return this.controller.flow;
  }

  override disconnectedCallback(): void {
    this.resizeObserver.disconnect();
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('callId')) this.follow(this.callId);
    this.noticeMembers();
    this.camera.watch(this.controller.flow.localStream);
    this.sound.keep(this.controller.flow.peers.map((p) => p.stream));
    // The in-call elements' code comes with the first call, not with the page.
    if (this.controller.flow.inCall) this.loadInCallElements();
  }

  /** Loads the in-call elements (once), and then the remembered speaker. */
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
  };

  /** Closed by Escape (the browser closes a modal dialog itself). */
  private readonly _onDevicesClosed = () => {
    if (this.devicesOpen) this.closeDevices();
  };

  /** Closes the devices dialog, and puts focus back on what opened it. */
  private closeDevices(): void {
    // Closed now, not at the next render: while it is modal the rest of the page is inert and cannot take focus.
    this.renderRoot.querySelector<HTMLDialogElement>('#devices-dialog')?.close();
    this.devicesOpen = false;
    this.renderRoot.querySelector<HTMLButtonElement>('#devices-toggle')?.focus();
  }

  private follow(callId: string): void {
    const flow = this.controller.flow;
    const current = 'callId' in flow.state ? flow.state.callId : null;
    if (callId === 'new') {
      if (flow.state.status === 'idle') void flow.create().then(() => this.showCreated());
    } else if (callId && callId !== current) {
      void flow.open(callId);
    }
  }

  /** After creating: the call has an id, which its page (and the address, the shell's) now names. */
  private showCreated(): void {
    const state = this.controller.flow.state;
    if (state.status !== 'in-call') return;
    this.callId = state.callId;
    this.dispatchEvent(
      new CustomEvent('parley-call-created', { detail: { callId: state.callId }, bubbles: true, composed: true }),
    );
  }

  protected override updated(): void {
    // Modal once shown: the top layer, focus inside, Escape closes it.
    const devices = this.renderRoot.querySelector<HTMLDialogElement>('#devices-dialog');
    if (devices && !devices.open && this.isConnected) devices.showModal();
    this.followFocus();
    const peers = this.renderRoot.querySelectorAll<HTMLVideoElement>('.tile.peer video');
    this.sound.play(peers);
    sendSoundTo(peers, this.speaker);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The host, not the stage: the stage element is replaced between screens.
    this.resizeObserver.observe(this);
  }

  override render() {
    const flow = this.controller.flow;
    const state = flow.state;
    const peers = flow.peers;
    const text = linkCallStatusText(state, peers.length);
    const problem = state.status === 'failed' || state.status === 'media-error' ? state.problem : null;
    const inCall = state.status === 'in-call' ? flow.inCall : null;
    return html`
      <!-- The page's one main landmark (the shell's header is the banner). -->
      <main>
        <div class="room">
          ${this.renderStage(state, peers, text)}
          ${
            // Over the grid, not in the page's flow: said without moving anything (a phone held sideways has no line to spare).
            inCall && !flow.screenIncoming ? html`<p id="screening-off">${CALL_LABELS.screeningOffInCall()}</p>` : nothing
          }
          ${
            inCall && this.chatOpen
              ? html`<parley-chat
                  id="chat"
                  kind="link"
                  .chat=${inCall.chat}
                  .displayName=${flow.displayName}
                  visible
                  @parley-display-name=${this._onDisplayName}
                ></parley-chat>`
              : nothing
          }
        </div>
        <div class="controls">
          ${this.renderControls(state)}${inCall ? this.inCallControls(inCall) : nothing}
          ${
            flow.localStream && (state.status === 'lobby' || state.status === 'in-call')
              ? html`<button id="devices-toggle" aria-expanded=${this.devicesOpen ? 'true' : 'false'} @click=${this._onDevices}>
                  ${LABELS.devices()}
                </button>`
              : nothing
          }
        </div>
        ${
          // A modal dialog, not a panel under the controls: beside a grid on a phone there is no room
          // for the pickers and the screening settings without scrolling the page (a call of 2 at 390×844: 100 px over).
          this.devicesOpen && flow.localStream
            ? html`<dialog id="devices-dialog" aria-labelledby="devices-title" @close=${this._onDevicesClosed}>
                <h2 id="devices-title">${LABELS.devices()}</h2>
                <parley-devices
                  .media=${flow.media}
                  .speaker=${this.speaker}
                  @parley-speaker=${(e: GlobalEventHandlersEventMap['parley-speaker']) => (this.speaker = e.detail.deviceId)}
                ></parley-devices>
                ${this.renderScreeningSettings()}
                <div class="dialog-actions"><button id="devices-close" @click=${this._onDevices}>${LABELS.close()}</button></div>
              </dialog>`
            : nothing
        }
        <!-- One sentence per state, shown once: on the stage when it has no tiles, else here; always announced from here. -->
        <p id="status" role="status" aria-live="polite" data-status=${state.status}>
          <span class=${this.stageSaysStatus() ? 'visually-hidden' : ''}>${text}</span>
        </p>
        <p id="members-said" class="visually-hidden" role="status" aria-live="polite">${this.membersSaid}</p>
        ${this.camera.loss ? html`<p id="camera-lost" class="problem" role="alert">${cameraLossText(this.camera.loss, 'call')}</p>` : nothing}
        ${
          // The status says what went wrong already: the box says what to do, not the same sentence again.
          problem ? problemBox(problem, 'call', { saysWhat: problemWords(problem, 'call').message !== text }) : nothing
        }
      </main>
    `;
  }

  /** Whether the stage has no tiles to show, and says the state's sentence instead. */
  private stageSaysStatus(): boolean {
    const flow = this.controller.flow;
    const status = flow.state.status;
    return !(
      flow.localStream !== null &&
      (status === 'lobby' || status === 'joining' || status === 'in-call' || status === 'creating')
    );
  }

  /** A member as this page names them: number, and chosen name once they sent one (chat). */
  private nameOf(id: string): string {
    const flow = this.controller.flow;
    return memberName(flow.numberOf(id), flow.inCall?.chat.nameOf(id) ?? null);
  }

  /**
   * Says who came and who went since the last look, once, in a live region
   * of its own (the grid shows it; a screen reader would not know). The
   * members already there when the person joins are in the status's count,
   * not announced one by one.
   */
  private noticeMembers(): void {
    const flow = this.controller.flow;
    if (flow.state.status !== 'in-call') {
      this.knownMembers = null;
      return;
    }
    const present = new Map(flow.peers.filter((p) => p.state !== 'closed').map((p) => [p.id, this.nameOf(p.id)]));
    const known = this.knownMembers;
    this.knownMembers = present;
    if (known === null) return;
    const said = [
      ...[...present].filter(([id]) => !known.has(id)).map(([, name]) => memberJoinedText(name)),
      ...[...known].filter(([id]) => !present.has(id)).map(([, name]) => memberLeftText(name)),
    ];
    if (said.length > 0) this.membersSaid = said.join(' ');
  }

  private renderStage(state: LinkCallState, peers: Peer[], text: string) {
    const local = this.controller.flow.localStream;
    if (this.stageSaysStatus() || local === null) {
      // The state's sentence, shown here once (the status line keeps it for screen readers only).
      return html`<div class="stage message cols-1"><p aria-hidden="true">${text}</p></div>`;
    }
    const media = state.status === 'in-call' ? (this.controller.flow.inCall?.media ?? null) : null;
    const ownCameraOff = media !== null && !media.camera;
    const quality = state.status === 'in-call' ? (this.controller.flow.inCall?.quality ?? null) : null;
    // What the others send is screened here before it is seen (features/screening-incoming.ts), unless the call's creator turned that off.
    const incoming = this.controller.flow.inCall?.incoming ?? null;
    const tiles = html`<div class="tile self" role="group" aria-label=${LABELS.you()}>
        <video
          id="local"
          class=${ownCameraOff ? 'off' : ''}
          aria-label=${LABELS.you()}
          autoplay
          playsinline
          muted
          .srcObject=${once(local)}
        ></video>
        ${ownCameraOff ? html`<p class="camera-off">${LABELS.cameraOff()}</p>` : nothing}
        ${
          // Screening withholds our camera (the person turned it on for calls by link): say why; it outranks a weak uplink.
          this.controller.flow.inCall?.screening?.paused === true
            ? html`<p class="weak-uplink" id="screening-paused" role="status">${LABELS.screeningPaused()}</p>`
            : quality?.videoPaused
              ? html`<p class="weak-uplink" id="weak-uplink" role="status">${VIDEO_OFF_LABELS.ourVideoPaused()}</p>`
              : nothing
        }
        <span class="label">${LABELS.you()}${media && !media.microphone ? this.mutedIcon() : nothing}</span>
      </div>
      ${peers.map((p) => {
        // What the member says they send: a placeholder instead of a frozen frame, an icon for silence.
        const them = media?.of(p.id) ?? null;
        const cameraOff = them?.video === false && p.state === 'connected';
        // Their uplink could not carry video (features/call-quality.ts), or someone chose audio only: said instead of a frozen frame.
        const off =
          !cameraOff && quality !== null && p.state === 'connected' ? videoOff(quality.of(p.id), quality.audioOnly) : null;
        const videoPaused = off !== null;
        const blurred = incoming !== null && incoming.blurred(p.id);
        const flagged = incoming !== null && incoming.flagged(p.id) && !cameraOff && !videoPaused;
        return html`<div
          class="tile peer"
          role="group"
          aria-label=${this.nameOf(p.id)}
          data-peer=${p.id}
          data-state=${p.state}
          data-problem=${p.problem ?? nothing}
          data-camera=${cameraOff ? 'off' : off === 'weak' ? 'paused' : off !== null ? 'audio-only' : 'on'}
          data-microphone=${them?.audio === false ? 'off' : 'on'}
          data-screened=${flagged ? 'unsafe' : blurred ? 'unscored' : 'clear'}
        >
          <video
            class=${cameraOff || videoPaused ? 'off' : blurred ? 'screened' : ''}
            aria-label=${this.nameOf(p.id)}
            autoplay
            playsinline
            .srcObject=${once(p.stream)}
          ></video>
          ${
            flagged
              ? html`<div class="screened-note" role="status">
                  <p>${LABELS.screenedIncoming()}</p>
                  <button class="show-anyway" @click=${() => incoming?.showAnyway(p.id)}>${LABELS.showAnyway()}</button>
                </div>`
              : nothing
          }
          ${cameraOff ? html`<p class="camera-off">${LABELS.cameraOff()}</p>` : nothing}
          ${off !== null ? html`<p class="camera-off ${off === 'weak' ? 'video-paused' : 'audio-only'}">${videoOffText(off)}</p>` : nothing}
          ${
            quality && p.state === 'connected'
              ? html`<parley-link-quality
                  .quality=${quality.of(p.id)}
                  ?relay-by-choice=${relayOnly('link')}
                ></parley-link-quality>`
              : nothing
          }
          ${p.problem ? html`<p class="why">${problemWords(linkProblem(p.problem), 'call').message}</p>` : nothing}
          <span class="label"
            >${tileCaption(this.nameOf(p.id), p.state)}${them?.audio === false ? this.mutedIcon() : nothing}</span
          >
        </div>`;
      })}`;
    const unmute = this.sound.needsTap
      ? html`<button id="unmute" class="unmute" @click=${() => void this.sound.unmute()}>${LABELS.tapToUnmute()}</button>`
      : nothing;
    const shared = state.status === 'in-call' ? this.sharedScreen(peers) : null;
    if (shared) {
      return html`<div class="stage sharing ${this.wide ? 'wide' : 'tall'}" id="grid" data-tiles=${1 + peers.length}>
        <div class="tile screen" id="screen" data-sharer=${shared.sharer ?? 'self'}>
          <video autoplay playsinline muted .srcObject=${once(shared.stream)}></video>
          <span class="label"
            >${screenCaption(shared.sharer === null ? null : this.controller.flow.numberOf(shared.sharer))}</span
          >
        </div>
        <div class="strip">${tiles}</div>
        ${unmute}
      </div>`;
    }
    // A class, not a style attribute: the site's Content-Security-Policy allows no inline styles.
    const columns = gridColumns(1 + peers.length, this.wide);
    return html`<div class="stage cols-${columns}" id="grid" data-tiles=${1 + peers.length}>${tiles}${unmute}</div>`;
  }

  /**
   * The screen the stage shows large: ours while we share, else the first
   * member's (in the grid's order) who shares one; null when nobody does.
   * `sharer` is null for our own.
   */
  private sharedScreen(peers: readonly Peer[]): { readonly sharer: string | null; readonly stream: MediaStream } | null {
    const screen = this.controller.flow.inCall?.screen;
    if (!screen) return null;
    if (screen.ownScreen) return { sharer: null, stream: screen.ownScreen };
    for (const p of peers) {
      const stream = screen.of(p.id);
      if (stream) return { sharer: p.id, stream };
    }
    return null;
  }

  /**
   * The person's own Join, Leave or Try again: the button pressed is
   * replaced by the next state's (Join by Leave, Leave by Join again), and
   * focus would fall to the page. It follows the next state's main action
   * instead, unless the person moved elsewhere meanwhile.
   */
  private focusFollows: LinkCallState['status'] | null = null;

  private act(action: () => Promise<void>): void {
    this.focusFollows = this.controller.flow.state.status;
    void action();
  }

  private followFocus(): void {
    if (this.focusFollows === null || this.focusFollows === this.controller.flow.state.status) return;
    const main = this.renderRoot.querySelector<HTMLButtonElement>('.controls > button.primary, .controls > button.danger');
    if (!main) return;
    const active = (this.renderRoot as ShadowRoot).activeElement;
    this.focusFollows = null;
    if (active === null) main.focus();
  }

  private renderControls(state: LinkCallState) {
    const flow = this.controller.flow;
    switch (state.status) {
      case 'lobby':
        return html`<button id="join" class="primary" @click=${() => this.act(() => flow.join())}>${CALL_LABELS.join()}</button
          >${this.homeButton()}`;
      case 'in-call':
      case 'joining':
        return html`<button id="leave" class="danger" @click=${() => this.act(() => flow.leave())}>${CALL_LABELS.leave()}</button>
          ${state.status === 'in-call' ? this.renderLink(state.callId) : nothing}`;
      case 'left':
        return html`<button id="join" class="primary" @click=${() => this.act(() => flow.join())}>
            ${CALL_LABELS.joinAgain()}</button
          >${this.homeButton()}`;
      case 'full':
        return html`<button id="retry" class="primary" @click=${() => this.act(() => flow.refresh())}>
            ${CALL_LABELS.tryAgain()}</button
          >${this.homeButton()}`;
      case 'media-error':
      case 'failed':
        return state.callId && state.callId !== 'new'
          ? html`<button id="join" class="primary" @click=${() => this.act(() => flow.join())}>${CALL_LABELS.tryAgain()}</button
              >${this.homeButton()}`
          : this.homeButton();
      case 'ended':
        return html`<button id="new-call" class="primary" @click=${this._onNewCall}>${CALL_LABELS.newPrivateCall()}</button
          >${this.homeButton()}`;
      default:
        return this.homeButton();
    }
  }

  /**
   * Screening in a call by link: the person's own camera (their choice,
   * remembered) and, in a call, the others' video (the call's setting:
   * its creator changes it for everyone; the others see it, greyed).
   */
  private renderScreeningSettings() {
    const flow = this.controller.flow;
    const inCall = flow.state.status === 'in-call';
    return html`<fieldset id="screening-settings">
      <label>
        <input type="checkbox" id="screen-camera" .checked=${flow.screenCamera} @change=${this._onScreenCamera} />
        ${CALL_LABELS.screenMyCamera()}
      </label>
      ${
        inCall
          ? html`<label>
                <input
                  type="checkbox"
                  id="screen-incoming"
                  .checked=${flow.screenIncoming}
                  ?disabled=${!flow.isCreator}
                  aria-describedby=${flow.isCreator ? nothing : 'screen-incoming-who'}
                  @change=${this._onScreenIncoming}
                />
                ${CALL_LABELS.screenTheirVideo()}
              </label>
              ${flow.isCreator ? nothing : html`<p id="screen-incoming-who">${CALL_LABELS.screenTheirVideoCreatorOnly()}</p>`}`
          : nothing
      }
    </fieldset>`;
  }

  private readonly _onScreenCamera = (e: Event) => {
    const on = (e.target as HTMLInputElement).checked;
    remember(SCREEN_MY_CAMERA_STORAGE_KEY, String(on));
    this.controller.flow.setScreenCamera(on);
  };

  private readonly _onScreenIncoming = (e: Event) => {
    void this.controller.flow.setScreenIncoming((e.target as HTMLInputElement).checked);
  };

  private mutedIcon() {
    return html`<span class="muted" role="img" aria-label=${LABELS.microphoneOff()} title=${LABELS.microphoneOff()}
      >${MIC_OFF}</span
    >`;
  }

  private inCallControls(inCall: InCall) {
    const flow = this.controller.flow;
    const members = flow.peers.map((p) => ({ id: p.id, name: this.nameOf(p.id) }));
    return html`<parley-call-controls
      .inCall=${inCall}
      .members=${members}
      ?chat-open=${this.chatOpen}
      @parley-toggle-chat=${() => (this.chatOpen = !this.chatOpen)}
    ></parley-call-controls>`;
  }

  private readonly _onDisplayName = (e: GlobalEventHandlersEventMap['parley-display-name']) => {
    const name = e.detail.name !== null && isDisplayName(e.detail.name) ? e.detail.name : null;
    this.controller.flow.displayName = name;
    // On this device only: the others see it with each message, the backend never.
    remember(DISPLAY_NAME_STORAGE_KEY, name ?? '');
    this.requestUpdate();
  };

  private renderLink(callId: string) {
    const link = callLink(callId);
    return html`<div class="link">
      <input
        id="link"
        readonly
        aria-label=${CALL_LABELS.callLink()}
        .value=${link}
        @focus=${(e: Event) => (e.target as HTMLInputElement).select()}
      />
      <button id="copy" @click=${() => void this.copy(link)}>${this.copied ? CALL_LABELS.copied() : CALL_LABELS.copy()}</button>
    </div>`;
  }

  private homeButton() {
    return html`<button id="home" @click=${this._onHome}>${CALL_LABELS.randomChat()}</button>`;
  }

  private async copy(link: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(link);
    } catch {
      // No clipboard permission (e.g. an insecure origin): select the text for a manual copy.
      this.renderRoot.querySelector<HTMLInputElement>('#link')?.select();
      return;
    }
    this.copied = true;
    setTimeout(() => (this.copied = false), 2_000);
  }

  private readonly _onHome = () => {
    this.controller.flow.reset();
    this.dispatchEvent(new CustomEvent('parley-random-chat', { bubbles: true, composed: true }));
  };

  private readonly _onNewCall = () => {
    this.controller.flow.reset();
    this.dispatchEvent(new CustomEvent('parley-new-call', { bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-call': ParleyCall;
  }
  interface GlobalEventHandlersEventMap {
    /** A new call by link exists (the shell puts its link in the address). */
    'parley-call-created': CustomEvent<{ readonly callId: string }>;
    /** The person asked to go back to random chat. */
    'parley-random-chat': CustomEvent<undefined>;
  }
}
