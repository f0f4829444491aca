import { localized } from '@lit/localize';
import { css, html, LitElement, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { MemberQuality } from '../features/call-quality.js';
import type { QualityLevel } from '../features/quality-policy.js';
import { QUALITY_LABELS, qualityName, statisticsRows } from './quality-messages.js';

/** Three bars, as many lit as the level is good: the signal icon people know from phones. */
const LIT: { readonly [L in QualityLevel]: number } = { good: 3, fair: 2, poor: 1 };

function bars(level: QualityLevel) {
  const lit = LIT[level];
  return svg`<svg viewBox="0 0 18 16" width="18" height="16" aria-hidden="true">
    ${[0, 1, 2].map(
      (i) =>
        svg`<rect x=${i * 6 + 1} y=${11 - i * 5} width="4" height=${5 + i * 5} rx="1" class=${i < lit ? 'on' : 'off'}></rect>`,
    )}
  </svg>`;
}

/**
 * The quality of the link to one other member, over their video: an icon
 * (good / fair / poor) whose accessible name and tooltip say the level and
 * its main cause; pressing it shows the link's statistics in plain units.
 */
@customElement('parley-link-quality')
@localized()
export class ParleyLinkQuality extends LitElement {
  static override styles = css`
    :host {
      position: absolute;
      top: 0.25rem;
      right: 0.25rem;
      z-index: 1;
      display: flex;
      flex-direction: column;
      align-items: flex-end;
      gap: 0.25rem;
      font-size: 0.8rem;
      color: #fff;
    }
    .row {
      display: flex;
      gap: 0.25rem;
      align-items: center;
    }
    /* Whether this call is relayed, in words: Hide my IP made visible. */
    .route {
      padding: 0.2rem 0.45rem;
      border-radius: 0.4rem;
      background: #0009;
      line-height: 1.2;
    }
    /* A 44 px target (a thumb's), drawn as the small badge inside it. */
    button {
      display: grid;
      place-items: center;
      min-width: 2.75rem;
      min-height: 2.75rem;
      padding: 0;
      border: none;
      border-radius: 0.4rem;
      background: none;
      color: inherit;
      cursor: pointer;
    }
    button svg {
      box-sizing: content-box;
      padding: 0.3rem;
      border-radius: 0.4rem;
      background: #0009;
    }
    button:focus-visible {
      outline: 2px solid #fff;
    }
    rect.off {
      fill: #fff5;
    }
    [data-level='good'] rect.on {
      fill: #6dd58c;
    }
    [data-level='fair'] rect.on {
      fill: #f6c344;
    }
    [data-level='poor'] rect.on {
      fill: #ff7a6e;
    }
    dl {
      margin: 0;
      padding: 0.5rem 0.75rem;
      border-radius: 0.5rem;
      background: #000c;
      display: grid;
      grid-template-columns: auto auto;
      gap: 0.15rem 0.75rem;
    }
    dt {
      color: #ccc;
    }
    dd {
      margin: 0;
      font-variant-numeric: tabular-nums;
    }
  `;

  /** The link's quality (features/call-quality.ts); nothing shows without one. */
  @property({ attribute: false }) quality: MemberQuality | null = null;

  /** The page relays every call because the person chose Hide my IP: a relay is then no fault. */
  @property({ type: Boolean, attribute: 'relay-by-choice' }) relayByChoice = false;

  @state() private _open = false;

  override render() {
    const q = this.quality;
    if (!q) return nothing;
    const name = qualityName(q.level, q.cause, this.relayByChoice);
    const route = q.sample?.route ?? null;
    return html`<div class="row">
        ${
          route === null
            ? nothing
            : html`<span
                id="route"
                class="route"
                data-route=${route}
                title=${route === 'relayed' ? QUALITY_LABELS.relayedTitle() : QUALITY_LABELS.directTitle()}
                >${route === 'relayed' ? QUALITY_LABELS.relayed() : QUALITY_LABELS.direct()}</span
              >`
        }
        <button
          class="indicator"
          data-level=${q.level}
          aria-label=${name}
          title=${name}
          aria-expanded=${this._open ? 'true' : 'false'}
          aria-controls="statistics"
          @click=${this._onToggle}
        >
          ${bars(q.level)}
        </button>
      </div>
      ${
        this._open
          ? html`<dl id="statistics" aria-label=${QUALITY_LABELS.statistics()}>
              ${
                q.sample
                  ? statisticsRows(q.sample, this.relayByChoice).map(
                      ([label, value]) =>
                        html`<dt>${label}</dt>
                          <dd>${value}</dd>`,
                    )
                  : html`<dt>${QUALITY_LABELS.measuring()}</dt>
                      <dd></dd>`
              }
            </dl>`
          : nothing
      }`;
  }

  private _onToggle(): void {
    this._open = !this._open;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-link-quality': ParleyLinkQuality;
  }
}
