/**
 * Sends the sound of `videos` (other people's) to the speaker the person
 * chose, where the browser allows it (HTMLMediaElement.setSinkId); null is
 * the browser's default. A speaker that went away is reported, never fatal:
 * the sound stays where it was.
 */
export function sendSoundTo(videos: Iterable<HTMLMediaElement>, deviceId: string | null): void {
  for (const video of videos) {
    if (typeof video.setSinkId !== 'function' || video.sinkId === (deviceId ?? '')) continue;
    video.setSinkId(deviceId ?? '').catch((err: unknown) => console.warn('speaker not applied', err));
  }
}
