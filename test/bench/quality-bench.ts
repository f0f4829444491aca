/**
 * Call quality figures for `npm run bench` (part `quality`): a random pair
 * on the local suite, one page's UDP shaped with nftables in the bench's
 * network namespace (support/shaping.ts) under each condition below, one
 * fresh pair per condition:
 *
 * - detectMs: from the shaping until either page's indicator is no longer
 *   "Connection good" (null: it stayed good for DETECT_WITHIN_MS);
 * - pauseMs: until the shaped page paused its video (null: it did not
 *   within PAUSE_WITHIN_MS);
 * - received: what the other page decoded over RECEIVE_WINDOW_MS after
 *   that (frame rate, resolution, loss);
 * - resumeMs: from lifting the shape until video was sent again (when it
 *   had paused).
 *
 * Needs root and nftables in a network namespace of its own, as
 * `npm run bench` runs it.
 */
import type { Browser } from 'puppeteer-core';
import { reduceStats, type StatsEntry } from '../../web/src/features/link-stats.js';
import { ParleyTab } from '../support/browser.js';
import { clearFirestore } from '../support/emulator.js';
import { canCut } from '../support/network-cut.js';
import { shapeUdpFrom, unshape, type Shape } from '../support/shaping.js';

type Report = (figure: string, data: object) => void;

export const QUALITY_CONDITIONS: ReadonlyArray<{ readonly figure: string; readonly shape: Shape | null }> = [
  { figure: 'quality-unshaped', shape: null },
  { figure: 'quality-cap-300k', shape: { capBitsPerSecond: 300_000 } },
  // Below what video needs beside audio: the condition that pauses video and shows its resume time.
  { figure: 'quality-cap-100k', shape: { capBitsPerSecond: 100_000 } },
  { figure: 'quality-loss-5', shape: { lossPercent: 5 } },
  { figure: 'quality-loss-15', shape: { lossPercent: 15 } },
];

const DETECT_WITHIN_MS = 20_000;
const PAUSE_WITHIN_MS = 30_000;
const RECEIVE_WINDOW_MS = 5_000;
const RESUME_WITHIN_MS = 90_000;

async function indicator(tab: ParleyTab): Promise<string | null> {
  const button = await tab.page.$('parley-app >>> #remote-quality >>> button.indicator');
  return button ? button.evaluate((b) => b.getAttribute('aria-label')) : null;
}

/** Polls `check` every 250 ms until it returns true; the milliseconds since `from`, or null after `withinMs`. */
async function until(check: () => Promise<boolean>, from: number, withinMs: number): Promise<number | null> {
  while (Date.now() - from < withinMs) {
    if (await check()) return Date.now() - from;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

export async function measureQuality(browser: Browser, report: Report): Promise<void> {
  if (!canCut()) throw new Error('needs root and nftables in a network namespace of its own');
  for (const { figure, shape } of QUALITY_CONDITIONS) {
    await clearFirestore();
    const a = await ParleyTab.open(browser);
    const b = await ParleyTab.open(browser);
    try {
      await a.press('start');
      await a.waitForStatus('searching', 60_000);
      await b.press('start');
      await Promise.all([a.waitForStatus('connected', 90_000), b.waitForStatus('connected', 90_000)]);
      await b.waitForPackets('video', 'inbound', true);
      // As in a call a few seconds old: the bandwidth estimate has ramped up.
      await new Promise((r) => setTimeout(r, 3_000));
      const port = await a.linkPort();
      const shaped = Date.now();
      if (shape) shapeUdpFrom(port, shape);
      const notGood = async () => {
        const names = await Promise.all([indicator(a), indicator(b)]);
        return names.some((n) => n !== null && n !== 'Connection good');
      };
      const detectMs = await until(notGood, shaped, DETECT_WITHIN_MS);
      const indicators = { shaped: await indicator(a), other: await indicator(b) };
      const pauseMs = await until(() => a.shows('#weak-uplink'), shaped, PAUSE_WITHIN_MS);
      // The page's report entries, as getStats() gives them (each has id, type and timestamp).
      const stats = async () => (await b.linkStats()) as unknown as StatsEntry[];
      const before = await stats();
      await new Promise((r) => setTimeout(r, RECEIVE_WINDOW_MS));
      const sample = reduceStats(before, await stats());
      unshape();
      const lifted = Date.now();
      const resumeMs =
        pauseMs === null ? null : await until(async () => !(await a.shows('#weak-uplink')), lifted, RESUME_WITHIN_MS);
      report(figure, {
        shape,
        detectMs,
        indicators,
        pauseMs,
        resumeMs,
        received: {
          fps: sample.videoIn ? Math.round(sample.videoIn.fps * 10) / 10 : 0,
          resolution: sample.videoIn ? `${sample.videoIn.width}x${sample.videoIn.height}` : null,
          lossIn: sample.lossIn === null ? null : Math.round(sample.lossIn * 1000) / 1000,
        },
      });
    } finally {
      unshape();
      await Promise.all([a.close(), b.close()]);
    }
  }
}
