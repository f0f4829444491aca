import { localized } from '@lit/localize';
import { REPORT_REASONS, type ReportReason } from '@parley/functions/protocol';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { sharedStyles } from './page-styles.js';
import { CONFIRM_WORDS, IN_CALL_LABELS, REASON_LABELS } from './in-call-messages.js';
import type { ModerationTarget } from './messages.js';

/** What the person confirmed: a report with its reason, or a block. */
export type ModerationRequest = { readonly action: 'report'; readonly reason: ReportReason } | { readonly action: 'block' };

/**
 * The confirmation before a Report (with a reason) or a Block: what will
 * happen, and the buttons to do it or not. Says what the person chose with
 * `parley-moderate`, or `parley-cancel`; the page acts on it.
 *
 * A modal <dialog> (showModal): it takes focus (the reason, or the button
 * that does it), keeps Tab inside, leaves the page behind it inert, and
 * Escape cancels, as a screen reader and a keyboard expect of a dialog.
 */
@customElement('parley-report-dialog')
@localized()
export class ParleyReportDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      /* No box of its own: the dialog is in the top layer, and an empty host would push the page down. */
      :host {
        display: contents;
      }
      dialog {
        background: var(--parley-surface);
        color: var(--parley-text);
        border: 1px solid var(--parley-border);
        border-radius: 0.5rem;
        padding: 0.75rem 1rem;
        max-width: min(28rem, calc(100vw - 2rem));
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 45%);
      }
      .confirm {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .confirm select,
      .confirm button {
        min-height: 44px;
      }
      .confirm p {
        flex-basis: 100%;
        margin: 0;
      }
      button.danger {
        border-color: #b3261e;
        background: #b3261e;
        color: #fff;
      }
    `,
  ];

  @property() action: 'report' | 'block' = 'report';

  /** The stranger in the call (it ends at once), or the last one. */
  @property() target: ModerationTarget = 'current';

  @state() private reason: ReportReason = 'harassment';

  @query('dialog') private dialog!: HTMLDialogElement;

  override render() {
    const words = CONFIRM_WORDS[this.action][this.target];
    return html`<dialog id="confirm" aria-labelledby="title" aria-describedby="consequence" @close=${this._onClose}>
      <form class="confirm" @submit=${this._onSubmit}>
        <p><strong id="title">${words.title()}</strong> <span id="consequence">${words.consequence()}</span></p>
        ${
          this.action === 'report'
            ? html`<label
                >${IN_CALL_LABELS.reason()}
                <select id="reason" autofocus .value=${this.reason} @change=${this._onReasonChange}>
                  ${REPORT_REASONS.map(
                    (r) => html`<option value=${r} ?selected=${r === this.reason}>${REASON_LABELS[r]()}</option>`,
                  )}
                </select></label
              >`
            : nothing
        }
        <button id="confirm-${this.action}" class="danger" type="submit" ?autofocus=${this.action === 'block'}>
          ${words.submit()}
        </button>
        <button id="cancel" type="button" @click=${this._onCancel}>${IN_CALL_LABELS.cancel()}</button>
      </form>
    </dialog>`;
  }

  override firstUpdated(): void {
    // Modal where it can be (a page not yet in a document cannot): the top
    // layer, focus inside, Escape.
    if (this.isConnected && !this.dialog.open) this.dialog.showModal();
  }

  /** Whether the page has been told (a choice or Cancel): a close after that says nothing more. */
  private told = false;

  /** Closed by Escape (the browser closes a modal dialog itself): as Cancel. */
  private _onClose(): void {
    if (!this.told) this._onCancel();
  }

  private _onReasonChange(e: Event): void {
    this.reason = (e.target as HTMLSelectElement).value as ReportReason;
  }

  private _onSubmit(e: Event): void {
    e.preventDefault();
    const detail: ModerationRequest = this.action === 'report' ? { action: 'report', reason: this.reason } : { action: 'block' };
    this.told = true;
    this.dispatchEvent(new CustomEvent('parley-moderate', { detail, bubbles: true, composed: true }));
  }

  private _onCancel(): void {
    this.told = true;
    this.dispatchEvent(new CustomEvent('parley-cancel', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-report-dialog': ParleyReportDialog;
  }
  interface GlobalEventHandlersEventMap {
    /** The person confirmed a Report (with its reason) or a Block. */
    'parley-moderate': CustomEvent<ModerationRequest>;
    /** The person closed a confirmation without acting. */
    'parley-cancel': CustomEvent<undefined>;
  }
}
