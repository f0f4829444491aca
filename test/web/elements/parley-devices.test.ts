/**
 * <parley-devices> on the random chat page (Chromium's fake devices): a
 * preview before Start, the pickers, the choice remembered on the device,
 * and the camera released when the preview closes before Start.
 */
import { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import { deviceChoices } from '../../../web/src/media.js';
import { assert, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { waitUntil } from '../support/wait.js';

describe('<parley-devices> before Start', () => {
  let rig: Rig;
  let el: ParleyRandom | null = null;

  beforeEach(() => {
    rig = new Rig();
    localStorage.removeItem('parley.devices');
  });
  afterEach(async () => {
    await rig.cleanup();
    el?.remove();
    el = null;
    localStorage.removeItem('parley.devices');
  });

  const $ = <E extends Element = HTMLElement>(selector: string): E | null => el!.shadowRoot!.querySelector<E>(selector);
  const picker = <E extends Element = HTMLElement>(selector: string): E | null =>
    $('parley-devices')?.shadowRoot?.querySelector<E>(selector) ?? null;

  it('previews the camera (mirrored), lists the devices, remembers a choice, and turns the camera off when closed', async function () {
    this.timeout(30_000);
    el = new ParleyRandom(rig.deps());
    rig.track(el.flow);
    document.body.append(el);
    await el.updateComplete;
    assertEqual(el.flow.localStream, null, 'no camera before anyone asks');

    $<HTMLButtonElement>('#devices-toggle')!.click();
    await waitUntil(() => picker('#audioinput option:nth-child(2)') !== null, 10_000, 'the pickers with devices in them');
    await waitUntil(() => el!.flow.localStream !== null, 10_000, 'the camera open for the preview');
    const preview = picker<HTMLVideoElement>('#preview')!;
    await waitUntil(() => preview.srcObject === el!.flow.localStream, 5_000, 'the preview shows the camera');
    assertEqual(getComputedStyle(preview).transform, 'matrix(-1, 0, 0, 1, 0, 0)', 'mirrored');
    assertEqual($<HTMLVideoElement>('#local')!.srcObject, el.flow.localStream, 'the page shows it too');
    const names = [...picker<HTMLSelectElement>('#audioinput')!.options].map((o) => o.textContent?.trim());
    assert(
      names.every((n) => n),
      `every microphone has a name: ${names.join(', ')}`,
    );

    const select = picker<HTMLSelectElement>('#audioinput')!;
    const chosen = select.options[select.options.length - 1]!.value;
    select.value = chosen;
    select.dispatchEvent(new Event('change'));
    await waitUntil(() => el!.flow.media.deviceOf('audio') === chosen, 10_000, 'the chosen microphone in use');
    assertEqual(deviceChoices().audioinput?.deviceId, chosen, 'remembered on this device for the next visit');

    const track = el.flow.localStream!.getVideoTracks()[0]!;
    $<HTMLButtonElement>('#devices-toggle')!.click();
    await el.updateComplete;
    assertEqual(el.flow.localStream, null, 'closed before Start: the camera is off');
    assertEqual(track.readyState, 'ended', 'really off');
  });
});
