/**
 * Calls by link in real Chromium (fake cameras) against the emulator suite
 * and the built site: one person creates a call, four open its link and
 * join, each page decodes video from all four others; a sixth is refused;
 * a closed page leaves the others' grids; the last to leave ends the call.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from '../support/browser.js';
import { adminDb, clearFirestore, eventually, HOSTING_URL } from '../support/emulator.js';

/** A page in a private call: reaches into <parley-app> → <parley-call>. */
class CallTab {
  private constructor(readonly page: Page) {}

  static async open(browser: Browser, hash: string): Promise<CallTab> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('[page error]', err));
    page.on('console', (msg) => {
      if (msg.type() === 'warn' || msg.type() === 'error') console.error(`[page ${msg.type()}]`, msg.text());
    });
    await page.goto(`${HOSTING_URL}/${hash}`, { waitUntil: 'load' });
    await page.waitForFunction(() => customElements.get('parley-call') !== undefined);
    return new CallTab(page);
  }

  status(): Promise<string | null> {
    return this.page.evaluate(() => {
      const call = document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-call');
      return call?.shadowRoot?.querySelector('#status')?.getAttribute('data-status') ?? null;
    });
  }

  statusText(): Promise<string> {
    return this.page.evaluate(() => {
      const call = document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-call');
      return call?.shadowRoot?.querySelector('#status')?.textContent ?? '';
    });
  }

  async waitForStatus(status: string, timeoutMs = 30_000): Promise<void> {
    try {
      await this.page.waitForFunction(
        (s) =>
          document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-call')?.shadowRoot?.querySelector('#status')?.getAttribute('data-status') === s,
        { timeout: timeoutMs, polling: 50 },
        status,
      );
    } catch (err) {
      throw new Error(`expected status ${status}, still ${await this.status()} (${await this.statusText()})`, { cause: err });
    }
  }

  async press(id: 'join' | 'leave' | 'copy' | 'retry'): Promise<void> {
    await this.page.evaluate((b) => {
      const call = document.querySelector('parley-app')!.shadowRoot!.querySelector('parley-call')!;
      const el = call.shadowRoot!.querySelector(`#${b}`) as HTMLButtonElement | null;
      if (!el || el.disabled) throw new Error(`button ${b} is not available`);
      el.click();
    }, id);
  }

  /** The call's id, from the address once the call exists. */
  async callId(): Promise<string> {
    await this.page.waitForFunction(() => /^#\/call\/[A-Za-z0-9]{22}$/.test(location.hash), { timeout: 30_000 });
    return this.page.evaluate(() => location.hash.slice('#/call/'.length));
  }

  /**
   * Waits until the grid shows `peers` other members, each connected, and a
   * decoded frame from each of their videos; returns the number of tiles whose
   * video decoded a frame.
   */
  async decodesFromAll(peers: number, timeoutMs = 60_000): Promise<number> {
    await this.page.waitForFunction(
      (n) => {
        const root = document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-call')?.shadowRoot;
        const tiles = [...(root?.querySelectorAll('.tile.peer') ?? [])];
        return tiles.length === n && tiles.every((t) => t.getAttribute('data-state') === 'connected');
      },
      { timeout: timeoutMs, polling: 100 },
      peers,
    );
    return this.page.evaluate(
      (ms) =>
        new Promise<number>((resolve, reject) => {
          const root = document.querySelector('parley-app')!.shadowRoot!.querySelector('parley-call')!.shadowRoot!;
          const videos = [...root.querySelectorAll<HTMLVideoElement>('.tile.peer video')];
          let decoded = 0;
          const timer = setTimeout(() => reject(new Error(`frames decoded from ${decoded} of ${videos.length} tiles`)), ms);
          for (const v of videos) {
            v.requestVideoFrameCallback(() => {
              decoded += 1;
              if (decoded === videos.length) {
                clearTimeout(timer);
                resolve(decoded);
              }
            });
          }
        }),
      timeoutMs,
    );
  }

  /** Asks the backend again how many are in the call (what the Try again button does). */
  async refresh(): Promise<void> {
    await this.page.evaluate(async () => {
      const call = document.querySelector('parley-app')!.shadowRoot!.querySelector('parley-call') as unknown as { flow: { refresh(): Promise<void> } };
      await call.flow.refresh();
    });
  }

  peerTiles(): Promise<number> {
    return this.page.evaluate(
      () => document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-call')?.shadowRoot?.querySelectorAll('.tile.peer').length ?? 0,
    );
  }

  /**
   * Closes the tab as a person would. The browser context (a stand-in for
   * the whole browser) goes a moment later: tearing it down at once would
   * also abort the page's keepalive leave request, which a real browser
   * lets finish after the tab is gone.
   */
  async close(): Promise<void> {
    const context = this.page.browserContext();
    // Leaving the page fires pagehide (as closing a tab does) every time;
    // page.close() alone did not always, under the load of five calling pages.
    await this.page.goto('about:blank');
    await this.page.close({ runBeforeUnload: true });
    await new Promise((r) => setTimeout(r, 1_000));
    await context.close();
  }
}

describe('calls by link, end to end', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
  });
  beforeEach(() => clearFirestore());
  after(async () => {
    await browser?.close();
  });

  it('five people in one call each see the four others; a sixth is refused; a closed page leaves every grid', async () => {
    const host = await CallTab.open(browser, '#/call/new');
    await host.waitForStatus('in-call');
    assert.match(await host.statusText(), /Waiting for others — share this link/);
    const callId = await host.callId();

    const guests: CallTab[] = [];
    for (let i = 0; i < 4; i++) {
      const g = await CallTab.open(browser, `#/call/${callId}`);
      await g.waitForStatus('lobby');
      assert.match(await g.statusText(), new RegExp(`${i + 1} of 5`), 'the lobby says how many are in');
      await g.press('join');
      await g.waitForStatus('in-call');
      guests.push(g);
    }
    const everyone = [host, ...guests];
    const decoded = await Promise.all(everyone.map((t) => t.decodesFromAll(4)));
    assert.deepEqual(decoded, [4, 4, 4, 4, 4], 'each page decodes video from all four others');

    const sixth = await CallTab.open(browser, `#/call/${callId}`);
    await sixth.waitForStatus('full');
    assert.equal(await sixth.statusText(), 'This call is full (5 of 5).');
    assert.equal(await sixth.peerTiles(), 0, 'the sixth sees nobody');

    // One page closes: the four others drop its tile at once (its links close).
    await guests[3]!.close();
    await Promise.all(everyone.slice(0, 4).map((t) => t.decodesFromAll(3)));

    // Now there is room: the sixth tries again and gets in. The closed page's
    // keepalive leave may not get out before its browser context is torn
    // down; then its place frees when its presence lease lapses (30 s).
    const deadline = Date.now() + 60_000;
    while ((await sixth.status()) !== 'lobby') {
      assert.ok(Date.now() < deadline, 'a place frees within the presence lease');
      await sixth.press('retry');
      await new Promise((r) => setTimeout(r, 2_000));
    }
    await sixth.press('join');
    await sixth.waitForStatus('in-call');
    await Promise.all([...everyone.slice(0, 4), sixth].map((t) => t.decodesFromAll(4)));

    // Everyone leaves; the link then says the call has ended.
    for (const t of [...everyone.slice(0, 4), sixth]) {
      await t.press('leave');
      await t.waitForStatus('left');
    }
    // "You left" shows at once; the leave requests may still be on their way.
    const late = await CallTab.open(browser, `#/call/${callId}`);
    const endBy = Date.now() + 30_000;
    while ((await late.status()) !== 'ended') {
      assert.ok(Date.now() < endBy, `the call ends once everyone left (still ${await late.status()})`);
      await late.refresh();
      await new Promise((r) => setTimeout(r, 1_000));
    }
    assert.equal(await late.statusText(), 'This call has ended.');
    for (const t of [...everyone.slice(0, 4), sixth, late]) await t.close();
  });

  it('a page that goes away leaves the call on the server at once (keepalive leave through the site)', async () => {
    const host = await CallTab.open(browser, '#/call/new');
    await host.waitForStatus('in-call');
    const callId = await host.callId();
    const guest = await CallTab.open(browser, `#/call/${callId}`);
    await guest.waitForStatus('lobby');
    await guest.press('join');
    await guest.waitForStatus('in-call');
    await host.decodesFromAll(1);
    const members = async () => ((await adminDb().doc(`calls/${callId}`).get()).get('members') as string[] | undefined)?.length ?? 0;
    assert.equal(await members(), 2);
    // No Leave pressed: the page just goes away. Its pagehide sends leaveCall
    // with fetch keepalive to /api/leaveCall on the site itself (same origin,
    // so no CORS preflight, which a page going away does not wait for).
    await guest.close();
    await eventually(async () => (await members()) === 1, 10_000, 'the departed page to leave the call on the server');
    await host.close();
  });
});
