/**
 * <parley-check> running a real connection check in Chromium: the fake
 * camera and microphone (a test pattern and a beeping tone), and real ICE
 * gathering with no servers, as `npm start` has. Only loopback here, which
 * the browser is allowed to use (--allow-loopback-in-peer-connection).
 */
import type { ConnectionCheckDeps } from '../../../web/src/flows/connection-check.js';
import { ParleyCheck } from '../../../web/src/elements/parley-check.js';
import { assert, assertEqual, assertIncludes } from '../assert.js';
import { checkDeps } from '../support/rig.js';
import { sleep, waitUntil } from '../support/wait.js';

const CHECK_MS = 15_000;

describe('<parley-check> (real media and ICE, no servers)', () => {
  const elements: ParleyCheck[] = [];

  async function mount(d: ConnectionCheckDeps = checkDeps()): Promise<ParleyCheck> {
    const el = new ParleyCheck(d);
    el.style.height = '600px';
    document.body.append(el);
    elements.push(el);
    await el.updateComplete;
    return el;
  }

  const $ = <E extends Element = HTMLElement>(el: ParleyCheck, selector: string) => el.shadowRoot!.querySelector<E>(selector);
  const verdict = (el: ParleyCheck) => $(el, '#verdict');
  const rows = (el: ParleyCheck) =>
    Object.fromEntries(
      [...el.shadowRoot!.querySelectorAll('#findings li')].map((li) => [
        li.getAttribute('data-id'),
        `${li.querySelector('.value')?.textContent?.trim()} (${li.getAttribute('data-status')})`,
      ]),
    );
  const waitDone = (el: ParleyCheck) =>
    waitUntil(
      () => verdict(el)?.getAttribute('data-status') === 'done',
      CHECK_MS,
      'the verdict',
      () => `state ${JSON.stringify(el.check.state)}`,
    );

  afterEach(() => {
    for (const el of elements.splice(0)) el.remove();
  });

  it('finds the camera, the microphone and host candidates, and gives the host-only verdict', async () => {
    const el = await mount();
    assertEqual(verdict(el)?.getAttribute('data-status'), 'checking', 'checking at once');
    assertIncludes(verdict(el)?.textContent, 'Checking your camera, microphone and network', 'says what it is doing');
    await waitDone(el);
    const found = rows(el);
    assertEqual(found['camera'], 'Works (ok)', 'camera');
    assertEqual(found['microphone'], 'Works (ok)', 'microphone');
    assertEqual(found['host'], 'Found (ok)', 'host candidates');
    assertEqual(found['srflx'], 'No STUN server set up (off)', 'no STUN');
    assertEqual(found['relay'], 'No relay set up (off)', 'no TURN');
    assertEqual(found['rtt'], undefined, 'no relay round trip without a relay');
    const state = el.check.state;
    assert(state.status === 'done', 'done');
    assert(
      state.result.network.summary.host && state.result.network.complete,
      `host candidates, gathering complete (${JSON.stringify(state.result.network)})`,
    );
    assertEqual(verdict(el)?.getAttribute('data-code'), 'host-only', 'verdict code');
    assertIncludes(verdict(el)?.textContent, 'no connection servers (STUN or TURN) are set up here', 'the verdict in words');
    assertIncludes(verdict(el)?.textContent, 'Expected when running Parley locally.', 'reads sensibly for a developer');
    const video = $<HTMLVideoElement>(el, 'video#preview');
    assert(video, 'the camera preview');
    await waitUntil(() => video.videoWidth > 0, 5_000, 'a camera picture');
    // The meter re-renders the element 20 times a second; the video must not restart each time.
    let restarts = 0;
    video.addEventListener('emptied', () => (restarts += 1));
    await sleep(1_000);
    assertEqual(restarts, 0, 'the preview keeps playing while the meter moves');
    assert(
      video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && !video.paused,
      `the preview plays (readyState ${video.readyState})`,
    );
    assertEqual($<HTMLAnchorElement>(el, '#back')?.getAttribute('href'), '#/', 'Back');
  });

  it("moves the level meter with the fake microphone's tone", async () => {
    const el = await mount();
    await waitUntil(() => el.check.localStream !== null, CHECK_MS, 'the microphone');
    const meter = $(el, '#meter');
    assert(meter, 'the meter');
    assertEqual(meter.getAttribute('role'), 'meter', 'a meter for screen readers');
    const readings = new Set<number>();
    const bars = new Set<string>();
    for (let i = 0; i < 60; i += 1) {
      await sleep(50);
      await el.updateComplete;
      readings.add(Number(meter.getAttribute('aria-valuenow')));
      bars.add(getComputedStyle($(el, '.bar')!).transform);
    }
    const values = [...readings];
    assert(Math.max(...values) >= 20, `the tone shows on the meter (readings ${values.join(', ')})`);
    assert(values.length >= 3, `the meter moves (readings ${values.join(', ')})`);
    assert(bars.size >= 3, `the bar itself moves, not only its value (${[...bars].join(' | ')})`);
    assert(el.check.peakLevel > 0.2, `the peak is kept (${el.check.peakLevel})`);
  });

  it('moves the meter from WebRTC audio levels while the browser holds Web Audio back until a click', async () => {
    // What Firefox does to an AudioContext made without a gesture, even while the page uses the microphone.
    let resumed = 0;
    const heldBack = () => ({
      running: false,
      peak: 0,
      level: () => 0,
      resume: async () => void (resumed += 1),
      close: () => undefined,
    });
    const el = await mount(checkDeps({ levelMeter: heldBack }));
    await waitUntil(() => el.check.localStream !== null, CHECK_MS, 'the microphone');
    await waitUntil(
      () => el.check.peakLevel > 0.2,
      CHECK_MS,
      'the tone on the stand-in meter',
      () => `peak ${el.check.peakLevel}`,
    );
    window.dispatchEvent(new KeyboardEvent('keydown'));
    assertEqual(resumed, 1, 'a key anywhere on the page asks Web Audio to start');
  });

  it('Check again runs it again, and leaving the page turns the camera off', async () => {
    const el = await mount();
    await waitDone(el);
    const first = el.check.localStream!;
    $<HTMLButtonElement>(el, '#again')!.click();
    await el.updateComplete;
    assertEqual(verdict(el)?.getAttribute('data-status'), 'checking', 'checking again');
    assertEqual($<HTMLButtonElement>(el, '#again')!.disabled, true, 'Check again waits for the check');
    await waitDone(el);
    assert(
      first.getTracks().every((t) => t.readyState === 'ended'),
      'the first run released its camera',
    );
    const second = el.check.localStream!;
    el.remove();
    assert(
      second.getTracks().every((t) => t.readyState === 'ended'),
      'leaving the page released the camera',
    );
    assertEqual(el.check.state.status, 'idle', 'idle once gone');
  });

  it('says when the camera is refused, and links to that section of the guide', async () => {
    const el = await mount(
      checkDeps({ getUserMedia: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) }),
    );
    await waitDone(el);
    assertEqual(verdict(el)?.getAttribute('data-code'), 'no-media', 'verdict');
    assertIncludes(verdict(el)?.textContent, 'Camera and microphone access was denied.', 'the problem in words');
    assertEqual($(el, '#verdict-help')?.getAttribute('href'), '#/help/camera-denied', 'What can I do?');
    assertEqual(rows(el)['camera'], 'Not available (bad)', 'camera row');
    assertEqual(rows(el)['host'], 'Found (ok)', 'the network is still checked');
  });

  it('names the missing camera when the microphone alone works', async () => {
    const el = await mount(
      checkDeps({
        getUserMedia: (c) =>
          c.video
            ? Promise.reject(new DOMException('Requested device not found', 'NotFoundError'))
            : navigator.mediaDevices.getUserMedia(c),
      }),
    );
    await waitDone(el);
    assertEqual(verdict(el)?.getAttribute('data-code'), 'no-camera', 'verdict');
    assertEqual(rows(el)['camera'], 'Not available (bad)', 'camera row');
    assertEqual(rows(el)['microphone'], 'Works (ok)', 'microphone row');
    assertEqual($(el, 'video#preview'), null, 'no preview without a camera');
    assertEqual($(el, '#verdict-help')?.getAttribute('href'), '#/help/no-camera', 'What can I do?');
  });

  it('fails plainly when the ICE configuration cannot be had', async () => {
    const el = await mount(
      checkDeps({ iceConfig: () => Promise.reject(Object.assign(new Error('offline'), { code: 'functions/unavailable' })) }),
    );
    await waitUntil(() => verdict(el)?.getAttribute('data-status') === 'failed', CHECK_MS, 'the failure');
    assertEqual(verdict(el)?.getAttribute('data-code'), 'check-failed', 'verdict');
    assertIncludes(verdict(el)?.textContent, "Parley's servers could not be reached.", 'why');
    assertEqual($(el, '#verdict-help')?.getAttribute('href'), '#/help/backend-unreachable', 'What can I do?');
  });
});
