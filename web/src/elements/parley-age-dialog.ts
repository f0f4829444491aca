import { localized } from '@lit/localize';
import { css, html, LitElement } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { FRONT_DOOR } from './front-door-messages.js';
import { sharedStyles } from './page-styles.js';

/**
 * The 18+ confirmation before a first random chat: a modal <dialog> that
 * takes focus (on the confirmation) and closes on Escape. Says the answer
 * with `parley-age-answer` (`adult`: true only when confirmed; Escape and
 * Cancel say false); the page remembers it and starts, or does not.
 * Loaded on the first Start of a device that never confirmed, not with the
 * page.
 */
@customElement('parley-age-dialog')
@localized()
export class ParleyAgeDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      /* Nothing in the page's flow: the dialog opens in the top layer, and the stage keeps its size. */
      :host {
        display: contents;
      }
      dialog {
        max-width: min(28rem, calc(100vw - 2rem));
        box-sizing: border-box;
        padding: 1.25rem 1.5rem;
        border: 1px solid var(--parley-line);
        border-radius: 0.75rem;
        background: var(--parley-surface);
        color: var(--parley-text);
        font-family: inherit;
      }
      dialog::backdrop {
        background: #000a;
      }
      h2 {
        margin: 0 0 0.5rem;
        font-size: var(--parley-text-l);
      }
      p {
        margin: 0 0 0.75rem;
        line-height: 1.45;
      }
      a {
        color: var(--parley-link);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 1rem;
      }
      button {
        min-height: 2.75rem;
      }
    `,
  ];

  @query('dialog') private dialog!: HTMLDialogElement;

  /** What the person answered: closing the dialog any other way (Escape) counts as no. */
  private adult = false;

  override render() {
    return html`<dialog id="age" aria-labelledby="age-title" aria-describedby="age-text" @close=${this._onClose}>
      <h2 id="age-title">${FRONT_DOOR.ageTitle()}</h2>
      <p id="age-text">${FRONT_DOOR.ageText()}</p>
      <p><a href="/rules.html" target="_blank" rel="noopener">${FRONT_DOOR.readTheRules()}</a></p>
      <div class="actions">
        <button id="age-confirm" class="primary" autofocus @click=${this._onConfirm}>${FRONT_DOOR.ageConfirm()}</button>
        <button id="age-cancel" @click=${this._onCancel}>${FRONT_DOOR.ageCancel()}</button>
      </div>
    </dialog>`;
  }

  protected override firstUpdated(): void {
    this.dialog.showModal();
  }

  private _onConfirm(): void {
    this.adult = true;
    this.dialog.close();
  }

  private _onCancel(): void {
    this.dialog.close();
  }

  /** Closed by a button or by Escape (the dialog's own cancel): say which. */
  private _onClose(): void {
    this.dispatchEvent(new CustomEvent('parley-age-answer', { detail: { adult: this.adult }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-age-dialog': ParleyAgeDialog;
  }
  interface GlobalEventHandlersEventMap {
    /** The 18+ confirmation closed: `adult` when the person confirmed. */
    'parley-age-answer': CustomEvent<{ readonly adult: boolean }>;
  }
}
