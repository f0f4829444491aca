/**
 * What each media section of a link carries. Every link starts with the
 * camera and the microphone, added before the first offer on both ends, so
 * they are the first transceivers of their kind on both ends (the answerer's
 * own addTrack transceivers are matched to the offer's first sections of
 * their kind). A screen share is a video section of its own, added later
 * with addTransceiver (which setRemoteDescription never reuses for the other
 * end's sections), and named to the other end by its mid in the `media`
 * message (channel-messages.ts): the receiving page shows camera and screen
 * apart, never merged into one stream. Pure: tested on literal lists.
 */

/** What this module needs of an RTCRtpTransceiver: its kind (its receiver track's) and its mid, once negotiated. */
export interface TransceiverInfo {
  readonly kind: string;
  readonly mid: string | null;
}

/** Whether the transceiver at `index` is the link's camera or microphone: the first of its kind. */
export function isCameraOrMicrophone(transceivers: readonly TransceiverInfo[], index: number): boolean {
  const t = transceivers[index];
  return t !== undefined && transceivers.findIndex((o) => o.kind === t.kind) === index;
}

/**
 * The index of the transceiver whose section the other end names as its
 * screen (`mid`): a video section that is not the camera; -1 when there is
 * none (not negotiated yet, or a mid that names something else).
 */
export function screenIndex(transceivers: readonly TransceiverInfo[], mid: string | null): number {
  if (mid === null) return -1;
  const index = transceivers.findIndex((t) => t.mid === mid);
  const t = transceivers[index];
  return t !== undefined && t.kind === 'video' && !isCameraOrMicrophone(transceivers, index) ? index : -1;
}
