/**
 * Mute and camera off on real calls in one page (fake cameras, real peer
 * connections, the in-memory backend): the others are told, the packets
 * stop, and a member who joins meanwhile gets neither sound nor a wrong
 * idea of it.
 */
import type { PeerLink } from '../../../web/src/engine/peer-link.js';
import { LinkCallFlow } from '../../../web/src/flows/link-call.js';
import type { RandomChatFlow } from '../../../web/src/flows/random-chat.js';
import { assert, assertDeepEqual, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { sleep, waitForStatus, waitUntil } from '../support/wait.js';

const CONNECT_MS = 15_000;

/** RTP packets sent so far by `link` of one kind (outbound-rtp stats). */
async function packetsSent(link: PeerLink, kind: 'audio' | 'video'): Promise<number> {
  let packets = 0;
  (await link.getStats()).forEach((r: { type: string; kind?: string; packetsSent?: number }) => {
    if (r.type === 'outbound-rtp' && r.kind === kind) packets += r.packetsSent ?? 0;
  });
  return packets;
}

/** Whether `link` sends packets of `kind` now: sampled twice, a second apart (stats refresh every few hundred ms). */
async function sending(link: PeerLink, kind: 'audio' | 'video'): Promise<boolean> {
  const before = await packetsSent(link, kind);
  await sleep(1_000);
  return (await packetsSent(link, kind)) > before;
}

/** Waits until `link` sends (or stops sending) `kind`; a few samples, since the last packets before a stop still count. */
async function waitSending(link: PeerLink, kind: 'audio' | 'video', wanted: boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) if ((await sending(link, kind)) === wanted) return;
  throw new Error(`${kind} packets ${wanted ? 'never flowed' : 'never stopped'}`);
}

describe('mute and camera off', () => {
  let rig: Rig;
  const flows: LinkCallFlow[] = [];
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(async () => {
    for (const f of flows.splice(0)) f.reset();
    await rig.cleanup();
  });

  async function connectedPair(): Promise<{ a: RandomChatFlow; b: RandomChatFlow; aId: string; bId: string }> {
    const a = rig.session();
    const b = rig.session();
    await a.session.start('en');
    await waitForStatus(a.session, 'searching', 5_000);
    await b.session.start('en');
    await Promise.all([waitForStatus(a.session, 'connected', CONNECT_MS), waitForStatus(b.session, 'connected', CONNECT_MS)]);
    return { a: a.session, b: b.session, aId: a.uid, bId: b.uid };
  }

  it('a random call: muting tells the stranger and stops the audio packets; unmuting brings both back', async function () {
    this.timeout(60_000);
    const { a, b, aId, bId } = await connectedPair();
    const link = a.call!.link(bId)!;
    await waitSending(link, 'audio', true);
    assertDeepEqual(b.inCall!.media.of(aId), { audio: true, video: true, screen: null }, 'on until told otherwise');

    await a.inCall!.media.setMicrophone(false);
    assertEqual(a.inCall!.media.microphone, false, 'muted here');
    await waitUntil(() => b.inCall!.media.of(aId).audio === false, 5_000, 'the stranger told');
    await waitSending(link, 'audio', false);
    assert(await sending(link, 'video'), 'the camera still goes');

    await a.inCall!.media.setMicrophone(true);
    await waitUntil(() => b.inCall!.media.of(aId).audio === true, 5_000, 'the stranger told again');
    await waitSending(link, 'audio', true);
  });

  it('camera off: the stranger is told, no video packets go, and the mute lasts into the next call', async function () {
    this.timeout(60_000);
    const { a, b, aId, bId } = await connectedPair();
    await a.inCall!.media.setCamera(false);
    await waitUntil(() => b.inCall!.media.of(aId).video === false, 5_000, 'the stranger told');
    await waitSending(a.call!.link(bId)!, 'video', false);
    assertEqual(a.localStream!.getVideoTracks()[0]!.enabled, false, 'the preview goes dark too');

    // Next: a new call with someone else; the camera stays off from its first packet, and they are told.
    const c = rig.session();
    await c.session.start('en');
    await waitForStatus(c.session, 'searching', 5_000);
    await a.next();
    await Promise.all([waitForStatus(a, 'connected', CONNECT_MS), waitForStatus(c.session, 'connected', CONNECT_MS)]);
    assertEqual(a.inCall!.media.camera, false, 'still off after Next');
    await waitUntil(() => c.session.inCall!.media.of(aId).video === false, 5_000, 'the new stranger told');
    assertEqual(await sending(a.call!.link(c.uid)!, 'video'), false, 'no video packets on the new link');
    assert(await sending(a.call!.link(c.uid)!, 'audio'), 'sound goes');
    // b saw a leave; nothing of a's state lingers there.
    await waitForStatus(b, 'partner-left', 10_000);
  });

  it('a call by link: a member who joins while someone is muted hears nothing from them and sees them muted', async function () {
    this.timeout(60_000);
    const hostDeps = rig.linkDeps();
    const host = new LinkCallFlow(hostDeps);
    flows.push(host);
    await host.create();
    const callId = (host.state as { callId: string }).callId;
    const guestDeps = rig.linkDeps();
    const guest = new LinkCallFlow(guestDeps);
    flows.push(guest);
    await guest.open(callId);
    await guest.join();
    await waitUntil(() => host.peers[0]?.state === 'connected', CONNECT_MS, 'host and guest connected');
    await host.inCall!.media.setMicrophone(false);
    await waitUntil(() => guest.inCall!.media.of(hostDeps.uid).audio === false, 5_000, 'the guest told');

    const lateDeps = rig.linkDeps();
    const late = new LinkCallFlow(lateDeps);
    flows.push(late);
    await late.open(callId);
    await late.join();
    await waitUntil(
      () => late.peers.length === 2 && late.peers.every((p) => p.state === 'connected'),
      CONNECT_MS,
      'the late member connected to both',
    );
    await waitUntil(() => late.inCall!.media.of(hostDeps.uid).audio === false, 5_000, 'the late member sees the host muted');
    assertEqual(await sending(host.engine!.link(lateDeps.uid)!, 'audio'), false, "no sound on the host's new link");
    assert(await sending(host.engine!.link(lateDeps.uid)!, 'video'), 'video on it');
    assertEqual(late.inCall!.media.of(guestDeps.uid).audio, true, 'the guest is not muted');
  });
});
