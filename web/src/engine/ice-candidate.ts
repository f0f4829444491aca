/**
 * Reading ICE candidates: what kind of address each one is and how it was
 * reached. Pure, so that the connection check's conclusions are tested on
 * literal candidate lines (RFC 8839 §5.1) instead of on a live network.
 */

/**
 * host: an address of this device; srflx: its public address, learnt from a
 * STUN server; prflx: learnt from the other peer during checks; relay: an
 * address on a TURN server that forwards the media.
 */
export const CandidateType = {
  host: 'host',
  srflx: 'srflx',
  prflx: 'prflx',
  relay: 'relay',
} as const;
export type CandidateType = (typeof CandidateType)[keyof typeof CandidateType];

export type CandidateProtocol = 'udp' | 'tcp';
/** How this device reaches the TURN server of a relay candidate. */
export type RelayProtocol = 'udp' | 'tcp' | 'tls';

export interface ParsedCandidate {
  readonly type: CandidateType;
  /** The candidate's own transport (a relay candidate's is the relayed side, always UDP). */
  readonly protocol: CandidateProtocol;
  readonly priority: number;
  /** For relay candidates: the transport to the TURN server, when it can be told; else null. */
  readonly relayProtocol: RelayProtocol | null;
}

const TYPES: readonly string[] = Object.values(CandidateType);

/**
 * Parses an ICE candidate line such as
 * `candidate:842163049 1 udp 1677729535 203.0.113.7 56143 typ srflx raddr 0.0.0.0 rport 0`
 * (with or without the SDP `a=` prefix). Null for an empty line (the end of
 * gathering) or anything that is not a candidate.
 */
export function parseCandidate(line: string): ParsedCandidate | null {
  const m = /^(?:a=)?candidate:\S+ \d+ (\S+) (\d+) \S+ \d+ typ (\S+)/i.exec(line.trim());
  if (!m) return null;
  const protocol = m[1]!.toLowerCase();
  const type = m[3]!.toLowerCase();
  if ((protocol !== 'udp' && protocol !== 'tcp') || !TYPES.includes(type)) return null;
  const priority = Number(m[2]);
  return {
    type: type as CandidateType,
    protocol,
    priority,
    relayProtocol: type === CandidateType.relay ? relayProtocolFromPriority(priority) : null,
  };
}

/**
 * The transport to the TURN server, read from a relay candidate's priority.
 * The candidate line does not carry it, and `RTCIceCandidate.relayProtocol`
 * is not in every browser; libwebrtc (Chrome, Edge, Safari) encodes it in the
 * type preference, the priority's top byte: 2 for UDP, 1 for TCP, 0 for TLS
 * (webrtc/src p2p/base/port.h, ICE_TYPE_PREFERENCE_RELAY_*). Firefox uses
 * other preferences, so anything else is unknown (null).
 */
export function relayProtocolFromPriority(priority: number): RelayProtocol | null {
  switch (Math.floor(priority / 2 ** 24)) {
    case 2:
      return 'udp';
    case 1:
      return 'tcp';
    case 0:
      return 'tls';
    default:
      return null;
  }
}

/** What a set of gathered candidates says about the network. */
export interface CandidateSummary {
  readonly host: boolean;
  readonly srflx: boolean;
  readonly relay: boolean;
  /** Transports of the candidates themselves. */
  readonly protocols: readonly CandidateProtocol[];
  /** Transports that reached the TURN server, for the relay candidates. */
  readonly relayProtocols: readonly RelayProtocol[];
  /**
   * Whether UDP got out of the local network: a server-reflexive candidate
   * (STUN is UDP only) or a relay reached over UDP. False means nothing went
   * out over UDP; it does not by itself prove UDP is blocked (no server may
   * have been asked).
   */
  readonly udpOut: boolean;
}

/** Sums up the candidates one gathering produced (the order does not matter). */
export function summarizeCandidates(candidates: readonly ParsedCandidate[]): CandidateSummary {
  const has = (type: CandidateType) => candidates.some((c) => c.type === type);
  const protocols = (['udp', 'tcp'] as const).filter((p) => candidates.some((c) => c.protocol === p));
  const relayProtocols = (['udp', 'tcp', 'tls'] as const).filter((p) =>
    candidates.some((c) => c.type === CandidateType.relay && c.relayProtocol === p),
  );
  return {
    host: has(CandidateType.host),
    srflx: has(CandidateType.srflx),
    relay: has(CandidateType.relay),
    protocols,
    relayProtocols,
    udpOut: has(CandidateType.srflx) || relayProtocols.includes('udp'),
  };
}

/** Which kinds of server an ICE configuration names: STUN (stun:, stuns:) and TURN (turn:, turns:). */
export function configuredServers(config: RTCConfiguration): { readonly stun: boolean; readonly turn: boolean } {
  const urls = (config.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  return {
    stun: urls.some((u) => /^stuns?:/i.test(u)),
    turn: urls.some((u) => /^turns?:/i.test(u)),
  };
}
