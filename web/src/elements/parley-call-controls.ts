import { localized } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { DeviceLoss } from '../engine/local-media.js';
import type { InCall } from '../features/in-call.js';
import { deviceLossText, IN_CALL_LABELS, unreadText, withShortcut } from './in-call-messages.js';
import { sharedStyles } from './page-styles.js';

/**
 * Keyboard shortcuts, one key each with no modifier: M mutes and unmutes, V
 * turns the camera off and on. A key typed into a text field (the chat, a
 * name) is never a shortcut, nor is one held with Ctrl, Alt or Meta (the
 * browser's own).
 */
const SHORTCUTS = { m: 'audio', v: 'video' } as const;

/** Whether a key press belongs to a field being typed in. */
function typing(e: KeyboardEvent): boolean {
  const target = e.composedPath()[0];
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

/**
 * The buttons a person uses during a call, on random chat and calls by link
 * alike: mute, camera off, and the chat panel's toggle with a badge counting
 * what arrived while it was closed; M and V work from the keyboard (see
 * SHORTCUTS). Renders the call's in-call features (features/in-call.ts);
 * says when the person opens or closes the chat (`parley-toggle-chat`).
 */
@customElement('parley-call-controls')
@localized()
export class ParleyCallControls extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: contents;
      }
      /* A phone: narrower buttons, as the page's own beside them (fewer rows
         in the longer languages). */
      @media (max-width: 40rem) {
        button {
          padding-inline: 0.9rem;
        }
      }
      button.off {
        background: #b3261e;
        border-color: #b3261e;
        color: #fff;
      }
      .safety {
        flex: 1 0 100%;
        margin: 0;
        padding: 0.5rem 0.75rem;
        border: 1px solid var(--parley-line);
        border-radius: 0.5rem;
        background: var(--parley-surface);
      }
      .safety ul {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .safety code {
        font-size: 1.15rem;
        letter-spacing: 0.08em;
        margin-left: 0.5rem;
      }
      .safety p {
        margin: 0.3rem 0 0;
        font-size: 0.85rem;
        color: var(--parley-muted);
      }
      .notice {
        flex: 1 0 100%;
        margin: 0;
        color: var(--parley-warn);
      }
      .badge {
        display: inline-block;
        min-width: 1.2rem;
        margin-left: 0.3rem;
        padding: 0 0.3rem;
        border-radius: 0.6rem;
        background: #b3261e;
        color: #fff;
        font-size: 0.8rem;
        line-height: 1.2rem;
        text-align: center;
      }
    `,
  ];

  /** The call's features; the element renders nothing without them. */
  @property({ attribute: false }) inCall: InCall | null = null;

  /** Whether the chat panel is open (the page shows it). */
  @property({ type: Boolean, attribute: 'chat-open' }) chatOpen = false;

  /** The other members, by id, with the name the page shows for them ("Stranger", "Guest 2"). */
  @property({ attribute: false }) members: readonly { readonly id: string; readonly name: string }[] = [];

  /** Whether the safety codes are shown. */
  @state() private safetyOpen = false;
  /** Whether the last Share screen failed (not cancelled: the person closing the picker needs no word). */
  @state() private shareFailed = false;

  private unsubscribe: (() => void) | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('inCall')) this.follow();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.follow();
    window.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.onKey);
    this.unsubscribe?.();
    this.unsubscribe = null;
    super.disconnectedCallback();
  }

  private readonly onKey = (e: KeyboardEvent) => {
    const kind = SHORTCUTS[e.key.toLowerCase() as keyof typeof SHORTCUTS];
    if (!kind || !this.inCall || e.repeat || e.ctrlKey || e.altKey || e.metaKey || typing(e)) return;
    e.preventDefault();
    const media = this.inCall.media;
    void (kind === 'audio' ? media.setMicrophone(!media.microphone) : media.setCamera(!media.camera));
  };

  /** Re-renders on every change of the call's features (the unread count, and what they send). */
  private follow(): void {
    this.unsubscribe?.();
    this.unsubscribe = this.inCall?.onChange(() => this.requestUpdate()) ?? null;
  }

  override render() {
    const inCall = this.inCall;
    if (!inCall) return nothing;
    const unread = inCall.chat.unread;
    const badge = !this.chatOpen && unread > 0;
    const { microphone, camera } = inCall.media;
    const mic = microphone ? IN_CALL_LABELS.mute() : IN_CALL_LABELS.unmute();
    const video = camera ? IN_CALL_LABELS.stopVideo() : IN_CALL_LABELS.startVideo();
    return html`<button
        id="mic"
        class=${microphone ? '' : 'off'}
        aria-keyshortcuts="M"
        title=${withShortcut(mic, 'M')}
        @click=${() => void inCall.media.setMicrophone(!microphone)}
      >
        ${mic}
      </button>
      <button
        id="camera"
        class=${camera ? '' : 'off'}
        aria-keyshortcuts="V"
        title=${withShortcut(video, 'V')}
        @click=${() => void inCall.media.setCamera(!camera)}
      >
        ${video}
      </button>
      <button
        id="safety-toggle"
        aria-expanded=${this.safetyOpen ? 'true' : 'false'}
        @click=${() => (this.safetyOpen = !this.safetyOpen)}
      >
        ${IN_CALL_LABELS.safetyCode()}
      </button>
      <button id="chat-toggle" aria-pressed=${this.chatOpen ? 'true' : 'false'} @click=${this._onToggleChat}>
        ${IN_CALL_LABELS.chat()}${badge ? html`<span class="badge" id="unread" aria-label=${unreadText(unread)}>${unread}</span>` : nothing}
      </button>
      ${this.renderScreenButton(inCall)} ${this.safetyOpen ? this.renderSafety(inCall) : nothing}
      ${this.renderLoss(inCall.media.loss)}
      ${this.shareFailed ? html`<p class="notice" id="share-failed" role="alert">${IN_CALL_LABELS.shareFailed()}</p>` : nothing}`;
  }

  /** Share screen / Stop sharing, in calls that offer it (calls by link, where the browser can capture). */
  private renderScreenButton(inCall: InCall) {
    const screen = inCall.screen;
    if (!screen) return nothing;
    const sharing = screen.ownScreen !== null;
    return html`<button
      id="screen-toggle"
      aria-pressed=${sharing ? 'true' : 'false'}
      @click=${async () => {
        this.shareFailed = false;
        if (sharing) await screen.stop();
        else this.shareFailed = (await screen.start()) === 'failed';
      }}
    >
      ${sharing ? IN_CALL_LABELS.stopSharing() : IN_CALL_LABELS.shareScreen()}
    </button>`;
  }

  /**
   * A device that went away mid-call, and what took over. A camera with no
   * replacement is not worded here: the page's camera watch says so already
   * (camera-watch.ts), with what to do.
   */
  private renderLoss(loss: DeviceLoss | null) {
    if (!loss || (loss.kind === 'video' && loss.now === null)) return nothing;
    return html`<p class="notice" id="device-notice" role="status">${deviceLossText(loss)}</p>`;
  }

  /** Each member's safety code, and what to do with it. */
  private renderSafety(inCall: InCall) {
    return html`<section class="safety" id="safety" aria-label=${IN_CALL_LABELS.safetyCode()}>
      <ul>
        ${this.members.map((m) => {
          const code = inCall.safety.of(m.id);
          return html`<li>${m.name}:<code data-peer=${m.id}>${code ?? IN_CALL_LABELS.safetyCodePending()}</code></li>`;
        })}
      </ul>
      <p>${IN_CALL_LABELS.safetyCodeHint()}</p>
    </section>`;
  }

  private _onToggleChat(): void {
    this.dispatchEvent(new CustomEvent('parley-toggle-chat', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-call-controls': ParleyCallControls;
  }
  interface GlobalEventHandlersEventMap {
    /** The person opened or closed the chat panel. */
    'parley-toggle-chat': CustomEvent<undefined>;
  }
}
