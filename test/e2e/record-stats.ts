/**
 * Records the stats fixtures of test/fixtures/stats/ from real calls: two
 * Chromium pages paired in random chat through the local suite, one
 * getStats() snapshot a second from each page, while the sending page's
 * UDP is shaped in this process's network namespace (support/shaping.ts).
 * The unit tests of features/link-stats.ts and features/quality-policy.ts
 * read them. Not a test: run it again when Chromium's stats change, with
 *
 *   node scripts/parley.mjs exec node build/test/e2e/record-stats.js
 *
 * Each fixture is a sequence of phases (unshaped, then shaped, then lifted)
 * so that the policies' hysteresis meets a real onset and a real recovery.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium, ParleyTab } from '../support/browser.js';
import { clearFirestore } from '../support/emulator.js';
import { canCut } from '../support/network-cut.js';
import { shapeUdpFrom, unshape, type Shape } from '../support/shaping.js';

const OUT = join(process.cwd(), 'test', 'fixtures', 'stats');

/** The stats types the reducer reads; the rest (certificates, codecs not in use, data channels) would only bloat the files. */
const TYPES = [
  'candidate-pair',
  'local-candidate',
  'remote-candidate',
  'transport',
  'inbound-rtp',
  'outbound-rtp',
  'remote-inbound-rtp',
  'codec',
];

interface Phase {
  readonly name: string;
  readonly seconds: number;
  /** What the sending page's UDP goes through; null: unshaped. */
  readonly shape: Shape | null;
}

interface Recording {
  readonly name: string;
  readonly description: string;
  readonly phases: readonly Phase[];
  /** Hide my IP on both pages: the link is relayed by the local coturn. */
  readonly relayed?: boolean;
}

const RECORDINGS: readonly Recording[] = [
  {
    name: 'unshaped',
    description: 'a direct link on loopback, nothing shaped',
    phases: [{ name: 'clean', seconds: 12, shape: null }],
  },
  {
    name: 'uplink-cap',
    description: "the sender's uplink capped at 100 kbit/s (below what video needs, above audio), then lifted",
    phases: [
      { name: 'clean', seconds: 5, shape: null },
      { name: 'capped', seconds: 16, shape: { capBitsPerSecond: 100_000 } },
      { name: 'lifted', seconds: 14, shape: null },
    ],
  },
  {
    name: 'loss-10',
    description: "10 % of the sender's packets dropped at random, then none",
    phases: [
      { name: 'clean', seconds: 4, shape: null },
      { name: 'lossy', seconds: 14, shape: { lossPercent: 10 } },
      { name: 'lifted', seconds: 8, shape: null },
    ],
  },
  {
    name: 'relayed',
    description: 'both pages with Hide my IP: the link goes through the local coturn',
    phases: [{ name: 'clean', seconds: 8, shape: null }],
    relayed: true,
  },
];

async function hideMyIp(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    try {
      localStorage.setItem('parley.hideMyIp', 'true');
    } catch {
      // about:blank has no storage
    }
  });
}

async function pair(browser: Browser, relayed: boolean): Promise<[ParleyTab, ParleyTab]> {
  const prepare = relayed ? hideMyIp : undefined;
  const a = await ParleyTab.open(browser, '/', prepare);
  const b = await ParleyTab.open(browser, '/', prepare);
  await a.press('start');
  await a.waitForStatus('searching', 60_000);
  await b.press('start');
  await Promise.all([a.waitForStatus('connected', 90_000), b.waitForStatus('connected', 90_000)]);
  await Promise.all([a.remoteFrame(), b.remoteFrame()]);
  return [a, b];
}

async function record(browser: Browser, recording: Recording): Promise<void> {
  await clearFirestore();
  const [sender, receiver] = await pair(browser, recording.relayed === true);
  // Let the bandwidth estimate ramp up, as in a call a few seconds old.
  await new Promise((r) => setTimeout(r, 3_000));
  const port = await sender.linkPort();
  const snapshots: Array<{ phase: string; sender: object[]; receiver: object[] }> = [];
  try {
    for (const phase of recording.phases) {
      if (phase.shape) shapeUdpFrom(port, phase.shape);
      else unshape();
      for (let i = 0; i < phase.seconds; i++) {
        const next = new Promise((r) => setTimeout(r, 1_000));
        const [s, r] = await Promise.all([sender.linkStats(TYPES), receiver.linkStats(TYPES)]);
        snapshots.push({ phase: phase.name, sender: s, receiver: r });
        await next;
      }
    }
  } finally {
    unshape();
  }
  const browserVersion = await browser.version();
  const file = join(OUT, `${recording.name}.json`);
  const body = {
    description: recording.description,
    recordedWith: browserVersion,
    intervalMs: 1_000,
    phases: recording.phases,
    // One snapshot per line: a diff of a re-recording stays readable.
    snapshots: '__SNAPSHOTS__',
  };
  const lines = snapshots.map((s) => '    ' + JSON.stringify(s)).join(',\n');
  writeFileSync(file, JSON.stringify(body, null, 2).replace('"__SNAPSHOTS__"', `[\n${lines}\n  ]`) + '\n');
  console.log(`recorded ${file}: ${snapshots.length} snapshots`);
  await Promise.all([sender.close(), receiver.close()]);
}

if (!canCut()) throw new Error('needs root and nftables in a network namespace of its own (run it with parley.mjs exec)');
const only = process.argv.slice(2);
const browser = await launchChromium();
try {
  for (const recording of RECORDINGS) if (only.length === 0 || only.includes(recording.name)) await record(browser, recording);
} finally {
  unshape();
  await browser.close();
}
