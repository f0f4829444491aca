/**
 * One link's connection statistics, reduced from two getStats() snapshots
 * taken a second or two apart to the few figures a person (the statistics
 * panel) and the quality policies (quality-policy.ts) need. Pure: a snapshot
 * is plain data (the report's entries as objects), so the reducer is tested
 * on reports recorded from real Chromium calls (test/fixtures/stats/).
 *
 * Counters (bytes, packets, frames) become rates over the interval between
 * the two snapshots; gauges (round-trip time, jitter, the bandwidth
 * estimate) are read from the later one. A figure the browser does not
 * report (Firefox has no `availableOutgoingBitrate`; a link without video
 * has no resolution) is null, never a made-up zero.
 */

/** One entry of an RTCStatsReport, as a plain object. */
export interface StatsEntry {
  readonly id: string;
  readonly type: string;
  readonly timestamp: number;
  readonly [field: string]: unknown;
}

/** An RTCStatsReport's entries: an array, or a map by id (an RTCStatsReport itself is one). */
export type StatsSnapshot = Iterable<StatsEntry> | ReadonlyMap<string, StatsEntry>;

/** Picture size and frame rate of one direction's video. */
export interface VideoFigures {
  readonly width: number;
  readonly height: number;
  /** Frames per second over the interval (decoded coming in, encoded going out). */
  readonly fps: number;
}

/** Why the browser's encoder sends less than it would like (RTCOutboundRtpStreamStats.qualityLimitationReason). */
export type QualityLimitation = 'none' | 'cpu' | 'bandwidth' | 'other';

/** How the link's media travels: straight between the two devices, or through a TURN relay. */
export type LinkRoute = 'direct' | 'relayed';

export interface LinkSample {
  /** When the later snapshot was taken (its entries' timestamp, ms). */
  readonly at: number;
  /** Milliseconds between the two snapshots. */
  readonly intervalMs: number;
  /** Round-trip time of the selected candidate pair, ms. */
  readonly rttMs: number | null;
  /** Fraction (0–1) of the packets the other end sent us that were lost in the interval. */
  readonly lossIn: number | null;
  /** Fraction (0–1) of the packets we sent that the other end reports lost in the interval. */
  readonly lossOut: number | null;
  /** Jitter of the audio that comes in (of the video when there is no audio), ms. */
  readonly jitterMs: number | null;
  /** Bits per second received and sent on the link (media, data channel and overhead). */
  readonly bitrateIn: number | null;
  readonly bitrateOut: number | null;
  /** The browser's estimate of what the link can send, bits per second (Chromium). */
  readonly availableOutBps: number | null;
  readonly videoIn: VideoFigures | null;
  readonly videoOut: VideoFigures | null;
  /** Video codec names without the "video/" prefix, e.g. "VP8". */
  readonly codecIn: string | null;
  readonly codecOut: string | null;
  readonly route: LinkRoute | null;
  readonly limitation: QualityLimitation | null;
  /** Whether video packets went out in the interval (false while video is paused or the camera is off). */
  readonly sendingVideo: boolean;
}

/** The sample for the interval from `previous` to `current`, both snapshots of the same link. */
export function reduceStats(previous: StatsSnapshot, current: StatsSnapshot): LinkSample {
  const before = byId(previous);
  const now = byId(current);
  const pair = selectedPair(now);
  const pairBefore = pair ? before.get(pair.id) : undefined;
  const at = pair?.timestamp ?? maxTimestamp(now);
  const then = pairBefore?.timestamp ?? maxTimestamp(before);
  const intervalMs = Math.max(0, at - then);
  const seconds = intervalMs / 1000;

  const rate = (field: string): number | null => {
    const b = num(pairBefore?.[field]);
    const a = num(pair?.[field]);
    return a === null || b === null || seconds <= 0 ? null : Math.max(0, ((a - b) * 8) / seconds);
  };
  const delta = (entry: StatsEntry, field: string): number => {
    const a = num(entry[field]) ?? 0;
    const b = num(before.get(entry.id)?.[field]) ?? 0;
    return Math.max(0, a - b);
  };

  // Loss coming in: what the RTP sequence numbers say went missing, over all we expected.
  let lostIn = 0;
  let expectedIn = 0;
  // Audio's jitter: what the person hears wait in the jitter buffer. Video's
  // includes the bursts of a frame's packets, which say little about the path.
  const jitters: { audio: number[]; video: number[] } = { audio: [], video: [] };
  let videoIn: VideoFigures | null = null;
  let videoInFrames = -1;
  let codecIn: string | null = null;
  for (const e of ofType(now, 'inbound-rtp')) {
    const lost = delta(e, 'packetsLost');
    lostIn += lost;
    expectedIn += lost + delta(e, 'packetsReceived');
    const j = num(e['jitter']);
    if (j !== null) jitters[e['kind'] === 'audio' ? 'audio' : 'video'].push(j * 1000);
    if (e['kind'] !== 'video') continue;
    const frames = delta(e, 'framesDecoded');
    if (frames <= videoInFrames) continue;
    videoInFrames = frames;
    videoIn = video(e, frames, seconds);
    codecIn = codecName(now, e['codecId']);
  }

  // Loss going out: what the other end's receiver reports (remote-inbound-rtp) over what we sent.
  let lostOut = 0;
  let sentOut = 0;
  let videoOut: VideoFigures | null = null;
  let videoOutFrames = -1;
  let codecOut: string | null = null;
  let limitation: QualityLimitation | null = null;
  let sendingVideo = false;
  for (const e of ofType(now, 'outbound-rtp')) {
    sentOut += delta(e, 'packetsSent');
    if (e['kind'] !== 'video') continue;
    if (delta(e, 'packetsSent') > 0) sendingVideo = true;
    const frames = delta(e, 'framesEncoded');
    if (frames <= videoOutFrames) continue;
    videoOutFrames = frames;
    videoOut = frames > 0 ? video(e, frames, seconds) : null;
    codecOut = codecName(now, e['codecId']);
    limitation = limitationOf(e['qualityLimitationReason']);
  }
  const remoteRtt: number[] = [];
  for (const e of ofType(now, 'remote-inbound-rtp')) {
    lostOut += delta(e, 'packetsLost');
    const r = num(e['roundTripTime']);
    if (r !== null) remoteRtt.push(r * 1000);
  }

  const pairRtt = num(pair?.['currentRoundTripTime']);
  return {
    at,
    intervalMs,
    rttMs: pairRtt !== null ? pairRtt * 1000 : remoteRtt.length > 0 ? Math.max(...remoteRtt) : null,
    lossIn: expectedIn > 0 ? lostIn / expectedIn : null,
    // The receiver's reports lag what we sent by up to a report interval; over a second or two that evens out.
    lossOut: sentOut > 0 ? Math.min(1, lostOut / (sentOut + lostOut)) : null,
    jitterMs:
      jitters.audio.length > 0 ? Math.max(...jitters.audio) : jitters.video.length > 0 ? Math.max(...jitters.video) : null,
    bitrateIn: rate('bytesReceived'),
    bitrateOut: rate('bytesSent'),
    availableOutBps: num(pair?.['availableOutgoingBitrate']),
    videoIn,
    videoOut,
    codecIn,
    codecOut,
    route: pair ? routeOf(now, pair) : null,
    limitation,
    sendingVideo,
  };
}

function byId(snapshot: StatsSnapshot): ReadonlyMap<string, StatsEntry> {
  if (snapshot instanceof Map) return snapshot as ReadonlyMap<string, StatsEntry>;
  const out = new Map<string, StatsEntry>();
  // An RTCStatsReport iterates as [id, entry] pairs; an array as entries.
  for (const item of snapshot as Iterable<StatsEntry | [string, StatsEntry]>) {
    const entry = Array.isArray(item) ? item[1] : item;
    out.set(entry.id, entry);
  }
  return out;
}

function* ofType(snapshot: ReadonlyMap<string, StatsEntry>, type: string): Iterable<StatsEntry> {
  for (const e of snapshot.values()) if (e.type === type) yield e;
}

/**
 * The candidate pair the link's media uses: the one its transport names
 * (Chromium, spec), else the one flagged `selected` (Firefox), else a
 * nominated pair that succeeded.
 */
function selectedPair(snapshot: ReadonlyMap<string, StatsEntry>): StatsEntry | undefined {
  for (const t of ofType(snapshot, 'transport')) {
    const id = t['selectedCandidatePairId'];
    const pair = typeof id === 'string' ? snapshot.get(id) : undefined;
    if (pair) return pair;
  }
  const pairs = [...ofType(snapshot, 'candidate-pair')];
  return pairs.find((p) => p['selected'] === true) ?? pairs.find((p) => p['nominated'] === true && p['state'] === 'succeeded');
}

function routeOf(snapshot: ReadonlyMap<string, StatsEntry>, pair: StatsEntry): LinkRoute | null {
  const ends = [pair['localCandidateId'], pair['remoteCandidateId']].map((id) =>
    typeof id === 'string' ? snapshot.get(id)?.['candidateType'] : undefined,
  );
  if (ends.some((t) => t === undefined)) return null;
  return ends.includes('relay') ? 'relayed' : 'direct';
}

function video(e: StatsEntry, frames: number, seconds: number): VideoFigures | null {
  const width = num(e['frameWidth']);
  const height = num(e['frameHeight']);
  if (width === null || height === null) return null;
  return { width, height, fps: seconds > 0 ? frames / seconds : 0 };
}

function codecName(snapshot: ReadonlyMap<string, StatsEntry>, codecId: unknown): string | null {
  const mime = typeof codecId === 'string' ? snapshot.get(codecId)?.['mimeType'] : undefined;
  return typeof mime === 'string' ? mime.replace(/^[a-z]+\//i, '') : null;
}

function limitationOf(value: unknown): QualityLimitation | null {
  return value === 'none' || value === 'cpu' || value === 'bandwidth' || value === 'other' ? value : null;
}

function maxTimestamp(snapshot: ReadonlyMap<string, StatsEntry>): number {
  let t = 0;
  for (const e of snapshot.values()) t = Math.max(t, e.timestamp);
  return t;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
