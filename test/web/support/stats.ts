/** What a link's receiver has decoded, from its WebRTC stats (browser tests). */

/** Video frames decoded from the other end, over every inbound video stream of `link`. */
export async function framesDecoded(link: { getStats(): Promise<RTCStatsReport> }): Promise<number> {
  let frames = 0;
  (await link.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
  });
  return frames;
}
