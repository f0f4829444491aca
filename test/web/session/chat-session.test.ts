/**
 * ChatSession end to end in one page: two sessions, the in-memory matchmaker
 * and signaling (support/memory-backend.ts), the fake camera and real peer
 * connections over loopback.
 */
import type { ChatSession } from '../../../web/src/session/chat-session.js';
import type { ChatState } from '../../../web/src/session/chat-state.js';
import { assert, assertDeepEqual, assertEqual } from '../assert.js';
import { ChatRig, deniedCamera } from '../support/chat-rig.js';
import { sleep, waitFor, waitForStatus, waitUntil } from '../support/wait.js';

const CONNECT_MS = 15000;
const LEAVE_MS = 10000;

/** Every status a session passes through, in order. */
function recordStatuses(session: ChatSession): ChatState['status'][] {
  const seen: ChatState['status'][] = [session.state.status];
  session.onChange(() => {
    if (seen[seen.length - 1] !== session.state.status) seen.push(session.state.status);
  });
  return seen;
}

describe('ChatSession with the in-memory backend', () => {
  let rig: ChatRig;

  beforeEach(() => {
    rig = new ChatRig();
  });

  afterEach(async () => {
    await rig.cleanup();
  });

  /** Two sessions in `room`, started one after the other, connected to each other. */
  async function connectedPair(room = 'en') {
    const a = rig.session();
    const b = rig.session();
    await a.session.start(room);
    await waitForStatus(a.session, 'searching', 5000);
    assert(rig.server.isWaiting(a.uid), 'the first one waits in the queue');
    await b.session.start(room);
    await Promise.all([
      waitForStatus(a.session, 'connected', CONNECT_MS),
      waitForStatus(b.session, 'connected', CONNECT_MS),
    ]).catch((err: unknown) => {
      throw new Error(`${String(err)}\nserver log: ${rig.server.log.join('; ')}`);
    });
    return { a, b };
  }

  it('pairs two sessions in the same room and connects them with media', async function () {
    this.timeout(40000);
    const a = rig.session();
    const b = rig.session();
    const aStatuses = recordStatuses(a.session);
    const bStatuses = recordStatuses(b.session);
    await a.session.start('en');
    await waitForStatus(a.session, 'searching', 5000);
    await b.session.start('en');
    await Promise.all([
      waitForStatus(a.session, 'connected', CONNECT_MS),
      waitForStatus(b.session, 'connected', CONNECT_MS),
    ]);

    for (const [name, s] of [['first', a.session], ['second', b.session]] as const) {
      const remote = s.remoteStream;
      assert(remote !== null, `the ${name} session has a remote stream`);
      assert(remote.getVideoTracks().length > 0, `the ${name} session's remote stream has video`);
      assert(s.localStream !== null, `the ${name} session keeps its camera`);
    }
    // The one who waited made the offer; the one who arrived answered it.
    assertDeepEqual(a.session.call?.role, 'caller', 'role of the session that waited');
    assertDeepEqual(b.session.call?.role, 'callee', 'role of the session that arrived');
    assertEqual(a.session.call?.callId, b.session.call?.callId, 'both are in the same call');
    assertDeepEqual(aStatuses, ['idle', 'requesting-media', 'searching', 'connecting', 'connected'], 'statuses of the waiting one');
    assertDeepEqual(bStatuses, ['idle', 'requesting-media', 'searching', 'connecting', 'connected'], 'statuses of the arriving one');
  });

  it('Next tells the partner "partner-left" and looks for someone else', async function () {
    this.timeout(40000);
    const { a, b } = await connectedPair();

    await b.session.next();
    const bState = await waitForStatus(b.session, 'searching', 5000);
    assertDeepEqual(bState, { status: 'searching', again: false }, 'state of the one who pressed Next');
    await waitForStatus(a.session, 'partner-left', LEAVE_MS);
    assertEqual(a.session.remoteStream, null, 'the partner-left side dropped the remote stream');
    assertEqual(b.session.remoteStream, null, 'the side that moved on dropped the remote stream');
    assert(rig.server.isWaiting(b.uid), 'the one who pressed Next is back in the queue');
    assertEqual(rig.server.callsOf(a.uid).length, 0, 'the old call is over');

    // Nobody else is around: the one who pressed Next keeps searching.
    await sleep(500);
    assertEqual(b.session.state.status, 'searching', 'still searching with nobody to meet');
    assertEqual(a.session.state.status, 'partner-left', 'the one who was left stays informed');
  });

  it('after partner-left, Next pairs the two again', async function () {
    this.timeout(40000);
    const { a, b } = await connectedPair();
    await b.session.next();
    await waitForStatus(a.session, 'partner-left', LEAVE_MS);
    // b waits in the queue; a presses Next and meets b again.
    await a.session.next();
    await Promise.all([
      waitForStatus(a.session, 'connected', CONNECT_MS),
      waitForStatus(b.session, 'connected', CONNECT_MS),
    ]);
    assertEqual(a.session.call?.role, 'callee', 'the one who pressed Next answered');
    assertEqual(b.session.call?.role, 'caller', 'the one who waited offered');
  });

  it('Stop goes idle, releases the camera and leaves the queue', async function () {
    this.timeout(40000);
    const { a, b } = await connectedPair();
    const local = a.session.localStream!;
    assert(local.getTracks().every((t) => t.readyState === 'live'), 'the camera is live while connected');

    await a.session.stop();
    assertDeepEqual(a.session.state, { status: 'idle' }, 'state after Stop');
    assertEqual(a.session.localStream, null, 'localStream after Stop');
    assertEqual(a.session.remoteStream, null, 'remoteStream after Stop');
    assert(local.getTracks().length > 0, 'the stream had tracks');
    for (const t of local.getTracks()) assertEqual(t.readyState, 'ended', `${t.kind} track after Stop`);
    assert(!rig.server.isWaiting(a.uid), 'not in the queue after Stop');
    assertEqual(rig.server.callsOf(a.uid).length, 0, 'no call after Stop');
    await waitForStatus(b.session, 'partner-left', LEAVE_MS);
  });

  it('Stop while searching leaves the queue', async function () {
    const { session, uid } = rig.session();
    await session.start('hi');
    await waitForStatus(session, 'searching', 5000);
    await waitFor(session, () => rig.server.isWaiting(uid), 5000, 'the queue entry');
    const local = session.localStream!;
    await session.stop();
    assertEqual(session.state.status, 'idle', 'status after Stop');
    assert(!rig.server.isWaiting(uid), 'not in the queue after Stop');
    for (const t of local.getTracks()) assertEqual(t.readyState, 'ended', `${t.kind} track after Stop`);
  });

  it('never pairs sessions in different rooms', async function () {
    this.timeout(20000);
    const a = rig.session();
    const b = rig.session();
    const aStatuses = recordStatuses(a.session);
    const bStatuses = recordStatuses(b.session);
    await a.session.start('en');
    await b.session.start('ta');
    await Promise.all([waitForStatus(a.session, 'searching', 5000), waitForStatus(b.session, 'searching', 5000)]);
    await sleep(1500);
    assertDeepEqual(aStatuses, ['idle', 'requesting-media', 'searching'], 'statuses in room en');
    assertDeepEqual(bStatuses, ['idle', 'requesting-media', 'searching'], 'statuses in room ta');
    assertEqual(a.session.remoteStream, null, 'no remote stream in room en');
    assertEqual(b.session.remoteStream, null, 'no remote stream in room ta');
    assert(rig.server.isWaiting(a.uid) && rig.server.isWaiting(b.uid), 'both wait in their rooms');
  });

  it('reports camera-denied when getUserMedia is refused', async () => {
    const { session } = rig.session({ getUserMedia: deniedCamera });
    await session.start('en');
    const state = await waitForStatus(session, 'media-error', 5000);
    assert(state.status === 'media-error', 'media-error');
    assertEqual(state.problem.code, 'camera-denied', 'problem code');
    assertEqual(state.problem.message, 'Camera and microphone access was denied.', 'problem message');
    assertEqual(session.localStream, null, 'no local stream');
  });

  it('Report ends the call for both, files the report, and the two are never paired again', async function () {
    this.timeout(40000);
    const { a, b } = await connectedPair('ta');
    assert(b.session.canModerate, 'Report is offered during a call');
    await b.session.report('harassment');
    assertEqual(b.session.state.status, 'ended-by-you', 'the reporter sees the call ended by them');
    await waitForStatus(a.session, 'partner-left', LEAVE_MS);
    assertDeepEqual(
      rig.server.reports.map((r) => [r.reporter, r.reported, r.reason]),
      [[b.uid, a.uid, 'harassment']],
      'one report, about the other person',
    );
    assert(!b.session.canModerate, 'nothing left to report');
    // Both look again in the same room: they must not meet.
    await a.session.next();
    await b.session.next();
    await sleep(1500);
    assertEqual(a.session.state.status, 'searching', 'the reported one keeps searching');
    assertEqual(b.session.state.status, 'searching', 'the reporter keeps searching');
  });

  it('Block works right after the stranger left, and keeps the two apart', async function () {
    this.timeout(40000);
    const { a, b } = await connectedPair('hi');
    await a.session.next(); // a leaves; b sees partner-left
    await waitForStatus(b.session, 'partner-left', LEAVE_MS);
    assert(b.session.canModerate, 'Block is offered after the stranger left');
    await b.session.block();
    assertEqual(b.session.state.status, 'ended-by-you');
    await b.session.next();
    await sleep(1500);
    assertEqual(a.session.state.status, 'searching');
    assertEqual(b.session.state.status, 'searching');
  });

  it('a waiter moved to a new call id by a renewal sends the new call all its candidates', async function () {
    this.timeout(40000);
    const a = rig.session({ timing: { renewMs: 300 } });
    await a.session.start('kn');
    await waitForStatus(a.session, 'searching', 5000);
    // Its candidates were gathered by now and handed to the first call id's channel.
    await sleep(500);
    rig.server.dropWaiting(a.uid);
    await waitUntil(() => rig.server.isWaiting(a.uid), 5000, 'a renewal queues it again');
    const b = rig.session();
    await b.session.start('kn');
    await Promise.all([waitForStatus(a.session, 'connected', CONNECT_MS), waitForStatus(b.session, 'connected', CONNECT_MS)]);
    const callId = a.session.call?.callId;
    assert(callId !== undefined, 'a is in a call');
    const fromA = rig.server.call(callId)?.messages.filter((m) => m.kind === 'candidate' && m.from === a.uid) ?? [];
    assert(fromA.length > 0, `the new call got the waiter's candidates (log: ${rig.server.log.join('; ')})`);
  });
});
