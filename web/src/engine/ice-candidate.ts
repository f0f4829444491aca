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
  /** Identifies the candidate's base and server, with the priority (e.g. to find it in getStats). */
  readonly foundation: string;
  readonly type: CandidateType;
  /** The candidate's own transport (a relay candidate's is the relayed side, always UDP). */
  readonly protocol: CandidateProtocol;
  readonly priority: number;
  /**
   * For relay candidates: the transport to the TURN server, when known. The
   * candidate line does not carry it, so parseCandidate leaves it null; the
   * probe fills it in from what the browser says besides the line.
   */
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
  const m = /^(?:a=)?candidate:(\S+) \d+ (\S+) (\d+) \S+ \d+ typ (\S+)/i.exec(line.trim());
  if (!m) return null;
  const protocol = m[2]!.toLowerCase();
  const type = m[4]!.toLowerCase();
  if ((protocol !== 'udp' && protocol !== 'tcp') || !TYPES.includes(type)) return null;
  return { foundation: m[1]!, type: type as CandidateType, protocol, priority: Number(m[3]), relayProtocol: null };
}

/**
 * The transport to the TURN server, from the server's URL (RFC 7065), which
 * browsers report with each relay candidate (`RTCIceCandidate.url`, and
 * `url` in getStats): turns: is TLS, `?transport=tcp` is TCP, otherwise UDP.
 * Null for anything that is not a TURN URL.
 */
export function relayProtocolFromUrl(url: string): RelayProtocol | null {
  const m = /^(turns?):[^?]*(?:\?transport=(udp|tcp))?$/i.exec(url.trim());
  if (!m) return null;
  if (m[1]!.toLowerCase() === 'turns') return 'tls';
  return m[2]?.toLowerCase() === 'tcp' ? 'tcp' : 'udp';
}

/** A relay protocol as a browser reports it (a string of its own choosing), or null. */
export function asRelayProtocol(value: unknown): RelayProtocol | null {
  return value === 'udp' || value === 'tcp' || value === 'tls' ? value : null;
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

/** Which kinds of server an ICE configuration names. */
export interface ConfiguredServers {
  /** A STUN server (stun:, stuns:). */
  readonly stun: boolean;
  /** A TURN server (turn:, turns:). */
  readonly turn: boolean;
  /** A server asked over UDP (STUN, or TURN without TCP or TLS): only then can UDP be found blocked. */
  readonly udp: boolean;
}

export function configuredServers(config: RTCConfiguration): ConfiguredServers {
  const urls = (config.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  return {
    stun: urls.some((u) => /^stun:/i.test(u) || /^stuns:/i.test(u)),
    turn: urls.some((u) => /^turns?:/i.test(u)),
    udp: urls.some((u) => /^stun:/i.test(u) || relayProtocolFromUrl(u) === 'udp'),
  };
}

/**
 * Whether a candidate line names an address of the device or its network
 * (host, server-reflexive, peer-reflexive), as opposed to one on the relay.
 * Anything unreadable counts as an address: holding it back is the safe side.
 */
export function revealsAddress(line: string): boolean {
  return parseCandidate(line)?.type !== CandidateType.relay;
}

/**
 * A candidate line without its related address: `raddr 0.0.0.0 rport 0`, as
 * browsers write it under a relay-only policy. A relay candidate gathered
 * under the default policy names the address the relay saw the device at
 * (its public address) there; the other end's ICE agent does not use it
 * (RFC 8445 §5.1.3: for diagnostics only).
 */
export function withoutRelatedAddress(line: string): string {
  return line.replace(/ raddr \S+ rport \d+/, ' raddr 0.0.0.0 rport 0');
}

/**
 * Whether a connection with this configuration can connect through the relay
 * before it tells anyone its own addresses: it has a TURN server and may use
 * other candidates than the relay's (with `iceTransportPolicy: 'relay'` it
 * gathers relay candidates only, and there is nothing to hold back).
 */
export function canConnectThroughRelayFirst(config: RTCConfiguration): boolean {
  return config.iceTransportPolicy !== 'relay' && configuredServers(config).turn;
}
