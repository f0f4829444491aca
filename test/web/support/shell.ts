/**
 * The whole page as a person gets it: <parley-app> on a rig's in-memory
 * backend, for both pages (random chat and a call by link) and the
 * connection check (on the fake camera), with the page shown found and its
 * flow handed to the rig to stop. The tests of the page
 * as a whole (layout, axe, keyboard) share it.
 */
import type { LitElement } from 'lit';
import { ParleyApp } from '../../../web/src/elements/parley-app.js';
import type { ParleyCall } from '../../../web/src/elements/parley-call.js';
import type { ParleyCheck } from '../../../web/src/elements/parley-check.js';
import type { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import type { ConnectionCheckDeps } from '../../../web/src/flows/connection-check.js';
import type { LinkCallDeps } from '../../../web/src/flows/link-call.js';
import { assert } from '../assert.js';
import type { Rig, RigOptions } from './rig.js';
import { waitUntil } from './wait.js';

export class Shell {
  /** The app mounted last (null before `mount` and after `remove`). */
  app: ParleyApp | null = null;

  constructor(private readonly rig: Rig) {}

  /**
   * Mounts the app at the address as it is; `random`: that page's wiring,
   * `link`: the call page's camera, `check`: the connection check's wiring
   * (the rig's: the fake camera, no ICE servers).
   */
  async mount(
    random: RigOptions = {},
    link: Pick<RigOptions, 'getUserMedia'> = {},
    check: () => ConnectionCheckDeps = () => this.rig.checkDeps(),
  ): Promise<ParleyApp> {
    const app = new ParleyApp(this.rig.deps(random), (): LinkCallDeps => this.rig.linkDeps(link), check);
    this.app = app;
    document.body.append(app);
    await app.updateComplete;
    return app;
  }

  /** The random chat page, its flow stopped by the rig's cleanup. */
  async randomPage(): Promise<ParleyRandom> {
    const page = this.app?.shadowRoot?.querySelector<ParleyRandom>('parley-random') ?? null;
    assert(page, 'the random chat page is shown');
    this.rig.track(page.flow);
    await page.updateComplete;
    return page;
  }

  /** The call page, once its code has loaded, its flow reset by the rig's cleanup. */
  async callPage(): Promise<ParleyCall> {
    let page: ParleyCall | null = null;
    await waitUntil(
      () => (page = this.app?.shadowRoot?.querySelector<ParleyCall>('parley-call') ?? null) !== null,
      10_000,
      'the call page',
    );
    const found: ParleyCall = page!;
    this.rig.track({ stop: async () => found.flow.reset() });
    await found.updateComplete;
    return found;
  }

  /** The connection check, once its code has loaded. */
  checkPage(): Promise<ParleyCheck> {
    return this.page<ParleyCheck>('parley-check');
  }

  /** The page of that tag the app shows, once its code has loaded (the check, the guide). */
  async page<E extends LitElement>(tag: string): Promise<E> {
    let page: E | null = null;
    await waitUntil(
      () => customElements.get(tag) !== undefined && (page = this.app?.shadowRoot?.querySelector<E>(tag) ?? null) !== null,
      10_000,
      tag,
    );
    const found: E = page!;
    await found.updateComplete;
    return found;
  }

  remove(): void {
    this.app?.remove();
    this.app = null;
  }
}
