/**
 * Switching devices during a real call in one page (Chromium's fake
 * devices: one camera, several microphones; real peer connections, the
 * in-memory backend): the new track goes out on the same link without
 * renegotiating, and a device that goes away is replaced and said to be.
 */
import type { PeerLink } from '../../../web/src/engine/peer-link.js';
import type { RandomChatFlow } from '../../../web/src/flows/random-chat.js';
import { assert, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { sleep, waitForStatus, waitUntil } from '../support/wait.js';

const CONNECT_MS = 15_000;

/** Frames decoded and audio packets received on `link` so far. */
async function received(link: PeerLink): Promise<{ frames: number; audio: number }> {
  let frames = 0;
  let audio = 0;
  (await link.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
    if (r.type !== 'inbound-rtp') return;
    if (r.kind === 'video') frames += r.framesDecoded ?? 0;
    if (r.kind === 'audio') audio += r.packetsReceived ?? 0;
  });
  return { frames, audio };
}

/** Waits until `link` keeps receiving video frames and sound. */
async function flowing(link: PeerLink, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let before = await received(link);
  while (Date.now() < deadline) {
    await sleep(500);
    const now = await received(link);
    if (now.frames > before.frames + 2 && now.audio > before.audio) return;
    before = now;
  }
  throw new Error(`media stopped: ${what}`);
}

/** The descriptions of the call's link: a switch must not renegotiate. */
function descriptionsIn(flow: RandomChatFlow): string {
  const link = flow.call!.link(flow.call!.peers[0]!.id)!;
  return `${link.descriptions.local}\n${link.descriptions.remote}`;
}

describe('devices during a call', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(async () => {
    await rig.cleanup();
  });

  async function connectedPair() {
    const a = rig.session();
    const b = rig.session();
    await a.session.start('en');
    await waitForStatus(a.session, 'searching', 5_000);
    await b.session.start('en');
    await Promise.all([waitForStatus(a.session, 'connected', CONNECT_MS), waitForStatus(b.session, 'connected', CONNECT_MS)]);
    const atB = b.session.call!.link(a.uid)!;
    await flowing(atB, 'before any switch');
    return { a: a.session, b: b.session, atB };
  }

  it('a microphone switch swaps the track on the link, without renegotiating, and sound keeps coming', async function () {
    this.timeout(40_000);
    const { a, atB } = await connectedPair();
    const mics = (await navigator.mediaDevices.enumerateDevices()).filter(
      (d) => d.kind === 'audioinput' && d.deviceId !== 'default',
    );
    assert(mics.length >= 2, `Chromium's fake microphones (${mics.length})`);
    const other = mics.find((m) => m.deviceId !== a.media.deviceOf('audio'))!;
    const sdp = descriptionsIn(a);
    const before = a.localStream!.getAudioTracks()[0]!;
    assert(await a.media.useDevice('audio', other.deviceId), 'switched');
    assertEqual(a.media.deviceOf('audio'), other.deviceId, 'the chosen microphone is in use');
    assertEqual(before.readyState, 'ended', 'the old one is released');
    await flowing(atB, 'after the switch');
    assertEqual(descriptionsIn(a), sdp, 'no renegotiation');
  });

  it('a camera switch while the camera is off keeps it off; on again, frames flow from the new track', async function () {
    this.timeout(40_000);
    const { a, atB } = await connectedPair();
    await a.inCall!.media.setCamera(false);
    assert(await a.media.useDevice('video', null), 'a new camera track');
    assertEqual(a.localStream!.getVideoTracks()[0]!.enabled, false, 'still off');
    await a.inCall!.media.setCamera(true);
    await flowing(atB, 'the new camera track');
  });

  it('a device that goes away mid-call is replaced by another, and the page is told', async function () {
    this.timeout(40_000);
    const { a, atB } = await connectedPair();
    const lost = a.localStream!.getVideoTracks()[0]!;
    // What the browser does when a camera is unplugged: the track ends by itself.
    lost.dispatchEvent(new Event('ended'));
    await waitUntil(() => a.media.loss !== null, 5_000, 'the loss noticed');
    assertEqual(a.media.loss?.kind, 'video');
    assert(a.media.loss?.now, `another camera took over (${a.media.loss?.now})`);
    assert(a.localStream!.getVideoTracks()[0] !== lost, 'a new track');
    assertEqual(a.inCall!.media.loss, a.media.loss, 'the call features see it too');
    await flowing(atB, 'the replacement camera');
  });
});
