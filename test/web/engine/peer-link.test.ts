/**
 * PeerLink and Call with real WebRTC in one page (fake camera): perfect
 * negotiation, glare, renegotiation on a live link, ICE restart, and a mesh
 * of three Calls whose signals travel as mailbox states (the same codec the
 * Firestore mailboxes use), so several writes can collapse into one.
 */
import { Call, type CallSignaling } from '../../../web/src/engine/call.js';
import type { ChannelMessage } from '../../../web/src/engine/channel-messages.js';
import { MailboxInbox, MailboxOutbox } from '../../../web/src/engine/mailbox.js';
import { RECONNECT_FOR_MS } from '../../../web/src/config.js';
import { PeerLink } from '../../../web/src/engine/peer-link.js';
import { reconnectPolicy } from '../../../web/src/engine/reconnect-policy.js';
import type { LinkSignal } from '../../../web/src/engine/types.js';
import { assert, assertDeepEqual, assertEqual } from '../assert.js';
import { framesDecoded } from '../support/stats.js';
import { sleep, waitUntil } from '../support/wait.js';

const CONNECT_MS = 15_000;

const streams: MediaStream[] = [];
const cleanups: (() => void)[] = [];

async function camera(): Promise<MediaStream> {
  const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  streams.push(s);
  return s;
}

/** The ICE username fragment of a link's current remote description. */
function remoteUfrag(pc: { remoteDescription: RTCSessionDescription | null }): string | null {
  return /a=ice-ufrag:(\S+)/.exec(pc.remoteDescription?.sdp ?? '')?.[1] ?? null;
}

/**
 * Two links joined by a pipe. `hold` keeps every message until released, so
 * a test can make both sides' offers cross on the wire (glare).
 */
class Pair {
  readonly a: PeerLink;
  readonly b: PeerLink;
  readonly sent: { from: 'a' | 'b'; signal: LinkSignal }[] = [];
  private held: { to: PeerLink; signal: LinkSignal }[] = [];
  holding = false;
  /** What each end received on its control channel (heartbeats are never passed on). */
  readonly received: Record<'a' | 'b', ChannelMessage[]> = { a: [], b: [] };

  constructor(
    streamA: MediaStream,
    streamB: MediaStream,
    a: { polite: boolean; initiator: boolean; holdCandidates?: boolean; config?: RTCConfiguration },
    b: { polite: boolean; initiator: boolean },
  ) {
    const events = (other: () => PeerLink, name: 'a' | 'b') => ({
      signal: (signal: LinkSignal) => {
        this.sent.push({ from: name, signal });
        if (this.holding) this.held.push({ to: other(), signal });
        else void other().receive(signal);
      },
      remoteStream: () => undefined,
      state: () => undefined,
      remoteClosed: () => undefined,
      message: (message: ChannelMessage) => this.received[name].push(message),
    });
    this.a = new PeerLink(
      streamA,
      { config: { iceServers: [] }, ...a, reconnect: reconnectPolicy({ giveUpAfterMs: RECONNECT_FOR_MS.link }) },
      events(() => this.b, 'a'),
    );
    this.b = new PeerLink(
      streamB,
      { ...b, config: { iceServers: [] }, reconnect: reconnectPolicy({ giveUpAfterMs: RECONNECT_FOR_MS.link }) },
      events(() => this.a, 'b'),
    );
    cleanups.push(() => {
      this.a.close();
      this.b.close();
    });
  }

  release(): void {
    this.holding = false;
    for (const { to, signal } of this.held.splice(0)) void to.receive(signal);
  }

  offersFrom(name: 'a' | 'b'): number {
    return this.sent.filter((m) => m.from === name && 'description' in m.signal && m.signal.description.type === 'offer').length;
  }

  async connected(): Promise<void> {
    try {
      await waitUntil(
        () => this.a.state === 'connected' && this.b.state === 'connected',
        CONNECT_MS,
        'both ends connected',
        () => `a: ${this.a.state}/${this.a.signalingState}, b: ${this.b.state}/${this.b.signalingState}`,
      );
    } catch (err) {
      // What each end went through and where its ICE and DTLS stand: a link
      // that never connects says why, not only that it did not.
      const why = `${err instanceof Error ? err.message : String(err)}\n${await this.diagnosis()}`;
      throw new Error(why, { cause: err });
    }
  }

  /** Both links' histories and their transport, candidate-pair and candidate states (kinds, never addresses). */
  async diagnosis(): Promise<string> {
    const ends: string[] = [];
    for (const [name, link] of [
      ['a', this.a],
      ['b', this.b],
    ] as const) {
      const rows: string[] = [];
      const candidates = new Map<string, number>();
      // A closed link may have no stats left: its history is still worth printing.
      const stats = await link.getStats().catch((err: unknown) => {
        rows.push(`no stats (${String(err)})`);
        return new Map<string, Record<string, unknown>>();
      });
      stats.forEach((r: Record<string, unknown>) => {
        if (r['type'] === 'transport') rows.push(`transport ice ${String(r['iceState'])} dtls ${String(r['dtlsState'])}`);
        if (r['type'] === 'candidate-pair') {
          rows.push(
            `pair ${String(r['state'])} nominated ${String(r['nominated'])} requests ${String(r['requestsSent'])}/${String(r['requestsReceived'])} responses ${String(r['responsesSent'])}/${String(r['responsesReceived'])}`,
          );
        }
        if (r['type'] === 'local-candidate' || r['type'] === 'remote-candidate') {
          const kind = `${String(r['type'])} ${String(r['candidateType'])} ${String(r['protocol'])}`;
          candidates.set(kind, (candidates.get(kind) ?? 0) + 1);
        }
      });
      for (const [kind, count] of candidates) rows.push(`${kind} ×${count}`);
      ends.push(`${name} history:\n  ${link.history.join('\n  ')}\n${name} stats:\n  ${rows.join('\n  ')}`);
    }
    return ends.join('\n');
  }

  async media(): Promise<void> {
    let frames = [0, 0];
    const deadline = Date.now() + CONNECT_MS;
    while (Date.now() < deadline) {
      frames = [await framesDecoded(this.a), await framesDecoded(this.b)];
      if (frames[0]! > 0 && frames[1]! > 0) return;
      await sleep(100);
    }
    throw new Error(`no decoded video both ways (frames decoded: a ${frames[0]}, b ${frames[1]})`);
  }
}

afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const s of streams.splice(0)) for (const t of s.getTracks()) t.stop();
});

describe('PeerLink (perfect negotiation, real WebRTC)', () => {
  it('connects with one offer from the initiator; the other end stays silent until it arrives', async () => {
    const pair = new Pair(await camera(), await camera(), { polite: false, initiator: true }, { polite: true, initiator: false });
    await pair.connected();
    await pair.media();
    assertEqual(pair.offersFrom('a'), 1, 'offers from the initiator');
    assertEqual(pair.offersFrom('b'), 0, 'offers from the other end');
  });

  it('settles glare: both ends offer at the same moment, the polite one yields, and the link connects', async () => {
    const pair = new Pair(await camera(), await camera(), { polite: false, initiator: true }, { polite: true, initiator: true });
    pair.holding = true;
    // Both ends create their offers before either sees the other's.
    await waitUntil(() => pair.offersFrom('a') === 1 && pair.offersFrom('b') === 1, CONNECT_MS, 'both offers made');
    pair.release();
    await pair.connected();
    await pair.media();
    assertEqual(pair.a.signalingState, 'stable', 'impolite end stable');
    assertEqual(pair.b.signalingState, 'stable', 'polite end stable');
    // The impolite end's offer won: the polite end answered it.
    const answersFromB = pair.sent.filter(
      (m) => m.from === 'b' && 'description' in m.signal && m.signal.description.type === 'answer',
    );
    assert(answersFromB.length >= 1, "the polite end answered the impolite end's offer");
  });

  it('renegotiates on a live link: a screen added after connected reaches the other end, apart from the camera', async () => {
    const pair = new Pair(await camera(), await camera(), { polite: false, initiator: true }, { polite: true, initiator: false });
    await pair.connected();
    await pair.media();
    const before = pair.sent.length;
    // The polite, non-initiating end shares a screen (a second video track of its own section).
    const extra = await navigator.mediaDevices.getUserMedia({ video: { width: 160, height: 120 } });
    streams.push(extra);
    await pair.b.sendScreen(extra.getVideoTracks()[0]!, extra);
    await waitUntil(
      () =>
        pair.a.remoteScreen(pair.b.screenMid) !== null &&
        pair.b.signalingState === 'stable' &&
        pair.a.signalingState === 'stable',
      CONNECT_MS,
      'the screen to arrive',
      () => `b's screen mid ${pair.b.screenMid}; a ${pair.a.signalingState}, b ${pair.b.signalingState}`,
    );
    assertEqual(pair.a.remoteStream?.getVideoTracks().length, 1, "the camera's stream has the camera only");
    assertEqual(pair.a.remoteScreen(pair.a.screenMid), null, 'a shares nothing');
    assert(pair.offersFrom('b') >= 1, 'the end that added the screen made an offer');
    assert(pair.sent.length > before, 'the renegotiation went over signaling');
    assertEqual(pair.a.state, 'connected', 'still connected');
  });

  it('restarts ICE on a live link: new credentials, still connected, media still flowing', async () => {
    const pair = new Pair(await camera(), await camera(), { polite: false, initiator: true }, { polite: true, initiator: false });
    await pair.connected();
    await pair.media();
    const pcOfB = (pair.b as unknown as { pc: RTCPeerConnection }).pc;
    const ufragBefore = remoteUfrag(pcOfB);
    pair.a.restartIce();
    await waitUntil(
      () => remoteUfrag(pcOfB) !== ufragBefore && pair.a.signalingState === 'stable',
      CONNECT_MS,
      'a restarted offer to be answered',
    );
    await pair.connected();
    const framesBefore = await framesDecoded(pair.b);
    let framesAfter = framesBefore;
    const deadline = Date.now() + CONNECT_MS;
    while (framesAfter <= framesBefore && Date.now() < deadline) {
      await sleep(200);
      framesAfter = await framesDecoded(pair.b);
    }
    assert(framesAfter > framesBefore, `frames keep coming after the restart (${framesBefore} → ${framesAfter})`);
  });

  it('drops a duplicate answer instead of failing the link', async () => {
    const pair = new Pair(await camera(), await camera(), { polite: false, initiator: true }, { polite: true, initiator: false });
    await pair.connected();
    const answer = pair.sent.find((m) => m.from === 'b' && 'description' in m.signal)!.signal;
    await pair.a.receive(answer); // "wrong state: stable" if it were applied
    assertEqual(pair.a.signalingState, 'stable', 'unchanged');
    assertEqual(pair.a.state, 'connected', 'still connected');
  });
});

/**
 * A peer written from docs/PROTOCOL.md alone, as a client in another
 * language would be: a bare RTCPeerConnection with the pre-negotiated
 * channel (id 0), answering a PeerLink's offer. It sends whatever a test
 * gives it, valid or not.
 */
class BarePeer {
  readonly pc = new RTCPeerConnection();
  readonly channel = this.pc.createDataChannel('parley', { negotiated: true, id: 0, ordered: true });
  readonly received: string[] = [];
  readonly link: PeerLink;
  heard = 0;
  readonly messages: ChannelMessage[] = [];
  /** What this end gathered (and sent through signaling). */
  readonly gathered: RTCIceCandidateInit[] = [];

  constructor(stream: MediaStream) {
    this.channel.onmessage = (e) => this.received.push(String(e.data));
    this.pc.onicecandidate = (e) => {
      if (e.candidate?.candidate) this.gathered.push(e.candidate.toJSON());
      if (e.candidate?.candidate)
        void this.link.receive({
          candidate: { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex },
        });
    };
    this.link = new PeerLink(
      stream,
      { polite: false, initiator: true, config: { iceServers: [] }, reconnect: reconnectPolicy({ giveUpAfterMs: 3_000 }) },
      {
        signal: (signal) => void this.deliver(signal),
        remoteStream: () => undefined,
        state: () => undefined,
        remoteClosed: () => undefined,
        heard: () => (this.heard += 1),
        message: (m) => this.messages.push(m),
      },
    );
    cleanups.push(() => {
      this.link.close();
      this.pc.close();
    });
  }

  private async deliver(signal: LinkSignal): Promise<void> {
    if ('candidate' in signal) {
      await this.pc.addIceCandidate(signal.candidate);
      return;
    }
    await this.pc.setRemoteDescription(signal.description);
    if (signal.description.type === 'offer') {
      await this.pc.setLocalDescription();
      await this.link.receive({ description: { type: 'answer', sdp: this.pc.localDescription!.sdp } });
    }
  }

  async open(): Promise<void> {
    await waitUntil(() => this.channel.readyState === 'open' && this.link.canSend, CONNECT_MS, 'the control channel to open');
  }

  /** One of the candidates this end gathered. */
  async ownCandidate(): Promise<{ candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }> {
    await waitUntil(() => this.gathered.length > 0, CONNECT_MS, 'a candidate gathered');
    const { candidate = '', sdpMid = null, sdpMLineIndex = null } = this.gathered[0]!;
    return { candidate, sdpMid, sdpMLineIndex };
  }
}

describe('PeerLink control channel (typed messages)', () => {
  it('carries typed messages both ways, in order; heartbeats feed liveness and are not passed on', async () => {
    const pair = new Pair(await camera(), await camera(), { polite: false, initiator: true }, { polite: true, initiator: false });
    await pair.connected();
    await waitUntil(() => pair.a.canSend && pair.b.canSend, CONNECT_MS, 'both channels open');
    const fromA: ChannelMessage[] = [
      { type: 'chat', id: 'a1', text: 'first', sentAt: 1 },
      { type: 'media', audio: false, video: true, screen: null },
      { type: 'chat', id: 'a2', text: '<img src=x onerror=alert(1)>', sentAt: 2 },
    ];
    const fromB: ChannelMessage[] = [
      { type: 'ack', id: 'a1' },
      { type: 'chat', id: 'b1', text: 'reply', sentAt: 3 },
    ];
    for (const m of fromA) assert(pair.a.sendMessage(m), `a sent ${m.type}`);
    for (const m of fromB) assert(pair.b.sendMessage(m), `b sent ${m.type}`);
    await waitUntil(
      () => pair.received.b.length >= fromA.length && pair.received.a.length >= fromB.length,
      CONNECT_MS,
      'every message to arrive',
      () => JSON.stringify(pair.received),
    );
    // Heartbeats run all along (every 500 ms) and never show among the messages.
    assertDeepEqual(pair.received.b, fromA, 'b got what a sent, in order');
    assertDeepEqual(pair.received.a, fromB, 'a got what b sent, in order');
  });

  it('drops what a careless or hostile peer sends (garbage, binary, oversized, unknown types) without error; only valid frames count as a sign of life', async () => {
    const peer = new BarePeer(await camera());
    await peer.open();
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent) => errors.push(e.error);
    window.addEventListener('error', onError);
    try {
      peer.channel.send('not json');
      peer.channel.send(new Uint8Array([1, 2, 3]));
      peer.channel.send('{"v":1,"t":"chat","id":"x","text":"","sentAt":1}');
      peer.channel.send(`{"v":1,"t":"chat","id":"x","text":"${'a'.repeat(20_000)}","sentAt":1}`);
      peer.channel.send('{"v":1,"t":"media","audio":"loud","video":true,"screen":null}');
      // Valid from here on: a type this page does not know, then a chat.
      peer.channel.send('{"v":1,"t":"reaction","emoji":"x"}');
      peer.channel.send('{"v":1,"t":"chat","id":"z","text":"still here","sentAt":7}');
      await waitUntil(() => peer.messages.length >= 1, CONNECT_MS, 'the valid chat message');
      assertDeepEqual(
        peer.messages,
        [{ type: 'chat', id: 'z', text: 'still here', sentAt: 7 }],
        'only the valid chat is passed on',
      );
      // The bare peer sends no heartbeats: the two valid frames were all there was to hear.
      assertEqual(peer.heard, 2, 'liveness heard the two valid frames, none of the five bad ones');
      assertEqual(peer.link.state, 'connected', 'the link carries on');
      assertEqual(errors.length, 0, 'nothing thrown');
    } finally {
      window.removeEventListener('error', onError);
    }
    // And the link speaks the documented frames: its hello first, then heartbeats.
    await waitUntil(() => peer.received.includes('{"v":1,"t":"beat"}'), CONNECT_MS, 'a heartbeat from the link');
    assertEqual(peer.received[0], '{"v":1,"t":"hello","takes":["cand"]}', 'the first frame: what the link takes on the channel');
  });

  it('takes candidates from the other end on the channel, as from signaling; a malformed one is dropped, and none reaches the page', async () => {
    const peer = new BarePeer(await camera());
    await peer.open();
    const line = await peer.ownCandidate();
    peer.channel.send(
      JSON.stringify({ v: 1, t: 'cand', candidate: line.candidate, sdpMid: line.sdpMid, sdpMLineIndex: line.sdpMLineIndex }),
    );
    peer.channel.send(JSON.stringify({ v: 1, t: 'cand', candidate: 'a=candidate:1', sdpMid: '0' }));
    peer.channel.send('{"v":1,"t":"chat","id":"z","text":"after","sentAt":7}');
    await waitUntil(() => peer.messages.length >= 1, CONNECT_MS, 'the chat after the candidates');
    assert(
      peer.link.history.some((e) => e.includes('candidates from the channel')),
      `taken: ${peer.link.history.join(' · ')}`,
    );
    assertDeepEqual(
      peer.messages.map((m) => m.type),
      ['chat'],
      "the candidate is the link's, not the page's",
    );
    assertEqual(peer.heard, 2, 'the valid candidate and the chat count as signs of life; the malformed one does not');
    assertEqual(peer.link.state, 'connected', 'the link carries on');
  });

  it('a call that ends says bye on every link before closing it', async () => {
    const rig = new MeshRig();
    const a = rig.add('alice', await camera());
    const b = rig.add('bob', await camera());
    const heard: string[] = [];
    b.onLink({ message: (from, m) => heard.push(`${from}:${m.type}`) });
    await waitUntil(() => a.peers[0]?.state === 'connected' && b.peers[0]?.state === 'connected', CONNECT_MS, 'connected');
    await waitUntil(() => a.link('bob')?.canSend === true, CONNECT_MS, 'channel open');
    // Only alice's page acts: bob learns it from the link, before any membership update.
    a.end();
    await waitUntil(
      () => heard.includes('alice:bye'),
      5_000,
      "alice's bye",
      () => heard.join(','),
    );
  });
});

/**
 * An in-page stand-in for the backend of a link call: the member list and
 * one mailbox per direction, delivered as whole states, several signals per
 * delivery, like the Firestore mailboxes.
 */
class MeshRig {
  readonly calls = new Map<string, Call>();
  members: string[] = [];
  private readonly outboxes = new Map<string, MailboxOutbox>();
  private readonly inboxes = new Map<string, MailboxInbox>();
  private pending = new Set<string>();

  add(id: string, stream: MediaStream): Call {
    const signaling: CallSignaling = {
      send: (to, signal) => {
        const key = `${id}_${to}`;
        let box = this.outboxes.get(key);
        if (!box) this.outboxes.set(key, (box = new MailboxOutbox(16 * 1024)));
        box.add(signal);
        this.schedule(key);
      },
      drop: () => undefined,
      probe: () => Promise.resolve(),
      acknowledge: () => Promise.resolve(),
    };
    const call = new Call({
      self: id,
      localStream: stream,
      rtcConfig: () => ({ iceServers: [] }),
      signaling,
      reconnectForMs: 3_000,
      connectTimeoutMs: CONNECT_MS,
    });
    this.calls.set(id, call);
    this.members = [...this.members, id];
    for (const c of this.calls.values()) c.setMembers(this.members);
    cleanups.push(() => call.end());
    return call;
  }

  remove(id: string): void {
    this.calls.get(id)?.end();
    this.calls.delete(id);
    this.members = this.members.filter((m) => m !== id);
    for (const c of this.calls.values()) c.setMembers(this.members);
  }

  /** Delivers a mailbox's state after a short delay, so that signals pile up as they do behind a write in flight. */
  private schedule(key: string): void {
    if (this.pending.has(key)) return;
    this.pending.add(key);
    setTimeout(() => {
      this.pending.delete(key);
      const [from, to] = key.split('_') as [string, string];
      const state = this.outboxes.get(key)?.state;
      const target = this.calls.get(to);
      if (!state || !target) return;
      let inbox = this.inboxes.get(key);
      if (!inbox) this.inboxes.set(key, (inbox = new MailboxInbox()));
      for (const signal of inbox.read(state)) target.receive(from, signal);
    }, 30);
  }
}

describe('Call (a mesh of links, real WebRTC)', () => {
  it('connects three members pairwise, the later of each pair offering, and drops a member who leaves', async () => {
    const rig = new MeshRig();
    const a = rig.add('alice', await camera());
    const b = rig.add('bob', await camera());
    const c = rig.add('carol', await camera());
    const allConnected = () =>
      [a, b, c].every((call) => call.peers.length === 2 && call.peers.every((p) => p.state === 'connected'));
    await waitUntil(allConnected, CONNECT_MS, 'every link connected', () =>
      [a, b, c].map((call) => call.peers.map((p) => `${p.id}:${p.state}`).join(',')).join(' | '),
    );
    // Entry order decides: alice is polite to bob and carol; carol is impolite to both.
    assertEqual(a.peers.map((p) => p.id).join(','), 'bob,carol', 'alice sees bob and carol in entry order');
    for (const call of [a, b, c]) for (const p of call.peers) assert(p.stream !== null, 'each tile has a stream');
    rig.remove('bob');
    await waitUntil(() => a.peers.length === 1 && c.peers.length === 1, 5_000, "bob's tile to go");
    assertEqual(a.peers[0]?.id, 'carol', 'alice keeps carol');
    assertEqual(a.peers[0]?.state, 'connected', 'alice and carol stay connected');
  });

  it("caps each link's video by the group size", async () => {
    const rig = new MeshRig();
    const a = rig.add('alice', await camera());
    rig.add('bob', await camera());
    await waitUntil(() => a.peers[0]?.state === 'connected', CONNECT_MS, 'alice connected to bob');
    const bitrate = async (call: Call, id: string) =>
      call.link(id)!.videoSenders[0]!.getParameters().encodings[0]?.maxBitrate ?? null;
    await sleep(200);
    const one = await bitrate(a, 'bob');
    rig.add('carol', await camera());
    rig.add('dave', await camera());
    await waitUntil(
      () => a.peers.length === 3 && a.peers.every((p) => p.state === 'connected'),
      CONNECT_MS,
      'alice connected to three',
    );
    await sleep(200);
    const three = await bitrate(a, 'bob');
    assert(one !== null && three !== null, `caps applied (${one}, ${three})`);
    assert(three < one, `a bigger group gets a smaller cap per link (${one} → ${three})`);
  });
});
