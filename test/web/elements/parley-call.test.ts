/**
 * <parley-call> and its LinkCallFlow in Chromium with real WebRTC between
 * elements of one page, over the in-memory link-call backend: create and
 * share, the lobby's count, Join, tiles with their states, full, Leave, ended.
 */
import { MAX_CALL_MEMBERS } from '@parley/functions/protocol';
import { callLink, gridColumns, ParleyCall } from '../../../web/src/elements/parley-call.js';
import type { LinkCallDeps } from '../../../web/src/flows/link-call.js';
import type { Peer } from '../../../web/src/engine/call.js';
import { assert, assertDeepEqual, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { waitUntil } from '../support/wait.js';

const CONNECT_MS = 15_000;

describe('<parley-call> (real WebRTC, in-memory backend)', () => {
  let rig: Rig;
  const elements: ParleyCall[] = [];

  /** One page's wiring: its own backend user and a small fake camera. */
  function deps(): LinkCallDeps {
    return rig.linkDeps({
      getUserMedia: () => navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 160, height: 120 } }),
    });
  }

  async function mount(callId: string, wiring: LinkCallDeps = deps()): Promise<ParleyCall> {
    const el = new ParleyCall(wiring);
    el.callId = callId;
    el.style.height = '400px';
    document.body.append(el);
    elements.push(el);
    await el.updateComplete;
    return el;
  }

  const root = (el: ParleyCall) => el.shadowRoot!;
  const status = (el: ParleyCall) => root(el).querySelector('#status')?.getAttribute('data-status') ?? null;
  const text = (el: ParleyCall) => root(el).querySelector('#status')?.textContent?.trim() ?? '';
  const tiles = (el: ParleyCall) => [...root(el).querySelectorAll('.tile.peer')].map((t) => t.getAttribute('data-state'));
  const click = async (el: ParleyCall, id: string) => {
    const b = root(el).querySelector<HTMLButtonElement>(`#${id}`);
    assert(b !== null, `button #${id} is shown (status ${status(el)})`);
    b.click();
    await el.updateComplete;
  };
  const waitStatus = (el: ParleyCall, s: string) =>
    waitUntil(
      () => status(el) === s,
      CONNECT_MS,
      `status ${s}`,
      () => `status ${status(el)}: ${text(el)}`,
    );

  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(async () => {
    for (const el of elements.splice(0)) {
      el.flow.reset();
      el.remove();
    }
    await rig.cleanup();
  });

  it('creates a call, shows its link, and a second page joins from the lobby; both see one connected tile', async () => {
    const host = await mount('new');
    await waitStatus(host, 'in-call');
    assertEqual(text(host), 'Waiting for others — share this link.', 'the host is told to share the link');
    const callId = (host.flow.state as { callId: string }).callId;
    const link = root(host).querySelector<HTMLInputElement>('#link')!.value;
    assert(link.endsWith(`#/call/${callId}`), `the link names the call (${link})`);
    assert(root(host).querySelector('#copy') !== null, 'a Copy button');

    const guest = await mount(callId);
    await waitStatus(guest, 'lobby');
    assertEqual(text(guest), `1 of ${MAX_CALL_MEMBERS} in this call. Press Join when you are ready.`, 'the lobby counts');
    await waitUntil(() => root(guest).querySelector('#local') !== null, CONNECT_MS, 'own preview in the lobby');
    await click(guest, 'join');
    await waitStatus(guest, 'in-call');
    await waitUntil(
      () => tiles(host).join() === 'connected' && tiles(guest).join() === 'connected',
      CONNECT_MS,
      'one connected tile each',
      () => `host ${tiles(host).join()}, guest ${tiles(guest).join()}`,
    );
    assertEqual(text(guest), 'In the call with 1 person (2 of 5).', "the guest's status line");

    // Leave: the host's grid drops the tile; the last leave ends the call.
    await click(guest, 'leave');
    await waitStatus(guest, 'left');
    await waitUntil(() => tiles(host).length === 0, CONNECT_MS, "the host's grid to drop the tile");
    await click(host, 'leave');
    await waitStatus(host, 'left');
    const late = await mount(callId);
    await waitStatus(late, 'ended');
    assertEqual(text(late), 'This call has ended.', 'the link says the call has ended');
  });

  it('names tiles as the chat does, stable while others leave, and says who joined and who left', async () => {
    const host = await mount('new');
    await waitStatus(host, 'in-call');
    const callId = host.callId;
    const said = () => root(host).querySelector('#members-said')?.textContent?.trim() ?? '';
    const captions = () => [...root(host).querySelectorAll('.tile.peer .label')].map((l) => l.textContent?.trim());
    const members: ParleyCall[] = [];
    for (const n of [2, 3]) {
      const g = await mount(callId);
      await waitStatus(g, 'lobby');
      await click(g, 'join');
      await waitStatus(g, 'in-call');
      members.push(g);
      await waitUntil(() => said() === `Guest ${n} joined the call.`, CONNECT_MS, `Guest ${n}'s arrival said`, said);
    }
    await waitUntil(
      () => captions().join() === 'Guest 2,Guest 3',
      CONNECT_MS,
      'connected tiles say only the name',
      () => captions().join(),
    );
    const tile3 = root(host).querySelectorAll('.tile.peer')[1]!;
    assertEqual(tile3.getAttribute('role'), 'group', 'a tile is a named group');
    assertEqual(tile3.getAttribute('aria-label'), 'Guest 3', 'named as its caption');
    assertEqual(tile3.querySelector('video')?.getAttribute('aria-label'), 'Guest 3', 'and so is its video');

    // Guest 2 leaves: Guest 3 stays Guest 3 (no renumbering), and the host hears it.
    await click(members[0]!, 'leave');
    await waitUntil(() => said() === 'Guest 2 left the call.', CONNECT_MS, "Guest 2's leaving said", said);
    await waitUntil(
      () => captions().join() === 'Guest 3',
      CONNECT_MS,
      'Guest 3 keeps its name',
      () => captions().join(),
    );

    // A chosen name, once its owner writes: beside the number, on the tile too.
    members[1]!.flow.displayName = 'Asha';
    assertEqual(members[1]!.flow.inCall!.chat.send('hello'), null, 'the message is sent');
    await waitUntil(
      () => captions().join() === 'Asha (Guest 3)',
      CONNECT_MS,
      'the chosen name on the tile',
      () => captions().join(),
    );
  });

  it('refuses a sixth person with "full", and lets them in once a place frees', async () => {
    const host = await mount('new');
    await waitStatus(host, 'in-call');
    const callId = (host.flow.state as { callId: string }).callId;
    const guests: ParleyCall[] = [];
    for (let i = 0; i < 4; i++) {
      const g = await mount(callId);
      await waitStatus(g, 'lobby');
      await click(g, 'join');
      await waitStatus(g, 'in-call');
      guests.push(g);
    }
    const sixth = await mount(callId);
    await waitStatus(sixth, 'full');
    assertEqual(text(sixth), 'This call is full (5 of 5).', 'the sixth learns only that');
    assertEqual(tiles(sixth).length, 0, 'and sees nobody');
    assertEqual(sixth.flow.localStream, null, 'and its camera is off');
    await click(guests[0]!, 'leave');
    await click(sixth, 'retry');
    await waitStatus(sixth, 'lobby');
    await click(sixth, 'join');
    await waitStatus(sixth, 'in-call');
    await waitUntil(() => tiles(sixth).length === 4, CONNECT_MS, 'the sixth sees four tiles');
  });

  it("a member's tile that cannot connect says why: Hide my IP on, and the relay unreachable", async function () {
    this.timeout(30_000);
    const host = await mount('new');
    await waitStatus(host, 'in-call');
    const callId = host.callId;
    // The guest may use the relay only, and its relay answers nobody: not one relay candidate.
    const guest = await mount(callId, {
      ...deps(),
      rtcConfig: () => ({
        iceTransportPolicy: 'relay',
        iceServers: [{ urls: 'turn:127.0.0.1:9?transport=udp', username: 'nobody', credential: 'nothing' }],
      }),
      connectTimeoutMs: 2_000,
    });
    await waitStatus(guest, 'lobby');
    await click(guest, 'join');
    await waitStatus(guest, 'in-call');
    const tile = () => root(guest).querySelector<HTMLElement>('.tile.peer');
    await waitUntil(
      () => tile()?.getAttribute('data-problem') === 'relay-unreachable',
      10_000,
      "the guest's tile of the host says the relay was unreachable",
      () => `tile: ${tile()?.getAttribute('data-state')} ${tile()?.getAttribute('data-problem')} ${tile()?.textContent}`,
    );
    assertEqual(tile()?.getAttribute('data-state'), 'failed', 'the tile shows the link failed');
    assert(/relay/i.test(tile()?.textContent ?? ''), `the tile says so in words (${tile()?.textContent})`);
  });

  it('an error box links to its guide section and to the connection check', async () => {
    const el = new ParleyCall(
      rig.linkDeps({ getUserMedia: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) }),
    );
    el.callId = 'new';
    document.body.append(el);
    elements.push(el);
    await waitStatus(el, 'media-error');
    const alert = root(el).querySelector('[role="alert"]')!;
    assertEqual(alert.querySelector('a.help-link')?.getAttribute('href'), '#/help/camera-denied', 'What can I do?');
    assertEqual(alert.querySelector('a.check-link')?.getAttribute('href'), '#/check', 'Test my connection');
  });

  it('lays tiles out to fit, and makes the link', () => {
    assertEqual(callLink('abc', 'https://parley.example/#/room/ta'), 'https://parley.example/#/call/abc', 'the link');
    assertEqual([1, 2, 3, 4, 5].map((n) => gridColumns(n, true)).join(), '1,2,2,2,3', 'columns on a wide stage');
    assertEqual([1, 2, 3, 4, 5].map((n) => gridColumns(n, false)).join(), '1,1,2,2,2', 'columns on a tall stage');
  });

  it('tells the shell a new call exists, and when the person asks for random chat, writing no address itself', async () => {
    const before = location.href;
    const host = await mount('new');
    const created: string[] = [];
    host.addEventListener('parley-call-created', (e) => created.push(e.detail.callId));
    await waitStatus(host, 'in-call');
    const callId = (host.flow.state as { callId: string }).callId;
    await waitUntil(() => created.length > 0, CONNECT_MS, 'parley-call-created');
    assertEqual(created.join(), callId, 'with the call');
    assertEqual(host.callId, callId, 'the page names the call now');
    await click(host, 'leave');
    await waitStatus(host, 'left');
    let home = 0;
    host.addEventListener('parley-random-chat', () => (home += 1));
    await click(host, 'home');
    assertEqual(home, 1, 'parley-random-chat');
    assertEqual(location.href, before, 'the address is the shell’s to change');
  });

  it('a tile that cannot connect says why, in the words random chat uses', async () => {
    const host = await mount('new');
    await waitStatus(host, 'in-call');
    // The engine's verdict on a member's link (PeerLink.problem), as the flow hands it to the page.
    const peers: Peer[] = [
      { id: 'a', state: 'failed', stream: null, problem: 'relay-unreachable' },
      { id: 'b', state: 'failed', stream: null, problem: 'connection-failed' },
      { id: 'c', state: 'connected', stream: null, problem: null },
    ];
    Object.defineProperty(host.flow, 'peers', { get: () => peers });
    host.requestUpdate();
    await host.updateComplete;
    const why = (id: string) => {
      const tile = root(host).querySelector(`.tile[data-peer="${id}"]`);
      return [tile?.getAttribute('data-problem') ?? null, tile?.querySelector('.why')?.textContent?.trim() ?? null];
    };
    assertDeepEqual(
      why('a'),
      ['relay-unreachable', 'Hide my IP is on, but our relay could not be reached, so the call could not connect.'],
      'the relay was unreachable',
    );
    assertDeepEqual(why('b'), ['connection-failed', 'Could not connect to this person.'], 'no path');
    assertDeepEqual(why('c'), [null, null], 'a connected tile says nothing more');
  });
});
