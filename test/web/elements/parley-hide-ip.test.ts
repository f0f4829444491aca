/**
 * <parley-hide-ip>: the person's own choice when they made one (remembered),
 * else the deployment's default for random calls, which arrives with the
 * relay's servers; calls by link are direct unless the person chose.
 */
import { ParleyHideIp } from '../../../web/src/elements/parley-hide-ip.js';
import { ICE } from '../../../web/src/ice.js';
import { HIDE_MY_IP_STORAGE_KEY } from '../../../web/src/settings.js';
import { assert, assertEqual } from '../assert.js';
import { waitUntil } from '../support/wait.js';

describe('<parley-hide-ip>', () => {
  const elements: ParleyHideIp[] = [];

  async function mount(kind: 'random' | 'link', disabled = false): Promise<ParleyHideIp> {
    const el = new ParleyHideIp();
    el.kind = kind;
    el.disabled = disabled;
    document.body.append(el);
    elements.push(el);
    await el.updateComplete;
    return el;
  }

  const box = (el: ParleyHideIp) => {
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input#hide-ip');
    assert(input, 'the checkbox');
    return input;
  };

  /** The visible sentence beside the checkbox. */
  const says = (el: ParleyHideIp) =>
    (el.shadowRoot!.querySelector('#hide-ip-says')?.textContent ?? '').replace(/\s+/g, ' ').trim();

  beforeEach(() => localStorage.removeItem(HIDE_MY_IP_STORAGE_KEY));
  afterEach(() => {
    for (const el of elements.splice(0)) el.remove();
    localStorage.removeItem(HIDE_MY_IP_STORAGE_KEY);
  });

  it('is off by default, labelled, and explains itself', async () => {
    const el = await mount('random');
    assertEqual(box(el).checked, false, 'off');
    assertEqual(el.shadowRoot!.querySelector('label')?.textContent?.trim(), 'Hide my IP', 'label');
    assert((el.shadowRoot!.querySelector('label')?.title ?? '').includes('next call'), 'says when it applies');
  });

  it('remembers the choice, which both kinds of call then follow', async () => {
    const el = await mount('random');
    box(el).click();
    await el.updateComplete;
    assertEqual(localStorage.getItem(HIDE_MY_IP_STORAGE_KEY), 'true', 'remembered');
    assertEqual(box(el).checked, true, 'on');
    const link = await mount('link');
    assertEqual(box(link).checked, true, 'a call by link follows the choice');
  });

  it('can be locked', async () => {
    const el = await mount('random', true);
    assertEqual(box(el).disabled, true, 'disabled');
  });

  it('says in a visible sentence what it does, per state, and when a change applies', async () => {
    const el = await mount('link');
    assertEqual(says(el), 'Off: the other person can see your IP address. A change applies from your next call.', 'off');
    assertEqual(box(el).getAttribute('aria-describedby'), 'hide-ip-says', 'the sentence describes the checkbox');
    box(el).click();
    await el.updateComplete;
    assertEqual(
      says(el),
      'On: calls go through our relay, so the other person sees its address, not your IP. A change applies from your next call.',
      'on',
    );
  });

  it("shows the deployment's default for random calls once the relay's servers arrive, not for calls by link", async () => {
    const random = await mount('random');
    const link = await mount('link');
    await ICE.attach(async () => ({ iceServers: [], validForMs: 3_600_000, relayOnlyDefault: true }));
    await waitUntil(() => box(random).checked, 2000, 'the default to show');
    await link.updateComplete;
    assertEqual(box(link).checked, false, 'calls by link stay direct');
    ICE.stop();
  });
});
