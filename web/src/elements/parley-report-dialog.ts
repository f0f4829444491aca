import { REPORT_REASONS, type ReportReason } from '@parley/functions/protocol';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { sharedStyles } from './page-styles.js';
import { CONFIRM_WORDS, LABELS, REASON_LABELS, type ModerationTarget } from './messages.js';

/** What the person confirmed: a report with its reason, or a block. */
export type ModerationRequest = { readonly action: 'report'; readonly reason: ReportReason } | { readonly action: 'block' };

/**
 * The confirmation before a Report (with a reason) or a Block: what will
 * happen, and the buttons to do it or not. Says what the person chose with
 * `parley-moderate`, or `parley-cancel`; the page acts on it.
 */
@customElement('parley-report-dialog')
export class ParleyReportDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .confirm {
        border: 1px solid var(--parley-border);
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

  override render() {
    const words = CONFIRM_WORDS[this.action][this.target];
    const title = words.title();
    return html`<form id="confirm" class="confirm" role="dialog" aria-label=${title} @submit=${this._onSubmit}>
      <p><strong>${title}</strong> ${words.consequence()}</p>
      ${
        this.action === 'report'
          ? html`<label
              >${LABELS.reason()}
              <select id="reason" .value=${this.reason} @change=${this._onReasonChange}>
                ${REPORT_REASONS.map((r) => html`<option value=${r} ?selected=${r === this.reason}>${REASON_LABELS[r]()}</option>`)}
              </select></label
            >`
          : nothing
      }
      <button id="confirm-${this.action}" class="danger" type="submit">${words.submit()}</button>
      <button id="cancel" type="button" @click=${this._onCancel}>${LABELS.cancel()}</button>
    </form>`;
  }

  private _onReasonChange(e: Event): void {
    this.reason = (e.target as HTMLSelectElement).value as ReportReason;
  }

  private _onSubmit(e: Event): void {
    e.preventDefault();
    const detail: ModerationRequest = this.action === 'report' ? { action: 'report', reason: this.reason } : { action: 'block' };
    this.dispatchEvent(new CustomEvent('parley-moderate', { detail, bubbles: true, composed: true }));
  }

  private _onCancel(): void {
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
