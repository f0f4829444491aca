/**
 * The live room counts as people see them, in real Chromium against the
 * emulator suite: a page that waits and a page that only watches, through
 * a call's start and end. The counts lag the database by a few seconds
 * (presence/room-counter.ts); the waits below are generous, and nothing
 * here asserts how long they took (the bench measures times).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { launchChromium, LEAN_PAGES, ParleyTab } from '../support/browser.js';
import { clearFirestore } from '../support/emulator.js';

/** How long the counts may take to follow a change on a loaded machine (cold functions included). */
const SETTLE_MS = 60_000;

/** What the count line showed, sampled in the page every 16 ms. */
interface Seen {
  readonly status: string;
  readonly text: string;
  readonly lineHeight: number;
  readonly stageTop: number;
}

/** Reads the random chat page's count line, status and video position (through the shell's shadow root). */
function readLine(): Seen | null {
  const page = document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-random')?.shadowRoot;
  const line = page?.querySelector<HTMLElement>('#room-count');
  const stage = page?.querySelector<HTMLElement>('.stage');
  if (!page || !stage) return null;
  return {
    status: page.querySelector('#status')?.getAttribute('data-status') ?? '',
    // A missing line counts as an empty one of no height.
    text: line?.textContent?.trim() ?? '',
    lineHeight: line?.getBoundingClientRect().height ?? 0,
    stageTop: stage.getBoundingClientRect().top,
  };
}

/** Starts recording every change of what the line shows, from now on. */
async function record(tab: ParleyTab): Promise<void> {
  // The page's own function, by its source: DevTools evaluation is not bound by the site's CSP.
  await tab.page.evaluate(`globalThis.readParleyLine = ${readLine.toString()}`);
  await tab.page.evaluate(() => {
    const read = (globalThis as unknown as { readParleyLine: () => Seen | null }).readParleyLine;
    const seen: Seen[] = [];
    (globalThis as { seenLines?: Seen[] }).seenLines = seen;
    // A timer rather than animation frames: several tabs share one headless browser.
    setInterval(() => {
      const now = read();
      const last = seen[seen.length - 1];
      if (now && JSON.stringify(now) !== JSON.stringify(last)) seen.push(now);
    }, 16);
  });
}

function recorded(tab: ParleyTab): Promise<Seen[]> {
  return tab.page.evaluate(() => (globalThis as { seenLines?: Seen[] }).seenLines ?? []);
}

async function lineText(tab: ParleyTab): Promise<string> {
  return (await tab.page.evaluate(readLine))?.text ?? '';
}

async function waitForLine(tab: ParleyTab, text: string, who: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while ((await lineText(tab)) !== text) {
    if (Date.now() > deadline) throw new Error(`${who} never showed "${text}" (still "${await lineText(tab)}")`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('room counts, end to end', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchChromium([], LEAN_PAGES);
  });
  beforeEach(() => clearFirestore());
  after(async () => {
    await browser?.close();
  });

  it('a waiting page and a watching page follow a call through its start and end', async () => {
    const watcher = await ParleyTab.open(browser);
    const waiter = await ParleyTab.open(browser);
    for (const t of [watcher, waiter]) await t.chooseRoom('te');
    await record(waiter);
    await record(watcher);
    await waitForLine(watcher, 'Nobody here right now', 'the watcher, before anyone came');

    await waiter.press('start');
    await waiter.waitForStatus('searching');
    await waitForLine(waiter, 'You are the only one waiting in Telugu', 'the waiter');
    await waitForLine(watcher, '1 waiting in Telugu', 'the watcher, while someone waits');

    const joiner = await ParleyTab.open(browser);
    await joiner.chooseRoom('te');
    await joiner.press('start');
    await Promise.all([waiter.waitForStatus('connected'), joiner.waitForStatus('connected')]);
    await waitForLine(watcher, '2 chatting in Telugu', 'the watcher, during the call');
    assert.equal(await lineText(waiter), '', 'no counts in a call');

    await joiner.press('stop');
    await waiter.waitForStatus('partner-left');
    await waitForLine(watcher, 'Nobody here right now', 'the watcher, after the call ended');
    await waitForLine(waiter, 'Nobody here right now', 'the waiter, after the call ended');

    const waiterSaw = await recorded(waiter);
    const told = waiterSaw.filter((s) => s.status === 'searching' && s.text === 'Nobody here right now');
    assert.deepEqual(told, [], 'a waiting person is never told nobody is there');
    for (const [who, seen] of [
      ['waiter', waiterSaw],
      ['watcher', await recorded(watcher)],
    ] as const) {
      assert.ok(seen.length >= 3, `${who}: the recording saw the line change (${seen.length} samples)`);
      assert.deepEqual(
        new Set(seen.map((s) => s.lineHeight)).size,
        1,
        `${who}: the line kept its height: ${JSON.stringify(seen)}`,
      );
      assert.deepEqual(new Set(seen.map((s) => s.stageTop)).size, 1, `${who}: the video never moved: ${JSON.stringify(seen)}`);
    }
    await Promise.all([waiter.close(), joiner.close(), watcher.close()]);
  });
});
