import { localized } from '@lit/localize';
import { css, html, LitElement } from 'lit';
import { touchTargets } from './page-styles.js';
import { customElement } from 'lit/decorators.js';
import { DATA_USE } from '../data-use.js';
import type { DataUseChoice } from '../features/data-use.js';
import { LABELS } from './messages.js';

/**
 * "Audio only" and "Data saver": the person's choices about how much data a
 * call uses (data-use.ts), remembered, and applied at once, to the call
 * going on too (features/data-use.ts). Unlike Hide my IP, never locked.
 */
@customElement('parley-data-use')
@localized()
export class ParleyDataUse extends LitElement {
  static override styles = [
    touchTargets,
    css`
      :host {
        display: inline-flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        font-size: 0.9rem;
        white-space: nowrap;
      }
    `,
  ];

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
    return html`${this.choice('audio-only', 'audioOnly', LABELS.audioOnly(), LABELS.audioOnlyTitle())}
    ${this.choice('data-saver', 'dataSaver', LABELS.dataSaver(), LABELS.dataSaverTitle())}`;
  }

  /** One checkbox of the setting: `key`'s value, changed and remembered on a click. */
  private choice(id: string, key: keyof DataUseChoice, label: string, title: string) {
    return html`<label title=${title}>
      <input
        type="checkbox"
        id=${id}
        .checked=${DATA_USE.choice[key]}
        @change=${(e: Event) => DATA_USE.set({ [key]: (e.target as HTMLInputElement).checked })}
      />
      ${label}
    </label>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-data-use': ParleyDataUse;
  }
}
