/**
 * The connection check's list of what was found, one row per thing, while
 * it runs and after, each as a code (elements/messages.ts words it). Pure:
 * derived from the check's state.
 */
import { summarizeCandidates, type CandidateSummary, type RelayProtocol } from '../engine/ice-candidate.js';
import type { CheckState } from './connection-check-state.js';
import { udpStatus, type MediaFinding, type NetworkFinding, type StunOutcome } from './verdict.js';

/** ok / warn / bad: as for a call; pending: not known yet; off: not set up here. */
export type FindingStatus = 'ok' | 'warn' | 'bad' | 'pending' | 'off';

/** What a row is about; stable, for tests and styling. */
export const FindingId = {
  camera: 'camera',
  microphone: 'microphone',
  /** This device's own addresses. */
  host: 'host',
  /** A public address, for direct connections. */
  srflx: 'srflx',
  /** The relay (TURN). */
  relay: 'relay',
  udp: 'udp',
  /** The round trip to the relay. */
  rtt: 'rtt',
} as const;
export type FindingId = (typeof FindingId)[keyof typeof FindingId];

/** What was found for a row. */
export const FindingValueCode = {
  /** The camera or microphone is still being asked for. */
  checking: 'checking',
  works: 'works',
  notAvailable: 'not-available',
  /** Candidates of this kind may still arrive. */
  looking: 'looking',
  found: 'found',
  none: 'none',
  notFound: 'not-found',
  /** No STUN server is configured: nothing could have found a public address. */
  noStun: 'no-stun',
  /** A STUN server saw this device's own address: no NAT in between. */
  ownAddress: 'own-address',
  /** The relay was reached; `over` says how. */
  reached: 'reached',
  notReached: 'not-reached',
  /** No TURN server is configured. */
  noRelay: 'no-relay',
  udpOpen: 'udp-open',
  udpBlocked: 'udp-blocked',
  udpUnknown: 'udp-unknown',
  measuring: 'measuring',
  /** The relay's round trip, `ms`. */
  rtt: 'rtt',
  notMeasured: 'not-measured',
} as const;
export type FindingValueCode = (typeof FindingValueCode)[keyof typeof FindingValueCode];

export type FindingValue =
  | { readonly code: Exclude<FindingValueCode, 'reached' | 'rtt'> }
  /** `over`: the transports the relay answered on (empty when the browser does not say). */
  | { readonly code: 'reached'; readonly over: readonly RelayProtocol[] }
  | { readonly code: 'rtt'; readonly ms: number };

export interface Finding {
  readonly id: FindingId;
  readonly value: FindingValue;
  readonly status: FindingStatus;
}

/**
 * Above this the relay's detour is one people notice: ITU-T G.114 puts
 * conversation at ease below about 150 ms one way, and the relay's round trip
 * is paid on top of the rest of the path.
 */
export const SLOW_RELAY_MS = 150;

type Row = Pick<Finding, 'value' | 'status'>;
const row = (code: Exclude<FindingValueCode, 'reached' | 'rtt'>, status: FindingStatus): Row => ({ value: { code }, status });

function mediaRows(media: MediaFinding | null): Finding[] {
  const device = (id: 'camera' | 'microphone', works: boolean | undefined): Finding => ({
    id,
    ...(works === undefined ? row('checking', 'pending') : works ? row('works', 'ok') : row('not-available', 'bad')),
  });
  return [device(FindingId.camera, media?.camera), device(FindingId.microphone, media?.microphone)];
}

/** The public-address row once gathering is over and no public address of its own was found. */
function srflxRow(stun: StunOutcome): Row {
  switch (stun) {
    case 'own-address':
      return row('own-address', 'ok');
    case 'none':
      return row('no-stun', 'off');
    case 'unreachable':
      return row('not-reached', 'warn');
    case 'found':
    case 'unknown':
      return row('not-found', 'warn');
  }
}

function networkRows(summary: CandidateSummary, network: NetworkFinding | null): Finding[] {
  const finished = network !== null;
  const searching = row('looking', 'pending');
  const rows: Finding[] = [
    { id: FindingId.host, ...(summary.host ? row('found', 'ok') : finished ? row('none', 'bad') : searching) },
    {
      id: FindingId.srflx,
      ...(summary.srflx ? row('found', 'ok') : !finished ? searching : srflxRow(network.stun)),
    },
    {
      id: FindingId.relay,
      ...(summary.relay
        ? { value: { code: 'reached', over: summary.relayProtocols }, status: 'ok' }
        : !finished
          ? searching
          : network.servers.turn
            ? row('not-reached', 'warn')
            : row('no-relay', 'off')),
    },
  ];
  if (finished) {
    const udp = udpStatus(network);
    rows.push({
      id: FindingId.udp,
      ...(udp === 'open' ? row('udp-open', 'ok') : udp === 'blocked' ? row('udp-blocked', 'warn') : row('udp-unknown', 'off')),
    });
  }
  if (summary.relay) {
    const rtt = network?.relayRttMs;
    rows.push({
      id: FindingId.rtt,
      ...(!finished
        ? row('measuring', 'pending')
        : rtt === null || rtt === undefined
          ? row('not-measured', 'warn')
          : { value: { code: 'rtt', ms: rtt }, status: rtt > SLOW_RELAY_MS ? 'warn' : 'ok' }),
    });
  }
  return rows;
}

/** The rows to show for a state: none before the first run or after a failure to run. */
export function findings(state: CheckState): Finding[] {
  switch (state.status) {
    case 'idle':
    case 'failed':
      return [];
    case 'checking':
      return [...mediaRows(state.media), ...networkRows(summarizeCandidates(state.candidates), null)];
    case 'done':
      return [...mediaRows(state.result.media), ...networkRows(state.result.network.summary, state.result.network)];
  }
}
