import { css, html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { DATA_USE } from '../data-use.js';
import { LABELS } from './messages.js';

/**
 * "Audio only" and "Data saver": the person's choices about how much data a
 * call uses (data-use.ts), remembered, and applied at once, to the call
 * going on too (features/data-use.ts). Unlike Hide my IP, never locked.
 */
@customElement('parley-data-use')
export class ParleyDataUse extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      font-size: 0.9rem;
      white-space: nowrap;
    }
  `;

  private stop: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stop = DATA_USE.onChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    this.stop?.();
    this.stop = null;
    super.disconnectedCallback();
  }

  override render() {
    const { audioOnly, dataSaver } = DATA_USE.choice;
    return html`<label title=${LABELS.audioOnlyTitle()}>
        <input
          type="checkbox"
          id="audio-only"
          .checked=${audioOnly}
          @change=${(e: Event) => DATA_USE.set({ audioOnly: (e.target as HTMLInputElement).checked })}
        />
        ${LABELS.audioOnly()}
      </label>
      <label title=${LABELS.dataSaverTitle()}>
        <input
          type="checkbox"
          id="data-saver"
          .checked=${dataSaver}
          @change=${(e: Event) => DATA_USE.set({ dataSaver: (e.target as HTMLInputElement).checked })}
        />
        ${LABELS.dataSaver()}
      </label>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-data-use': ParleyDataUse;
  }
}
