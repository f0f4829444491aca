/**
 * The page's camera and microphone: the one place that asks the browser for
 * them (getUserMedia), and the one LocalMedia every call of the page sends
 * (engine/local-media.ts). The connection check asks through here too.
 * The camera and microphone a person chose are asked for first (a device
 * that is gone falls back to another: features/device-choice.ts).
 */
import { MEDIA_CONSTRAINTS, SCREEN_CONSTRAINTS } from './config.js';
import { LocalMedia, type MediaKind } from './engine/local-media.js';
import { constraintsWith, parseChoices, serializeChoices, type DeviceChoices } from './features/device-choice.js';
import { recall, remember } from './settings.js';

/** getUserMedia, failing as an insecure page would where the API is missing (no camera on http://, old browsers). */
export function requestMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    return Promise.reject(new DOMException('getUserMedia is unavailable here', 'SecurityError'));
  }
  return navigator.mediaDevices.getUserMedia(constraints);
}

/** Whether this browser can share a screen (getDisplayMedia: not on phones, nor on an insecure page). */
export function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** Asks the browser for a tab, a window or a screen to share (its own picker). */
export function requestScreen(): Promise<MediaStream> {
  return navigator.mediaDevices.getDisplayMedia(SCREEN_CONSTRAINTS);
}

/** Where the chosen camera, microphone and speaker are remembered (device-choice.ts's text). */
const DEVICES_STORAGE_KEY = 'parley.devices';

/** The devices the person chose, as remembered on this device. */
export function deviceChoices(): DeviceChoices {
  return parseChoices(recall(DEVICES_STORAGE_KEY));
}

export function rememberDeviceChoices(choices: DeviceChoices): void {
  remember(DEVICES_STORAGE_KEY, serializeChoices(choices));
}

/** One track of `kind`, from `deviceId` exactly (a switch), or the browser's choice (null: after a device went away). */
async function requestTrack(kind: MediaKind, deviceId: string | null): Promise<MediaStreamTrack> {
  const base = MEDIA_CONSTRAINTS[kind];
  const constraints: MediaTrackConstraints = {
    ...(typeof base === 'object' ? base : {}),
    ...(deviceId === null ? {} : { deviceId: { exact: deviceId } }),
  };
  const stream = await requestMedia({ [kind]: constraints });
  const track = stream.getTracks()[0];
  if (!track) throw new DOMException(`no ${kind} track`, 'NotFoundError');
  return track;
}

/** One per page: random chat and calls by link send the same stream, one at a time. */
export const MEDIA = new LocalMedia(() => requestMedia(constraintsWith(MEDIA_CONSTRAINTS, deviceChoices())), requestTrack);
