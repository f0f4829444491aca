/**
 * <parley-link-quality> on two random chat pages connected by real WebRTC
 * (the in-memory backend, fake cameras, no ICE servers): whether the call is
 * relayed is said in words over the stranger's video, from the link's own
 * statistics (the selected candidate pair). This layer has no TURN relay,
 * so the pair is host to host and the page says "Direct"; a relayed call's
 * "Relayed" is the same element over a relay candidate.
 */
import type { ParleyLinkQuality } from '../../../web/src/elements/parley-link-quality.js';
import { assert, assertEqual } from '../assert.js';
import { $, RandomPages } from '../support/random-pages.js';
import { Rig } from '../support/rig.js';

describe('<parley-link-quality>: Direct or Relayed, in words (real WebRTC)', () => {
  let pages: RandomPages;

  beforeEach(() => {
    pages = new RandomPages(new Rig());
  });
  afterEach(() => pages.cleanup());

  const route = (el: Parameters<typeof $>[0]) =>
    $<ParleyLinkQuality>(el, '#remote-quality')?.shadowRoot?.querySelector<HTMLElement>('#route') ?? null;

  it('says "Direct" on both pages of a call whose candidate pair is host to host', async function () {
    this.timeout(40_000);
    const [a, b] = await pages.connected((el) => route(el) !== null, 'the route, from the first statistics sample');
    for (const el of [a, b]) {
      const chip = route(el)!;
      assertEqual(chip.textContent?.trim(), 'Direct', 'said in words');
      assertEqual(chip.dataset['route'], 'direct', 'from the link statistics');
      assert((chip.title ?? '').includes('IP address'), 'what it means, on hover');
    }
  });
});
