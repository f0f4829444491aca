import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseCandidate } from '../../../../web/src/engine/ice-candidate.js';
import { findings, SLOW_RELAY_MS } from '../../../../web/src/flows/check-findings.js';
import type { CheckState } from '../../../../web/src/flows/connection-check-state.js';
import { verdict, type CheckResult, type NetworkFinding } from '../../../../web/src/flows/verdict.js';

const HOST = parseCandidate('candidate:1 1 udp 2122260223 192.0.2.10 46243 typ host')!;
const MEDIA = { camera: true, microphone: false, problem: null };

function done(network: Partial<NetworkFinding> & Pick<NetworkFinding, 'summary'>): CheckState {
  const result: CheckResult = {
    media: MEDIA,
    network: { servers: { stun: true, turn: true, udp: true }, complete: true, relayRttMs: null, ...network },
  };
  return { status: 'done', result, verdict: verdict(result) };
}

const values = (state: CheckState) => Object.fromEntries(findings(state).map((f) => [f.id, `${f.value} (${f.status})`]));

describe('findings', () => {
  it('none before a check, and none when it could not run', () => {
    assert.deepEqual(findings({ status: 'idle' }), []);
  });

  it('while checking: what is found so far, the rest pending', () => {
    assert.deepEqual(values({ status: 'checking', media: null, candidates: [HOST], measuringRelay: false }), {
      camera: 'Checking… (pending)',
      microphone: 'Checking… (pending)',
      host: 'Found (ok)',
      srflx: 'Looking… (pending)',
      relay: 'Looking… (pending)',
    });
  });

  it('host only without servers (npm start): the servers are "not set up", not missing', () => {
    const state = done({
      summary: { host: true, srflx: false, relay: false, protocols: ['udp'], relayProtocols: [], udpOut: false },
      servers: { stun: false, turn: false, udp: false },
    });
    assert.deepEqual(values(state), {
      camera: 'Works (ok)',
      microphone: 'Not available (bad)',
      host: 'Found (ok)',
      srflx: 'No STUN server set up (off)',
      relay: 'No relay set up (off)',
      udp: 'Could not tell (off)',
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
    assert.equal(fast['relay'], 'Reached over UDP, TLS (ok)');
    assert.equal(fast['udp'], 'Gets through (ok)');
    assert.equal(fast['rtt'], '23 ms (ok)');
    assert.equal(values(done({ summary, relayRttMs: SLOW_RELAY_MS + 1 }))['rtt'], `${SLOW_RELAY_MS + 1} ms (warn)`);
    assert.equal(values(done({ summary, relayRttMs: null }))['rtt'], 'Could not measure (warn)');
  });

  it('servers set up but not answering: not found, not reached, UDP blocked when only TCP got out', () => {
    const state = done({
      summary: { host: true, srflx: false, relay: true, protocols: ['udp'], relayProtocols: ['tcp'], udpOut: false },
    });
    const v = values(state);
    assert.equal(v['srflx'], 'Not found (warn)');
    assert.equal(v['udp'], 'Blocked (warn)');
    const none = values(
      done({ summary: { host: true, srflx: false, relay: false, protocols: ['udp'], relayProtocols: [], udpOut: false } }),
    );
    assert.equal(none['relay'], 'Not reached (warn)');
  });
});
