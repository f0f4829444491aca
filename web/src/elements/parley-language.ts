import { localized, msg } from '@lit/localize';
import { css, html, LitElement } from 'lit';
import { touchTargets } from './page-styles.js';
import { customElement } from 'lit/decorators.js';
import { isLocaleCode, LOCALES, type LocaleCode } from '../locale.js';
import { pageLanguage, showLanguage } from './localization.js';

/**
 * The language picker: every language named in its own script, so that a
 * person who cannot read the page's present language still finds theirs.
 * A pick is remembered on the device and said with `parley-language-change`
 * (the shell lets the room follow it when the person chose no room).
 */
@customElement('parley-language')
@localized()
export class ParleyLanguage extends LitElement {
  static override styles = [
    touchTargets,
    css`
      :host {
        display: inline-block;
        font-size: 0.9rem;
      }
      select {
        font: inherit;
      }
    `,
  ];

  override render() {
    const current = pageLanguage();
    return html`<select id="language" aria-label=${msg('Language')} @change=${this._onChange}>
      ${LOCALES.map((l) => html`<option value=${l.code} lang=${l.code} ?selected=${l.code === current}>${l.name}</option>`)}
    </select>`;
  }

  private async _onChange(e: Event): Promise<void> {
    const code = (e.target as HTMLSelectElement).value;
    if (!isLocaleCode(code)) return;
    await showLanguage(code, { remembered: true });
    this.dispatchEvent(new CustomEvent('parley-language-change', { detail: { locale: code }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-language': ParleyLanguage;
  }
  interface GlobalEventHandlersEventMap {
    /** The person picked a language (already shown and remembered). */
    'parley-language-change': CustomEvent<{ readonly locale: LocaleCode }>;
  }
}
