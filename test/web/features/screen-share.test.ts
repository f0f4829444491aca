/**
 * Screen share in a call by link, in Chromium with real peer connections
 * over the in-memory backend. The screen is Chromium's fake capture: with
 * --use-fake-ui-for-media-stream and --use-fake-device-for-media-stream
 * (CHROMIUM_ARGS), getDisplayMedia answers at once, without a gesture or a
 * picker, with a test picture; no other flag is needed. The browser's own "Stop sharing" bar cannot be clicked headless:
 * what it does to the page is end the track, which the test does by
 * dispatching 'ended' on it (stop() on a track fires no 'ended').
 */
import type { PeerLink } from '../../../web/src/engine/peer-link.js';
import { LinkCallFlow } from '../../../web/src/flows/link-call.js';
import { assert, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { sleep, waitUntil } from '../support/wait.js';

const CONNECT_MS = 30_000;

/** Frames decoded so far in the section `mid` of `link`. */
async function framesIn(link: PeerLink, mid: string): Promise<number> {
  let frames = 0;
  (await link.getStats()).forEach((r: { type: string; mid?: string; framesDecoded?: number }) => {
    if (r.type === 'inbound-rtp' && r.mid === mid) frames += r.framesDecoded ?? 0;
  });
  return frames;
}

/** Waits until the section `mid` of `link` keeps decoding frames. */
async function decoding(link: PeerLink, mid: string, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  const start = await framesIn(link, mid);
  while ((await framesIn(link, mid)) < start + 5) {
    if (Date.now() > deadline) throw new Error(`no frames decoded: ${what}`);
    await sleep(200);
  }
}

describe('screen share in a call by link (real WebRTC, fake capture)', function () {
  this.timeout(120_000);
  let rig: Rig;
  const flows: LinkCallFlow[] = [];

  function member(): { flow: LinkCallFlow; uid: string } {
    const deps = rig.linkDeps({
      getUserMedia: () => navigator.mediaDevices.getUserMedia({ audio: false, video: { width: 160, height: 120 } }),
      captureScreen: () => navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }),
    });
    const flow = new LinkCallFlow(deps);
    flows.push(flow);
    return { flow, uid: deps.uid };
  }

  async function join(callId: string): Promise<{ flow: LinkCallFlow; uid: string }> {
    const m = member();
    await m.flow.open(callId);
    await m.flow.join();
    return m;
  }

  /** Waits until `viewer` shows `sharer`'s screen, apart from their camera, and its frames are decoded. */
  async function sees(viewer: LinkCallFlow, sharer: string, what: string): Promise<MediaStream> {
    await waitUntil(
      () => viewer.inCall?.screen?.of(sharer) != null,
      CONNECT_MS,
      `${what}: the screen arrives`,
      () => JSON.stringify(viewer.inCall?.media.of(sharer)),
    );
    const screen = viewer.inCall!.screen!.of(sharer)!;
    const camera = viewer.peers.find((p) => p.id === sharer)!.stream!;
    assertEqual(camera.getVideoTracks().length, 1, `${what}: the camera's stream has the camera only`);
    assert(!camera.getTracks().includes(screen.getVideoTracks()[0]!), `${what}: camera and screen apart`);
    const link = viewer.engine!.link(sharer)!;
    await decoding(link, viewer.inCall!.media.of(sharer).screen!, `${what}: the screen`);
    return screen;
  }

  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(async () => {
    for (const f of flows.splice(0)) f.reset();
    await rig.cleanup();
  });

  it('reaches the others apart from the camera, reaches one who joins later, and ends from the browser bar', async () => {
    const a = member();
    await a.flow.create();
    const callId = a.flow.state.status === 'in-call' ? a.flow.state.callId : null;
    assert(callId !== null, 'the call was created');
    const b = await join(callId);
    await waitUntil(() => a.flow.peers.some((p) => p.id === b.uid && p.state === 'connected'), CONNECT_MS, 'A and B connected');

    assertEqual(await a.flow.inCall!.screen!.start(), 'sharing');
    const own = a.flow.inCall!.screen!.ownScreen!;
    await sees(b.flow, a.uid, 'B');
    // The camera goes on beside the screen.
    const cameraMid = b.flow.engine!.link(a.uid)!.descriptions.remote!.match(/m=video[^]*?a=mid:(\S+)/)![1]!;
    await decoding(b.flow.engine!.link(a.uid)!, cameraMid, "B: A's camera while A shares");

    const c = await join(callId);
    await sees(c.flow, a.uid, 'C, who joined while A shared');

    // The browser's "Stop sharing": the track ends by itself.
    own.getVideoTracks()[0]!.dispatchEvent(new Event('ended'));
    await waitUntil(
      () => b.flow.inCall!.screen!.of(a.uid) === null && c.flow.inCall!.screen!.of(a.uid) === null,
      CONNECT_MS,
      'the share gone for B and C',
    );
    assertEqual(a.flow.inCall!.screen!.ownScreen, null, 'A no longer shares');
    assertEqual(own.getVideoTracks()[0]!.readyState, 'ended', 'the capture is really off');

    // Sharing again reuses the section: no new one at B.
    const sections = b.flow.engine!.link(a.uid)!.descriptions.remote!.split('\nm=').length;
    assertEqual(await a.flow.inCall!.screen!.start(), 'sharing');
    await sees(b.flow, a.uid, 'B, the second share');
    assertEqual(b.flow.engine!.link(a.uid)!.descriptions.remote!.split('\nm=').length, sections, 'no section added');
  });

  it('a cancelled picker is no share, and says nothing to the others', async () => {
    const deps = rig.linkDeps({
      getUserMedia: () => navigator.mediaDevices.getUserMedia({ audio: false, video: { width: 160, height: 120 } }),
      captureScreen: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')),
    });
    const a = new LinkCallFlow(deps);
    flows.push(a);
    await a.create();
    assertEqual(await a.inCall!.screen!.start(), 'cancelled');
    assertEqual(a.inCall!.screen!.ownScreen, null);
  });
});
