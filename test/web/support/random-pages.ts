/**
 * Two <parley-random> pages on one in-memory backend, connected by real
 * WebRTC (fake cameras): the set-up the in-call element tests share.
 */
import { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import type { Rig, RigOptions } from './rig.js';
import { waitForStatus, waitUntil } from './wait.js';

export const CONNECT_MS = 15_000;

/** An element in the page's shadow root. */
export const $ = <E extends Element = HTMLElement>(el: ParleyRandom, selector: string): E | null =>
  el.shadowRoot!.querySelector<E>(selector);

/** The in-call buttons (an element of their own). */
export const control = <E extends Element = HTMLElement>(el: ParleyRandom, selector: string): E | null =>
  $(el, 'parley-call-controls')?.shadowRoot?.querySelector<E>(selector) ?? null;

export class RandomPages {
  private elements: ParleyRandom[] = [];

  constructor(private readonly rig: Rig) {}

  async mount(options: RigOptions = {}): Promise<ParleyRandom> {
    const el = new ParleyRandom(this.rig.deps(options));
    this.rig.track(el.flow);
    this.elements.push(el);
    el.style.height = '500px';
    document.body.append(el);
    await el.updateComplete;
    return el;
  }

  /** Two pages, the first waiting and the second joining, once both are connected and `ready` holds on both (`what`: for the timeout's message). */
  async connected(
    ready: (el: ParleyRandom) => boolean,
    what: string,
    first: RigOptions = {},
  ): Promise<[ParleyRandom, ParleyRandom]> {
    const a = await this.mount(first);
    const b = await this.mount();
    $<HTMLButtonElement>(a, '#start')!.click();
    await waitForStatus(a.flow, 'searching', 5_000);
    $<HTMLButtonElement>(b, '#start')!.click();
    await Promise.all([waitForStatus(a.flow, 'connected', CONNECT_MS), waitForStatus(b.flow, 'connected', CONNECT_MS)]);
    await waitUntil(() => ready(a) && ready(b), CONNECT_MS, what);
    return [a, b];
  }

  async cleanup(): Promise<void> {
    await this.rig.cleanup();
    for (const el of this.elements) el.remove();
    this.elements = [];
  }
}
