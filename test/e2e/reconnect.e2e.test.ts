/**
 * A real network cut: during a call, every UDP packet on this machine's
 * (namespace's) network is dropped with nftables, so WebRTC's path dies while
 * Firestore (TCP) keeps working, as on a flaky Wi-Fi. The pages must show
 * "Reconnecting…", restart ICE, and once the path is back carry video again
 * in the same call, nobody re-paired.
 *
 * The cut makes sends fail (test/support/network-cut.ts), as an interface
 * going away does. Needs root in a network namespace of its own (npm test
 * runs the emulator layers that way) and nftables; scripts/parley.mjs
 * installs it.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { adultPage, launchChromium, LEAN_PAGES, ParleyTab } from '../support/browser.js';
import { clearFirestore, HOSTING_URL } from '../support/emulator.js';
import { canCut, cutUdp, restoreUdp } from '../support/network-cut.js';

/** Frames decoded from every remote video on a page so far (sum over its inbound video). */
function decodedFrames(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    // The videos are in the shown page's shadow root, under the shell's.
    const videos = (root: Document | ShadowRoot): HTMLVideoElement[] => [
      ...root.querySelectorAll<HTMLVideoElement>(sel),
      ...[...root.querySelectorAll('*')].flatMap((el) => (el.shadowRoot ? videos(el.shadowRoot) : [])),
    ];
    let frames = 0;
    for (const v of videos(document)) frames += v.getVideoPlaybackQuality().totalVideoFrames;
    return frames;
  }, selector);
}

async function framesAdvance(page: Page, selector: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  const before = await decodedFrames(page, selector);
  while (Date.now() - start < timeoutMs) {
    await new Promise((r) => setTimeout(r, 250));
    if ((await decodedFrames(page, selector)) > before + 5) return Date.now() - start;
  }
  throw new Error(`video frames did not advance within ${timeoutMs} ms`);
}

describe(
  'a real network cut during a call',
  { skip: canCut() ? false : 'needs root and nftables in a network namespace of its own' },
  () => {
    let browser: Browser;

    before(async () => {
      browser = await launchChromium([], LEAN_PAGES);
    });
    beforeEach(() => clearFirestore());
    after(async () => {
      restoreUdp();
      await browser?.close();
    });

    it('random chat: "Reconnecting…" during the cut, video again after it, same call', async () => {
      const a = await ParleyTab.open(browser);
      const b = await ParleyTab.open(browser);
      await a.press('start');
      await a.waitForStatus('searching');
      await b.press('start');
      await Promise.all([a.waitForStatus('connected'), b.waitForStatus('connected')]);
      await Promise.all([a.remoteFrame(), b.remoteFrame()]);
      const callId = await a.callId();

      cutUdp('sends-fail');
      try {
        await Promise.all([a.waitForStatus('reconnecting', 20_000), b.waitForStatus('reconnecting', 20_000)]);
        assert.match(await a.statusText(), /Reconnecting/);
        // Long enough for a restart to be tried while the path is still down.
        await new Promise((r) => setTimeout(r, 4_000));
      } finally {
        restoreUdp();
      }
      const restored = Date.now();
      await Promise.all([a.waitForStatus('connected', 20_000), b.waitForStatus('connected', 20_000)]);
      const took = await framesAdvance(a.page, '#remote', 10_000);
      console.log(
        `[reconnect] random call: video again ${Date.now() - restored} ms after the path returned (frames advanced in ${took} ms)`,
      );
      assert.equal(await a.callId(), callId, 'the same call');
      assert.equal(await b.callId(), callId, 'the same call for the partner');
      await a.close();
      await b.close();
    });

    it('link call: the tile says "Reconnecting…" during the cut, video again after it, same members', async () => {
      const open = async (hash: string) => {
        // adultPage: the browser's diet (LEAN_PAGES) reaches the page.
        const page = await adultPage(await browser.createBrowserContext());
        await page.goto(`${HOSTING_URL}/${hash}`, { waitUntil: 'load' });
        return page;
      };
      const tileStates = (page: Page) =>
        page.evaluate(() =>
          [
            ...(document
              .querySelector('parley-app')
              ?.shadowRoot?.querySelector('parley-call')
              ?.shadowRoot?.querySelectorAll('.tile.peer') ?? []),
          ].map((t) => t.getAttribute('data-state')),
        );
      const waitTiles = async (page: Page, state: string, timeoutMs: number) => {
        const start = Date.now();
        for (;;) {
          const states = await tileStates(page);
          if (states.length === 1 && states[0] === state) return;
          if (Date.now() - start > timeoutMs) throw new Error(`tiles ${JSON.stringify(states)}, expected one ${state}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const host = await open('#/call/new');
      await host.waitForFunction(() => /^#\/call\/[A-Za-z0-9]{22}$/.test(location.hash), { timeout: 30_000 });
      const hash = await host.evaluate(() => location.hash);
      const guest = await open(hash);
      await guest.waitForFunction(
        () => document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-call')?.shadowRoot?.querySelector('#join'),
        { timeout: 30_000 },
      );
      await guest.evaluate(() =>
        (
          document
            .querySelector('parley-app')!
            .shadowRoot!.querySelector('parley-call')!
            .shadowRoot!.querySelector('#join') as HTMLButtonElement
        ).click(),
      );
      await Promise.all([waitTiles(host, 'connected', 30_000), waitTiles(guest, 'connected', 30_000)]);
      await framesAdvance(host, '.tile.peer video', 10_000);

      cutUdp('sends-fail');
      try {
        await Promise.all([waitTiles(host, 'interrupted', 20_000), waitTiles(guest, 'interrupted', 20_000)]);
        const label = await host.evaluate(
          () =>
            document
              .querySelector('parley-app')!
              .shadowRoot!.querySelector('parley-call')!
              .shadowRoot!.querySelector('.tile.peer .label')!.textContent,
        );
        assert.match(label ?? '', /Reconnecting/);
      } finally {
        restoreUdp();
      }
      const restored = Date.now();
      await Promise.all([waitTiles(host, 'connected', 15_000), waitTiles(guest, 'connected', 15_000)]);
      await framesAdvance(host, '.tile.peer video', 10_000);
      console.log(`[reconnect] link call: video again ${Date.now() - restored} ms after the path returned`);
      for (const p of [host, guest]) await p.browserContext().close();
    });
  },
);
