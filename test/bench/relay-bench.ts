/**
 * The relay's figures for `npm run bench` (run-bench.ts, part "relay"):
 *   - match-to-face of relay-only calls (both pages "Hide my IP") next to
 *     direct calls, alternated in the same run on the same machine;
 *   - how long after the relay comes back from a crash (coturn SIGKILLed,
 *     restarted with the same configuration) video flows again in the same
 *     call, over several cuts whose outage lengths differ, so that the
 *     relay returns at different points of the reconnect policy;
 *   - what minting TURN credentials costs (the turnCredentials callable, warm).
 * Figures, not assertions.
 */
import type { Browser, Page } from 'puppeteer-core';
import { ParleyTab } from '../support/browser.js';
import { adminDb, clearFirestore, signedInUser } from '../support/emulator.js';
import { relayControl, relayUp } from '../support/relay-control.js';
import { reportStall, resetTabs } from '../support/stall.js';
import { summarize } from './stats.js';

type Report = (figure: string, data: object) => void;

export interface RelayBenchOptions {
  /** Calls of each kind (direct, relay-only) for match-to-face. */
  readonly calls: number;
  /** Relay crashes to recover from. */
  readonly cuts: number;
  /** Warm turnCredentials calls timed. */
  readonly mints: number;
}

/** Before load: Hide my IP on, as the page remembers it. */
async function hideMyIp(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    try {
      localStorage.setItem('parley.hideMyIp', 'true');
    } catch {
      // about:blank (a closing tab) has no storage
    }
  });
}

function clearMarks(tab: ParleyTab): Promise<void> {
  return tab.page.evaluate(() => performance.clearMarks());
}

/** Epoch ms of the page's parley:first-remote-frame mark, once there is one. */
async function firstFrameAt(tab: ParleyTab, timeoutMs = 60_000): Promise<number> {
  await tab.page.waitForFunction(() => performance.getEntriesByName('parley:first-remote-frame').length > 0, {
    timeout: timeoutMs,
    polling: 10,
  });
  return tab.page.evaluate(
    () => performance.timeOrigin + performance.getEntriesByName('parley:first-remote-frame')[0]!.startTime,
  );
}

/** One call between two idle tabs; returns match-to-face for each side (ms from the call document's creation). */
async function oneCall(a: ParleyTab, b: ParleyTab, committed: Map<string, number>): Promise<number[]> {
  await Promise.all([clearMarks(a), clearMarks(b)]);
  await a.press('start');
  await a.page.waitForFunction(() => performance.getEntriesByName('parley:joined').length > 0, {
    timeout: 60_000,
    polling: 10,
  });
  await b.press('start');
  const frames = await Promise.all([firstFrameAt(a), firstFrameAt(b)]);
  const callId = await a.callId();
  const commit = callId ? committed.get(callId) : undefined;
  await a.press('stop');
  await b.waitForStatus('partner-left');
  await b.press('stop');
  await Promise.all([a.waitForStatus('idle'), b.waitForStatus('idle')]);
  return commit === undefined ? [] : frames.map((f) => f - commit);
}

/** When (Date.now()) the tab's decoded frames advance by more than 5 from now; null past the timeout. */
async function framesAdvanceAt(tab: ParleyTab, timeoutMs: number): Promise<number | null> {
  const start = Date.now();
  const before = await tab.framesDecoded();
  while (Date.now() - start < timeoutMs) {
    await new Promise((r) => setTimeout(r, 50));
    if ((await tab.framesDecoded()) > before + 5) return Date.now();
  }
  return null;
}

async function connectedPair(a: ParleyTab, b: ParleyTab): Promise<void> {
  await a.press('start');
  await a.waitForStatus('searching', 60_000);
  await b.press('start');
  await Promise.all([a.waitForStatus('connected', 60_000), b.waitForStatus('connected', 60_000)]);
  await Promise.all([a.remoteFrame(), b.remoteFrame()]);
}

async function endCall(a: ParleyTab, b: ParleyTab): Promise<void> {
  for (const tab of [a, b]) {
    const status = await tab.status();
    if (status !== 'idle' && status !== 'failed' && status !== 'partner-left') await tab.press('stop').catch(() => undefined);
  }
  for (const tab of [a, b]) {
    if ((await tab.status()) !== 'idle') await tab.press('stop').catch(() => undefined);
  }
}

export async function measureRelay(browser: Browser, report: Report, options: RelayBenchOptions): Promise<void> {
  const control = relayControl();
  const db = adminDb();
  await clearFirestore();

  // (c) Minting credentials: the callable's round trip, warm (the first call boots the
  // function). A person may mint 20 a minute (functions/src/domain/limits.ts): ten each
  // from as many signed-in users as needed.
  const mint: number[] = [];
  let cold = NaN;
  for (let made = 0; made < options.mints + 1;) {
    const user = await signedInUser();
    try {
      for (let i = 0; i < 10 && made < options.mints + 1; i++, made++) {
        const t = performance.now();
        await user.call('turnCredentials', {});
        if (made === 0) cold = performance.now() - t;
        else mint.push(performance.now() - t);
      }
    } finally {
      await user.close();
    }
  }
  report('turn-credentials', {
    unit: 'ms',
    what: 'turnCredentials callable round trip (mint a TURN REST credential), warm, from Node on the emulator',
    coldMs: Math.round(cold),
    ...summarize(mint),
  });

  // (a) Match-to-face, direct and relay-only, alternated.
  const committed = new Map<string, number>();
  const unsubscribe = db.collection('calls').onSnapshot((snap) => {
    for (const c of snap.docChanges()) if (c.type === 'added') committed.set(c.doc.id, c.doc.createTime.toMillis());
  });
  const direct = [await ParleyTab.open(browser), await ParleyTab.open(browser)] as const;
  const relayed = [await ParleyTab.open(browser, '/', hideMyIp), await ParleyTab.open(browser, '/', hideMyIp)] as const;
  const samples = { direct: [] as number[], relay: [] as number[] };
  const failures = { direct: 0, relay: 0 };
  for (let i = 0; i < options.calls; i++) {
    for (const [kind, [a, b]] of [
      ['direct', direct],
      ['relay', relayed],
    ] as const) {
      try {
        samples[kind].push(...(await oneCall(a, b, committed)));
      } catch (err) {
        failures[kind] += 1;
        console.error(`# ${kind} call ${i + 1} failed:`, err instanceof Error ? err.message : err);
        await reportStall(db, [a, b]);
        await resetTabs([a, b]);
      }
    }
  }
  unsubscribe();
  await Promise.all(direct.map((t) => t.close()));
  const direct50 = summarize(samples.direct).p50;
  for (const kind of ['direct', 'relay'] as const) {
    report('relay-vs-direct-match-to-face', {
      kind,
      unit: 'ms',
      what: `pairing committed → first decoded remote frame, each side; ${kind === 'relay' ? 'both pages Hide my IP (relay-only, local coturn)' : 'direct (host candidates)'}`,
      failures: failures[kind],
      ...summarize(samples[kind]),
      ...(kind === 'relay' ? { p50RatioToDirect: Math.round((summarize(samples.relay).p50 / direct50) * 100) / 100 } : {}),
    });
  }

  // (b) Recovery from relay crashes, in one relay-only call while it survives.
  if (!control) {
    report('relay-crash-recovery', { skipped: 'the relay is not run by scripts/parley.mjs (with-turn)' });
    await Promise.all(relayed.map((t) => t.close()));
    return;
  }
  const [a, b] = relayed;
  const toVideo: number[] = [];
  const toReconnecting: number[] = [];
  let lost = 0;
  let repaired = 0;
  try {
    await connectedPair(a, b);
    let callId = await a.callId();
    for (let cut = 0; cut < options.cuts; cut++) {
      // The relay stays away a varying time after both pages noticed: 0, 2, 4, 6 or 8 s.
      const extraMs = (cut % 5) * 2_000;
      const killedAt = Date.now();
      await control.kill();
      try {
        await Promise.all([a.waitForStatus('reconnecting', 30_000), b.waitForStatus('reconnecting', 30_000)]);
        toReconnecting.push(Date.now() - killedAt);
        await new Promise((r) => setTimeout(r, extraMs));
      } finally {
        if (!(await relayUp())) await control.start();
      }
      const backAt = Date.now();
      const [atA, atB] = await Promise.all([framesAdvanceAt(a, 30_000), framesAdvanceAt(b, 30_000)]);
      const sameCall = (await a.callId()) === callId && (await b.callId()) === callId;
      if (atA === null || atB === null || !sameCall) {
        lost += 1;
        console.error(`# cut ${cut + 1}: the call did not recover (A ${atA}, B ${atB}, same call ${sameCall})`);
        await endCall(a, b);
        await connectedPair(a, b);
        callId = await a.callId();
        repaired += 1;
        continue;
      }
      const ms = Math.max(atA, atB) - backAt;
      toVideo.push(ms);
      console.log(
        `# cut ${cut + 1}: relay away ${extraMs} ms after "Reconnecting…"; video again on both ${ms} ms after it returned`,
      );
      await Promise.all([a.waitForStatus('connected', 10_000), b.waitForStatus('connected', 10_000)]);
      // Let the call settle (and both ends' policies reset) before the next crash.
      await new Promise((r) => setTimeout(r, 2_000));
    }
  } finally {
    if (!(await relayUp())) await control.start();
    await endCall(a, b).catch(() => undefined);
    await Promise.all(relayed.map((t) => t.close()));
  }
  report('relay-crash-recovery', {
    unit: 'ms',
    what: 'coturn SIGKILLed during a relay-only call, restarted 0-8 s after both pages show "Reconnecting…": relay back → decoded frames advance on both pages, same call',
    cuts: options.cuts,
    lost,
    newCallsAfterLoss: repaired,
    killToReconnecting: summarize(toReconnecting),
    ...summarize(toVideo),
  });
}
