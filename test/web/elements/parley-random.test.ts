/**
 * <parley-random>, the random chat page, rendered in the page: its
 * RandomChatFlow on the in-memory backend (RandomChatDeps through the
 * constructor), the fake camera and real peers.
 */
import { ROOMS } from '../../../functions/src/protocol/rooms.js';
import { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import type { RandomChatDeps } from '../../../web/src/flows/random-chat.js';
import type { RandomChatState } from '../../../web/src/flows/random-chat-state.js';
import { assert, assertDeepEqual, assertEqual, assertIncludes } from '../assert.js';
import { Rig, deniedCamera, type RigOptions } from '../support/rig.js';
import { sleep, waitForStatus, waitUntil } from '../support/wait.js';

const CONNECT_MS = 15000;
const LEAVE_MS = 10000;

describe('<parley-random>', () => {
  let rig: Rig;
  let elements: ParleyRandom[] = [];

  beforeEach(() => {
    rig = new Rig();
    // The element remembers the room (also in the address) and the widen
    // choice; start every test from the defaults.
    forgetChoices();
  });

  afterEach(async () => {
    await rig.cleanup();
    for (const el of elements) el.remove();
    elements = [];
    forgetChoices();
  });

  function forgetChoices(): void {
    localStorage.removeItem('parley.room');
    localStorage.removeItem('parley.widen');
    history.replaceState(null, '', location.pathname + location.search);
  }

  async function mount(options: RigOptions = {}, deps: RandomChatDeps = rig.deps(options)): Promise<ParleyRandom> {
    const el = new ParleyRandom(deps);
    rig.track(el.flow);
    elements.push(el);
    document.body.append(el);
    await el.updateComplete;
    return el;
  }

  /** In the page, or in its Report/Block confirmation (an element of its own). */
  function $<E extends Element = HTMLElement>(el: ParleyRandom, selector: string): E | null {
    const root = el.shadowRoot!;
    return (
      root.querySelector<E>(selector) ??
      root.querySelector('parley-report-dialog')?.shadowRoot?.querySelector<E>(selector) ??
      null
    );
  }

  /** Renders what a click changed, the confirmation included. */
  async function settle(el: ParleyRandom): Promise<void> {
    await el.updateComplete;
    await el.shadowRoot!.querySelector('parley-report-dialog')?.updateComplete;
  }

  function status(el: ParleyRandom): HTMLElement {
    const s = $(el, '#status');
    assert(s, '#status is rendered');
    return s;
  }

  function button(
    el: ParleyRandom,
    id: 'start' | 'next' | 'stop' | 'report' | 'block' | 'cancel' | 'confirm-report' | 'confirm-block',
  ): HTMLButtonElement {
    const b = $<HTMLButtonElement>(el, `#${id}`);
    assert(b, `#${id} is rendered`);
    return b;
  }

  function select(el: ParleyRandom): HTMLSelectElement {
    const s = $<HTMLSelectElement>(el, 'select#room');
    assert(s, 'the room <select> is rendered');
    return s;
  }

  function widenBox(el: ParleyRandom): HTMLInputElement {
    const box = $<HTMLInputElement>(el, 'input#widen');
    assert(box, 'the widen checkbox is rendered');
    return box;
  }

  /** Picks `room` in the picker as a person would. */
  async function chooseRoom(el: ParleyRandom, room: string): Promise<void> {
    select(el).value = room;
    select(el).dispatchEvent(new Event('change'));
    await el.updateComplete;
  }

  /** The summary line under the picker (always rendered). */
  function countLine(el: ParleyRandom): HTMLElement {
    const line = $(el, '#room-count');
    assert(line, '#room-count is rendered');
    return line;
  }

  /** The picker's option texts, by room id. */
  function optionTexts(el: ParleyRandom): Record<string, string | undefined> {
    return Object.fromEntries([...select(el).querySelectorAll('option')].map((o) => [o.value, o.textContent?.trim()]));
  }

  /** Waits until #status shows `wanted` (the element re-renders on every session change). */
  async function waitForShownStatus(
    el: ParleyRandom,
    wanted: RandomChatState['status'],
    timeoutMs: number,
    name = 'the page',
  ): Promise<void> {
    await waitUntil(
      () => $(el, '#status')?.dataset['status'] === wanted,
      timeoutMs,
      `${name} to show ${wanted}`,
      () =>
        `shows ${$(el, '#status')?.dataset['status']}; session ${JSON.stringify(el.flow.state)}; server: ${rig.server.log.join('; ')}`,
    );
  }

  it('renders the room picker, Start and the idle status', async () => {
    const el = await mount();
    const options = [...select(el).querySelectorAll('option')];
    assertDeepEqual(
      options.map((o) => [o.value, o.textContent?.trim()]),
      ROOMS.map((r) => [r.id, r.nativeName]),
      'room options (id, native name)',
    );
    assertDeepEqual(
      options.map((o) => o.textContent?.trim()),
      [
        'Anyone',
        'English',
        'हिन्दी',
        'தமிழ்',
        'తెలుగు',
        'മലയാളം',
        'ಕನ್ನಡ',
        'বাংলা',
        'Español',
        'Português',
        'USA',
        'UK',
        'भारत · India',
      ],
      'native names shown',
    );
    assertEqual(select(el).value, 'any', 'default room');
    assertEqual(select(el).disabled, false, 'the room can be changed while idle');
    assertEqual(button(el, 'start').textContent?.trim(), 'Start', 'Start button label');
    assertEqual(button(el, 'start').disabled, false, 'Start is enabled');
    assertEqual($(el, '#next'), null, 'no Next button while idle');
    assertEqual(button(el, 'stop').disabled, true, 'Stop is disabled while idle');
    assertEqual(status(el).dataset['status'], 'idle', 'data-status');
    assertEqual(status(el).textContent?.trim(), 'Pick a room and press Start.', 'status text');
    assertEqual(status(el).getAttribute('role'), 'status', 'the status line is a live region');
    assertEqual($(el, '[role="alert"]'), null, 'no alert while idle');
  });

  it('shows the camera-denied problem when getUserMedia is refused', async () => {
    const el = await mount({ getUserMedia: deniedCamera });
    button(el, 'start').click();
    await waitForShownStatus(el, 'media-error', 5000);
    const alert = $(el, '[role="alert"]');
    assert(alert, 'an alert is shown');
    // What happened is said once (the status, shown over the stage); the alert says what to do.
    assert(!alert.textContent?.includes('Camera and microphone access was denied.'), 'the alert does not repeat it');
    assertEqual($(el, '.overlay')?.textContent?.trim(), 'Camera and microphone access was denied.', 'shown over the stage');
    assertIncludes(
      alert.textContent,
      'Allow them for this site (the camera icon in the address bar), then press Start again.',
      'alert hint',
    );
    assertEqual(status(el).textContent?.trim(), 'Camera and microphone access was denied.', 'status text');
    // Nothing is going on: Start is offered again and the room can be changed.
    assert($(el, '#start'), 'Start is offered again');
    assertEqual(select(el).disabled, false, 'the room can be changed after a media error');
  });

  it('connects two pages in the same room; Stop on one shows partner-left on the other', async function () {
    this.timeout(40000);
    const first = await mount();
    const second = await mount();

    button(first, 'start').click();
    await waitForShownStatus(first, 'searching', 5000, 'the first page');
    assertEqual(select(first).disabled, true, 'the room is locked while searching');
    assertEqual(status(first).textContent?.trim(), 'Looking for someone…', 'searching text');
    assert($(first, '#next'), 'Next replaces Start while active');
    assertEqual($(first, '#start'), null, 'no Start while active');
    assertEqual(button(first, 'stop').disabled, false, 'Stop is enabled while active');
    assertEqual(first.shadowRoot!.activeElement?.id, 'stop', 'focus on Stop while Next cannot be used, not on the page');

    button(second, 'start').click();
    await Promise.all([
      waitForShownStatus(first, 'connected', CONNECT_MS, 'the first page'),
      waitForShownStatus(second, 'connected', CONNECT_MS, 'the second page'),
    ]);
    for (const el of [first, second]) {
      assertEqual(status(el).textContent?.trim(), 'Connected. Say hi!', 'connected text');
      assertEqual(select(el).disabled, true, 'the room is locked while connected');
      assertEqual(button(el, 'next').disabled, false, 'Next is enabled while connected');
      const remote = $<HTMLVideoElement>(el, 'video#remote');
      assert(remote?.srcObject instanceof MediaStream, 'the remote video shows the stranger');
      assertEqual(remote.srcObject, el.flow.remoteStream, 'the remote video shows the session remote stream');
      const local = $<HTMLVideoElement>(el, 'video#local');
      assertEqual(local?.srcObject, el.flow.localStream, 'the local video shows the camera');
    }

    // Both pages follow focus, and one document has one focus: whichever page rendered last holds it
    // (seen either way under load). Each page alone is tested in test/web/flows/keyboard.test.ts.
    const focused = [first, second].map((el) => el.shadowRoot!.activeElement?.id ?? null);
    assert(
      focused.includes('next') && focused.every((id) => id === 'next' || id === null),
      `once connected, focus on Next: ${focused.join(', ')}`,
    );

    button(first, 'stop').click();
    await waitForShownStatus(first, 'idle', 5000, 'the first page');
    await first.updateComplete;
    assertEqual(first.shadowRoot!.activeElement?.id, 'start', 'after Stop, focus on Start');
    await waitForShownStatus(second, 'partner-left', 10000, 'the second page');
    assertEqual(
      status(second).textContent?.trim(),
      'Stranger left. Press Next to meet someone else, or Stop.',
      'partner-left text',
    );
    assertEqual(select(second).disabled, true, 'the room stays locked after the partner left');
    assertEqual(button(second, 'next').disabled, false, 'Next is offered after the partner left');
    assertEqual(select(first).disabled, false, 'the room is unlocked after Stop');
    assert($(first, '#start'), 'Start is offered again after Stop');
  });

  it('Report asks for a reason and confirmation, then ends the call for both', async function () {
    this.timeout(40000);
    const first = await mount();
    const second = await mount();
    assertEqual($(first, '#report'), null, 'no Report before a call');
    button(first, 'start').click();
    await waitForShownStatus(first, 'searching', 5000, 'the first page');
    button(second, 'start').click();
    await Promise.all([
      waitForShownStatus(first, 'connected', CONNECT_MS, 'the first page'),
      waitForShownStatus(second, 'connected', CONNECT_MS, 'the second page'),
    ]);
    button(second, 'report').click();
    await settle(second);
    const dialog = $<HTMLDialogElement>(second, 'dialog#confirm');
    assert(dialog?.open, 'a confirmation opens');
    // Cancel closes it and changes nothing.
    button(second, 'cancel').click();
    await settle(second);
    assertEqual($(second, '#confirm'), null, 'cancel closes the confirmation');
    assertEqual(second.shadowRoot!.activeElement?.id, 'report', 'focus back on Report');
    assertEqual(second.flow.state.status, 'connected', 'cancel keeps the call');

    button(second, 'report').click();
    await settle(second);
    const reason = $<HTMLSelectElement>(second, '#reason')!;
    assertEqual(reason.options.length, 6, 'six reasons');
    reason.value = 'spam';
    reason.dispatchEvent(new Event('change'));
    await settle(second);
    button(second, 'confirm-report').click();
    await waitForShownStatus(second, 'ended-by-you', 5000, 'the reporter');
    await waitForShownStatus(first, 'partner-left', 10000, 'the reported');
    assertIncludes(status(second).textContent, 'Reported.', 'the reporter is told');
    assertEqual($(second, '#report'), null, 'Report is gone once used');
  });

  it('offers the connection check beside Start, and each error box links to its guide section and the check', async () => {
    const idle = await mount();
    assertEqual($(idle, '#check-link')?.getAttribute('href'), '#/check', 'Test my connection beside Start');
    idle.remove();
    const el = await mount({ getUserMedia: deniedCamera });
    button(el, 'start').click();
    await waitForShownStatus(el, 'media-error', 5000);
    const alert = $(el, '[role="alert"]')!;
    assertEqual(alert.querySelector('a.help-link')?.getAttribute('href'), '#/help/camera-denied', 'What can I do?');
    assertEqual(alert.querySelector('a.check-link')?.getAttribute('href'), '#/check', 'Test my connection');
  });

  it('shows the live counts in the picker and a summary for the chosen room', async function () {
    this.timeout(40000);
    const el = await mount();
    await waitUntil(() => countLine(el).textContent !== '', 5000, 'the counts to arrive');
    assertEqual($(el, '#room-count')?.textContent?.trim(), 'Nobody here right now', 'summary for an empty room');
    assertEqual(optionTexts(el)['ta'], 'தமிழ்', 'an empty room shows its name only');

    // Two strangers meet in Tamil, a third waits there.
    const a = rig.session();
    const b = rig.session();
    const c = rig.session();
    await a.session.start('ta');
    await waitForStatus(a.session, 'searching', 5000);
    await b.session.start('ta');
    await Promise.all([waitForStatus(a.session, 'connected', CONNECT_MS), waitForStatus(b.session, 'connected', CONNECT_MS)]);
    await c.session.start('ta');
    await waitUntil(
      () => optionTexts(el)['ta'] === 'தமிழ் — 1 waiting · 2 chatting',
      5000,
      'the Tamil option to show its counts',
      () => `options: ${JSON.stringify(optionTexts(el))}`,
    );
    assertEqual(optionTexts(el)['en'], 'English', 'other rooms are unchanged');
    assertEqual(
      $(el, '#room-count')?.textContent?.trim(),
      'Nobody here right now',
      'the summary is about the chosen room (Anyone)',
    );

    await chooseRoom(el, 'ta');
    assertEqual($(el, '#room-count')?.textContent?.trim(), '1 waiting · 2 chatting in Tamil', 'summary for Tamil');
    // Only waiting: no "· 0 chatting".
    await b.session.stop();
    await waitUntil(
      () => $(el, '#room-count')?.textContent?.trim() === '1 waiting in Tamil',
      LEAVE_MS,
      'the summary to follow the call ending',
      () => `summary: ${$(el, '#room-count')?.textContent}; options: ${JSON.stringify(optionTexts(el))}`,
    );
  });

  it('shows no counts while they are unknown', async () => {
    // Sign-in that takes its time: no counts can have arrived before it is done.
    const deps = rig.deps();
    let signIn: () => void = () => undefined;
    const signedIn = new Promise<void>((resolve) => (signIn = resolve));
    const el = await mount({}, { ...deps, connect: () => signedIn.then(() => deps.connect()) });
    await sleep(700); // past the warm-up's idle callback (500 ms at most)
    await el.updateComplete;
    assertEqual(countLine(el).textContent, '', 'no summary without counts (its line stays, empty)');
    assertDeepEqual(
      Object.values(optionTexts(el)),
      ROOMS.map((r) => r.nativeName),
      'options show the names only',
    );
    signIn();
    await waitUntil(() => countLine(el).textContent !== '', 5000, 'the counts once signed in');
  });

  it('keeps the count line one line high with and without words, so the video never moves', async function () {
    this.timeout(40000);
    // A phone's width, where the longest summaries would wrap.
    const frame = document.createElement('div');
    frame.style.width = '320px';
    document.body.append(frame);
    const deps = rig.deps();
    let signIn: () => void = () => undefined;
    const signedIn = new Promise<void>((resolve) => (signIn = resolve));
    const el = new ParleyRandom({ ...deps, connect: () => signedIn.then(() => deps.connect()) });
    rig.track(el.flow);
    elements.push(el);
    frame.append(el);
    await el.updateComplete;
    await chooseRoom(el, 'ml');
    const box = () => ({
      line: countLine(el).getBoundingClientRect().height,
      stageTop: $(el, '.stage')!.getBoundingClientRect().top,
    });
    const empty = box();
    assert(empty.line > 10, `the empty line keeps its height (${empty.line} px)`);
    const seen: Array<{ text: string; line: number; stageTop: number }> = [];
    const look = () => seen.push({ text: countLine(el).textContent ?? '', ...box() });

    signIn();
    await waitUntil(() => countLine(el).textContent === 'Nobody here right now', 5000, 'the counts');
    look();
    button(el, 'start').click();
    await waitUntil(
      () => countLine(el).textContent === 'You are the only one waiting in Malayalam',
      10000,
      'the waiting summary',
      () => `line: ${countLine(el).textContent}`,
    );
    look();
    const partner = rig.session();
    await partner.session.start('ml');
    await waitForShownStatus(el, 'connected', CONNECT_MS);
    await el.updateComplete;
    look(); // in a call the counts are not watched: the line is empty
    await partner.session.stop();
    await waitForShownStatus(el, 'partner-left', LEAVE_MS);
    await waitUntil(() => countLine(el).textContent === 'Nobody here right now', LEAVE_MS, 'the counts after the call');
    look();
    assertDeepEqual(
      seen.map((s) => s.text),
      ['Nobody here right now', 'You are the only one waiting in Malayalam', '', 'Nobody here right now'],
      'what the line said',
    );
    for (const s of seen) {
      assertEqual(s.line, empty.line, `the line's height with "${s.text}"`);
      assertEqual(s.stageTop, empty.stageTop, `the video's top with "${s.text}"`);
    }
    frame.remove();
  });

  it('offers widening outside Anyone, remembers the choice and passes it to the session', async function () {
    this.timeout(20000);
    const el = await mount();
    assertEqual(select(el).value, 'any', 'starts in Anyone');
    assertEqual($(el, '#widen'), null, 'no widen choice in Anyone');
    await chooseRoom(el, 'kn');
    const box = widenBox(el);
    assertEqual(box.checked, true, 'widening is on by default');
    assertIncludes(box.closest('label')?.textContent, 'If this room is quiet, also look in Anyone', 'label');
    box.click();
    await el.updateComplete;
    assertEqual(widenBox(el).checked, false, 'unchecked');
    assertEqual(localStorage.getItem('parley.widen'), 'false', 'remembered');

    // A new visit: the room and the choice are remembered.
    el.remove();
    const again = await mount();
    assertEqual(select(again).value, 'kn', 'room remembered');
    assertEqual(widenBox(again).checked, false, 'widen choice remembered');
    assertEqual(widenBox(again).disabled, false, 'can be changed while idle');

    button(again, 'start').click();
    await waitForShownStatus(again, 'searching', 5000);
    assertEqual(again.flow.widen, false, 'the session got the choice');
    assertEqual(widenBox(again).disabled, true, 'locked while active, like the room');
    await again.flow.stop();
    await again.updateComplete;
    assertEqual(widenBox(again).disabled, false, 'unlocked after Stop');
    widenBox(again).click();
    await again.updateComplete;
    assertEqual(localStorage.getItem('parley.widen'), 'true', 'turned back on and remembered');
    await chooseRoom(again, 'any');
    assertEqual($(again, '#widen'), null, 'hidden again in Anyone');
  });

  it('says when a quiet room also looks in Anyone', async function () {
    this.timeout(40000);
    await rig.cleanup();
    // A second: long enough to see the plain status first, short enough for a test.
    rig = new Rig({ widenAfterMs: 1000 });
    const el = await mount();
    await chooseRoom(el, 'ta');
    button(el, 'start').click();
    await waitForShownStatus(el, 'searching', 5000);
    assertEqual(status(el).textContent?.trim(), 'Looking for someone…', 'before the quiet period ends');
    await waitUntil(
      () => status(el).textContent?.trim() === 'No one in தமிழ் yet — also looking in Anyone…',
      10000,
      'the widened status',
      () => `status: ${status(el).textContent}; session ${JSON.stringify(el.flow.state)}`,
    );
  });
  it('tells the shell when the person picks a room or asks for a private call, and writes no address itself', async () => {
    const el = await mount();
    const rooms: string[] = [];
    let calls = 0;
    el.addEventListener('parley-room-change', (e) => rooms.push(e.detail.room));
    el.addEventListener('parley-new-call', () => (calls += 1));
    const before = location.href;
    await chooseRoom(el, 'ml');
    assertDeepEqual(rooms, ['ml'], 'parley-room-change with the room');
    assertEqual(localStorage.getItem('parley.room'), 'ml', 'the room is remembered');
    $<HTMLButtonElement>(el, '#private-call')!.click();
    assertEqual(calls, 1, 'parley-new-call');
    assertEqual(location.href, before, 'the address is the shell’s to change');
  });

  it('shows Hide my IP for random calls, locked while a chat is active', async () => {
    const el = await mount();
    const hideIp = $(el, 'parley-hide-ip') as (HTMLElement & { kind: string; disabled: boolean }) | null;
    assert(hideIp, 'the Hide my IP element');
    assertEqual(hideIp.kind, 'random', 'for random calls');
    assertEqual(hideIp.disabled, false, 'open while idle');
    button(el, 'start').click();
    await waitForShownStatus(el, 'searching', 5000);
    assertEqual(hideIp.disabled, true, 'locked while searching');
    assertEqual(
      $<HTMLButtonElement>(el, '#private-call')?.disabled,
      true,
      'Private call locked while active (kept: the header keeps its height)',
    );
  });

  it('says when the camera stops giving pictures mid-chat: paused while its track is muted, stopped once the browser ends it', async function () {
    this.timeout(20000);
    // Real track events from the browser, since no second tab can take a
    // fake camera here: a link's received track is muted until media
    // arrives over it (then unmuted), and a generated track ends when its
    // source closes, as an unplugged camera's does.
    const sender = document.createElement('canvas');
    const painter = setInterval(() => sender.getContext('2d')!.fillRect(0, 0, 8, 8), 50);
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    try {
      a.addTrack(sender.captureStream(10).getVideoTracks()[0]!);
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      const received = b.getTransceivers()[0]!.receiver.track;
      assertEqual(received.muted, true, 'no media yet');
      const el = await mount({ getUserMedia: () => Promise.resolve(new MediaStream([received])) });
      await el.flow.start('any');
      await waitForShownStatus(el, 'searching', 5000);
      await waitUntil(() => $(el, '#camera-lost') !== null, 5000, 'the notice for a muted camera');
      assertIncludes($(el, '#camera-lost')!.textContent ?? '', 'Your camera is paused', 'paused');
      a.onicecandidate = (e) => void b.addIceCandidate(e.candidate ?? undefined);
      b.onicecandidate = (e) => void a.addIceCandidate(e.candidate ?? undefined);
      await b.setLocalDescription();
      await a.setRemoteDescription(b.localDescription!);
      await waitUntil(() => $(el, '#camera-lost') === null, 10000, 'the notice gone once pictures arrive');
      assertEqual(received.muted, false, 'unmuted by the browser');

      type Generator = MediaStreamTrack & { readonly writable: WritableStream };
      const Generator = (globalThis as unknown as { MediaStreamTrackGenerator: new (init: { kind: string }) => Generator })
        .MediaStreamTrackGenerator;
      const generated = new Generator({ kind: 'video' });
      const other = await mount({ getUserMedia: () => Promise.resolve(new MediaStream([generated])) });
      // Another room: the first page still waits in Anyone.
      await other.flow.start('ta');
      await waitForShownStatus(other, 'searching', 5000);
      assertEqual($(other, '#camera-lost'), null, 'a working camera: no notice');
      await generated.writable.getWriter().close();
      await waitUntil(() => $(other, '#camera-lost') !== null, 5000, 'the notice for an ended camera');
      assertIncludes($(other, '#camera-lost')!.textContent ?? '', 'Your camera stopped', 'stopped');
      assertIncludes($(other, '#camera-lost')!.textContent ?? '', 'press Stop, then Start again', 'what to do');
    } finally {
      clearInterval(painter);
      a.close();
      b.close();
    }
  });
});
