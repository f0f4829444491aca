import { localized } from '@lit/localize';
import { css, html, LitElement } from 'lit';
import { touchTargets } from './page-styles.js';
import { customElement, property } from 'lit/decorators.js';
import type { CallKind } from '@parley/functions/protocol';
import { ICE, relayOnly } from '../ice.js';
import { rememberHideMyIp } from '../settings.js';
import { LABELS } from './messages.js';

/**
 * "Hide my IP": every call relayed (iceTransportPolicy 'relay'), so the other
 * person learns the relay's address, never this person's. Shows the choice
 * for calls of `kind` (the person's own, else the deployment's default) and
 * remembers a change; a call reads it when it starts, so a change applies to
 * the next call.
 */
@customElement('parley-hide-ip')
@localized()
export class ParleyHideIp extends LitElement {
  static override styles = [
    touchTargets,
    css`
      /* The size on the host, not the label: the host's own line then matches the label's. */
      :host {
        display: inline-grid;
        font-size: 0.9rem;
        max-width: 18rem;
      }
      /* A phone gives it a line of its own: the sentence may take all of it
         (a line less of header in the longer languages). */
      @media (max-width: 40rem) {
        :host {
          max-width: none;
        }
      }
      label {
        white-space: nowrap;
      }
      /* What the choice does, said where it is set (not only in a tooltip). */
      #hide-ip-says {
        font-size: 0.8rem;
        color: var(--parley-muted);
      }
    `,
  ];

  /** Which kind of call the choice is shown for: the deployment's default applies to random calls only. */
  @property() kind: CallKind = 'random';

  /** Locked while a call is going on, which keeps its own setting. */
  @property({ type: Boolean }) disabled = false;

  /** The deployment's relay-only default arrives with the relay's servers: show it. */
  private stopWatchingIce: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopWatchingIce = ICE.onChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    this.stopWatchingIce?.();
    this.stopWatchingIce = null;
    super.disconnectedCallback();
  }

  override render() {
    const on = relayOnly(this.kind);
    const says = on ? LABELS.hideMyIpOn() : LABELS.hideMyIpOff();
    return html`<label title=${LABELS.hideMyIpTitle()}>
        <input
          type="checkbox"
          id="hide-ip"
          aria-describedby="hide-ip-says"
          .checked=${on}
          ?disabled=${this.disabled}
          @change=${this._onChange}
        />
        ${LABELS.hideMyIp()}
      </label>
      <span id="hide-ip-says">${says} ${LABELS.hideMyIpNextCall()}</span>`;
  }

  private _onChange(e: Event): void {
    rememberHideMyIp((e.target as HTMLInputElement).checked);
    this.requestUpdate();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-hide-ip': ParleyHideIp;
  }
}
