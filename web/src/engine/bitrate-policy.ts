/**
 * How much video a page sends on each link of a full-mesh group call.
 *
 * In a mesh every page encodes its camera once per other member, so its uplink
 * carries one video stream per link. Splitting one fixed budget across the
 * links keeps a five-person call from swamping the uplink (the complaint users
 * of mesh apps raise most after TURN), and stepping resolution and frame rate
 * down with each link's share keeps the picture clean instead of letting the
 * encoder starve a full 640x480 into blocks.
 *
 * Pure: the caller applies the result with RTCRtpSender.setParameters.
 */

/** What one sender should use on one link. */
export interface VideoSendLimits {
  /** RTCRtpEncodingParameters.maxBitrate, bits per second. */
  readonly maxBitrate: number;
  /** RTCRtpEncodingParameters.scaleResolutionDownBy (1 = full camera resolution; the camera is 640x480). */
  readonly scaleResolutionDownBy: number;
  /** RTCRtpEncodingParameters.maxFramerate. */
  readonly maxFramerate: number;
}

/** The video a page may send, in bits per second. */
export interface UplinkBudget {
  /** All outgoing video links together. */
  readonly totalBps: number;
  /** One link, however few there are. */
  readonly perLinkMaxBps: number;
  /** One link, however many there are or however slow the uplink; wins over the other two. */
  readonly perLinkMinBps: number;
}

export const DEFAULT_UPLINK_BUDGET: UplinkBudget = {
  // Four links at 500 kbps, the least at which 640x480 still looks clean for
  // a talking head. With four Opus streams (~40 kbps each) and packet overhead
  // that is about 2.3 Mbps, which ordinary home broadband and 4G uplinks
  // sustain; a larger total would make five-person calls fail on those.
  totalBps: 2_000_000,
  // libwebrtc's own default ceiling for 640x480 is 1.7 Mbps, chosen where the
  // encoder's QP stops improving; a little under it costs nothing visible,
  // and a 1:1 call leaves the rest of the budget unused rather than wasted.
  perLinkMaxBps: 1_500_000,
  // Enough for 320x240 at 15 fps. Below ~100–150 kbps the useful move is
  // audio-only (see FIELD-NOTES), which is the caller's decision, not a
  // smaller cap: so no link is capped under this, even if the sum then
  // exceeds a measured uplink.
  perLinkMinBps: 150_000,
};

/**
 * The person's data saver: about a sixth of the default. A 1:1 call sends
 * at most 250 kbit/s of video (320x240 at 15 fps, the lowest default tier),
 * so with Opus and overhead a call costs ~140 MB an hour instead of ~700; a
 * five-person call gives each link 100 kbit/s (160x120 at 12 fps). The floor
 * is under the default's on purpose: whoever chose it prefers a thumbnail to
 * the data, and audio only is the next step.
 */
export const DATA_SAVER_BUDGET: UplinkBudget = {
  totalBps: 400_000,
  perLinkMaxBps: 250_000,
  perLinkMinBps: 100_000,
};

/**
 * Share of a measured uplink that video may plan on. The estimate is noisy
 * and lags, and audio, RTCP and retransmissions share the same uplink; planning
 * on all of it would keep the link at the edge of congestion.
 */
const MEASURED_UPLINK_SHARE = 0.85;

/** From this per-link bitrate up, send this picture. */
interface Tier {
  readonly minBps: number;
  readonly scaleResolutionDownBy: number;
  readonly maxFramerate: number;
}

/**
 * Picture by per-link bitrate, highest first. Each step starts at about the
 * rate libwebrtc's own simulcast table targets for that picture size (640x360
 * → 500 kbps, 480x270 → 350, 320x180 → 150, all at 30 fps), scaled to our
 * pixel count and frame rate, so the encoder is never asked to fill a picture
 * it cannot afford; fewer frames also leave more bits for each one. Without
 * these steps the encoder only drops resolution after QP has already gone
 * blocky, and then by a jump.
 */
const TIERS: readonly Tier[] = [
  // 640x480 at 30 fps: a 1:1 or three-person call.
  { minBps: 1_000_000, scaleResolutionDownBy: 1, maxFramerate: 30 },
  // 640x480 at 24 fps: four or five people. Talking heads lose little at 24
  // fps, and the 20% of bits saved go to sharpness.
  { minBps: 500_000, scaleResolutionDownBy: 1, maxFramerate: 24 },
  // 427x320 at 20 fps: about 480x270's pixel count, which libwebrtc targets at
  // 350 kbps for 30 fps; at 20 fps 300 kbps leaves headroom.
  { minBps: 300_000, scaleResolutionDownBy: 1.5, maxFramerate: 20 },
  // 320x240 at 15 fps: the floor of the default budget. Faces stay
  // recognisable and speech still reads as motion.
  { minBps: 150_000, scaleResolutionDownBy: 2, maxFramerate: 15 },
];

/**
 * 160x120 at 12 fps: only below the default floor (a custom budget). A
 * thumbnail that keeps frames flowing until the caller turns video off.
 */
const LOWEST_TIER: Tier = { minBps: 0, scaleResolutionDownBy: 4, maxFramerate: 12 };

/**
 * Limits for each of `links` outgoing video links (links = members - 1, 0..4+).
 *
 * Every link gets the same cap: the budget's total (or less, see below) split
 * evenly, within the budget's per-link bounds. More links never give a higher
 * bitrate, resolution or frame rate. The cap is a ceiling: each connection's
 * congestion control still sends less when its own path needs it.
 *
 * @param links Outgoing video links. 0 or less, or NaN, gives the 1:1 limits
 *   (a sender set up before anyone joins); a fraction is rounded up, so the
 *   total still fits the budget.
 * @param measuredUplinkBps An estimate of this page's whole uplink, e.g. the
 *   sum of RTCIceCandidatePairStats.availableOutgoingBitrate over its
 *   connections. Only lowers the total (to 85% of the estimate); anything but
 *   a finite positive number is ignored. A connection's estimate seldom
 *   climbs far above what it is already sending, so pass one only while
 *   senders report qualityLimitationReason 'bandwidth'; fed back every time,
 *   it would ratchet the caps down.
 * @param linkCapBps This link's own cap (the bandwidth measured on it,
 *   features/quality-policy.ts nextLinkCap): the link gets the lower of it
 *   and the group's share, and the picture that fits; still never under
 *   the budget's per-link floor. Anything but a finite positive number is
 *   ignored.
 */
export function videoSendLimits(
  links: number,
  budget: UplinkBudget = DEFAULT_UPLINK_BUDGET,
  measuredUplinkBps: number | null = null,
  linkCapBps: number | null = null,
): VideoSendLimits {
  const count = Number.isNaN(links) ? 1 : Math.max(1, Math.ceil(links));
  const total = usableTotalBps(budget.totalBps, measuredUplinkBps);
  const cap = linkCapBps !== null && Number.isFinite(linkCapBps) && linkCapBps > 0 ? linkCapBps : Infinity;
  const share = Math.min(budget.perLinkMaxBps, total / count, cap);
  // Rounded down so the links together never exceed the total.
  const maxBitrate = Math.floor(Math.max(budget.perLinkMinBps, share));
  const tier = TIERS.find((t) => maxBitrate >= t.minBps) ?? LOWEST_TIER;
  return {
    maxBitrate,
    scaleResolutionDownBy: tier.scaleResolutionDownBy,
    maxFramerate: tier.maxFramerate,
  };
}

/**
 * The budget's total, or a share of the measured uplink when that is less.
 * A min rather than a switch at `measured < total`, so the result has no jump
 * where the measurement crosses the budget.
 */
function usableTotalBps(totalBps: number, measuredUplinkBps: number | null): number {
  if (measuredUplinkBps === null || !Number.isFinite(measuredUplinkBps) || measuredUplinkBps <= 0) {
    return totalBps;
  }
  return Math.min(totalBps, measuredUplinkBps * MEASURED_UPLINK_SHARE);
}
