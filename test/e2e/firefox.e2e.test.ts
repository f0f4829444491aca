/**
 * Firefox ESR (Debian's, driven over WebDriver BiDi) against Chromium and
 * against itself, on the built site and the emulator suite: random chat
 * both ways (who waits, who joins), Next and Stop; ICE restarts from either
 * end and from both at once (glare: the pair's polite end must yield); a
 * call by link of three with a Firefox member who leaves and joins the same
 * link again; and real network cuts of both kinds (test/support/network-cut.ts)
 * with a Firefox page in the call. (Chromium↔Chromium restarts, glare
 * included, are in the browser layer: test/web/flows/random-chat.test.ts.)
 * Then what browsers do differently that
 * can be run here (docs/BROWSERS.md): a browser without RTCPeerConnection,
 * in both engines, and sound refused until a gesture (Chromium told to
 * behave as Safari does).
 *
 * One Firefox and one Chromium process serve every test, a browser context
 * per person (separate storage, like separate browsers): a browser's start
 * costs seconds on a loaded machine, a context almost nothing.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { adultPage, launchChromium, launchFirefox, LEAN_PAGES, ParleyTab } from '../support/browser.js';
import { adminDb, clearFirestore, eventually, HOSTING_URL } from '../support/emulator.js';
import { canCut, cutUdp, restoreUdp, type CutKind } from '../support/network-cut.js';
import { reportStall, stallError } from '../support/stall.js';

type Engine = 'firefox' | 'chromium';

/** A mailbox's latest description: its epoch, type and ICE username fragment (a restart makes a new one). */
interface MailboxState {
  readonly epoch: number;
  readonly type: string | null;
  readonly ufrag: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Firefox, end to end', () => {
  const browsers = new Map<Engine, Browser>();
  const db = adminDb();

  before(async () => {
    const [firefox, chromium] = await Promise.all([launchFirefox(LEAN_PAGES), launchChromium([], LEAN_PAGES)]);
    browsers.set('firefox', firefox).set('chromium', chromium);
  });
  /** Every tab the running test opened: closed after it, passed or failed, so none pairs with the next test's. */
  const tabs: ParleyTab[] = [];
  beforeEach(() => clearFirestore());
  afterEach(async () => {
    restoreUdp();
    await Promise.all(tabs.splice(0).map((t) => t.close().catch(() => undefined)));
  });
  after(async () => {
    await Promise.all([...browsers.values()].map((b) => b.close()));
  });

  /** A tab of `engine` at `path`, closed after the test. */
  async function open(engine: Engine, path = '/'): Promise<ParleyTab> {
    const tab = await ParleyTab.open(browsers.get(engine)!, path);
    tabs.push(tab);
    return tab;
  }

  /** A person on the random chat page of `engine`, in the English room. */
  async function person(engine: Engine): Promise<ParleyTab> {
    const tab = await open(engine);
    await tab.chooseRoom('en');
    return tab;
  }

  /** Which browser a tab runs in ("firefox/153.8.0", "HeadlessChrome/156…"), for failure messages. */
  const engineOf = (tab: ParleyTab) => tab.page.browser().version();

  /** Waits until every tab shows `status`, or says which did not; on a timeout, prints what the pages and the database show. */
  async function allShow(status: string, tabs: ParleyTab[], timeoutMs = 30_000): Promise<void> {
    try {
      await Promise.all(
        tabs.map((t, i) =>
          t.waitForStatus(status, timeoutMs).catch(async (err: Error) => {
            throw new Error(`tab ${i + 1} (${await engineOf(t)}): ${err.message}`);
          }),
        ),
      );
    } catch (err) {
      await reportStall(db, tabs);
      throw err;
    }
  }

  /** `waiter` presses Start and is queued; then `joiner` presses Start and meets them; both decode video. */
  async function pair(waiter: ParleyTab, joiner: ParleyTab): Promise<string> {
    await waiter.press('start');
    await waiter.waitForStatus('searching');
    // Long waits: the first call of a run may wait for a function to start (20 s seen on a loaded machine).
    await eventually(async () => (await db.collection('queue').get()).size === 1, 60_000, 'the waiter queued');
    await joiner.press('start');
    await allShow('connected', [waiter, joiner], 60_000);
    const frames = await Promise.all([waiter.remoteFrame(), joiner.remoteFrame()]);
    for (const f of frames) assert.ok(f.width > 0 && f.height > 0, 'a decoded frame of the other');
    const callId = await waiter.callId();
    assert.ok(callId);
    assert.equal(await joiner.callId(), callId, 'both in the same call');
    return callId;
  }

  /** Waits until the stranger's video on a random chat page has decoded a few more frames. */
  async function framesAdvance(tab: ParleyTab, timeoutMs = 15_000): Promise<void> {
    // Decoded frames (getStats), not presented ones: a Firefox tab that is not
    // the focused one presents almost none (1 in 30 s, measured). A reading
    // that does not come (framesDecoded gives getStats() 10 s) is retried:
    // in two clean-clone runs an evaluation on a Firefox page during ICE
    // restarts never settled, and held the test for the whole protocol timeout.
    let lastError: unknown = null;
    const reading = () =>
      tab.framesDecoded().catch((err: unknown) => {
        lastError = err;
        return null;
      });
    let from: number | null = null;
    await eventually(
      async () => {
        const frames = await reading();
        if (frames === null) return false;
        from ??= frames;
        return frames > from + 5;
      },
      timeoutMs,
      `video frames to advance in ${await engineOf(tab)} (${await tab.statusText()})`,
    ).catch((err: unknown) => {
      throw lastError ? new Error(`${String(err)}; last reading: ${String(lastError)}`) : err;
    });
  }

  async function mailboxes(callId: string): Promise<Map<string, MailboxState>> {
    const snap = await db.collection(`calls/${callId}/signals`).get();
    return new Map(
      snap.docs.map((d) => {
        const description = d.get('description') as { type: string; sdp: string } | null;
        const ufrag = description ? (/a=ice-ufrag:(\S+)/.exec(description.sdp)?.[1] ?? null) : null;
        return [d.id, { epoch: d.get('epoch') as number, type: description?.type ?? null, ufrag }];
      }),
    );
  }

  /**
   * `restarters` restart ICE at the same moment (one: an ordinary restart;
   * both ends: glare, settled by politeness). Then every mailbox carries a
   * description with new ICE credentials (a restart's offer, and the
   * answer), negotiation settles, and video arrives at both ends; after
   * glare, the call also stays up, in the same call, for long enough to see
   * the failure glare caused ("Stranger left" ~5 s later).
   */
  async function restartIce(pair: readonly [ParleyTab, ParleyTab], restarters: readonly ParleyTab[]): Promise<void> {
    const callId = (await pair[0].callId())!;
    const before = await mailboxes(callId);
    assert.equal(before.size, 2, 'a mailbox each way');
    await Promise.all(restarters.map((t) => t.restartIce()));
    let now = before;
    await eventually(
      async () => {
        now = await mailboxes(callId);
        const fresh = [...before].every(([id, was]) => {
          const is = now.get(id);
          return is !== undefined && is.ufrag !== null && is.ufrag !== was.ufrag;
        });
        const links = (await Promise.all(pair.map((t) => t.links()))).flat();
        return (
          fresh && links.length === 2 && links.every((l) => l.signalingState === 'stable' && l.connectionState === 'connected')
        );
      },
      30_000,
      'new ICE credentials both ways, negotiation settled, connected',
    ).catch(async (err: Error) => {
      console.error('# mailboxes before', JSON.stringify([...before]), 'after', JSON.stringify([...now]));
      throw await stallError(err, db, [...pair]);
    });
    if (restarters.length === 1) {
      const by = await restarters[0]!.uid();
      const mine = [...now].find(([id]) => id.startsWith(`${by}_`))?.[1];
      const theirs = [...now].find(([id]) => !id.startsWith(`${by}_`))?.[1];
      assert.equal(mine?.type, 'offer', "the restart is the restarter's offer");
      assert.equal(theirs?.type, 'answer', 'answered by the other end');
    }
    // Long enough for a silent path to be found and the link rebuilt (10 s
    // into the silence: engine/liveness.ts), then for the video to come
    // back. framesDecoded counts on across a rebuilt link (a new connection
    // counts from 0): the clean-clone run of 8589bc6 failed here after glare
    // with the page connected, most likely waiting for the new link to
    // decode as many frames as the old one had.
    const videoAgain = () =>
      Promise.all(pair.map((t) => framesAdvance(t, 30_000))).catch(async (err: Error) => {
        throw await stallError(err, db, [...pair]);
      });
    await videoAgain();
    // What recovered it, if anything had to (for the reader of the log).
    for (const t of pair) {
      const history = ((await t.diagnosis()) as { flow?: { history?: string[] | null } }).flow?.history ?? [];
      const found = history.filter((line) => /while the member is alive|rebuild|asked by/.test(line));
      if (found.length > 0) console.log(`# ${await engineOf(t)}: ${found.join(' · ')}`);
    }
    if (restarters.length === 1) return;
    // Glare: long enough to see the call fall apart as it did ("Stranger left" ~5 s later).
    await sleep(8_000);
    for (const t of pair) {
      assert.equal(await t.status(), 'connected', `${await engineOf(t)} still connected (${await t.statusText()})`);
      assert.equal(await t.callId(), callId, 'the same call');
    }
    await videoAgain();
  }

  it('random chat: Firefox waits and Chromium joins; on Next, Firefox joins a Chromium waiter; Stop ends it', async () => {
    const firefox = await person('firefox');
    const first = await person('chromium');
    const firstCall = await pair(firefox, first);

    const second = await person('chromium');
    await second.press('start');
    await second.waitForStatus('searching');
    await eventually(async () => (await db.collection('queue').get()).size === 1, 60_000, 'the Chromium waiter queued');
    await firefox.press('next');
    await first.waitForStatus('partner-left');
    assert.match(await first.statusText(), /Stranger left/);
    await allShow('connected', [firefox, second]);
    await Promise.all([firefox.remoteFrame(), second.remoteFrame()]);
    assert.notEqual(await firefox.callId(), firstCall, 'a new call');

    await second.press('stop');
    await second.waitForStatus('idle');
    await firefox.waitForStatus('partner-left');
  });

  // Was a known defect (reported as TODO until 2026-12-04): when Firefox
  // answers Chromium's ICE restart shortly after a restart of its own (a
  // second later, or in glare after rolling its own offer back), Firefox's
  // ICE transport may stay "checking" and drop what Chromium sends on the
  // pair Chromium nominated, while both connections say "connected" and
  // what Firefox sends still arrives; nothing restarted, and video never
  // came back. The silent side's liveness check now rebuilds the link (a
  // new connection) 10 s into the silence (engine/liveness.ts,
  // Call.onLiveness; tested in test/web/flows/link-call.test.ts); from
  // 2026-12-04 to 12-05 it asked for another ICE restart instead, which in
  // a traced run did not bring Firefox back (the link was rebuilt 5 s later
  // when its channel closed). Seen 2026-12-05, 8 runs of both restart
  // tests: 8 links went silent (Chromium↔Firefox and Firefox↔Firefox), each
  // was rebuilt (connected again 0.8 s later where traced), all passed.
  // Its first step is a restart from Firefox alone (once a test of its own).
  it('random chat Chromium waits, Firefox joins: ICE restart from Chromium after one from Firefox, then from both at once (glare)', async () => {
    const chromium = await person('chromium');
    const firefox = await person('firefox');
    await pair(chromium, firefox);
    await restartIce([chromium, firefox], [firefox]);
    await restartIce([chromium, firefox], [chromium]);
    await restartIce([chromium, firefox], [chromium, firefox]);
    await firefox.press('stop');
    await chromium.waitForStatus('partner-left');
  });

  it('random chat Firefox↔Firefox: ICE restart from either end, then from both at once (glare)', async () => {
    const a = await person('firefox');
    const b = await person('firefox');
    await pair(a, b);
    await restartIce([a, b], [a]);
    await restartIce([a, b], [b]);
    await restartIce([a, b], [a, b]);
    await a.press('stop');
    await b.waitForStatus('partner-left');
  });

  // Was a known defect (4 runs in 5): the rejoining page's listeners first
  // got the call and its mailboxes from the Firestore cache, as its last
  // session had left them. Its new links met the old links there, and the
  // old membership gave it the wrong role; its link to one member then
  // waited for the connect timeout. Signaling now reads only what the
  // server says (backend/firestore-mailbox.ts).
  it('a call by link of three with a Firefox member, who leaves and joins the same link again', async () => {
    const host = await open('chromium', '/#/call/new');
    // Long: the first call of a run may wait for a function to start.
    await host.waitForStatus('in-call', 60_000);
    const callId = await host.callId();
    // Screening is not what this is about (test/web/elements/parley-call-screening.test.ts): spare the CPU.
    await host.screenIncoming(false);
    const join = async (engine: Engine) => {
      const tab = await open(engine, `/#/call/${callId}`);
      await tab.waitForStatus('lobby');
      await tab.press('join');
      await tab.waitForStatus('in-call');
      return tab;
    };
    const firefox = await join('firefox');
    const other = await join('chromium');
    const everyone = [host, firefox, other];
    assert.deepEqual(await Promise.all(everyone.map((t) => t.decodesFromAll(2))), [2, 2, 2], 'each decodes both others');

    await firefox.press('leave');
    await firefox.waitForStatus('left');
    await Promise.all([host, other].map((t) => t.decodesFromAll(1)));

    // Join again on the same page: a new session on the same link, which
    // must not apply what the mailboxes still hold from the last one.
    await firefox.press('join');
    await firefox.waitForStatus('in-call');
    await Promise.all(everyone.map((t) => t.decodesFromAll(2, 30_000))).catch(async (err) => {
      for (const [who, t] of [
        ['host (Chromium)', host],
        ['rejoining (Firefox)', firefox],
        ['other (Chromium)', other],
      ] as const)
        console.error(`# ${who}: ${await t.statusText()} tiles ${await t.tileStates()}`, JSON.stringify(await t.diagnosis()));
      throw err;
    });
    // The cause itself, which a fast machine may outrun: the new session
    // was given nothing meant for the last one.
    const rejoined = (await firefox.diagnosis()) as { flow: { history: string[] | null } | null };
    const stale = (rejoined.flow?.history ?? []).filter((line) => /stale|not routed/.test(line));
    assert.deepEqual(stale, [], 'the new session heard nothing its last session had been told');
    for (const t of everyone) await t.press('leave');
  });

  /**
   * A real cut during a random call between Firefox and Chromium: both say
   * "Reconnecting…", and once the path is back carry video again in the
   * same call. Firefox closes the data channel itself when the connection
   * fails; that must not read as the stranger leaving.
   */
  for (const kind of ['packets-lost', 'sends-fail'] as const satisfies readonly CutKind[]) {
    it(
      `a network cut (${kind}) during a Firefox↔Chromium random call: "Reconnecting…", then video again, same call`,
      { skip: canCut() ? false : 'needs root and nftables in a network namespace of its own' },
      async () => {
        const firefox = await person('firefox');
        const chromium = await person('chromium');
        const callId = await pair(firefox, chromium);
        cutUdp(kind);
        try {
          const firstDown = Date.now();
          const both = allShow('reconnecting', [firefox, chromium], 20_000);
          await Promise.race([firefox, chromium].map((t) => t.waitForStatus('reconnecting', 20_000))).catch(() => undefined);
          const firstSaw = Date.now();
          await both;
          console.log(
            `# ${kind}: Reconnecting… on the first page ${firstSaw - firstDown} ms into the cut, on both ${Date.now() - firstDown} ms`,
          );
          assert.match(await firefox.statusText(), /Reconnecting/);
          // Long enough after the first page saw the drop for a restart to be
          // tried while the path is still down, and no longer: the other may
          // see it seconds later, and a random call is given up 20 s after
          // it dropped (RECONNECT_FOR_MS).
          await sleep(Math.max(0, firstSaw + 4_000 - Date.now()));
        } finally {
          restoreUdp();
        }
        await allShow('connected', [firefox, chromium], 20_000);
        await Promise.all([firefox, chromium].map((t) => framesAdvance(t)));
        for (const t of [firefox, chromium]) assert.equal(await t.callId(), callId, 'the same call');
      },
    );
  }

  it(
    'a network cut (sends-fail) during a call by link with a Firefox member: its tiles say "Reconnecting…", then video again',
    { skip: canCut() ? false : 'needs root and nftables in a network namespace of its own' },
    async () => {
      const host = await open('firefox', '/#/call/new');
      await host.waitForStatus('in-call', 60_000);
      const guest = await open('chromium', `/#/call/${await host.callId()}`);
      await guest.waitForStatus('lobby');
      await guest.press('join');
      await Promise.all([host, guest].map((t) => t.decodesFromAll(1)));
      const tilesAre = (state: string, timeoutMs: number) =>
        Promise.all(
          [host, guest].map((t) =>
            eventually(async () => (await t.tileStates()).join() === state, timeoutMs, `the tile to say ${state}`).catch(
              async (err) => {
                throw new Error(`${(err as Error).message}: tiles ${await t.tileStates()}, ${await t.statusText()}`);
              },
            ),
          ),
        );
      cutUdp('sends-fail');
      try {
        await tilesAre('interrupted', 20_000);
      } finally {
        restoreUdp();
      }
      await tilesAre('connected', 20_000);
      await Promise.all([host, guest].map((t) => t.decodesFromAll(1)));
      for (const t of [host, guest]) await t.press('leave');
    },
  );

  for (const engine of ['firefox', 'chromium'] as const) {
    it(`a ${engine} without RTCPeerConnection is told it cannot make calls and what to use, with no Start`, async () => {
      const context = await browsers.get(engine)!.createBrowserContext();
      try {
        const page = await context.newPage();
        // Gone before the site's first script runs, as in a browser that never had it (some WebKit builds).
        await page.evaluateOnNewDocument(() => {
          delete (window as { RTCPeerConnection?: unknown }).RTCPeerConnection;
        });
        await page.goto(`${HOSTING_URL}/`, { waitUntil: 'load' });
        const box = await page.waitForSelector('parley-app >>> #cannot-call', { timeout: 30_000 });
        const text = (await box!.evaluate((el) => el.textContent ?? '')).replace(/\s+/g, ' ');
        assert.match(text, /This browser cannot make video calls/);
        assert.match(text, /current Chrome, Edge, Firefox or Safari/);
        assert.equal(await page.$('parley-app >>> #start'), null, 'no Start');
      } finally {
        await context.close();
      }
    });
  }

  it('sound refused until a gesture (as Safari and iOS do): the stranger plays muted, "Tap to unmute" turns it on', async () => {
    // Chromium told to refuse play() with sound until the person touches the
    // page: the policy Safari and every iOS browser apply. Puppeteer's
    // evaluations count as a gesture (CDP's userGesture), which would allow
    // the sound at once, so this page is driven through Runtime.evaluate,
    // which does not, until the one real click (page.click: mouse input).
    const strict = await launchChromium(['--autoplay-policy=user-gesture-required'], LEAN_PAGES);
    try {
      const page = await adultPage(await strict.createBrowserContext());
      page.on('console', (m) => {
        if (m.type() === 'warn' || m.type() === 'error') console.error(`[page ${m.type()}]`, m.text());
      });
      await page.goto(`${HOSTING_URL}/#/room/en`, { waitUntil: 'load' });
      const cdp = await page.createCDPSession();
      /** Runs `body` (a function body over `random`, the page's shadow root) with no gesture. */
      const inPage = async <T>(body: string): Promise<T> => {
        const expression = `(() => { const random = document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-random')?.shadowRoot; ${body} })()`;
        const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, returnByValue: true });
        if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
        return result.value as T;
      };
      const until = (body: string, what: string) => eventually(() => inPage<boolean>(body), 30_000, what);
      const remote = () =>
        inPage<{ muted: boolean; paused: boolean; playsInline: boolean }>(
          "const v = random.querySelector('#remote'); return { muted: v.muted, paused: v.paused, playsInline: v.playsInline };",
        );

      const waiter = await person('chromium');
      await waiter.press('start');
      await waiter.waitForStatus('searching');
      await eventually(async () => (await db.collection('queue').get()).size === 1, 60_000, 'the waiter queued');
      await until("return !!random?.querySelector('#start');", 'Start');
      await inPage("random.querySelector('#start').click(); return true;");
      await waiter.waitForStatus('connected', 60_000);
      await until("return random.querySelector('#status').dataset.status === 'connected';", 'the joiner connected');
      await until("return !!random.querySelector('#unmute');", 'Tap to unmute');
      assert.equal(await inPage<string>("return random.querySelector('#unmute').textContent.trim();"), 'Tap to unmute');
      await until("const v = random.querySelector('#remote'); return !v.paused && v.muted;", 'the stranger playing muted');
      assert.deepEqual(await remote(), { muted: true, paused: false, playsInline: true }, 'playing, muted, inline');

      await page.click('parley-app >>> #unmute');
      await until("return !random.querySelector('#unmute');", 'Tap to unmute gone after the tap');
      await until("const v = random.querySelector('#remote'); return !v.paused && !v.muted;", 'the stranger playing with sound');
      assert.deepEqual(await remote(), { muted: false, paused: false, playsInline: true }, 'playing with sound after the tap');
      await inPage("random.querySelector('#stop').click(); return true;");
      await waiter.waitForStatus('partner-left');
    } finally {
      await strict.close();
    }
  });
});
