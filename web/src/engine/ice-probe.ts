/**
 * The network half of the connection check: which kinds of ICE candidate
 * this browser can gather with a given configuration, and how far away the
 * relay is. Knows WebRTC and nothing else; the configuration (with its real
 * TURN credentials) comes from the caller.
 */
import { asRelayProtocol, parseCandidate, relayProtocolFromUrl, type ParsedCandidate } from './ice-candidate.js';

export interface IceProbeResult {
  /** Every candidate gathered, in arrival order. */
  readonly candidates: readonly ParsedCandidate[];
  /** Whether gathering finished on its own; false when the time ran out first (a server that never answered). */
  readonly complete: boolean;
  /**
   * The STUN and TURN URLs the browser said it could not use
   * (`icecandidateerror`: a name that does not resolve, a refusal). A server
   * that never answers is not among them: gathering then runs out of time.
   */
  readonly failedServers: readonly string[];
}

export interface IceProbeOptions {
  /** How long to wait for gathering to finish. */
  readonly timeoutMs: number;
  /** Called for each candidate as it arrives, for a live list. */
  readonly onCandidate?: (candidate: ParsedCandidate) => void;
}

/**
 * Gathers candidates the way a call would: a peer connection with a data
 * channel (so there is something to negotiate), an offer set locally, then
 * every candidate until gathering completes or `timeoutMs` passes. Nothing is
 * sent anywhere.
 */
export async function probeIce(config: RTCConfiguration, options: IceProbeOptions): Promise<IceProbeResult> {
  const pc = new RTCPeerConnection(config);
  const candidates: ParsedCandidate[] = [];
  const failedServers = new Set<string>();
  pc.onicecandidateerror = (e) => {
    if (e.url) failedServers.add(e.url);
  };
  try {
    const complete = await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => resolve(false), options.timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        resolve(true);
      };
      pc.onicecandidate = (e) => {
        // A null candidate marks the end of gathering.
        if (!e.candidate) return finish();
        const parsed = fromIceCandidate(e.candidate);
        if (!parsed) return;
        candidates.push(parsed);
        options.onCandidate?.(parsed);
      };
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') finish();
      };
      pc.createDataChannel('probe');
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err);
        });
    });
    return { candidates: await withStatsRelayProtocols(pc, candidates), complete, failedServers: [...failedServers] };
  } finally {
    pc.close();
  }
}

/**
 * The candidate line, and for a relay how it reached the TURN server, which
 * the line lacks: the candidate's `relayProtocol`, else its server `url`.
 * Chromium 156 gives `relayProtocol` for a TCP relay but null for a UDP one,
 * while `url` names both.
 */
function fromIceCandidate(candidate: RTCIceCandidate): ParsedCandidate | null {
  const parsed = parseCandidate(candidate.candidate);
  if (!parsed || parsed.type !== 'relay') return parsed;
  const extra = candidate as RTCIceCandidate & { relayProtocol?: unknown; url?: unknown };
  const relayProtocol =
    asRelayProtocol(extra.relayProtocol) ?? (typeof extra.url === 'string' ? relayProtocolFromUrl(extra.url) : null);
  return { ...parsed, relayProtocol };
}

/**
 * Relay candidates whose transport is still unknown, completed from
 * getStats (its local-candidate entries carry `relayProtocol` in every
 * current browser, unpaired candidates included).
 */
async function withStatsRelayProtocols(pc: RTCPeerConnection, candidates: ParsedCandidate[]): Promise<ParsedCandidate[]> {
  if (!candidates.some((c) => c.type === 'relay' && c.relayProtocol === null)) return candidates;
  const known = new Map<string, ParsedCandidate['relayProtocol']>();
  try {
    (await pc.getStats()).forEach((s: { type: string; foundation?: string; priority?: number; relayProtocol?: unknown }) => {
      if (s.type === 'local-candidate') known.set(`${s.foundation} ${s.priority}`, asRelayProtocol(s.relayProtocol));
    });
  } catch {
    return candidates; // no stats: the transports stay unknown
  }
  return candidates.map((c) =>
    c.type === 'relay' && c.relayProtocol === null
      ? { ...c, relayProtocol: known.get(`${c.foundation} ${c.priority}`) ?? null }
      : c,
  );
}

export interface RelayRttOptions {
  /** How long the two relayed peers may take to connect; past it the relay counts as unreachable (null). */
  readonly timeoutMs: number;
}

/**
 * How long a round trip between this device and the relay takes, in
 * milliseconds, or null when the two test peers could not connect through it.
 *
 * Two peer connections in this page, both relay-only, connect to each other
 * through the TURN server; the selected candidate pair's `currentRoundTripTime`
 * then covers this device → relay → this device twice (out through one
 * allocation and in through the other, and the same back), so half of it is
 * the round trip a call's media makes to the relay.
 */
export async function measureRelayRtt(config: RTCConfiguration, options: RelayRttOptions): Promise<number | null> {
  const relayOnly: RTCConfiguration = { ...config, iceTransportPolicy: 'relay' };
  const a = new RTCPeerConnection(relayOnly);
  const b = new RTCPeerConnection(relayOnly);
  try {
    a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate).catch(() => undefined));
    b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate).catch(() => undefined));
    a.createDataChannel('rtt');
    const connected = waitConnected(a, options.timeoutMs);
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    if (!(await connected)) return null;
    // The first binding check's round trip is measured a moment after "connected".
    const deadline = Date.now() + STATS_WAIT_MS;
    for (;;) {
      const rtt = selectedPairRtt(await a.getStats());
      if (rtt !== null) return (rtt * 1000) / 2;
      if (Date.now() > deadline) return null;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    a.close();
    b.close();
  }
}

/** How long after connecting to wait for a round-trip time in the stats (the next consent check comes within 5 s). */
const STATS_WAIT_MS = 6_000;

function waitConnected(pc: RTCPeerConnection, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected' || pc.connectionState === 'failed') {
        clearTimeout(timer);
        resolve(pc.connectionState === 'connected');
      }
    };
  });
}

/** The selected candidate pair's current round-trip time in seconds, from a getStats report. */
export function selectedPairRtt(report: RTCStatsReport): number | null {
  let pairId: string | undefined;
  report.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
  });
  let rtt: number | null = null;
  report.forEach((s: { type: string; id: string; nominated?: boolean; state?: string; currentRoundTripTime?: number }) => {
    if (s.type !== 'candidate-pair' || typeof s.currentRoundTripTime !== 'number') return;
    // Without a transport's pointer (older browsers), the nominated pair that succeeded.
    if (pairId ? s.id === pairId : s.nominated && s.state === 'succeeded') rtt = s.currentRoundTripTime;
  });
  return rtt;
}
