import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { CandidateSummary, RelayProtocol } from '../../../../web/src/engine/ice-candidate.js';
import { HELP_TOPICS } from '../../../../web/src/flows/help-topic.js';
import {
  failedVerdict,
  networkVerdict,
  OLD_BROWSER,
  stunOutcome,
  udpStatus,
  verdict,
  VerdictCode,
  type MediaFinding,
  type NetworkFinding,
  type StunOutcome,
  type Verdict,
} from '../../../../web/src/flows/verdict.js';
import { linkProblem, mediaProblem } from '../../../../web/src/flows/problems.js';

type Kind = 'host' | 'srflx' | 'relay';

/** A finding for the given candidate kinds; relays reached over `relayOver`. */
function network(
  kinds: readonly Kind[],
  opts: { relayOver?: RelayProtocol[]; stun?: boolean; turn?: boolean; udp?: boolean; said?: StunOutcome } = {},
): NetworkFinding {
  const relayProtocols = kinds.includes('relay') ? (opts.relayOver ?? ['udp']) : [];
  const summary: CandidateSummary = {
    host: kinds.includes('host'),
    srflx: kinds.includes('srflx'),
    relay: kinds.includes('relay'),
    protocols: kinds.length ? ['udp'] : [],
    relayProtocols,
    udpOut: kinds.includes('srflx') || relayProtocols.includes('udp'),
  };
  return {
    summary,
    servers: { stun: opts.stun ?? true, turn: opts.turn ?? true, udp: opts.udp ?? opts.stun ?? true },
    // What STUN said: by default, a public address when one was found, else that no STUN server answered.
    stun: opts.said ?? (kinds.includes('srflx') ? 'found' : (opts.stun ?? true) ? 'unreachable' : 'none'),
    complete: true,
    relayRttMs: kinds.includes('relay') ? 40 : null,
  };
}

const BOTH: MediaFinding = { camera: true, microphone: true, problem: null };
const check = (net: NetworkFinding, media: MediaFinding = BOTH): Verdict => verdict({ media, network: net });

/** A code with its parameters and a guide section, no words (elements/messages.ts words it). */
function assertPlain(v: Verdict): void {
  assert.ok(!('message' in v) && !('hint' in v), `no words in ${v.code}`);
  if (v.help !== null) assert.ok(HELP_TOPICS.includes(v.help), `links to a guide section: ${v.help}`);
}

describe('networkVerdict', () => {
  it('host, public address and relay: ready', () => {
    const v = check(network(['host', 'srflx', 'relay']));
    assert.equal(v.code, VerdictCode.ready);
    assert.equal(v.level, 'good');
    assert.equal(v.help, null);
    assertPlain(v);
  });

  it('relay without a public address: calls go through the relay', () => {
    for (const kinds of [['host', 'relay'], ['relay']] as const) {
      const v = check(network(kinds));
      assert.equal(v.code, VerdictCode.relayOnly);
      assert.equal(v.level, 'good');
      assertPlain(v);
    }
  });

  it('relay reached over TCP or TLS only, nothing over UDP: UDP is blocked', () => {
    for (const relayOver of [['tcp'], ['tls'], ['tcp', 'tls']] as RelayProtocol[][]) {
      const net = network(['host', 'relay'], { relayOver });
      assert.equal(udpStatus(net), 'blocked');
      const v = check(net);
      assert.equal(v.code, VerdictCode.udpBlocked);
      assert.equal(v.level, 'warning');
      assertPlain(v);
    }
  });

  it('relay over TCP when no server was asked over UDP: UDP untested; without STUN, not called blocked', () => {
    const net = network(['host', 'relay'], { relayOver: ['tcp'], stun: false, udp: false });
    assert.equal(udpStatus(net), 'unknown');
    assert.equal(check(net).code, VerdictCode.noStun);
    const asked = network(['host', 'relay'], { relayOver: ['tcp'], udp: false });
    assert.equal(check(asked).code, VerdictCode.relayOnly, 'a STUN server that did not answer: relay only');
  });

  it("a STUN server that saw this device's own address (npm start, no NAT): direct connections work", () => {
    const local = network(['host', 'relay'], { said: 'own-address' });
    assert.equal(udpStatus(local), 'open', 'the STUN answer came back over UDP');
    assert.deepEqual(check(local), { code: VerdictCode.ready, level: 'good', help: null });
    const noRelay = check(network(['host'], { said: 'own-address', turn: false }));
    assert.deepEqual(noRelay, { code: VerdictCode.noRelay, level: 'warning', relaySetUp: false, help: 'strict-firewall' });
  });

  it('no STUN server set up, the relay reached: calls connect, and the check cannot tell about beyond this network', () => {
    const v = check(network(['host', 'relay'], { stun: false }));
    assert.deepEqual(v, { code: VerdictCode.noStun, level: 'good', help: null });
    assertPlain(v);
  });

  it('a STUN server set up but not reached, the relay reached: the network blocks direct connections', () => {
    for (const said of ['unreachable', 'unknown'] as const) {
      assert.equal(check(network(['host', 'relay'], { said })).code, VerdictCode.relayOnly, said);
    }
  });

  it('relay of unknown transport (another browser): relay only, not a UDP verdict', () => {
    const v = check(network(['host', 'relay'], { relayOver: [] }));
    assert.equal(v.code, VerdictCode.relayOnly);
  });

  it('public address but no relay: calls may fail on strict networks, worded for TURN set up or not', () => {
    const unreachable = check(network(['host', 'srflx']));
    assert.deepEqual(unreachable, { code: VerdictCode.noRelay, level: 'warning', relaySetUp: true, help: 'strict-firewall' });
    assertPlain(unreachable);
    const none = check(network(['host', 'srflx'], { turn: false }));
    assert.deepEqual(none, { code: VerdictCode.noRelay, level: 'warning', relaySetUp: false, help: 'strict-firewall' });
  });

  it('host only with servers configured: the servers could not be reached (offline or blocked)', () => {
    for (const servers of [
      { stun: true, turn: true },
      { stun: true, turn: false },
      { stun: false, turn: true },
    ]) {
      const v = check(network(['host'], servers));
      assert.deepEqual(v, { code: VerdictCode.hostOnly, level: 'bad', serversSetUp: true, help: 'strict-firewall' });
    }
  });

  it('host only with no servers configured (npm start): says so, and that calls stay on this network', () => {
    const v = check(network(['host'], { stun: false, turn: false }));
    assert.deepEqual(v, { code: VerdictCode.hostOnly, level: 'warning', serversSetUp: false, help: null });
  });

  it('nothing at all: no network address', () => {
    for (const servers of [
      { stun: true, turn: true },
      { stun: false, turn: false },
    ]) {
      const v = check(network([], servers));
      assert.equal(v.code, VerdictCode.noNetwork);
      assert.equal(v.level, 'bad');
      assertPlain(v);
    }
  });

  it('udpStatus: open with a public address or a UDP relay, unknown when nothing got out', () => {
    assert.equal(udpStatus(network(['host', 'srflx'])), 'open');
    assert.equal(udpStatus(network(['relay'], { relayOver: ['udp', 'tcp'] })), 'open');
    assert.equal(udpStatus(network(['host'])), 'unknown');
    assert.equal(udpStatus(network([])), 'unknown');
  });
});

describe('stunOutcome', () => {
  const facts = {
    srflx: false,
    stunUrls: ['stun:127.0.0.1:3478'],
    relayConfigured: true,
    failedServers: [] as string[],
    complete: true,
  };

  it('a public address of its own when one was found; none when no STUN server is set up', () => {
    assert.equal(stunOutcome({ ...facts, srflx: true }), 'found');
    assert.equal(stunOutcome({ ...facts, stunUrls: [] }), 'none');
    assert.equal(stunOutcome({ ...facts, stunUrls: [], srflx: true }), 'found', 'a relay may find one too');
  });

  it("gathering that finished with no public address and no error: the STUN server saw this device's own", () => {
    assert.equal(stunOutcome(facts), 'own-address');
    const two = { ...facts, stunUrls: ['stun:a.example:3478', 'stun:b.example:3478'], failedServers: ['stun:a.example:3478'] };
    assert.equal(stunOutcome(two), 'own-address', 'one of two answered');
  });

  it('unreachable when every STUN server failed, or the time ran out with no relay to blame', () => {
    assert.equal(stunOutcome({ ...facts, failedServers: ['stun:127.0.0.1:3478'] }), 'unreachable');
    assert.equal(stunOutcome({ ...facts, complete: false, relayConfigured: false }), 'unreachable');
  });

  it('unknown when the time ran out and a relay was asked too: either may be the one that never answered', () => {
    assert.equal(stunOutcome({ ...facts, complete: false }), 'unknown');
  });
});

describe('verdict with the camera or microphone missing', () => {
  const everyNetwork = [network(['host', 'srflx', 'relay']), network(['host']), network([])];

  it('no camera: said first, whatever the network', () => {
    const media: MediaFinding = { camera: false, microphone: true, problem: mediaProblem({ name: 'NotFoundError' }) };
    for (const net of everyNetwork) {
      const v = check(net, media);
      assert.deepEqual(v, { code: VerdictCode.noCamera, level: 'bad', busy: false, help: 'no-camera' });
    }
  });

  it('no microphone: said first, whatever the network; a busy one is told to close other apps', () => {
    const media: MediaFinding = { camera: true, microphone: false, problem: mediaProblem({ name: 'NotReadableError' }) };
    for (const net of everyNetwork) {
      const v = check(net, media);
      assert.deepEqual(v, { code: VerdictCode.noMicrophone, level: 'bad', busy: true, help: 'camera-busy' });
    }
    assert.deepEqual(check(everyNetwork[0]!, { camera: true, microphone: false, problem: null }), {
      code: VerdictCode.noMicrophone,
      level: 'bad',
      busy: false,
      help: 'no-camera',
    });
  });

  it('neither: the browser problem as it is, e.g. access denied', () => {
    const problem = mediaProblem({ name: 'NotAllowedError' });
    const v = check(everyNetwork[0]!, { camera: false, microphone: false, problem });
    assert.deepEqual(v, { code: VerdictCode.noMedia, level: 'bad', problem, help: 'camera-denied' });
  });

  it('both there: the network decides', () => {
    for (const net of everyNetwork) assert.deepEqual(check(net), networkVerdict(net));
  });
});

describe('failedVerdict and OLD_BROWSER', () => {
  it('carries the problem as a check that could not finish, pointing to its section', () => {
    const problem = { code: 'backend-unreachable' } as const;
    assert.deepEqual(failedVerdict(problem), {
      code: VerdictCode.checkFailed,
      level: 'bad',
      problem,
      help: 'backend-unreachable',
    });
    assertPlain(failedVerdict(linkProblem('connection-failed')));
  });

  it('an old browser is told to use a current one', () => {
    assert.equal(OLD_BROWSER.help, 'old-browser');
    assertPlain(OLD_BROWSER);
  });
});
