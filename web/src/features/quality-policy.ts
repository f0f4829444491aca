/**
 * What a link's samples (link-stats.ts) mean for a person, and what the page
 * does about its own uplink. Pure: each decision is a state plus a
 * transition function, fed one sample at a time, tested on samples reduced
 * from real Chromium calls under shaped networks (test/fixtures/stats/).
 *
 * Two decisions, each with hysteresis so that a noisy second neither
 * alarms the person nor switches video off and on:
 * - `nextQuality`: good / fair / poor and its main cause, for the indicator
 *   on the other member's video. Worse shows after WORSE_AFTER samples in
 *   a row, better after BETTER_AFTER.
 * - `nextVideoPause`: whether to stop sending video on the link because the
 *   uplink cannot carry it, and when to try again.
 */
import type { LinkSample } from './link-stats.js';

/** How a link is, as the indicator shows it. */
export const QualityLevel = { good: 'good', fair: 'fair', poor: 'poor' } as const;
export type QualityLevel = (typeof QualityLevel)[keyof typeof QualityLevel];

/** The main reason a link is not good (or, for a good one, `relayed` when it goes through the relay). Elements word them. */
export type QualityCause = 'high-loss' | 'slow-network' | 'relayed';

/**
 * Packet loss, fraction of packets, in either direction. Opus with in-band
 * FEC hides a few per cent; past about 5 % speech breaks up audibly and video
 * stutters while it waits for retransmissions, and past 15 % a call is hard
 * to follow. (Nextcloud Talk grades video loss at 10/20/30 %; audio, which
 * is what keeps a call going, suffers earlier.)
 */
const LOSS_FAIR = 0.05;
const LOSS_POOR = 0.15;

/**
 * Round-trip time, ms. Past ~400 ms people start talking over each other
 * (ITU-T G.114 puts the limit of comfortable one-way delay near 150–200 ms);
 * past 1.5 s a conversation barely works (Nextcloud Talk's threshold).
 */
const RTT_FAIR_MS = 400;
const RTT_POOR_MS = 1_500;

/**
 * Jitter of the audio that comes in, ms: the jitter buffer, and so the delay
 * a person hears, grows with it. Recorded on loopback on a loaded two-core
 * machine, audio jitter reached 25 ms with nothing wrong on the path; past
 * 50 ms packets arrive in bursts, past 150 ms speech is late enough to trip
 * over.
 */
const JITTER_FAIR_MS = 50;
const JITTER_POOR_MS = 150;

/**
 * The browser's estimate of what the link can send, bits per second. Under
 * 300 kbit/s video shrinks to 320x240 (bitrate-policy.ts); under 150 kbit/s
 * video does not fit beside audio (FIELD-NOTES: audio-only below ~100–150).
 */
const UPLINK_FAIR_BPS = 300_000;
const UPLINK_POOR_BPS = 150_000;

/** Samples (1–2 s each) in a row before the indicator shows a worse level: one bad second is not news. */
const WORSE_AFTER = 2;
/** Samples in a row before it shows a better level: slower than worsening, so that it does not blink. */
const BETTER_AFTER = 4;

/** What a single sample says, before hysteresis. */
export interface QualityReading {
  readonly level: QualityLevel;
  readonly cause: QualityCause | null;
}

/** One sample graded on its own: the worst of loss, delay, jitter and the uplink estimate. */
export function gradeSample(sample: LinkSample): QualityReading {
  const loss = Math.max(sample.lossIn ?? 0, sample.lossOut ?? 0);
  const lossLevel = grade(loss, LOSS_FAIR, LOSS_POOR);
  // Delay over a relay is the relay's doing more often than the network's.
  const delayCause: QualityCause = sample.route === 'relayed' ? 'relayed' : 'slow-network';
  const slow = worst(
    grade(sample.rttMs ?? 0, RTT_FAIR_MS, RTT_POOR_MS),
    grade(sample.jitterMs ?? 0, JITTER_FAIR_MS, JITTER_POOR_MS),
    sample.availableOutBps === null ? QualityLevel.good : gradeBelow(sample.availableOutBps, UPLINK_FAIR_BPS, UPLINK_POOR_BPS),
  );
  if (lossLevel === QualityLevel.good && slow === QualityLevel.good)
    return { level: QualityLevel.good, cause: sample.route === 'relayed' ? 'relayed' : null };
  // Loss first when it is at least as bad: it is what a person notices, and what slows the rest.
  if (rank(lossLevel) >= rank(slow)) return { level: lossLevel, cause: 'high-loss' };
  return { level: slow, cause: delayCause };
}

/** The indicator's state: what it shows, and the run of samples disagreeing with it. */
export interface QualityState {
  readonly level: QualityLevel;
  readonly cause: QualityCause | null;
  /** Samples in a row that read worse (positive) or better (negative) than `level`. */
  readonly run: number;
  /** The worst (for a worse run) or best (for a better run) reading in the run: what the level changes to. */
  readonly pending: QualityReading | null;
}

/** Before the first sample: good, nothing to say. */
export const INITIAL_QUALITY: QualityState = { level: QualityLevel.good, cause: null, run: 0, pending: null };

/**
 * The indicator after one more sample. A level changes only after a run of
 * readings on the same side of it (WORSE_AFTER worse, BETTER_AFTER better);
 * within a level, the cause follows the latest reading at once (the same
 * level with a different reason is no flicker a person would see).
 */
export function nextQuality(state: QualityState, sample: LinkSample): QualityState {
  const reading = gradeSample(sample);
  const diff = rank(reading.level) - rank(state.level);
  if (diff === 0) return { level: state.level, cause: reading.cause, run: 0, pending: null };
  const worse = diff > 0;
  const sameSide = state.run !== 0 && state.run > 0 === worse;
  const run = sameSide ? state.run + (worse ? 1 : -1) : worse ? 1 : -1;
  // A worse run settles on its mildest reading, a better run on its worst: the level the whole run agrees on.
  const pending =
    sameSide && state.pending
      ? (worse ? rank(reading.level) < rank(state.pending.level) : rank(reading.level) > rank(state.pending.level))
        ? reading
        : state.pending
      : reading;
  if (Math.abs(run) >= (worse ? WORSE_AFTER : BETTER_AFTER))
    return { level: pending.level, cause: pending.cause, run: 0, pending: null };
  return { level: state.level, cause: state.cause, run, pending };
}

/**
 * Sending video on a link or not. `sending` normally; `paused` when the
 * uplink could not carry video (the page then sends audio only on that
 * link, and says so).
 */
export interface VideoPauseState {
  readonly paused: boolean;
  /** Since when the uplink has been weak (sending) or strong (paused), ms; null when it is not. */
  readonly since: number | null;
  /** When the current pause began, ms (null while sending). */
  readonly pausedAt: number | null;
  /** How long this pause waits before trying video again, ms. */
  readonly retryAfterMs: number;
  /** When video last resumed, ms (null before any pause). */
  readonly resumedAt: number | null;
}

export const INITIAL_VIDEO_PAUSE: VideoPauseState = {
  paused: false,
  since: null,
  pausedAt: null,
  retryAfterMs: 0,
  resumedAt: null,
};

/**
 * The uplink is too weak for video under this estimate, bits per second:
 * video below ~100 kbit/s beside ~50 kbit/s of Opus with its packet
 * overhead is a slide show that also starves the audio (FIELD-NOTES).
 */
const PAUSE_BELOW_BPS = 150_000;
/**
 * The encoder sends fewer frames than this while the browser says bandwidth
 * is what limits it: frames stalled (webrtc-issue-detector's test).
 */
const STALLED_FPS = 5;
/** Weak this long before pausing: longer than a burst of cross traffic, short enough that the call does not freeze for long. */
const PAUSE_AFTER_MS = 4_000;
/**
 * Strong this long while paused resumes at once. While paused the estimate
 * rarely climbs (the browser does not probe beyond what it sends), so the
 * retry below is what usually brings video back.
 */
const RESUME_ABOVE_BPS = 300_000;
const RESUME_AFTER_MS = 4_000;
/**
 * A pause tries video again after this long, and twice as long after each
 * pause that follows a retry within STABLE_MS, up to MAX_RETRY_MS: a video
 * that comes back starts with the browser probing for bandwidth, which is the
 * only way to learn that the uplink recovered, and the doubling keeps a
 * still-weak uplink from switching video on and off every few seconds.
 */
const FIRST_RETRY_MS = 8_000;
const MAX_RETRY_MS = 60_000;
/** Video that has run this long since it resumed counts as recovered: the next pause starts from FIRST_RETRY_MS again. */
const STABLE_MS = 30_000;

/** Whether a sample shows an uplink that cannot carry video. */
function uplinkWeak(sample: LinkSample): boolean {
  if (sample.availableOutBps !== null && sample.availableOutBps < PAUSE_BELOW_BPS) return true;
  return sample.limitation === 'bandwidth' && sample.videoOut !== null && sample.videoOut.fps < STALLED_FPS;
}

/** The decision after one more sample; `paused` changing is what the caller acts on. */
export function nextVideoPause(state: VideoPauseState, sample: LinkSample): VideoPauseState {
  const now = sample.at;
  if (!state.paused) {
    // Nothing to judge while no video goes out for another reason (camera off).
    if (!sample.sendingVideo || !uplinkWeak(sample)) return { ...state, since: null };
    const since = state.since ?? now;
    if (now - since < PAUSE_AFTER_MS) return { ...state, since };
    const recovered = state.resumedAt === null || now - state.resumedAt >= STABLE_MS;
    const retryAfterMs = recovered ? FIRST_RETRY_MS : Math.min(MAX_RETRY_MS, state.retryAfterMs * 2);
    return { paused: true, since: null, pausedAt: now, retryAfterMs, resumedAt: state.resumedAt };
  }
  const strong = sample.availableOutBps !== null && sample.availableOutBps >= RESUME_ABOVE_BPS;
  const since = strong ? (state.since ?? now) : null;
  const retry = state.pausedAt !== null && now - state.pausedAt >= state.retryAfterMs;
  if (retry || (since !== null && now - since >= RESUME_AFTER_MS))
    return { paused: false, since: null, pausedAt: null, retryAfterMs: state.retryAfterMs, resumedAt: now };
  return { ...state, since };
}

function grade(value: number, fair: number, poor: number): QualityLevel {
  return value >= poor ? QualityLevel.poor : value >= fair ? QualityLevel.fair : QualityLevel.good;
}

/** The level of a figure where less is worse: fair under `fair`, poor under `poor`. */
function gradeBelow(value: number, fair: number, poor: number): QualityLevel {
  return value < poor ? QualityLevel.poor : value < fair ? QualityLevel.fair : QualityLevel.good;
}

function rank(level: QualityLevel): number {
  return level === QualityLevel.poor ? 2 : level === QualityLevel.fair ? 1 : 0;
}

function worst(...levels: QualityLevel[]): QualityLevel {
  return levels.reduce((a, b) => (rank(b) > rank(a) ? b : a), QualityLevel.good);
}

/**
 * A link's own video budget (issue 21: the lower of the group-size policy
 * and the bandwidth measured on the link). The browser's congestion control
 * already sends no more than the path carries; what a cap adds is the
 * picture: engine/bitrate-policy.ts picks resolution and frame rate from the
 * cap, so a link whose path carries 400 kbit/s sends 427x320 at 20 fps
 * instead of a starved 640x480 that the encoder turns to blocks first.
 */
export interface LinkCapState {
  /** The cap, bits per second; null: none, the group's share applies. */
  readonly capBps: number | null;
  /** Since when the estimate has been well under the cap (or the share), ms. */
  readonly lowSince: number | null;
  /** Since when the estimate has been well over the cap, ms. */
  readonly highSince: number | null;
  /** When the cap last changed (lowered or raised), ms. */
  readonly changedAt: number | null;
}

export const INITIAL_LINK_CAP: LinkCapState = { capBps: null, lowSince: null, highSince: null, changedAt: null };

/** Share of the estimate that video may plan on: audio, RTCP and retransmissions use the same path. */
const CAP_SHARE = 0.85;
/**
 * Lowered only when the estimate is under this share of the cap: an
 * estimate follows what is sent, so it hovers around the cap, and a margin
 * smaller than its noise would ratchet the cap down step by step.
 */
const LOWER_BELOW = 0.8;
/** Raised when the estimate is over this much of the cap (the browser probes above what it sends now and then). */
const RAISE_ABOVE = 1.3;
/** Either way, for this long first: a burst of cross traffic is not a slower path. */
const CAP_AFTER_MS = 3_000;
/**
 * A cap the estimate never clearly beats is still tried one step higher
 * after this long without the encoder limited by bandwidth: the estimate
 * seldom climbs far above what is sent, so without a step the cap could
 * stay low long after the path recovered.
 */
const STEP_UP_AFTER_MS = 20_000;
const STEP_UP = 1.5;

/**
 * The cap after one more sample of the link, given the group's share for it
 * (`shareBps`, engine/call.ts videoShareBps). No estimate (Firefox), or no
 * video going out (paused, camera off, audio only): nothing to judge.
 */
export function nextLinkCap(state: LinkCapState, sample: LinkSample, shareBps: number): LinkCapState {
  const now = sample.at;
  const estimate = sample.availableOutBps;
  if (estimate === null || !sample.sendingVideo) return { ...state, lowSince: null, highSince: null };
  const current = state.capBps ?? shareBps;
  const planned = estimate * CAP_SHARE;
  if (planned < current * LOWER_BELOW) {
    const lowSince = state.lowSince ?? now;
    if (now - lowSince < CAP_AFTER_MS) return { ...state, lowSince, highSince: null };
    return { capBps: Math.round(planned), lowSince: null, highSince: null, changedAt: now };
  }
  if (state.capBps === null) return { ...state, lowSince: null, highSince: null };
  if (planned >= state.capBps * RAISE_ABOVE) {
    const highSince = state.highSince ?? now;
    if (now - highSince < CAP_AFTER_MS) return { ...state, lowSince: null, highSince };
    return raised(Math.round(planned), shareBps, now);
  }
  const since = state.changedAt ?? now;
  if (sample.limitation !== 'bandwidth' && now - since >= STEP_UP_AFTER_MS) {
    return raised(Math.round(state.capBps * STEP_UP), shareBps, now);
  }
  return { ...state, lowSince: null, highSince: null };
}

/** A raised cap; none once it reaches the group's share. */
function raised(capBps: number, shareBps: number, now: number): LinkCapState {
  return { capBps: capBps >= shareBps ? null : capBps, lowSince: null, highSince: null, changedAt: now };
}
