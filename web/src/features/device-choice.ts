/**
 * Which camera, microphone and speaker a person chose, remembered between
 * visits, and which device to use from what the browser lists now. Pure:
 * the page stores the text (settings.ts) and asks the browser; tested
 * without a browser.
 *
 * A device id is stable for a site in one browser profile, but browsers
 * reset it (private windows, cleared site data, another profile), while the
 * label stays ("Logitech C920"): a choice is remembered with both and found
 * again by either.
 */

export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

/** One remembered choice. */
export interface DeviceChoice {
  readonly deviceId: string;
  readonly label: string;
}

export type DeviceChoices = Readonly<Partial<Record<DeviceKind, DeviceChoice>>>;

/** What the browser says about one device (MediaDeviceInfo's fields). */
export interface DeviceInfo {
  readonly kind: string;
  readonly deviceId: string;
  readonly label: string;
}

const KINDS: readonly DeviceKind[] = ['audioinput', 'videoinput', 'audiooutput'];

/** The longest id or label kept: anything longer is not a browser's (stored text may have been tampered with). */
const MAX_FIELD = 512;

/** The choices in stored text; nothing for text that is missing or not what `serializeChoices` wrote. */
export function parseChoices(text: string | null): DeviceChoices {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const out: Partial<Record<DeviceKind, DeviceChoice>> = {};
  for (const kind of KINDS) {
    const c = Object.prototype.hasOwnProperty.call(parsed, kind) ? (parsed as Record<string, unknown>)[kind] : undefined;
    if (typeof c !== 'object' || c === null) continue;
    const { deviceId, label } = c as Record<string, unknown>;
    if (
      typeof deviceId === 'string' &&
      typeof label === 'string' &&
      deviceId &&
      deviceId.length <= MAX_FIELD &&
      label.length <= MAX_FIELD
    ) {
      out[kind] = { deviceId, label };
    }
  }
  return out;
}

export function serializeChoices(choices: DeviceChoices): string {
  return JSON.stringify(choices);
}

/** `choices` with `kind` set to `device` (or forgotten, null: the browser's default). */
export function withChoice(choices: DeviceChoices, kind: DeviceKind, device: DeviceInfo | null): DeviceChoices {
  const next: Partial<Record<DeviceKind, DeviceChoice>> = { ...choices };
  if (device === null) delete next[kind];
  else next[kind] = { deviceId: device.deviceId, label: device.label };
  return next;
}

/**
 * The id of the remembered device of `kind` among `devices`: the same id,
 * else the same label (the id was reset); null when it is not there (use the
 * browser's default).
 */
export function pickDevice(devices: readonly DeviceInfo[], kind: DeviceKind, choice: DeviceChoice | undefined): string | null {
  if (!choice) return null;
  const ofKind = devices.filter((d) => d.kind === kind);
  const byId = ofKind.find((d) => d.deviceId === choice.deviceId);
  if (byId) return byId.deviceId;
  const byLabel = choice.label ? ofKind.find((d) => d.label === choice.label) : undefined;
  return byLabel?.deviceId ?? null;
}

/**
 * getUserMedia constraints that ask for the remembered camera and
 * microphone (`ideal`: a device that is gone falls back to another instead
 * of failing the call), on top of `base`.
 */
export function constraintsWith(base: MediaStreamConstraints, choices: DeviceChoices): MediaStreamConstraints {
  const pick = (kind: 'audio' | 'video', choice: DeviceChoice | undefined): boolean | MediaTrackConstraints | undefined => {
    const b = base[kind];
    if (!choice || b === false || b === undefined) return b;
    return { ...(typeof b === 'object' ? b : {}), deviceId: { ideal: choice.deviceId } };
  };
  return { audio: pick('audio', choices.audioinput), video: pick('video', choices.videoinput) };
}
