import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { InCall } from '../features/in-call.js';
import { IN_CALL_LABELS, unreadText } from './in-call-messages.js';
import { sharedStyles } from './page-styles.js';

/**
 * The buttons a person uses during a call, on random chat and calls by link
 * alike: the chat panel's toggle, with a badge counting what arrived while
 * it was closed. Renders the call's in-call features (features/in-call.ts);
 * says when the person opens or closes the chat (`parley-toggle-chat`).
 */
@customElement('parley-call-controls')
export class ParleyCallControls extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: contents;
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

  private unsubscribe: (() => void) | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('inCall')) this.follow();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.follow();
  }

  override disconnectedCallback(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    super.disconnectedCallback();
  }

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
    return html`<button id="chat-toggle" aria-pressed=${this.chatOpen ? 'true' : 'false'} @click=${this._onToggleChat}>
      ${IN_CALL_LABELS.chat()}${badge ? html`<span class="badge" id="unread" aria-label=${unreadText(unread)}>${unread}</span>` : nothing}
    </button>`;
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
