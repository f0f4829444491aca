import { localized } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { codePoints, MAX_CHAT_CHARS } from '../engine/channel-messages.js';
import type { CallChat, SendRefusal } from '../features/chat.js';
import { chatAuthorName, chatEmptyText, deliveryText, IN_CALL_LABELS as LABELS, SEND_REFUSAL } from './in-call-messages.js';
import { sharedStyles } from './page-styles.js';

/** The part of a chat the panel shows and drives (features/chat.ts). */
export type ChatView = Pick<CallChat, 'entries' | 'canSend' | 'send' | 'markRead' | 'onChange'>;

/**
 * The text chat beside the video, for random chat and calls by link alike:
 * the conversation (each message's author, its text as text, never as
 * markup, and what became of one's own), a box to type in (Enter sends,
 * Shift+Enter starts a new line) and, in a call by link, the name to show
 * the others. Renders a chat (features/chat.ts); says when the person
 * changes their name (`parley-display-name`).
 */
@customElement('parley-chat')
@localized()
export class ParleyChat extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        background: var(--parley-surface);
        border: 1px solid var(--parley-line);
        border-radius: 0.75rem;
        overflow: hidden;
      }
      .log {
        flex: 1 1 auto;
        min-height: 0;
        overflow-y: auto;
        margin: 0;
        padding: 0.5rem 0.75rem;
        list-style: none;
        display: flex;
        flex-direction: column;
        gap: 0.4rem;
      }
      .empty {
        color: var(--parley-muted);
        font-size: 0.85rem;
        margin: auto 0;
        text-align: center;
      }
      .msg {
        max-width: 85%;
        align-self: flex-start;
        background: var(--parley-surface-2);
        border-radius: 0.6rem;
        padding: 0.3rem 0.6rem;
      }
      .msg.you {
        align-self: flex-end;
        background: var(--parley-mine-bg);
      }
      .who {
        display: block;
        font-size: 0.75rem;
        color: var(--parley-muted);
      }
      /* Text as typed: line breaks kept, long words wrapped. */
      .text {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .state {
        display: block;
        font-size: 0.75rem;
        color: var(--parley-muted);
      }
      .state.failed {
        color: var(--parley-danger);
      }
      form {
        display: flex;
        gap: 0.4rem;
        padding: 0.5rem;
        border-top: 1px solid var(--parley-line);
      }
      textarea {
        flex: 1 1 auto;
        min-width: 0;
        font: inherit;
        resize: none;
        padding: 0.4rem 0.5rem;
        border: 1px solid var(--parley-border);
        border-radius: 0.5rem;
      }
      /* Send keeps its whole word (Malayalam's is 8 characters wide); the text box takes what is left. */
      form button {
        flex: 0 0 auto;
        padding: 0.4rem 0.9rem;
      }
      /* One line, as the box is one row: a long placeholder (Tamil, Malayalam) ends in … instead of a cut second line. */
      textarea::placeholder {
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .notice {
        margin: 0 0.5rem 0.4rem;
        font-size: 0.8rem;
        color: var(--parley-danger);
      }
      label.name {
        display: grid;
        gap: 0.2rem;
        padding: 0.5rem 0.75rem 0;
        font-size: 0.8rem;
        color: var(--parley-muted);
      }
      label.name input {
        font: inherit;
        font-size: 0.9rem;
        padding: 0.3rem 0.5rem;
        border: 1px solid var(--parley-border);
        border-radius: 0.4rem;
      }
    `,
  ];

  /** The conversation to show; null before a call has one. */
  @property({ attribute: false }) chat: ChatView | null = null;

  /** Random chat names the other person "Stranger"; a call by link numbers members and lets one choose a name. */
  @property() kind: 'random' | 'link' = 'random';

  /** The name this person shows in calls by link (calls by link only). */
  @property({ attribute: false }) displayName: string | null = null;

  /** Whether the panel is on screen: what arrives meanwhile is read. */
  @property({ type: Boolean }) visible = true;

  @state() private draft = '';
  @state() private refusal: { readonly reason: SendRefusal; readonly length: number } | null = null;

  @query('.log') private log!: HTMLElement | null;

  private unsubscribe: (() => void) | null = null;
  private shownEntries = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('chat')) {
      this.unsubscribe?.();
      this.unsubscribe = this.chat?.onChange(() => this.requestUpdate()) ?? null;
      this.refusal = null;
    }
    // What is on screen is read (before rendering, so the change needs no second update).
    if (this.visible) this.chat?.markRead();
  }

  override disconnectedCallback(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    super.disconnectedCallback();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = this.chat?.onChange(() => this.requestUpdate()) ?? null;
  }

  override render() {
    const chat = this.chat;
    const entries = chat?.entries ?? [];
    const over = codePoints(this.draft.trim()) > MAX_CHAT_CHARS;
    return html`
      ${
        this.kind === 'link'
          ? html`<label class="name">
              ${LABELS.displayName()}
              <input
                id="display-name"
                maxlength="40"
                autocomplete="nickname"
                placeholder=${LABELS.displayNamePlaceholder()}
                .value=${this.displayName ?? ''}
                @change=${this._onName}
              />
            </label>`
          : nothing
      }
      <!-- Reachable by keyboard (tabindex), so that a log taller than its box can be scrolled without a mouse. -->
      <ol class="log" id="chat-log" aria-live="polite" tabindex="0" aria-label=${LABELS.chat()}>
        ${entries.length === 0 ? html`<li class="empty">${chatEmptyText(this.kind)}</li>` : nothing}
        ${entries.map((e) => {
          const state = e.delivery ? deliveryText(e.delivery) : '';
          return html`<li class="msg ${e.author.kind === 'you' ? 'you' : 'them'}" data-key=${e.key}>
            <span class="who">${chatAuthorName(e.author)}</span>
            <span class="text">${e.text}</span>
            ${
              state
                ? html`<span
                    class="state ${e.delivery?.status === 'not-delivered' ? 'failed' : ''}"
                    data-delivery=${e.delivery!.status}
                    >${state}</span
                  >`
                : nothing
            }
          </li>`;
        })}
      </ol>
      ${
        this.refusal || over
          ? html`<p class="notice" role="status">
              ${
                over
                  ? SEND_REFUSAL['too-long'](codePoints(this.draft.trim()))
                  : SEND_REFUSAL[this.refusal!.reason](this.refusal!.length)
              }
            </p>`
          : nothing
      }
      <form @submit=${this._onSubmit}>
        <textarea
          id="chat-input"
          rows="1"
          aria-label=${LABELS.chatInput()}
          placeholder=${LABELS.chatPlaceholder()}
          .value=${this.draft}
          ?disabled=${!chat?.canSend}
          @input=${this._onInput}
          @keydown=${this._onKeyDown}
        ></textarea>
        <button id="chat-send" type="submit" ?disabled=${!chat?.canSend || over}>${LABELS.send()}</button>
      </form>
    `;
  }

  protected override updated(): void {
    const count = this.chat?.entries.length ?? 0;
    if (count !== this.shownEntries) {
      this.shownEntries = count;
      // Follow the conversation: the newest message in view.
      if (this.log) this.log.scrollTop = this.log.scrollHeight;
    }
  }

  /** Puts the cursor in the message box (the page's shortcut for it). */
  override focus(): void {
    this.renderRoot.querySelector<HTMLTextAreaElement>('#chat-input')?.focus();
  }

  private _onInput(e: Event): void {
    this.draft = (e.target as HTMLTextAreaElement).value;
    this.refusal = null;
  }

  private _onKeyDown(e: KeyboardEvent): void {
    // Enter sends; Shift+Enter is a new line; an input method composing a word keeps its Enter.
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
    e.preventDefault();
    this.sendDraft();
  }

  private _onSubmit(e: Event): void {
    e.preventDefault();
    this.sendDraft();
  }

  private sendDraft(): void {
    const chat = this.chat;
    if (!chat) return;
    const refusal = chat.send(this.draft);
    if (refusal === null || refusal === 'empty') {
      if (refusal === null) this.draft = '';
      this.refusal = null;
    } else {
      this.refusal = { reason: refusal, length: codePoints(this.draft.trim()) };
    }
  }

  private _onName(e: Event): void {
    const name = (e.target as HTMLInputElement).value.trim();
    this.dispatchEvent(new CustomEvent('parley-display-name', { detail: { name: name || null }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-chat': ParleyChat;
  }
  interface GlobalEventHandlersEventMap {
    /** The person set (or cleared, null) the name they show in calls by link. */
    'parley-display-name': CustomEvent<{ readonly name: string | null }>;
  }
}
