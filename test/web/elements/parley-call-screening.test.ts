/**
 * Screening in a call by link, as its members see it: two <parley-call>
 * pages on the in-memory backend, real peer connections, cameras made of
 * canvases, the real model in the built worker, and a policy that treats
 * drawings as unsafe (the blocking path without explicit pictures).
 * Incoming screening is the call's setting: on by default, its creator
 * alone turns it off (and on) for everyone. Screening one's own camera is
 * each person's choice in calls by link, remembered on the device.
 */
import type { ParleyCall } from '../../../web/src/elements/parley-call.js';
import { ParleyCall as ParleyCallElement } from '../../../web/src/elements/parley-call.js';
import { WorkerClassifier } from '../../../web/src/features/screening-classifier.js';
import type { ScreeningConfig } from '../../../web/src/features/screening-policy.js';
import { assert, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { builtWorkerUrl, CanvasCamera, illustration, photoLike, showsPlaceholder } from '../support/screening-frames.js';
import { waitUntil } from '../support/wait.js';

const DRAWINGS_UNSAFE: ScreeningConfig = { rules: [{ classes: ['Drawing'], atLeast: 0.5 }], cleanAfterMs: 1_000 };
const SCREEN_MY_CAMERA_KEY = 'parley.screenMyCamera';
const WAIT_MS = 30_000;

describe("<parley-call> screening: the call's setting and one's own camera (real model, two pages)", () => {
  let rig: Rig;
  let classifier: WorkerClassifier;
  const cameras: CanvasCamera[] = [];
  const elements: ParleyCall[] = [];

  const root = (el: ParleyCall) => el.shadowRoot!;
  const $ = <T extends Element>(el: ParleyCall, sel: string) => root(el).querySelector<T>(sel);
  const status = (el: ParleyCall) => $(el, '#status')?.getAttribute('data-status') ?? null;
  const tile = (el: ParleyCall) => $<HTMLElement>(el, '.tile.peer');
  const tileVideo = (el: ParleyCall) => $<HTMLVideoElement>(el, '.tile.peer video');
  const screened = (el: ParleyCall) => tile(el)?.getAttribute('data-screened') ?? null;

  async function mount(callId: string, camera: CanvasCamera): Promise<ParleyCall> {
    cameras.push(camera);
    const el = new ParleyCallElement(
      rig.linkDeps({ getUserMedia: camera.getUserMedia, screening: { classifier, config: DRAWINGS_UNSAFE, sampleEveryMs: 250 } }),
    );
    el.callId = callId;
    el.style.height = '500px';
    document.body.append(el);
    elements.push(el);
    await el.updateComplete;
    return el;
  }

  async function openSettings(el: ParleyCall): Promise<void> {
    if ($(el, '#screening-settings')) return;
    $<HTMLButtonElement>(el, '#devices-toggle')!.click();
    await waitUntil(() => $(el, '#screening-settings') !== null, 5_000, 'the screening settings are shown');
  }

  async function toggle(el: ParleyCall, id: string): Promise<void> {
    const box = $<HTMLInputElement>(el, `#${id}`);
    assert(box !== null && !box.disabled, `#${id} can be changed`);
    box.click();
    await el.updateComplete;
  }

  beforeEach(async () => {
    localStorage.removeItem(SCREEN_MY_CAMERA_KEY);
    rig = new Rig();
    const url = await builtWorkerUrl();
    classifier = new WorkerClassifier(() => new Worker(url, { type: 'module' }));
    classifier.start();
  });
  afterEach(async () => {
    for (const el of elements.splice(0)) {
      el.flow.reset();
      el.remove();
    }
    await rig.cleanup();
    classifier.close();
    for (const c of cameras.splice(0)) c.stop();
    localStorage.removeItem(SCREEN_MY_CAMERA_KEY);
  });

  it('the creator turns incoming screening off and on for everyone; the others see it and cannot change it', async function () {
    this.timeout(120_000);
    const hostCamera = new CanvasCamera();
    const host = await mount('new', hostCamera);
    await waitUntil(() => status(host) === 'in-call', WAIT_MS, 'the host is in the call');
    const callId = (host.flow.state as { callId: string }).callId;
    const guest = await mount(callId, new CanvasCamera());
    await waitUntil(() => status(guest) === 'lobby', WAIT_MS, 'the guest sees the lobby');
    $<HTMLButtonElement>(guest, '#join')!.click();
    await waitUntil(() => tile(guest)?.getAttribute('data-state') === 'connected', WAIT_MS, "the guest sees the host's tile");
    await waitUntil(() => screened(guest) === 'clear', WAIT_MS, "the host's camera scored clean on the guest's page");

    // Who may change it: the creator's box is enabled, the guest's greyed, with why.
    await openSettings(host);
    await openSettings(guest);
    assert(
      $<HTMLInputElement>(host, '#screen-incoming')!.checked && !$<HTMLInputElement>(host, '#screen-incoming')!.disabled,
      "the host's box: on, enabled",
    );
    assert(
      $<HTMLInputElement>(guest, '#screen-incoming')!.checked && $<HTMLInputElement>(guest, '#screen-incoming')!.disabled,
      "the guest's box: on, greyed",
    );
    assertEqual(
      $(guest, '#screen-incoming-who')?.textContent?.trim(),
      'Only the person who made this call can change this.',
      'the guest is told who can',
    );
    assert($(host, '#screen-incoming-who') === null, 'the host is not');
    assert($(guest, '#screening-off') === null, 'no notice while it is on');

    // The host's camera (not screened at the source in a call by link, by default) shows a drawing: blurred on the guest's page.
    hostCamera.scene = illustration;
    await waitUntil(() => screened(guest) === 'unsafe', WAIT_MS, "the drawing is blurred on the guest's page");
    assert(tileVideo(guest)!.classList.contains('screened'), 'the video is blurred');
    assert(!showsPlaceholder(tileVideo(guest)!), 'the drawing itself is sent (the host does not screen its own camera)');

    // The host turns it off: every page stops screening, and each says so.
    const off = performance.now();
    await toggle(host, 'screen-incoming');
    await waitUntil(() => guest.flow.inCall?.incoming === null, WAIT_MS, "the guest's page stops screening");
    console.log(
      `the creator turned screening off → the guest's page stopped screening ${Math.round(performance.now() - off)} ms later`,
    );
    await guest.updateComplete;
    assertEqual(screened(guest), 'clear', 'the drawing is shown as it is');
    assert(!tileVideo(guest)!.classList.contains('screened'), 'not blurred');
    assert($(guest, '#screening-off') !== null && $(host, '#screening-off') !== null, 'both pages say the call is not screened');
    assert(!$<HTMLInputElement>(guest, '#screen-incoming')!.checked, "the guest's box follows");
    assert(host.flow.inCall?.incoming === null, "the host's page stopped screening too");

    // And on again: blurred at once, until scored; scored unsafe, it stays blurred with its note.
    await toggle(host, 'screen-incoming');
    await waitUntil(() => guest.flow.inCall?.incoming !== null, WAIT_MS, "the guest's page screens again");
    await waitUntil(() => screened(guest) === 'unsafe', WAIT_MS, 'the drawing is blurred again');
    assert($(guest, '#screening-off') === null, 'the notice is gone');

    // The guest cannot: its page refuses to ask, and the rules (and the in-memory backend as they do) would refuse it.
    await guest.flow.setScreenIncoming(false);
    assert(guest.flow.inCall?.incoming !== null, "a guest's change does nothing");
    hostCamera.scene = photoLike;
    await waitUntil(() => screened(guest) === 'clear', WAIT_MS, 'clean frames again: shown');
  });

  it('a member turns screening of their own camera on (remembered): a drawing then reaches the others as the placeholder', async function () {
    this.timeout(120_000);
    const host = await mount('new', new CanvasCamera());
    await waitUntil(() => status(host) === 'in-call', WAIT_MS, 'the host is in the call');
    const callId = (host.flow.state as { callId: string }).callId;
    const guestCamera = new CanvasCamera();
    const guest = await mount(callId, guestCamera);
    await waitUntil(() => status(guest) === 'lobby', WAIT_MS, 'the guest sees the lobby');
    $<HTMLButtonElement>(guest, '#join')!.click();
    await waitUntil(() => tile(host)?.getAttribute('data-state') === 'connected', WAIT_MS, "the host sees the guest's tile");
    assert(guest.flow.inCall?.screening === null, 'off by default in a call by link');

    await openSettings(guest);
    assert(!$<HTMLInputElement>(guest, '#screen-camera')!.checked, 'the box says off');
    await toggle(guest, 'screen-camera');
    assertEqual(localStorage.getItem(SCREEN_MY_CAMERA_KEY), 'true', 'remembered on the device');
    assert(guest.flow.inCall?.screening !== null, 'the camera is screened from now on');
    await waitUntil(
      () => screened(host) === 'clear' && !showsPlaceholder(tileVideo(host)!),
      WAIT_MS,
      "the host sees the guest's camera",
    );

    const drawn = performance.now();
    guestCamera.scene = illustration;
    await waitUntil(() => showsPlaceholder(tileVideo(host)!), WAIT_MS, 'the host decodes the placeholder instead of the drawing');
    console.log(
      `own screening on: a drawing → the other page decodes the placeholder ${Math.round(performance.now() - drawn)} ms later`,
    );
    await waitUntil(() => $(guest, '#screening-paused') !== null, 5_000, 'the guest is told why its video is paused');
    guestCamera.scene = photoLike;
    await waitUntil(() => !showsPlaceholder(tileVideo(host)!), WAIT_MS, 'the camera again once clean');

    // Off again: the drawing goes out as it is (and the host's incoming screening, on, blurs it).
    await toggle(guest, 'screen-camera');
    assertEqual(localStorage.getItem(SCREEN_MY_CAMERA_KEY), 'false', 'remembered off');
    assert(guest.flow.inCall?.screening === null, 'no longer screened');
    guestCamera.scene = illustration;
    await waitUntil(() => screened(host) === 'unsafe', WAIT_MS, "the host's page blurs it");
    assert(!showsPlaceholder(tileVideo(host)!), 'the drawing itself reached the host');

    // A later page of this person starts with it remembered.
    localStorage.setItem(SCREEN_MY_CAMERA_KEY, 'true');
    const later = await mount(callId, new CanvasCamera());
    assert(later.flow.screenCamera, 'a new page starts with the remembered choice');
  });
});
