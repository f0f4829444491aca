import { localized } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { LocalMedia, MediaKind } from '../engine/local-media.js';
import { pickDevice, withChoice, type DeviceInfo, type DeviceKind } from '../features/device-choice.js';
import { deviceChoices, rememberDeviceChoices } from '../media.js';
import { DEVICE_FAILED, DEVICE_KIND, IN_CALL_LABELS, unnamedDevice } from './in-call-messages.js';
import { sharedStyles } from './page-styles.js';

/** Whether this browser can send a page's sound to a chosen speaker (HTMLMediaElement.setSinkId: not Safari, not Firefox before 116). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** The camera or microphone a picker switches. */
const TRACK_KIND: Readonly<Record<'videoinput' | 'audioinput', MediaKind>> = { videoinput: 'video', audioinput: 'audio' };

/**
 * Choosing the camera, microphone and (where the browser can) speaker,
 * before a call and during one, with a mirrored preview of the camera. A
 * camera or microphone chosen during a call is swapped on every link without
 * renegotiating (LocalMedia.useDevice); every choice is remembered on this
 * device for the next visit. Says when the person picks a speaker
 * (`parley-speaker`): the page sends its sound there.
 */
@customElement('parley-devices')
@localized()
export class ParleyDevices extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: minmax(8rem, 12rem) 1fr;
        gap: 0.75rem;
        padding: 0.75rem;
        border: 1px solid var(--parley-line);
        border-radius: 0.75rem;
        background: var(--parley-surface);
      }
      /*
       * A phone: a small preview beside the pickers, so that all three fit
       * on the screen with the call (a full-width preview pushed the
       * microphone and speaker pickers below the fold).
       */
      @media (max-width: 40rem) {
        :host {
          grid-template-columns: 6rem minmax(0, 1fr);
          gap: 0.5rem;
          padding: 0.5rem;
        }
        .pickers {
          gap: 0.3rem;
        }
      }
      video {
        width: 100%;
        aspect-ratio: 4 / 3;
        object-fit: cover;
        background: #222;
        border-radius: 0.5rem;
        transform: scaleX(-1); /* a mirror, as people expect to see themselves */
      }
      .pickers {
        display: grid;
        gap: 0.5rem;
        align-content: start;
      }
      label {
        display: grid;
        gap: 0.2rem;
        font-size: 0.85rem;
        color: var(--parley-muted);
      }
      select {
        font: inherit;
        width: 100%;
        min-width: 0;
        padding: 0.35rem;
        border-radius: 0.4rem;
      }
      .problem {
        margin: 0;
      }
    `,
  ];

  /** The page's camera and microphone. */
  @property({ attribute: false }) media: LocalMedia | null = null;

  /** The speaker the page's sound goes to (a device id), or null for the browser's default. */
  @property({ attribute: false }) speaker: string | null = null;

  @state() private devices: readonly DeviceInfo[] = [];
  @state() private failed: MediaKind | 'speaker' | null = null;

  private unsubscribe: (() => void) | null = null;
  private readonly onDeviceChange = () => void this.listDevices();

  override connectedCallback(): void {
    super.connectedCallback();
    navigator.mediaDevices?.addEventListener('devicechange', this.onDeviceChange);
    void this.listDevices();
  }

  override disconnectedCallback(): void {
    navigator.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
    this.unsubscribe?.();
    this.unsubscribe = null;
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('media')) {
      this.unsubscribe?.();
      // A new stream (names appear once the camera is allowed), a device switched or lost.
      this.unsubscribe =
        this.media?.onChange(() => {
          this.requestUpdate();
          void this.listDevices();
        }) ?? null;
    }
  }

  override render() {
    const stream = this.media?.stream ?? null;
    return html`
      <video id="preview" autoplay playsinline muted aria-label=${IN_CALL_LABELS.preview()} .srcObject=${stream}></video>
      <div class="pickers">
        ${this.picker('videoinput', this.media?.deviceOf('video') ?? null)}
        ${this.picker('audioinput', this.media?.deviceOf('audio') ?? null)}
        ${canChooseSpeaker() ? this.picker('audiooutput', this.speaker) : nothing}
        ${this.failed ? html`<p class="problem" role="alert">${DEVICE_FAILED[this.failed]()}</p>` : nothing}
      </div>
    `;
  }

  private picker(kind: DeviceKind, current: string | null) {
    const ofKind = this.devices.filter((d) => d.kind === kind && d.deviceId !== '');
    // The browser's "default" entry stands for whichever device it prefers; the list names the real ones.
    const listed = ofKind.filter((d) => d.deviceId !== 'default' && d.deviceId !== 'communications');
    const selected = current !== null && listed.some((d) => d.deviceId === current) ? current : '';
    return html`<label>
      ${DEVICE_KIND[kind]()}
      <select
        id=${kind}
        .value=${selected}
        @change=${(e: Event) => void this.choose(kind, (e.target as HTMLSelectElement).value)}
      >
        <option value="" ?selected=${selected === ''}>${IN_CALL_LABELS.browserDefault()}</option>
        ${listed.map(
          (d, i) =>
            html`<option value=${d.deviceId} ?selected=${d.deviceId === selected}>
              ${d.label || unnamedDevice(kind, i + 1)}
            </option>`,
        )}
      </select>
    </label>`;
  }

  private async choose(kind: DeviceKind, deviceId: string): Promise<void> {
    const device = this.devices.find((d) => d.kind === kind && d.deviceId === deviceId) ?? null;
    this.failed = null;
    rememberDeviceChoices(withChoice(deviceChoices(), kind, device));
    if (kind === 'audiooutput') {
      this.dispatchEvent(
        new CustomEvent('parley-speaker', { detail: { deviceId: device?.deviceId ?? null }, bubbles: true, composed: true }),
      );
      return;
    }
    const trackKind = TRACK_KIND[kind];
    try {
      await this.media?.useDevice(trackKind, device?.deviceId ?? null);
    } catch (err) {
      console.warn('device not switched', err);
      this.failed = trackKind;
    }
    this.requestUpdate();
  }

  private async listDevices(): Promise<void> {
    try {
      this.devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
    } catch {
      this.devices = [];
    }
  }
}

/** The speaker remembered for this device, if the browser still lists it (ids may be reset; labels stay). */
export async function rememberedSpeaker(): Promise<string | null> {
  if (!canChooseSpeaker()) return null;
  const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
  return pickDevice(devices, 'audiooutput', deviceChoices().audiooutput);
}

declare global {
  interface HTMLElementTagNameMap {
    'parley-devices': ParleyDevices;
  }
  interface GlobalEventHandlersEventMap {
    /** The person chose where the page's sound goes (a device id; null: the browser's default). */
    'parley-speaker': CustomEvent<{ readonly deviceId: string | null }>;
  }
}
