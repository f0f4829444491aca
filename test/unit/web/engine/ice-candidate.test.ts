import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  configuredServers,
  parseCandidate,
  relayProtocolFromPriority,
  summarizeCandidates,
  type ParsedCandidate,
} from '../../../../web/src/engine/ice-candidate.js';

/** Candidate lines as Chrome gathers them (addresses from the documentation ranges). */
const LINES = {
  hostUdp: 'candidate:1467250027 1 udp 2122260223 192.0.2.10 46243 typ host generation 0 ufrag 9kUv network-id 1 network-cost 10',
  hostMdns:
    'candidate:3089371434 1 udp 2113937151 0b4b1d6c-5a5f-4e1f-a6f2-6a2b0d1d5b2e.local 54321 typ host generation 0 ufrag 9kUv network-cost 999',
  hostTcp: 'candidate:1853887674 1 tcp 1518280447 192.0.2.10 9 typ host tcptype active generation 0 ufrag 9kUv network-id 1',
  srflx: 'candidate:842163049 1 udp 1677729535 203.0.113.7 56143 typ srflx raddr 192.0.2.10 rport 46243 generation 0 ufrag 9kUv',
  relayUdp:
    'candidate:3745185458 1 udp 41885439 198.51.100.20 61234 typ relay raddr 203.0.113.7 rport 56143 generation 0 ufrag 9kUv',
  relayTcp:
    'candidate:3745185459 1 udp 25108223 198.51.100.20 61235 typ relay raddr 203.0.113.7 rport 40000 generation 0 ufrag 9kUv',
  relayTls:
    'candidate:3745185460 1 udp 8331007 198.51.100.20 61236 typ relay raddr 203.0.113.7 rport 40001 generation 0 ufrag 9kUv',
  prflx: 'candidate:1 1 udp 1853824767 203.0.113.9 50000 typ prflx raddr 0.0.0.0 rport 0',
} as const;

const parse = (line: string): ParsedCandidate => {
  const c = parseCandidate(line);
  assert.ok(c, `parses ${line}`);
  return c;
};

describe('parseCandidate', () => {
  it('reads the type and transport of each kind of candidate', () => {
    assert.deepEqual(parse(LINES.hostUdp), { type: 'host', protocol: 'udp', priority: 2122260223, relayProtocol: null });
    assert.deepEqual(parse(LINES.hostMdns), { type: 'host', protocol: 'udp', priority: 2113937151, relayProtocol: null });
    assert.deepEqual(parse(LINES.hostTcp), { type: 'host', protocol: 'tcp', priority: 1518280447, relayProtocol: null });
    assert.deepEqual(parse(LINES.srflx), { type: 'srflx', protocol: 'udp', priority: 1677729535, relayProtocol: null });
    assert.equal(parse(LINES.prflx).type, 'prflx');
  });

  it('tells how a relay candidate reached the TURN server, from its priority', () => {
    assert.equal(parse(LINES.relayUdp).relayProtocol, 'udp');
    assert.equal(parse(LINES.relayTcp).relayProtocol, 'tcp');
    assert.equal(parse(LINES.relayTls).relayProtocol, 'tls');
    for (const l of [LINES.relayUdp, LINES.relayTcp, LINES.relayTls])
      assert.equal(parse(l).protocol, 'udp', 'the relayed side is UDP');
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

describe('relayProtocolFromPriority', () => {
  it("follows libwebrtc's type preferences, and knows no others", () => {
    assert.equal(relayProtocolFromPriority(2 * 2 ** 24 + 255), 'udp');
    assert.equal(relayProtocolFromPriority(1 * 2 ** 24 + 255), 'tcp');
    assert.equal(relayProtocolFromPriority(255), 'tls');
    // Firefox's relayed-UDP preference (5) is not libwebrtc's.
    assert.equal(relayProtocolFromPriority(92217087), null);
  });
});

describe('summarizeCandidates', () => {
  const summary = (...lines: string[]) => summarizeCandidates(lines.map(parse));

  it('says nothing was found for no candidates', () => {
    assert.deepEqual(summary(), { host: false, srflx: false, relay: false, protocols: [], relayProtocols: [], udpOut: false });
  });

  it('host candidates alone: nothing got out', () => {
    const s = summary(LINES.hostUdp, LINES.hostTcp);
    assert.deepEqual([s.host, s.srflx, s.relay, s.udpOut], [true, false, false, false]);
    assert.deepEqual(s.protocols, ['udp', 'tcp']);
  });

  it('a STUN answer means UDP got out', () => {
    assert.equal(summary(LINES.hostUdp, LINES.srflx).udpOut, true);
  });

  it('a relay over UDP means UDP got out; over TCP or TLS alone it did not', () => {
    assert.equal(summary(LINES.hostUdp, LINES.relayUdp).udpOut, true);
    const tcpOnly = summary(LINES.hostUdp, LINES.relayTcp, LINES.relayTls);
    assert.equal(tcpOnly.udpOut, false);
    assert.equal(tcpOnly.relay, true);
    assert.deepEqual(tcpOnly.relayProtocols, ['tcp', 'tls']);
  });

  it('does not depend on the order of arrival', () => {
    assert.deepEqual(summary(LINES.relayUdp, LINES.srflx, LINES.hostUdp), summary(LINES.hostUdp, LINES.srflx, LINES.relayUdp));
  });
});

describe('configuredServers', () => {
  it('tells STUN from TURN by the URL scheme, in strings and lists', () => {
    assert.deepEqual(configuredServers({}), { stun: false, turn: false });
    assert.deepEqual(configuredServers({ iceServers: [] }), { stun: false, turn: false });
    assert.deepEqual(configuredServers({ iceServers: [{ urls: 'stun:stun.example.org:3478' }] }), { stun: true, turn: false });
    assert.deepEqual(
      configuredServers({ iceServers: [{ urls: ['turns:turn.example.org:443?transport=tcp'], username: 'u', credential: 'c' }] }),
      { stun: false, turn: true },
    );
    assert.deepEqual(configuredServers({ iceServers: [{ urls: ['STUN:a'] }, { urls: 'turn:b' }] }), { stun: true, turn: true });
  });
});
