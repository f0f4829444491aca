/**
 * What a connection check found, and what it means for a call, in plain
 * words. Pure: the check (connection-check.ts) gathers the facts, this
 * module judges them, elements show the words as they are.
 */
import type { CandidateSummary, ConfiguredServers } from '../engine/ice-candidate.js';
import { ProblemCode, type Problem } from './problems.js';
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

/** The network, as the ICE probe found it. */
export interface NetworkFinding {
  readonly summary: CandidateSummary;
  /** Which servers the ICE configuration named. */
  readonly servers: ConfiguredServers;
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

export interface Verdict {
  readonly code: VerdictCode;
  readonly level: VerdictLevel;
  /** What it means for calls, in one sentence. */
  readonly message: string;
  /** What the person can do, or why it is fine. */
  readonly hint: string;
  /** The guide's section about it, if any. */
  readonly help: HelpTopic | null;
}

/**
 * Whether UDP gets out: 'open' when a STUN answer or a UDP relay came back;
 * 'blocked' when the relay answered over TCP or TLS but nothing came back
 * over UDP although a server was asked over UDP; 'unknown' when nothing got out at all (offline, or no server to
 * ask), which cannot tell a UDP block from the rest.
 */
export function udpStatus(network: NetworkFinding): 'open' | 'blocked' | 'unknown' {
  if (network.summary.udpOut) return 'open';
  // A relay of unknown transport (a browser that does not say) proves nothing
  // either way, nor does silence over UDP when no server was asked over UDP.
  return network.summary.relayProtocols.length > 0 && network.servers.udp ? 'blocked' : 'unknown';
}

/** The media's verdict when it keeps calls from starting, else null. */
function mediaVerdict(media: MediaFinding): Verdict | null {
  const help = media.problem?.code ?? ProblemCode.noCamera;
  if (!media.camera && !media.microphone) {
    return {
      code: VerdictCode.noMedia,
      level: 'bad',
      message: media.problem?.message ?? 'The camera and microphone could not be used.',
      hint: media.problem ? onCheckPage(media.problem.hint) : 'Parley needs both for a call.',
      help,
    };
  }
  if (!media.camera) {
    return {
      code: VerdictCode.noCamera,
      level: 'bad',
      message: 'Your microphone works, but the camera could not be used, and Parley needs both for a call.',
      hint:
        media.problem?.code === ProblemCode.cameraBusy
          ? 'Close other apps or tabs that use the camera, then press Check again.'
          : 'Connect a camera (or check it is switched on and allowed for this site), then press Check again.',
      help,
    };
  }
  if (!media.microphone) {
    return {
      code: VerdictCode.noMicrophone,
      level: 'bad',
      message: 'Your camera works, but the microphone could not be used, and Parley needs both for a call.',
      hint:
        media.problem?.code === ProblemCode.cameraBusy
          ? 'Close other apps or tabs that use the microphone, then press Check again.'
          : 'Connect a microphone or headset (or check it is switched on and allowed for this site), then press Check again.',
      help,
    };
  }
  return null;
}

/** The network's verdict. */
export function networkVerdict(network: NetworkFinding): Verdict {
  const { summary, servers } = network;
  if (summary.relay && summary.srflx) {
    return {
      code: VerdictCode.ready,
      level: 'good',
      message: 'Your connection is ready for calls.',
      hint: 'Direct connections work, and our relay is there for people on strict networks.',
      help: null,
    };
  }
  if (summary.relay) {
    return udpStatus(network) === 'blocked'
      ? {
          code: VerdictCode.udpBlocked,
          level: 'warning',
          message: 'Your network blocks UDP, the quick way video travels; calls will go through our relay over TCP.',
          hint: 'Calls will work, but may lag or stutter. Another network (mobile data, home Wi-Fi) or turning off a VPN may help.',
          help: ExtraHelpTopic.strictFirewall,
        }
      : {
          code: VerdictCode.relayOnly,
          level: 'good',
          message: 'Your network blocks direct connections; calls will go through our relay.',
          hint: 'That works: the video takes a detour through our server, which may add a little delay.',
          help: ExtraHelpTopic.strictFirewall,
        };
  }
  if (summary.srflx) {
    return {
      code: VerdictCode.noRelay,
      level: 'warning',
      message: servers.turn
        ? 'Direct connections work, but our relay could not be reached, so calls may fail on strict networks.'
        : 'Direct connections work, but no relay is set up here, so calls may fail on strict networks.',
      hint: 'Most calls will connect. One with someone behind a strict firewall (some offices, schools, mobile networks) may not.',
      help: ExtraHelpTopic.strictFirewall,
    };
  }
  if (summary.host) {
    return servers.stun || servers.turn
      ? {
          code: VerdictCode.hostOnly,
          level: 'bad',
          message: 'Your device could not reach our connection servers, so calls to other networks will fail.',
          hint: 'You may be offline, or a firewall or VPN blocks them. Check your connection, or try another network.',
          help: ExtraHelpTopic.strictFirewall,
        }
      : {
          // Only where no STUN or TURN server is configured: Parley run locally (npm start).
          code: VerdictCode.hostOnly,
          level: 'warning',
          message: "Only this device's own addresses were found: no connection servers (STUN or TURN) are set up here.",
          hint: 'Calls will connect between tabs and devices on this network, not beyond it. Expected when running Parley locally.',
          help: null,
        };
  }
  return {
    code: VerdictCode.noNetwork,
    level: 'bad',
    message: 'Your browser found no network address to call from.',
    hint: 'You may be offline, or a browser setting or extension blocks WebRTC. Check your connection, or try another browser.',
    help: ExtraHelpTopic.vpn,
  };
}

/**
 * The one sentence the check ends with: a camera or microphone that cannot
 * be used comes first (no call starts without both), then the network.
 */
export function verdict(result: CheckResult): Verdict {
  return mediaVerdict(result.media) ?? networkVerdict(result.network);
}

/** A problem's hint as the check page says it: its button is Check again, not Start, Next or Join. */
function onCheckPage(hint: string): string {
  return hint.replace(/press (Start|Next|Join) again/i, 'press Check again');
}

/** Why the check could not run at all. */
export function failedVerdict(problem: Problem): Verdict {
  return {
    code: VerdictCode.checkFailed,
    level: 'bad',
    message: `The check could not finish. ${problem.message}`,
    hint: onCheckPage(problem.hint),
    help: problem.code,
  };
}

export const OLD_BROWSER: Verdict = {
  code: VerdictCode.oldBrowser,
  level: 'bad',
  message: 'This browser cannot make video calls (it has no WebRTC).',
  hint: 'Open Parley in a current Chrome, Edge, Firefox or Safari.',
  help: ExtraHelpTopic.oldBrowser,
};
