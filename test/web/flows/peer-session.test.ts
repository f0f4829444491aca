/**
 * PeerSession with real WebRTC: two sessions in this page, the fake camera,
 * and candidates handed from one to the other directly (no signaling server).
 */
import { PeerSession } from '../../../web/src/flows/peer-session.js';
import type { IceCandidate, SessionDescription } from '../../../web/src/flows/types.js';
import { assert, assertEqual, assertRejects } from '../assert.js';
import { sleep, waitUntil, withTimeout } from '../support/wait.js';

const CONNECT_MS = 15000;
const FRAME_MS = 15000;
const CLOSE_MS = 10000;

/** One PeerSession and everything it reported. */
class Side {
  readonly session: PeerSession;
  readonly candidates: IceCandidate[] = [];
  readonly states: RTCPeerConnectionState[] = [];
  readonly remoteStreams: MediaStream[] = [];
  partnerClosed = 0;
  readonly laterDescriptions: SessionDescription[] = [];
  private forward: ((c: IceCandidate) => void) | null = null;

  constructor(
    readonly name: string,
    stream: MediaStream,
  ) {
    this.session = new PeerSession(
      stream,
      { iceServers: [] },
      {
        localCandidate: (c) => {
          this.candidates.push(c);
          this.forward?.(c);
        },
        remoteStream: (s) => this.remoteStreams.push(s),
        connectionState: (s) => this.states.push(s),
        partnerClosed: () => this.partnerClosed++,
        laterDescription: (d) => this.laterDescriptions.push(d),
      },
    );
  }

  /** From now on (and for what was gathered already) hands our candidates to `other`. */
  trickleTo(other: Side): void {
    this.forward = (c) => other.session.addRemoteCandidate(c);
    for (const c of this.candidates) this.forward(c);
  }

  /** Stops handing candidates on. */
  stopTrickle(): void {
    this.forward = null;
  }

  get remote(): MediaStream | null {
    return this.remoteStreams[0] ?? null;
  }

  async connected(): Promise<void> {
    await waitUntil(
      () => this.session.connectionState === 'connected' || this.states.includes('failed'),
      CONNECT_MS,
      `${this.name} to connect`,
      () => `states: ${this.states.join(' → ') || 'none'}`,
    );
    assertEqual(this.session.connectionState, 'connected', `${this.name} connectionState (states: ${this.states.join(' → ')})`);
  }
}

describe('PeerSession (real WebRTC in one page)', () => {
  let streams: MediaStream[] = [];
  let sides: Side[] = [];
  let videos: HTMLVideoElement[] = [];

  async function side(name: string): Promise<Side> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    streams.push(stream);
    const s = new Side(name, stream);
    sides.push(s);
    return s;
  }

  /** Offer → answer → answer applied, with candidates trickled both ways from the start. */
  async function connectPair(): Promise<{ caller: Side; callee: Side }> {
    const caller = await side('caller');
    const callee = await side('callee');
    caller.trickleTo(callee);
    callee.trickleTo(caller);
    const offer = await caller.session.createOffer();
    const answer = await callee.session.acceptOffer(offer);
    assertEqual(await caller.session.acceptAnswer(answer), true, 'acceptAnswer applied the answer');
    await Promise.all([caller.connected(), callee.connected()]);
    return { caller, callee };
  }

  /** Plays the stream in a <video> and resolves with the first decoded frame's metadata. */
  function firstFrame(stream: MediaStream, what: string): Promise<VideoFrameCallbackMetadata> {
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.srcObject = stream;
    document.body.append(video);
    videos.push(video);
    const frame = new Promise<VideoFrameCallbackMetadata>((resolve) => {
      video.requestVideoFrameCallback((_now, metadata) => resolve(metadata));
    });
    void video.play().catch(() => undefined); // autoplay of muted video is allowed; the frame is what counts
    return withTimeout(frame, FRAME_MS, `a decoded video frame of ${what}`);
  }

  afterEach(() => {
    for (const s of sides) s.session.close();
    for (const stream of streams) for (const t of stream.getTracks()) t.stop();
    for (const v of videos) {
      v.srcObject = null;
      v.remove();
    }
    sides = [];
    streams = [];
    videos = [];
  });

  it('connects two sessions and carries audio and video both ways', async function () {
    this.timeout(60000);
    const { caller, callee } = await connectPair();

    for (const s of [caller, callee]) {
      assertEqual(s.remoteStreams.length, 1, `${s.name} reported its remote stream once`);
      const remote = s.remote!;
      assert(remote.getVideoTracks().length > 0, `${s.name}'s remote stream has a video track`);
      assert(remote.getAudioTracks().length > 0, `${s.name}'s remote stream has an audio track`);
      assertEqual(remote.getVideoTracks()[0]!.readyState, 'live', `${s.name}'s remote video track`);
    }

    const [atCallee, atCaller] = await Promise.all([
      firstFrame(callee.remote!, "the caller's camera at the callee"),
      firstFrame(caller.remote!, "the callee's camera at the caller"),
    ]);
    for (const m of [atCallee, atCaller]) {
      assert(m.width > 0 && m.height > 0, `a decoded frame has a size (${m.width}x${m.height})`);
    }
  });

  it('holds candidates that arrive before the offer, then applies them', async function () {
    this.timeout(40000);
    const caller = await side('caller');
    const callee = await side('callee');
    const offer = await caller.session.createOffer();
    // The offer carries no candidates: the callee can only learn the caller's
    // addresses from the trickled ones, which all arrive before the offer.
    assert(!offer.sdp.includes('a=candidate'), 'the offer travels without candidates');
    await waitUntil(() => caller.candidates.length > 0, CONNECT_MS, 'the caller to gather a candidate');
    await sleep(300); // let the other host candidates be gathered too (more paths; not asserted on)
    for (const c of caller.candidates) callee.session.addRemoteCandidate(c);
    const held = caller.candidates.length;
    assertEqual(callee.session.heldCandidates, held, 'candidates before the remote description are held');

    const answer = await callee.session.acceptOffer(offer);
    assertEqual(callee.session.heldCandidates, 0, 'held candidates are applied with the offer');
    assert(!answer.sdp.includes('a=candidate'), 'the answer travels without candidates');
    // No candidate goes the other way and none after the offer: connecting is
    // only possible through the held candidates (the caller learns the callee's
    // address from its connectivity checks).
    assertEqual(await caller.session.acceptAnswer(answer), true, 'acceptAnswer');
    await Promise.all([caller.connected(), callee.connected()]);
  });

  it('holds the callee candidates that reach the caller before the answer', async function () {
    this.timeout(40000);
    const caller = await side('caller');
    const callee = await side('callee');
    const offer = await caller.session.createOffer();
    await waitUntil(() => caller.candidates.length > 0, CONNECT_MS, 'the caller to gather a candidate');
    caller.trickleTo(callee);
    const answer = await callee.session.acceptOffer(offer);
    await waitUntil(() => callee.candidates.length > 0, CONNECT_MS, 'the callee to gather a candidate');
    callee.trickleTo(caller);
    assert(caller.session.heldCandidates > 0, 'the caller holds candidates until the answer');
    assertEqual(await caller.session.acceptAnswer(answer), true, 'acceptAnswer');
    assertEqual(caller.session.heldCandidates, 0, 'held candidates are applied with the answer');
    await Promise.all([caller.connected(), callee.connected()]);
  });

  it('acceptAnswer returns false and changes nothing for a duplicate answer', async function () {
    this.timeout(40000);
    const caller = await side('caller');
    const callee = await side('callee');
    caller.trickleTo(callee);
    callee.trickleTo(caller);
    const offer = await caller.session.createOffer();
    const answer = await callee.session.acceptOffer(offer);
    assertEqual(await caller.session.acceptAnswer(answer), true, 'first acceptAnswer');
    assertEqual(caller.session.signalingState, 'stable', 'signaling state after the answer');
    assertEqual(await caller.session.acceptAnswer(answer), false, 'second acceptAnswer');
    assertEqual(caller.session.signalingState, 'stable', 'signaling state after the duplicate');
    // The duplicate did not disturb the call.
    await Promise.all([caller.connected(), callee.connected()]);
  });

  it('acceptAnswer returns false and changes nothing without a local offer', async function () {
    const caller = await side('caller');
    const callee = await side('callee');
    const fresh = await side('fresh');
    const offer = await caller.session.createOffer();
    const answer = await callee.session.acceptOffer(offer);

    assertEqual(await fresh.session.acceptAnswer(answer), false, 'acceptAnswer on a session that never offered');
    assertEqual(fresh.session.signalingState, 'stable', 'signaling state of the session that never offered');
    // Nothing was applied: the fresh session can still answer an offer of its own.
    const another = await side('another');
    const fresh2 = await fresh.session.acceptOffer(await another.session.createOffer());
    assertEqual(fresh2.type, 'answer', 'the untouched session answers an offer');

    // An offer is not an answer, whatever the state.
    const notAnAnswer = { type: 'offer', sdp: offer.sdp } as SessionDescription;
    assertEqual(await caller.session.acceptAnswer(notAnAnswer), false, 'acceptAnswer with an offer');
    assertEqual(caller.session.signalingState, 'have-local-offer', 'the caller still waits for its answer');
    assertEqual(await caller.session.acceptAnswer(answer), true, 'the real answer is still accepted');

    // A closed session applies nothing either.
    const closedCaller = await side('closed caller');
    const closedCallee = await side('closed callee');
    const answer3 = await closedCallee.session.acceptOffer(await closedCaller.session.createOffer());
    closedCaller.session.close();
    assertEqual(await closedCaller.session.acceptAnswer(answer3), false, 'acceptAnswer after close');
  });

  it('acceptOffer throws when the session already has a local offer (or a remote one)', async function () {
    const caller = await side('caller');
    const other = await side('other');
    await caller.session.createOffer();
    const otherOffer = await other.session.createOffer();

    await assertRejects(caller.session.acceptOffer(otherOffer), 'acceptOffer with a local offer');
    assertEqual(caller.session.signalingState, 'have-local-offer', 'signaling state after the refused offer');

    const callee = await side('callee');
    await callee.session.acceptOffer(otherOffer);
    await assertRejects(callee.session.acceptOffer(otherOffer), 'a second acceptOffer');

    const fresh = await side('fresh');
    const asAnswer = { type: 'answer', sdp: otherOffer.sdp } as SessionDescription;
    await assertRejects(fresh.session.acceptOffer(asAnswer), 'acceptOffer with an answer');
    assertEqual(fresh.session.signalingState, 'stable', 'signaling state after the refused answer');
  });

  for (const closer of ['caller', 'callee'] as const) {
    it(`closing the ${closer} fires partnerClosed on the other side`, async function () {
      this.timeout(40000);
      const pair = await connectPair();
      const closing = pair[closer];
      const other = closer === 'caller' ? pair.callee : pair.caller;
      assertEqual(other.partnerClosed, 0, 'no partnerClosed while connected');

      closing.session.close();
      closing.session.close(); // closing twice is harmless
      await waitUntil(() => other.partnerClosed > 0, CLOSE_MS, `partnerClosed at the ${other.name}`);
      assertEqual(closing.partnerClosed, 0, 'the side that closed reports no partnerClosed of its own');

      // Candidates for a closed session are dropped, not held.
      closing.session.addRemoteCandidate({
        candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
      });
      assertEqual(closing.session.heldCandidates, 0, 'held candidates after close');
      await sleep(200);
      assertEqual(other.partnerClosed, 1, 'partnerClosed fires once');
    });
  }
});
