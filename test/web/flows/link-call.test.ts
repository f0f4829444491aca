/**
 * LinkCallFlow in Chromium, with real WebRTC between flows of one page over
 * the in-memory backend: a call by link never splits. A member whose link
 * this page gave up on is linked again while both stay members (the knock
 * and its answer, docs/PROTOCOL.md "Links rebuilt in the same mailbox"); a
 * page the backend removed enters again by itself and keeps its seat in the
 * others' grids; writes addressed to a link that is gone are not applied;
 * a link that falls silent while ICE still says connected (seen between
 * Chromium and Firefox after a restart) is rebuilt by its silent end,
 * whichever end that is, and nobody is declared gone.
 */
import { LinkState } from '../../../web/src/engine/peer-link.js';
import { LinkCallFlow } from '../../../web/src/flows/link-call.js';
import { assert, assertDeepEqual, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { sleep, waitUntil } from '../support/wait.js';

const CONNECT_MS = 30_000;

describe('LinkCallFlow: a call that never splits (real WebRTC, in-memory backend)', function () {
  this.timeout(120_000);
  let rig: Rig;
  const flows: LinkCallFlow[] = [];

  function flow(): { flow: LinkCallFlow; uid: string } {
    const deps = rig.linkDeps({
      getUserMedia: () => navigator.mediaDevices.getUserMedia({ audio: false, video: { width: 160, height: 120 } }),
    });
    const f = new LinkCallFlow(deps);
    flows.push(f);
    return { flow: f, uid: deps.uid };
  }

  const connectedTo = (f: LinkCallFlow) => f.peers.filter((p) => p.state === LinkState.connected).map((p) => p.id);
  const describe_ = (all: { flow: LinkCallFlow }[]) =>
    all.map(({ flow: f }) => `${f.state.status}: ${f.peers.map((p) => `${p.id.slice(0, 6)}=${p.state}`).join(' ')}`).join(' | ');

  /** Waits until every flow is in the call and connected to every other. */
  async function whole(all: { flow: LinkCallFlow; uid: string }[], what: string): Promise<void> {
    await waitUntil(
      () =>
        all.every(
          ({ flow: f, uid }) =>
            f.state.status === 'in-call' &&
            all.filter((o) => o.uid !== uid).every((o) => connectedTo(f).includes(o.uid)) &&
            f.peers.length === all.length - 1,
        ),
      CONNECT_MS,
      what,
      () => describe_(all),
    );
  }

  /** A call of three: A created it, B and C joined from its link. */
  async function callOfThree() {
    const a = flow();
    await a.flow.create();
    const callId = a.flow.state.status === 'in-call' ? a.flow.state.callId : null;
    assert(callId !== null, `the call was created (${JSON.stringify(a.flow.state)})`);
    const b = flow();
    const c = flow();
    for (const g of [b, c]) {
      await g.flow.open(callId);
      await g.flow.join();
    }
    const all = [a, b, c];
    await whole(all, 'a call of three, all connected');
    return { callId, a, b, c, all };
  }

  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(async () => {
    for (const f of flows.splice(0)) f.reset();
    await rig.cleanup();
  });

  it('a member this page gave up on is linked again while both stay members, through fresh mailbox tags', async () => {
    const { callId, a, b, all } = await callOfThree();
    const messagesBefore = rig.server.call(callId)!.messages.length;
    // B's link to A closes under it (as when a page freezes and the other
    // side's liveness check closes the link): A reads the closed channel as
    // B gone; both are still members, so the two pages must find each other.
    const link = b.flow.engine!.link(a.uid);
    assert(link !== null, 'B has a link to A');
    link.close();
    await whole(all, 'A and B linked again');
    const writes = rig.server.call(callId)!.messages.slice(messagesBefore);
    const aToB = writes.filter((m) => m.from === a.uid && m.to === b.uid);
    const bToA = writes.filter((m) => m.from === b.uid && m.to === a.uid);
    assert(aToB.length > 0 && bToA.length > 0, 'both sides wrote while linking again');
    // The rebuilt link talks with new ids: every later write names the other's link.
    const lastA = aToB[aToB.length - 1]!.tag;
    const lastB = bToA[bToA.length - 1]!.tag;
    assertEqual(lastA.peer, lastB.link, "A's last write names B's new link");
    assertEqual(lastB.peer, lastA.link, "B's last write names A's new link");
    assertEqual(a.flow.state.status, 'in-call');
    assertEqual(b.flow.state.status, 'in-call');
  });

  it('a page the backend removed (its presence lapsed) enters again by itself and keeps its seat in the grids', async () => {
    const { callId, a, b, c, all } = await callOfThree();
    const seatsBefore = a.flow.peers.map((p) => p.id);
    assertDeepEqual(seatsBefore, [b.uid, c.uid]);
    const states: string[] = [];
    const stop = b.flow.onChange(() => {
      const s = b.flow.state;
      const name = s.status === 'joining' && s.again ? 'joining again' : s.status;
      if (states[states.length - 1] !== name) states.push(name);
    });
    // What the sweeper does to a member whose presence lapsed.
    rig.server.removeMember(callId, b.uid);
    await waitUntil(
      () => states.includes('joining again'),
      CONNECT_MS,
      'B to say it is joining again',
      () => states.join(' → '),
    );
    await whole(all, 'B back in the call');
    stop();
    assert(states.includes('joining again'), `B said it is joining again (${states.join(' → ')})`);
    assertEqual(states[states.length - 1], 'in-call');
    // The backend put B at the end of its order; A's grid keeps B first.
    assertDeepEqual(rig.server.call(callId)!.members, [a.uid, c.uid, b.uid]);
    assertDeepEqual(
      a.flow.peers.map((p) => p.id),
      seatsBefore,
      "B kept its seat in A's grid",
    );
  });

  it('a page going away sends its leave before it tears its call down, and the others drop it at once', async () => {
    const { callId, a, b, c } = await callOfThree();
    // A busy page may be cut off inside its pagehide handler (five calling
    // pages on two cores: neither the leave nor the byes of a closed tab
    // arrived). The leave is what frees the seat on the server, so it goes
    // out before the links close and the camera stops.
    const cameraWhenLeaving: string[] = [];
    const requests = rig.server.requests;
    const push = requests.push.bind(requests);
    requests.push = (...items) => {
      for (const r of items) {
        if (r.name === 'leaveCall' && r.uid === b.uid) {
          cameraWhenLeaving.push(b.flow.localStream?.getVideoTracks()[0]?.readyState ?? 'no camera');
        }
      }
      return push(...items);
    };
    b.flow.unload();
    assertDeepEqual(cameraWhenLeaving, ['live'], 'the leave went out while the call was still up');
    assertEqual(b.flow.localStream, null, 'then the camera was released');
    await waitUntil(
      () => rig.server.call(callId)?.members.includes(b.uid) === false,
      CONNECT_MS,
      'B out of the call on the server',
    );
    await waitUntil(
      () => [a, c].every(({ flow: f }) => f.peers.every((p) => p.id !== b.uid)),
      CONNECT_MS,
      "B's tile gone from both grids",
      () => describe_([a, c]),
    );
  });

  it('a removed page whose seat was taken meanwhile is told the call is full', async () => {
    const { callId, a, b } = await callOfThree();
    const d = flow();
    const e = flow();
    for (const g of [d, e]) {
      await g.flow.open(callId);
      await g.flow.join();
    }
    await waitUntil(() => e.flow.state.status === 'in-call', CONNECT_MS, 'E in the call');
    // B lapses, and before B's page hears of it, a sixth person takes the
    // seat (their enterCall runs at once; B's news arrives in a later task).
    const sixth = await rig.linkDeps().connect();
    rig.server.removeMember(callId, b.uid);
    void sixth.calls.enter(callId);
    await waitUntil(
      () => b.flow.state.status === 'full',
      CONNECT_MS,
      'B told the call is full',
      () => JSON.stringify(b.flow.state),
    );
    const members = rig.server.call(callId)!.members;
    assert(members.includes(sixth.uid), 'the sixth has the seat');
    assert(!members.includes(b.uid), 'B is not a member');
    assertEqual(b.flow.peers.length, 0, 'B shows nobody');
    assertEqual(a.flow.state.status, 'in-call');
  });

  it('a write addressed to a link that is gone is not applied (a stale description cannot take over a new link)', async () => {
    const { callId, a, b, all } = await callOfThree();
    const oldLink = b.flow.engine!.link(a.uid)!;
    oldLink.close();
    await whole(all, 'A and B linked again');
    const writes = rig.server.call(callId)!.messages.filter((m) => m.from === a.uid && m.to === b.uid);
    const staleTag = writes.find((m) => m.tag.peer !== '' && m.tag.peer !== writes[writes.length - 1]!.tag.peer)?.tag;
    assert(staleTag !== undefined, 'A wrote to B on a link before the rebuilt one');
    // A's page replays an old write (an offer on its old link, to B's old link).
    const linkBefore = b.flow.engine!.link(a.uid);
    b.flow.engine!.receive(a.uid, { description: { type: 'offer', sdp: 'v=0\r\n' } }, staleTag);
    await sleep(500);
    assertEqual(b.flow.engine!.link(a.uid), linkBefore, 'B kept its link');
    assertEqual(b.flow.peers.find((p) => p.id === a.uid)?.state, LinkState.connected, 'and it stays connected');
  });
  /**
   * Mutes what `from`'s link to `to` sends on its control channel: the
   * other end hears nothing from it (no heartbeats), while ICE, DTLS and
   * the media keep working, so the connection still says connected. What
   * a Firefox page showed after answering a restart: its transport dropped
   * all it received, and nothing in ICE noticed. Returns the unmute.
   */
  function muteControl(f: LinkCallFlow, to: string): () => void {
    const link = f.engine!.link(to);
    assert(link !== null, 'a link to mute');
    // The channel is the link's own (private); a test may reach it to break the path under it.
    const channel = (link as unknown as { control: RTCDataChannel }).control;
    const send = channel.send.bind(channel);
    channel.send = () => undefined;
    return () => {
      channel.send = send;
    };
  }

  const restarts = (f: LinkCallFlow, to: string) => f.engine!.link(to)!.history.filter((e) => e.endsWith(' restart ICE')).length;

  /** A call of two, A created it and B joined: B entered later, made the first offer, and leads restarts. */
  async function callOfTwo() {
    const a = flow();
    await a.flow.create();
    const callId = a.flow.state.status === 'in-call' ? a.flow.state.callId : null;
    assert(callId !== null, 'the call was created');
    const b = flow();
    await b.flow.open(callId);
    await b.flow.join();
    await whole([a, b], 'a call of two, connected');
    assert(b.flow.engine!.link(a.uid)!.leadsRestarts, 'B, who entered later, leads restarts');
    assert(!a.flow.engine!.link(b.uid)!.leadsRestarts, 'A does not');
    return { a, b };
  }

  /** Whether `f`'s call noted a silent link to `to` whose member was alive (Call.onLiveness). */
  const sawSilence = (f: LinkCallFlow, to: string) =>
    f.engine!.history.some((e) => e.includes(`from ${to.slice(0, 6)} while the member is alive`));

  /**
   * `silent` hears nothing on its link to `talker` (the talker's sends are
   * muted) while both pages write through the backend: the silent end
   * rebuilds the link itself, whoever leads restarts, the other end meets
   * the new link, and nobody is declared gone.
   */
  async function silenceRebuilt(silent: { flow: LinkCallFlow; uid: string }, talker: { flow: LinkCallFlow; uid: string }) {
    const unmute = muteControl(talker.flow, silent.uid);
    const silentLink = silent.flow.engine!.link(talker.uid);
    const talkerLink = talker.flow.engine!.link(silent.uid);
    const histories = () =>
      `silent: ${silent.flow.engine!.history.slice(-10).join(' · ')} | talker: ${talker.flow.engine!.history.slice(-10).join(' · ')}`;
    await waitUntil(
      () => silent.flow.engine!.link(talker.uid) !== silentLink,
      30_000,
      'the silent end to rebuild its link',
      histories,
    );
    assert(sawSilence(silent.flow, talker.uid), `rebuilt for the silence (${histories()})`);
    await whole([silent, talker], 'still a call of two, connected over new links');
    assertEqual(
      restarts(silent.flow, talker.uid) + restarts(talker.flow, silent.uid),
      0,
      'the new links connected without an ICE restart',
    );
    assert(talker.flow.engine!.link(silent.uid) !== talkerLink, 'the other end met the new link');
    assert(!sawSilence(talker.flow, silent.uid), 'the other end heard all along');
    assertEqual(silent.flow.peers.length, 1, 'the silent end still shows the other');
    assertEqual(talker.flow.peers.length, 1, 'the other end still shows the silent one');
    unmute(); // the muted channel went with the old link
  }

  it('a link silent while ICE says connected is rebuilt by the silent end when it leads restarts; nobody is gone', async () => {
    const { a, b } = await callOfTwo();
    // A's words stop reaching B: B goes quiet, probes through the backend, A answers.
    await silenceRebuilt(b, a);
  });

  it('the silent end rebuilds the link itself when it does not lead restarts (a new link cannot meet another in glare)', async () => {
    const { a, b } = await callOfTwo();
    await silenceRebuilt(a, b);
    assert(!b.flow.engine!.history.some((e) => e.includes('asked by')), 'B was not asked to restart');
  });

  it('a `restart` message (sent by clients before 2026-12-05 instead of rebuilding) still makes the end that leads restarts restart ICE', async () => {
    const { a, b } = await callOfTwo();
    const link = b.flow.engine!.link(a.uid);
    // Connected is DTLS done; the control channel opens after it (SCTP), later
    // still on a loaded machine. A message sent before then is not sent at all.
    const fromA = a.flow.engine!.link(b.uid)!;
    await waitUntil(() => fromA.canSend, CONNECT_MS, "A's control channel to B open");
    assert(fromA.sendMessage({ type: 'restart' }), 'the restart message was sent');
    await waitUntil(
      () => restarts(b.flow, a.uid) > 0,
      30_000,
      'B (the leader) to restart ICE when asked',
      () =>
        `B: ${b.flow.engine!.history.slice(-10).join(' · ')} | B's link: ${link?.history.slice(-12).join(' · ')} | A's link: ${fromA.history.slice(-12).join(' · ')}`,
    );
    assertEqual(b.flow.engine!.link(a.uid), link, 'the same link, restarted');
    await whole([a, b], 'still a call of two, connected');
  });
});
