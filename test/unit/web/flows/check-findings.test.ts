import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseCandidate } from '../../../../web/src/engine/ice-candidate.js';
import { findings, SLOW_RELAY_MS, type FindingValue } from '../../../../web/src/flows/check-findings.js';
import type { CheckState } from '../../../../web/src/flows/connection-check-state.js';
import { verdict, type CheckResult, type NetworkFinding } from '../../../../web/src/flows/verdict.js';

const HOST = parseCandidate('candidate:1 1 udp 2122260223 192.0.2.10 46243 typ host')!;
const MEDIA = { camera: true, microphone: false, problem: null };

function done(network: Partial<NetworkFinding> & Pick<NetworkFinding, 'summary'>): CheckState {
  const result: CheckResult = {
    media: MEDIA,
    network: {
      servers: { stun: true, turn: true, udp: true },
      // By default STUN set up and no public address found, for reasons the check could not tell.
      stun: network.summary.srflx ? 'found' : (network.servers?.stun ?? true) ? 'unknown' : 'none',
      complete: true,
      relayRttMs: null,
      ...network,
    },
  };
  return { status: 'done', result, verdict: verdict(result) };
}

/** A value's code with its parameters, e.g. "reached udp,tls" or "rtt 23.4". */
function show(value: FindingValue): string {
  if (value.code === 'reached') return `reached ${value.over.join(',')}`;
  if (value.code === 'rtt') return `rtt ${value.ms}`;
  return value.code;
}

const values = (state: CheckState) => Object.fromEntries(findings(state).map((f) => [f.id, `${show(f.value)} (${f.status})`]));

describe('findings', () => {
  it('none before a check, and none when it could not run', () => {
    assert.deepEqual(findings({ status: 'idle' }), []);
  });

  it('while checking: what is found so far, the rest pending', () => {
    assert.deepEqual(values({ status: 'checking', media: null, candidates: [HOST], measuringRelay: false }), {
      camera: 'checking (pending)',
      microphone: 'checking (pending)',
      host: 'found (ok)',
      srflx: 'looking (pending)',
      relay: 'looking (pending)',
    });
  });

  it('host only without servers (npm start): the servers are "not set up", not missing', () => {
    const state = done({
      summary: { host: true, srflx: false, relay: false, protocols: ['udp'], relayProtocols: [], udpOut: false },
      servers: { stun: false, turn: false, udp: false },
    });
    assert.deepEqual(values(state), {
      camera: 'works (ok)',
      microphone: 'not-available (bad)',
      host: 'found (ok)',
      srflx: 'no-stun (off)',
      relay: 'no-relay (off)',
      udp: 'udp-unknown (off)',
    });
  });

  it('everything found, with the relay round trip; a slow relay is a warning', () => {
    const summary = {
      host: true,
      srflx: true,
      relay: true,
      protocols: ['udp', 'tcp'],
      relayProtocols: ['udp', 'tls'],
      udpOut: true,
    } as const;
    const fast = values(done({ summary, relayRttMs: 23.4 }));
    assert.equal(fast['relay'], 'reached udp,tls (ok)');
    assert.equal(fast['udp'], 'udp-open (ok)');
    assert.equal(fast['rtt'], 'rtt 23.4 (ok)');
    assert.equal(values(done({ summary, relayRttMs: SLOW_RELAY_MS + 1 }))['rtt'], `rtt ${SLOW_RELAY_MS + 1} (warn)`);
    assert.equal(values(done({ summary, relayRttMs: null }))['rtt'], 'not-measured (warn)');
  });

  it('servers set up but not answering: not found, not reached, UDP blocked when only TCP got out', () => {
    const state = done({
      summary: { host: true, srflx: false, relay: true, protocols: ['udp'], relayProtocols: ['tcp'], udpOut: false },
    });
    const v = values(state);
    assert.equal(v['srflx'], 'not-found (warn)');
    assert.equal(v['udp'], 'udp-blocked (warn)');
    const none = values(
      done({ summary: { host: true, srflx: false, relay: false, protocols: ['udp'], relayProtocols: [], udpOut: false } }),
    );
    assert.equal(none['relay'], 'not-reached (warn)');
  });

  it("the public address row says what STUN said: this device's own (npm start), not reached, not set up", () => {
    const summary = { host: true, srflx: false, relay: true, protocols: ['udp'], relayProtocols: ['udp'], udpOut: true } as const;
    const local = values(done({ summary, stun: 'own-address' }));
    assert.equal(local['srflx'], 'own-address (ok)');
    assert.equal(local['udp'], 'udp-open (ok)');
    assert.equal(values(done({ summary, stun: 'unreachable' }))['srflx'], 'not-reached (warn)');
    assert.equal(
      values(done({ summary, stun: 'none', servers: { stun: false, turn: true, udp: true } }))['srflx'],
      'no-stun (off)',
    );
  });
});
