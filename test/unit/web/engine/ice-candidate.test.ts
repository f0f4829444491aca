import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  asRelayProtocol,
  canConnectThroughRelayFirst,
  configuredServers,
  parseCandidate,
  relayProtocolFromUrl,
  revealsAddress,
  withoutRelatedAddress,
  summarizeCandidates,
  type ParsedCandidate,
  type RelayProtocol,
} from '../../../../web/src/engine/ice-candidate.js';

/** Candidate lines as Chromium gathers them (addresses from the documentation ranges). */
const LINES = {
  hostUdp: 'candidate:1467250027 1 udp 2122260223 192.0.2.10 46243 typ host generation 0 ufrag 9kUv network-id 1 network-cost 10',
  hostMdns:
    'candidate:3089371434 1 udp 2113937151 0b4b1d6c-5a5f-4e1f-a6f2-6a2b0d1d5b2e.local 54321 typ host generation 0 ufrag 9kUv network-cost 999',
  hostTcp: 'candidate:1853887674 1 tcp 1518280447 192.0.2.10 9 typ host tcptype active generation 0 ufrag 9kUv network-id 1',
  srflx: 'candidate:842163049 1 udp 1677729535 203.0.113.7 56143 typ srflx raddr 192.0.2.10 rport 46243 generation 0 ufrag 9kUv',
  relayUdp:
    'candidate:3808101372 1 udp 58663167 198.51.100.20 60240 typ relay raddr 203.0.113.7 rport 50710 generation 0 ufrag EeE0',
  relayTcp:
    'candidate:1797656238 1 udp 25108479 198.51.100.20 56041 typ relay raddr 203.0.113.7 rport 58408 generation 0 ufrag EeE0',
  relayTls:
    'candidate:3745185460 1 udp 8331007 198.51.100.20 61236 typ relay raddr 203.0.113.7 rport 40001 generation 0 ufrag 9kUv',
  prflx: 'candidate:1 1 udp 1853824767 203.0.113.9 50000 typ prflx raddr 0.0.0.0 rport 0',
} as const;

const parse = (line: string): ParsedCandidate => {
  const c = parseCandidate(line);
  assert.ok(c, `parses ${line}`);
  return c;
};

/** A relay candidate as the probe completes it (the line alone does not say how it reached the server). */
const over = (line: string, relayProtocol: RelayProtocol): ParsedCandidate => ({ ...parse(line), relayProtocol });

describe('parseCandidate', () => {
  it('reads the foundation, type, transport and priority of each kind of candidate', () => {
    const expect = (foundation: string, type: string, protocol: string, priority: number) => ({
      foundation,
      type,
      protocol,
      priority,
      relayProtocol: null,
    });
    assert.deepEqual(parse(LINES.hostUdp), expect('1467250027', 'host', 'udp', 2122260223));
    assert.deepEqual(parse(LINES.hostMdns), expect('3089371434', 'host', 'udp', 2113937151));
    assert.deepEqual(parse(LINES.hostTcp), expect('1853887674', 'host', 'tcp', 1518280447));
    assert.deepEqual(parse(LINES.srflx), expect('842163049', 'srflx', 'udp', 1677729535));
    assert.deepEqual(parse(LINES.relayUdp), expect('3808101372', 'relay', 'udp', 58663167));
    assert.equal(parse(LINES.prflx).type, 'prflx');
  });

  it("gives a relay's relayed side (always UDP), and leaves its way to the server to the browser", () => {
    for (const l of [LINES.relayUdp, LINES.relayTcp, LINES.relayTls]) {
      assert.equal(parse(l).protocol, 'udp');
      assert.equal(parse(l).relayProtocol, null);
    }
  });

  it('accepts the SDP form, upper case and surrounding space', () => {
    assert.equal(parse(`a=${LINES.srflx}`).type, 'srflx');
    assert.equal(
      parse('candidate:5 1 UDP 92217087 198.51.100.20 61234 typ relay raddr 198.51.100.20 rport 61234').protocol,
      'udp',
    );
    assert.equal(parse(`  ${LINES.hostUdp}\r\n`).type, 'host');
  });

  it('returns null for the end of gathering and for anything else', () => {
    for (const line of [
      '',
      'candidate:',
      'a=end-of-candidates',
      'candidate:1 1 sctp 1 192.0.2.1 1 typ host',
      'candidate:1 1 udp 1 192.0.2.1 1 typ magic',
    ]) {
      assert.equal(parseCandidate(line), null, line);
    }
  });
});

describe('relayProtocolFromUrl', () => {
  it('reads the transport from a TURN URL', () => {
    assert.equal(relayProtocolFromUrl('turn:127.0.0.1:3478?transport=udp'), 'udp');
    assert.equal(relayProtocolFromUrl('turn:turn.example.org'), 'udp', 'UDP by default');
    assert.equal(relayProtocolFromUrl('turn:turn.example.org:3478?transport=tcp'), 'tcp');
    assert.equal(relayProtocolFromUrl('TURN:turn.example.org?transport=TCP'), 'tcp');
    assert.equal(relayProtocolFromUrl('turns:turn.example.org:443?transport=tcp'), 'tls');
    assert.equal(relayProtocolFromUrl('turns:turn.example.org'), 'tls');
  });

  it('is null for anything else', () => {
    for (const url of ['', 'stun:stun.example.org:19302', 'https://turn.example.org', 'turn:x?transport=sctp']) {
      assert.equal(relayProtocolFromUrl(url), null, url);
    }
  });
});

describe('asRelayProtocol', () => {
  it('keeps the three known values and nothing else', () => {
    for (const v of ['udp', 'tcp', 'tls'] as const) assert.equal(asRelayProtocol(v), v);
    for (const v of [null, undefined, '', 'UDP', 'dtls', 3]) assert.equal(asRelayProtocol(v), null, String(v));
  });
});

describe('summarizeCandidates', () => {
  const summary = (...candidates: ParsedCandidate[]) => summarizeCandidates(candidates);

  it('says nothing was found for no candidates', () => {
    assert.deepEqual(summary(), { host: false, srflx: false, relay: false, protocols: [], relayProtocols: [], udpOut: false });
  });

  it('host candidates alone: nothing got out', () => {
    const s = summary(parse(LINES.hostUdp), parse(LINES.hostTcp));
    assert.deepEqual([s.host, s.srflx, s.relay, s.udpOut], [true, false, false, false]);
    assert.deepEqual(s.protocols, ['udp', 'tcp']);
  });

  it('a STUN answer means UDP got out', () => {
    assert.equal(summary(parse(LINES.hostUdp), parse(LINES.srflx)).udpOut, true);
  });

  it('a relay over UDP means UDP got out; over TCP or TLS alone it did not', () => {
    assert.equal(summary(parse(LINES.hostUdp), over(LINES.relayUdp, 'udp')).udpOut, true);
    const tcpOnly = summary(parse(LINES.hostUdp), over(LINES.relayTcp, 'tcp'), over(LINES.relayTls, 'tls'));
    assert.equal(tcpOnly.udpOut, false);
    assert.equal(tcpOnly.relay, true);
    assert.deepEqual(tcpOnly.relayProtocols, ['tcp', 'tls']);
  });

  it('a relay of unknown transport counts as a relay, and says nothing about UDP', () => {
    const s = summary(parse(LINES.hostUdp), parse(LINES.relayUdp));
    assert.deepEqual([s.relay, s.udpOut, s.relayProtocols.length], [true, false, 0]);
  });

  it('does not depend on the order of arrival', () => {
    const [a, b, c] = [over(LINES.relayUdp, 'udp'), parse(LINES.srflx), parse(LINES.hostUdp)];
    assert.deepEqual(summary(a, b, c), summary(c, b, a));
  });
});

describe('configuredServers', () => {
  it('tells STUN from TURN by the URL scheme, in strings and lists, and whether any is asked over UDP', () => {
    assert.deepEqual(configuredServers({}), { stun: false, turn: false, udp: false });
    assert.deepEqual(configuredServers({ iceServers: [] }), { stun: false, turn: false, udp: false });
    assert.deepEqual(configuredServers({ iceServers: [{ urls: 'stun:stun.example.org:3478' }] }), {
      stun: true,
      turn: false,
      udp: true,
    });
    assert.deepEqual(
      configuredServers({ iceServers: [{ urls: ['turns:turn.example.org:443?transport=tcp'], username: 'u', credential: 'c' }] }),
      { stun: false, turn: true, udp: false },
    );
    assert.deepEqual(configuredServers({ iceServers: [{ urls: 'turn:t.example.org?transport=tcp' }] }), {
      stun: false,
      turn: true,
      udp: false,
    });
    assert.deepEqual(configuredServers({ iceServers: [{ urls: ['STUN:a'] }, { urls: 'turn:b' }] }), {
      stun: true,
      turn: true,
      udp: true,
    });
  });
});

describe('revealsAddress', () => {
  it('holds back every kind of address but the relay, and whatever it cannot read', () => {
    for (const line of [LINES.hostUdp, LINES.hostMdns, LINES.hostTcp, LINES.srflx, LINES.prflx]) {
      assert.equal(revealsAddress(line), true, line);
    }
    for (const line of [LINES.relayUdp, LINES.relayTcp, LINES.relayTls, `a=${LINES.relayUdp}`]) {
      assert.equal(revealsAddress(line), false, line);
    }
    assert.equal(revealsAddress('candidate:garbled'), true);
    assert.equal(revealsAddress(''), true);
  });
});

describe('canConnectThroughRelayFirst', () => {
  it('needs a TURN server, and a policy that gathers more than relay candidates', () => {
    const turn = { urls: 'turn:turn.example.org:3478', username: 'u', credential: 'c' };
    assert.equal(canConnectThroughRelayFirst({ iceServers: [turn] }), true);
    assert.equal(canConnectThroughRelayFirst({ iceServers: [turn], iceTransportPolicy: 'all' }), true);
    assert.equal(canConnectThroughRelayFirst({ iceServers: [turn], iceTransportPolicy: 'relay' }), false);
    assert.equal(canConnectThroughRelayFirst({ iceServers: [{ urls: 'stun:stun.example.org' }] }), false);
    assert.equal(canConnectThroughRelayFirst({ iceServers: [] }), false);
    assert.equal(canConnectThroughRelayFirst({}), false);
  });
});

describe('withoutRelatedAddress', () => {
  it('drops the related address and port, and nothing else; a line without one is unchanged', () => {
    assert.equal(
      withoutRelatedAddress(LINES.relayUdp),
      'candidate:3808101372 1 udp 58663167 198.51.100.20 60240 typ relay raddr 0.0.0.0 rport 0 generation 0 ufrag EeE0',
    );
    assert.deepEqual(parse(withoutRelatedAddress(LINES.relayTls)), parse(LINES.relayTls));
    assert.equal(withoutRelatedAddress(LINES.hostUdp), LINES.hostUdp);
  });
});
