/**
 * "Test my connection" opened directly at #/check, as a person who follows a
 * link to it does, against the local suite (its coturn answers STUN and TURN
 * on 127.0.0.1): the meter must move from page load, before any click (the
 * browsers' autoplay policies hold Web Audio back until a gesture), and the
 * verdict must say that direct connections work (here they do: every direct
 * call of the other end-to-end tests connects).
 *
 * Nothing here may give the page a user gesture: puppeteer's own evaluate
 * does, so the page is read through DevTools with `userGesture: false`.
 * (Firefox, which holds Web Audio back even while the page uses the
 * microphone, would read WebRTC's levels instead; its two in-page peers find
 * no address to connect on in the tests' loopback-only network, so that
 * stand-in is tested in Chromium by test/web/elements/parley-check.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium.js';
import { HOSTING_URL } from '../support/emulator.js';

const CHECK_MS = 60_000;

/** What the check page shows, read inside the page (through the shell's shadow root). */
interface CheckView {
  readonly status: string | null;
  readonly verdict: string | null;
  readonly verdictText: string;
  readonly srflx: string | null;
  readonly peak: number;
  readonly bar: string | null;
  readonly activated: boolean;
}

function readCheck(): CheckView | null {
  const el = document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-check') as
    (HTMLElement & { check: { peakLevel: number } }) | null | undefined;
  const root = el?.shadowRoot;
  if (!el || !root) return null;
  const verdict = root.querySelector<HTMLElement>('#verdict');
  const bar = root.querySelector<HTMLElement>('.bar');
  return {
    status: verdict?.dataset['status'] ?? null,
    verdict: verdict?.dataset['code'] ?? null,
    verdictText: verdict?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
    srflx: root.querySelector('#findings li[data-id="srflx"]')?.getAttribute('data-status') ?? null,
    peak: el.check.peakLevel,
    bar: bar ? getComputedStyle(bar).transform : null,
    activated: navigator.userActivation?.hasBeenActive ?? false,
  };
}

/** Reads the page through DevTools without a user gesture (puppeteer's evaluate would give it one). */
async function viewWithoutGesture(page: Page): Promise<CheckView | null> {
  const cdp = await page.createCDPSession();
  try {
    const { result } = await cdp.send('Runtime.evaluate', {
      expression: `(${readCheck.toString()})()`,
      returnByValue: true,
      userGesture: false,
    });
    return result.value as CheckView | null;
  } finally {
    await cdp.detach();
  }
}

describe('the connection check opened directly, end to end', () => {
  const browsers: Browser[] = [];
  after(async () => {
    for (const b of browsers) await b.close();
  });

  for (const policy of ['(default)', 'document-user-activation-required']) {
    it(`Chromium, autoplay policy ${policy}: the meter moves before any click, and direct connections work`, async () => {
      const browser = await puppeteer.launch({
        executablePath: chromiumPath(),
        headless: true,
        args: [...CHROMIUM_ARGS, ...(policy === '(default)' ? [] : [`--autoplay-policy=${policy}`])],
      });
      browsers.push(browser);
      const page = await (await browser.createBrowserContext()).newPage();
      await page.goto(`${HOSTING_URL}/#/check`, { waitUntil: 'load' });
      const bars = new Set<string>();
      let view: CheckView | null;
      const deadline = Date.now() + CHECK_MS;
      for (;;) {
        view = await viewWithoutGesture(page);
        if (view?.bar) bars.add(view.bar);
        if (view?.status === 'done' && view.peak > 0.2 && bars.size >= 3) break;
        assert.ok(Date.now() < deadline, `the check and its meter: ${JSON.stringify(view)}, bar ${[...bars].join(' | ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(view.activated, false, 'nobody clicked or typed: the meter ran without a gesture');
      assert.equal(view.verdict, 'ready', view.verdictText);
      assert.match(view.verdictText, /Direct connections work/);
      assert.equal(view.srflx, 'ok', "the STUN server saw this machine's own address: no NAT, not a block");
    });
  }
});
