/**
 * What the place of a video says when no video comes although the camera is
 * on (audio only by choice, or paused on a weak link). Apart from
 * quality-messages.ts because the pages render it themselves: the rest of
 * the quality words load with the in-call chunk, not before first paint. Pure.
 */
import { msg } from '@lit/localize';

export const VIDEO_OFF_LABELS = {
  theirVideoPaused: () => msg('Video paused: weak connection'),
  ourVideoPaused: () => msg('Your connection is weak: video paused, audio continues'),
  ourAudioOnly: () => msg('Audio only: no video either way (your choice)'),
  theirAudioOnly: () => msg('Audio only: they chose to send and get no video'),
} as const satisfies Readonly<Record<string, () => string>>;

/** Why no video comes from a member although their camera is on: what their video's place says instead. */
export type VideoOff = 'our-audio-only' | 'their-audio-only' | 'weak';

/** Why the video from a member is off, by what the link says (their camera off is said elsewhere); null: it plays. */
export function videoOff(
  q: { readonly theirAudioOnly: boolean; readonly theirVideoPaused: boolean },
  ourAudioOnly: boolean,
): VideoOff | null {
  if (ourAudioOnly) return 'our-audio-only';
  if (q.theirAudioOnly) return 'their-audio-only';
  return q.theirVideoPaused ? 'weak' : null;
}

export function videoOffText(why: VideoOff): string {
  switch (why) {
    case 'our-audio-only':
      return VIDEO_OFF_LABELS.ourAudioOnly();
    case 'their-audio-only':
      return VIDEO_OFF_LABELS.theirAudioOnly();
    case 'weak':
      return VIDEO_OFF_LABELS.theirVideoPaused();
  }
}
