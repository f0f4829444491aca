/**
 * The connection check's list of what was found, one line per thing, while
 * it runs and after. Pure: derived from the check's state.
 */
import { summarizeCandidates, type CandidateSummary, type RelayProtocol } from '../engine/ice-candidate.js';
import type { CheckState } from './connection-check-state.js';
import { udpStatus, type MediaFinding, type NetworkFinding } from './verdict.js';

/** ok / warn / bad: as for a call; pending: not known yet; off: not set up here. */
export type FindingStatus = 'ok' | 'warn' | 'bad' | 'pending' | 'off';

export interface Finding {
  /** Stable, for tests and styling: camera, microphone, host, srflx, relay, udp, rtt. */
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly status: FindingStatus;
}

const RELAY_PROTOCOL_NAMES: Readonly<Record<RelayProtocol, string>> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

/**
 * Above this the relay's detour is one people notice: ITU-T G.114 puts
 * conversation at ease below about 150 ms one way, and the relay's round trip
 * is paid on top of the rest of the path.
 */
export const SLOW_RELAY_MS = 150;

function mediaRows(media: MediaFinding | null): Finding[] {
  const row = (id: 'camera' | 'microphone', label: string, works: boolean | undefined): Finding =>
    works === undefined
      ? { id, label, value: 'Checking…', status: 'pending' }
      : works
        ? { id, label, value: 'Works', status: 'ok' }
        : { id, label, value: 'Not available', status: 'bad' };
  return [row('camera', 'Camera', media?.camera), row('microphone', 'Microphone', media?.microphone)];
}

function networkRows(summary: CandidateSummary, network: NetworkFinding | null): Finding[] {
  const finished = network !== null;
  const searching = { value: 'Looking…', status: 'pending' } as const;
  const rows: Finding[] = [
    {
      id: 'host',
      label: "This device's own addresses",
      ...(summary.host ? { value: 'Found', status: 'ok' } : finished ? { value: 'None', status: 'bad' } : searching),
    },
    {
      id: 'srflx',
      label: 'Public address, for direct connections',
      ...(summary.srflx
        ? { value: 'Found', status: 'ok' }
        : !finished
          ? searching
          : network.servers.stun || network.servers.turn
            ? { value: 'Not found', status: 'warn' }
            : { value: 'No STUN server set up', status: 'off' }),
    },
    {
      id: 'relay',
      label: 'Our relay (TURN), for strict networks',
      ...(summary.relay
        ? {
            value: `Reached over ${summary.relayProtocols.map((p) => RELAY_PROTOCOL_NAMES[p]).join(', ') || 'the network'}`,
            status: 'ok',
          }
        : !finished
          ? searching
          : network.servers.turn
            ? { value: 'Not reached', status: 'warn' }
            : { value: 'No relay set up', status: 'off' }),
    },
  ];
  if (finished) {
    const udp = udpStatus(network);
    rows.push({
      id: 'udp',
      label: 'UDP, the quick way video travels',
      ...(udp === 'open'
        ? { value: 'Gets through', status: 'ok' }
        : udp === 'blocked'
          ? { value: 'Blocked', status: 'warn' }
          : { value: 'Could not tell', status: 'off' }),
    });
  }
  if (summary.relay) {
    const rtt = network?.relayRttMs;
    rows.push({
      id: 'rtt',
      label: 'Round trip to the relay',
      ...(!finished
        ? { value: 'Measuring…', status: 'pending' }
        : rtt === null || rtt === undefined
          ? { value: 'Could not measure', status: 'warn' }
          : { value: `${Math.round(rtt)} ms`, status: rtt > SLOW_RELAY_MS ? 'warn' : 'ok' }),
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
