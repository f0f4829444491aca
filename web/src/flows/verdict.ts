/**
 * What a connection check found, and what it means for a call, as a code
 * with its parameters. Pure: the check (connection-check.ts) gathers the
 * facts, this module judges them, the elements word the verdict
 * (elements/messages.ts).
 */
import type { CandidateSummary, ConfiguredServers } from '../engine/ice-candidate.js';
import type { Problem } from './problems.js';
import { ExtraHelpTopic, type HelpTopic } from './help-topic.js';

/** The camera and microphone, as the check found them. */
export interface MediaFinding {
  /** A live video track was had. */
  readonly camera: boolean;
  /** A live audio track was had. */
  readonly microphone: boolean;
  /** Why one or both could not be had (the getUserMedia failure), else null. */
  readonly problem: Problem | null;
}

/**
 * What STUN told about this device's public address:
 * - `found`: an address of its own on the internet (a server-reflexive candidate);
 * - `own-address`: a STUN server answered and saw this device's own address,
 *   which the browser does not repeat as a public one: nothing translates it
 *   on the way (no NAT), so direct connections reach it from that server's
 *   side (on `npm start`, the local relay's STUN: this machine);
 * - `unreachable`: no STUN server could be used (refused, or none answered
 *   before the time ran out): a firewall, or offline;
 * - `unknown`: none found, and gathering ran out of time while a relay was
 *   also asked, so either may be the server that never answered;
 * - `none`: no STUN server is set up: nothing could have found an address.
 */
export type StunOutcome = 'found' | 'own-address' | 'unreachable' | 'unknown' | 'none';

/** The facts stunOutcome judges, from the probe and the ICE configuration. */
export interface StunFacts {
  readonly srflx: boolean;
  /** The configuration's STUN URLs. */
  readonly stunUrls: readonly string[];
  /** Whether it also named a relay (TURN). */
  readonly relayConfigured: boolean;
  /** URLs the browser reported it could not use (icecandidateerror). */
  readonly failedServers: readonly string[];
  /** Whether gathering finished before the time ran out. */
  readonly complete: boolean;
}

/**
 * What STUN told, from what the probe saw. A STUN server that answers
 * with this device's own address produces no candidate (the browser drops
 * it as a repeat of a host candidate) but lets gathering finish at once; one
 * that never answers holds gathering until the time runs out, with no error
 * (Chromium 156, measured on loopback: 134 ms against more than 12 s).
 */
export function stunOutcome(f: StunFacts): StunOutcome {
  if (f.srflx) return 'found';
  if (f.stunUrls.length === 0) return 'none';
  if (f.stunUrls.every((url) => f.failedServers.includes(url))) return 'unreachable';
  if (f.complete) return 'own-address';
  return f.relayConfigured ? 'unknown' : 'unreachable';
}

/** The network, as the ICE probe found it. */
export interface NetworkFinding {
  readonly summary: CandidateSummary;
  /** Which servers the ICE configuration named. */
  readonly servers: ConfiguredServers;
  /** What STUN told about a public address (stunOutcome). */
  readonly stun: StunOutcome;
  /** Whether gathering finished on its own (false: a server never answered before the time ran out). */
  readonly complete: boolean;
  /** Round trip between this device and the relay; null when there is no relay candidate or it did not connect. */
  readonly relayRttMs: number | null;
}

export interface CheckResult {
  readonly media: MediaFinding;
  readonly network: NetworkFinding;
}

export const VerdictCode = {
  /** Direct connections and the relay both work. */
  ready: 'ready',
  /** No public address, but the relay works: calls go through it. */
  relayOnly: 'relay-only',
  /** Nothing got out over UDP, the relay answered over TCP or TLS. */
  udpBlocked: 'udp-blocked',
  /** Direct connections work; the relay does not (or none is set up). */
  noRelay: 'no-relay',
  /** The relay works; no STUN server is set up, so whether direct connections reach beyond this network is unknown. */
  noStun: 'no-stun',
  /** Only this device's own addresses. */
  hostOnly: 'host-only',
  /** Not a single address. */
  noNetwork: 'no-network',
  noCamera: 'no-camera',
  noMicrophone: 'no-microphone',
  /** Neither camera nor microphone. */
  noMedia: 'no-media',
  /** The check itself could not run (ICE configuration unavailable, an error). */
  checkFailed: 'check-failed',
  /** This browser has no WebRTC. */
  oldBrowser: 'old-browser',
} as const;
export type VerdictCode = (typeof VerdictCode)[keyof typeof VerdictCode];

/** good: calls will work; warning: they will work, with a caveat; bad: they will not, as things are. */
export type VerdictLevel = 'good' | 'warning' | 'bad';

interface VerdictBase {
  readonly level: VerdictLevel;
  /** The guide's section about it, if any. */
  readonly help: HelpTopic | null;
}

/** The check's conclusion: a code with what its words need to know. */
export type Verdict = VerdictBase &
  (
    | { readonly code: 'ready' | 'relay-only' | 'udp-blocked' | 'no-stun' | 'no-network' | 'old-browser' }
    /** `relaySetUp`: whether the configuration named a relay (then it did not answer). */
    | { readonly code: 'no-relay'; readonly relaySetUp: boolean }
    /** `serversSetUp`: whether STUN or TURN servers were named (then none answered). */
    | { readonly code: 'host-only'; readonly serversSetUp: boolean }
    /** `busy`: the device is there but in use by another app. */
    | { readonly code: 'no-camera' | 'no-microphone'; readonly busy: boolean }
    /** `problem`: why the browser gave neither, when it said. */
    | { readonly code: 'no-media'; readonly problem: Problem | null }
    | { readonly code: 'check-failed'; readonly problem: Problem }
  );

/**
 * Whether UDP gets out: 'open' when a STUN answer (with a public address or
 * this device's own) or a UDP relay came back;
 * 'blocked' when the relay answered over TCP or TLS but nothing came back
 * over UDP although a server was asked over UDP; 'unknown' when nothing got out at all (offline, or no server to
 * ask), which cannot tell a UDP block from the rest.
 */
export function udpStatus(network: NetworkFinding): 'open' | 'blocked' | 'unknown' {
  if (network.summary.udpOut || network.stun === 'own-address') return 'open';
  // A relay of unknown transport (a browser that does not say) proves nothing
  // either way, nor does silence over UDP when no server was asked over UDP.
  return network.summary.relayProtocols.length > 0 && network.servers.udp ? 'blocked' : 'unknown';
}

/** The media's verdict when it keeps calls from starting, else null. */
function mediaVerdict(media: MediaFinding): Verdict | null {
  const help = media.problem?.code ?? 'no-camera';
  const busy = media.problem?.code === 'camera-busy';
  if (!media.camera && !media.microphone) return { code: VerdictCode.noMedia, level: 'bad', problem: media.problem, help };
  if (!media.camera) return { code: VerdictCode.noCamera, level: 'bad', busy, help };
  if (!media.microphone) return { code: VerdictCode.noMicrophone, level: 'bad', busy, help };
  return null;
}

/** The network's verdict. */
export function networkVerdict(network: NetworkFinding): Verdict {
  const { summary, servers, stun } = network;
  // A STUN server that saw this device's own address: no NAT on the way, direct connections reach it.
  const direct = summary.srflx || stun === 'own-address';
  if (summary.relay && direct) return { code: VerdictCode.ready, level: 'good', help: null };
  if (summary.relay) {
    // Without a STUN server nothing could find a public address: not a sign of a blocked network.
    if (stun === 'none' && summary.host) return { code: VerdictCode.noStun, level: 'good', help: null };
    return udpStatus(network) === 'blocked'
      ? { code: VerdictCode.udpBlocked, level: 'warning', help: ExtraHelpTopic.strictFirewall }
      : { code: VerdictCode.relayOnly, level: 'good', help: ExtraHelpTopic.strictFirewall };
  }
  if (direct) {
    return { code: VerdictCode.noRelay, level: 'warning', relaySetUp: servers.turn, help: ExtraHelpTopic.strictFirewall };
  }
  if (summary.host) {
    const serversSetUp = servers.stun || servers.turn;
    // Without servers (Parley run locally, npm start) calls still connect on this network: a warning, not a failure.
    return serversSetUp
      ? { code: VerdictCode.hostOnly, level: 'bad', serversSetUp, help: ExtraHelpTopic.strictFirewall }
      : { code: VerdictCode.hostOnly, level: 'warning', serversSetUp, help: null };
  }
  return { code: VerdictCode.noNetwork, level: 'bad', help: ExtraHelpTopic.vpn };
}

/**
 * The check's conclusion: a camera or microphone that cannot be used comes
 * first (no call starts without both), then the network.
 */
export function verdict(result: CheckResult): Verdict {
  return mediaVerdict(result.media) ?? networkVerdict(result.network);
}

/** Why the check could not run at all. */
export function failedVerdict(problem: Problem): Verdict {
  return { code: VerdictCode.checkFailed, level: 'bad', problem, help: problem.code };
}

export const OLD_BROWSER: Verdict = { code: VerdictCode.oldBrowser, level: 'bad', help: ExtraHelpTopic.oldBrowser };
