/**
 * The words of call quality: the indicator on a remote video, the statistics
 * panel in plain units. A table beside in-call-messages.ts, loaded with the
 * in-call chunk (what a paused video says is in video-off-messages.ts: the
 * page itself shows it). Pure.
 */
import { msg, str } from '@lit/localize';
import type { LinkRoute, LinkSample, VideoFigures } from '../features/link-stats.js';
import type { QualityCause, QualityLevel } from '../features/quality-policy.js';
import { pageLocale } from './messages.js';

const LEVEL: { readonly [L in QualityLevel]: () => string } = {
  good: () => msg('Connection good'),
  fair: () => msg('Connection fair'),
  poor: () => msg('Connection poor'),
};

const CAUSE: { readonly [C in QualityCause]: () => string } = {
  'high-loss': () => msg('high packet loss'),
  'slow-network': () => msg('slow network'),
  relayed: () => msg('relayed'),
};

/**
 * The indicator's accessible name and tooltip, e.g. "Connection fair: high
 * packet loss". A relay the person chose (Hide my IP) is said as such: it is
 * a choice, not a fault.
 */
export function qualityName(level: QualityLevel, cause: QualityCause | null, relayByChoice: boolean): string {
  if (cause === null) return LEVEL[level]();
  const why = cause === 'relayed' && relayByChoice ? msg('relayed by choice (Hide my IP)') : CAUSE[cause]();
  return msg(str`${LEVEL[level]()}: ${why}`);
}

export const QUALITY_LABELS = {
  statistics: () => msg('Connection statistics'),
  direct: () => msg('Direct'),
  directTitle: () => msg('This call goes straight between the two devices: each can see the other’s IP address.'),
  relayed: () => msg('Relayed'),
  relayedTitle: () => msg('This call goes through our relay: the other person sees the relay’s address, not yours.'),
  roundTrip: () => msg('Round trip'),
  packetLoss: () => msg('Packet loss'),
  jitter: () => msg('Jitter'),
  bitrate: () => msg('Bitrate'),
  videoIn: () => msg('Video received'),
  videoOut: () => msg('Video sent'),
  codec: () => msg('Codec'),
  route: () => msg('Connection'),
  unknown: () => '–',
  measuring: () => msg('Measuring…'),
} as const satisfies Readonly<Record<string, () => string>>;

function unit(value: number, name: string, digits = 0): string {
  return new Intl.NumberFormat(pageLocale(), {
    style: 'unit',
    unit: name,
    unitDisplay: 'short',
    maximumFractionDigits: digits,
  }).format(value);
}

/** Milliseconds, e.g. "120 ms". */
function formatMs(ms: number | null): string {
  return ms === null ? QUALITY_LABELS.unknown() : unit(Math.round(ms), 'millisecond');
}

/** A fraction as a percentage, e.g. "2.5 %". */
function formatLoss(fraction: number | null): string {
  return fraction === null
    ? QUALITY_LABELS.unknown()
    : new Intl.NumberFormat(pageLocale(), { style: 'percent', maximumFractionDigits: 1 }).format(fraction);
}

/**
 * Bits per second in the unit that reads best: "850 kbit/s", "1.2 Mbit/s".
 * Written out rather than Intl's "kb/s", which people misread as kilobytes.
 */
function formatBitrate(bps: number | null): string {
  if (bps === null) return QUALITY_LABELS.unknown();
  const number = (n: number, digits: number) => new Intl.NumberFormat(pageLocale(), { maximumFractionDigits: digits }).format(n);
  return bps >= 1_000_000 ? `${number(bps / 1_000_000, 1)} Mbit/s` : `${number(bps / 1_000, 0)} kbit/s`;
}

/** "640×480, 30 fps"; "–" without video. */
function formatVideo(v: VideoFigures | null): string {
  if (v === null) return QUALITY_LABELS.unknown();
  return `${v.width}×${v.height}, ${new Intl.NumberFormat(pageLocale(), { maximumFractionDigits: 0 }).format(v.fps)} fps`;
}

function routeText(route: LinkRoute | null, relayByChoice: boolean): string {
  if (route === null) return QUALITY_LABELS.unknown();
  if (route === 'direct') return QUALITY_LABELS.direct();
  return relayByChoice ? msg('Relayed, by choice (Hide my IP)') : QUALITY_LABELS.relayed();
}

/** "in 2 %, out 0 %" for a pair of figures, each direction worded. */
function inOut(incoming: string, outgoing: string): string {
  return msg(str`in ${incoming}, out ${outgoing}`);
}

/** The statistics panel's rows, label and value, for one link's latest sample. */
export function statisticsRows(s: LinkSample, relayByChoice: boolean): Array<[string, string]> {
  const codec =
    s.codecIn === s.codecOut || s.codecOut === null ? s.codecIn : s.codecIn === null ? s.codecOut : inOut(s.codecIn, s.codecOut);
  return [
    [QUALITY_LABELS.roundTrip(), formatMs(s.rttMs)],
    [QUALITY_LABELS.packetLoss(), inOut(formatLoss(s.lossIn), formatLoss(s.lossOut))],
    [QUALITY_LABELS.jitter(), formatMs(s.jitterMs)],
    [QUALITY_LABELS.bitrate(), inOut(formatBitrate(s.bitrateIn), formatBitrate(s.bitrateOut))],
    [QUALITY_LABELS.videoIn(), formatVideo(s.videoIn)],
    [QUALITY_LABELS.videoOut(), formatVideo(s.videoOut)],
    [QUALITY_LABELS.codec(), codec ?? QUALITY_LABELS.unknown()],
    [QUALITY_LABELS.route(), routeText(s.route, relayByChoice)],
  ];
}
