/**
 * <parley-app> rendered in the page, its ChatSession on the in-memory backend
 * (ChatSessionDeps through the constructor), the fake camera and real peers.
 */
import { ROOMS } from '../../../functions/src/domain/rooms.js';
import { ParleyApp, statusText } from '../../../web/src/elements/parley-app.js';
import { ChatStatus, type ChatState } from '../../../web/src/session/chat-state.js';
import type { Problem } from '../../../web/src/session/problems.js';
import { assert, assertDeepEqual, assertEqual, assertIncludes } from '../assert.js';
import { ChatRig, deniedCamera, type RigOptions } from '../support/chat-rig.js';
import { waitUntil } from '../support/wait.js';

const CONNECT_MS = 15000;

describe('<parley-app>', () => {
  let rig: ChatRig;
  let elements: ParleyApp[] = [];

  beforeEach(() => {
    rig = new ChatRig();
    // The element remembers the room; start every test from the default one.
    localStorage.removeItem('parley.room');
  });

  afterEach(async () => {
    await rig.cleanup();
    for (const el of elements) el.remove();
    elements = [];
    localStorage.removeItem('parley.room');
  });

  async function mount(options: RigOptions = {}): Promise<ParleyApp> {
    const el = new ParleyApp(rig.deps(options));
    rig.track(el.session);
    elements.push(el);
    document.body.append(el);
    await el.updateComplete;
    return el;
  }

  function $<E extends Element = HTMLElement>(el: ParleyApp, selector: string): E | null {
    return el.shadowRoot!.querySelector<E>(selector);
  }

  function status(el: ParleyApp): HTMLElement {
    const s = $(el, '#status');
    assert(s, '#status is rendered');
    return s;
  }

  function button(el: ParleyApp, id: 'start' | 'next' | 'stop' | 'report' | 'block' | 'cancel' | 'confirm-report' | 'confirm-block'): HTMLButtonElement {
    const b = $<HTMLButtonElement>(el, `#${id}`);
    assert(b, `#${id} is rendered`);
    return b;
  }

  function select(el: ParleyApp): HTMLSelectElement {
    const s = $<HTMLSelectElement>(el, 'select#room');
    assert(s, 'the room <select> is rendered');
    return s;
  }

  /** Waits until #status shows `wanted` (the element re-renders on every session change). */
  async function waitForShownStatus(el: ParleyApp, wanted: ChatState['status'], timeoutMs: number, name = 'the page'): Promise<void> {
    await waitUntil(
      () => $(el, '#status')?.dataset['status'] === wanted,
      timeoutMs,
      `${name} to show ${wanted}`,
      () => `shows ${$(el, '#status')?.dataset['status']}; session ${JSON.stringify(el.session.state)}; server: ${rig.server.log.join('; ')}`,
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
      ['Anyone', 'English', 'हिन्दी', 'தமிழ்', 'తెలుగు', 'മലയാളം', 'ಕನ್ನಡ', 'বাংলা', 'Español', 'Português', 'USA', 'UK', 'भारत · India'],
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
    assertIncludes(alert.textContent, 'Camera and microphone access was denied.', 'alert message');
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
      assertEqual(remote.srcObject, el.session.remoteStream, 'the remote video shows the session remote stream');
      const local = $<HTMLVideoElement>(el, 'video#local');
      assertEqual(local?.srcObject, el.session.localStream, 'the local video shows the camera');
    }

    button(first, 'stop').click();
    await waitForShownStatus(first, 'idle', 5000, 'the first page');
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
    await second.updateComplete;
    const form = $(second, 'form#confirm[role="dialog"]');
    assert(form, 'a confirmation opens');
    // Cancel closes it and changes nothing.
    button(second, 'cancel').click();
    await second.updateComplete;
    assertEqual($(second, '#confirm'), null, 'cancel closes the confirmation');
    assertEqual(second.session.state.status, 'connected', 'cancel keeps the call');

    button(second, 'report').click();
    await second.updateComplete;
    const reason = $<HTMLSelectElement>(second, '#reason')!;
    assertEqual(reason.options.length, 6, 'six reasons');
    reason.value = 'spam';
    reason.dispatchEvent(new Event('change'));
    await second.updateComplete;
    button(second, 'confirm-report').click();
    await waitForShownStatus(second, 'ended-by-you', 5000, 'the reporter');
    await waitForShownStatus(first, 'partner-left', 10000, 'the reported');
    assertIncludes(status(second).textContent, 'Reported.', 'the reporter is told');
    assertEqual($(second, '#report'), null, 'Report is gone once used');
  });

  it('statusText has the right line for every status', () => {
    const problem: Problem = { code: 'connection-lost', message: 'The connection to the stranger was lost.', hint: 'h' };
    const cases: Array<[ChatState, string]> = [
      [{ status: 'idle' }, 'Pick a room and press Start.'],
      [{ status: 'requesting-media' }, 'Allow the camera and microphone to continue…'],
      [{ status: 'media-error', problem: { code: 'camera-denied', message: 'Denied, really.', hint: 'h' } }, 'Denied, really.'],
      [{ status: 'searching', again: false }, 'Looking for someone…'],
      [{ status: 'searching', again: true }, 'Looking for someone else…'],
      [{ status: 'connecting' }, 'Found someone. Connecting…'],
      [{ status: 'connected' }, 'Connected. Say hi!'],
      [{ status: 'partner-left' }, 'Stranger left. Press Next to meet someone else, or Stop.'],
      [{ status: 'failed', problem }, 'The connection to the stranger was lost.'],
      [
        { status: 'ended-by-you', action: 'report' },
        'Reported. The call is over and you will not be paired with this person again. Press Next to go on.',
      ],
      [
        { status: 'ended-by-you', action: 'block' },
        'Blocked. The call is over and you will not be paired with this person again. Press Next to go on.',
      ],
    ];
    for (const [state, text] of cases) assertEqual(statusText(state), text, `statusText for ${JSON.stringify(state)}`);
    // Every status of the state machine is covered above.
    const covered = new Set(cases.map(([s]) => s.status));
    for (const s of Object.values(ChatStatus)) assert(covered.has(s), `statusText case for ${s}`);
  });
});
