/**
 * Real Chromium for end-to-end tests and the benchmark, driven by
 * puppeteer-core (no browser download: CHROME_PATH or Debian's chromium).
 */
import puppeteer, { type Browser, type JSHandle, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.js';
import { HOSTING_URL } from './emulator.js';

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS],
    protocolTimeout: 60_000,
  });
}

/** A page of the built site at `path`, in a browser context of its own (separate storage, like separate browsers). */
async function openPersonPage(browser: Browser, path: string, prepare?: (page: Page) => Promise<unknown>): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await prepare?.(page);
  page.on('pageerror', (err) => console.error('[page error]', err));
  // The session reports what went wrong with console.warn (a rejected answer,
  // a failed offer); show it, so a failing run says why.
  page.on('console', (msg) => {
    if (msg.type() === 'warn' || msg.type() === 'error') console.error(`[page ${msg.type()}]`, msg.text());
  });
  await page.goto(HOSTING_URL + path, { waitUntil: 'load' });
  return page;
}

/**
 * Closes a person's tab as a person would. Leaving the page first fires
 * pagehide every time (page.close() alone did not always, under the load of
 * five calling pages), and the browser context (a stand-in for the whole
 * browser) goes a moment later: tearing it down at once would also abort the
 * page's keepalive leave request, which a real browser lets finish after the
 * tab is gone.
 */
async function closeLikeATab(page: Page): Promise<void> {
  const context = page.browserContext();
  await page.goto('about:blank').catch(() => undefined);
  await page.close({ runBeforeUnload: true });
  // The leave goes through the hosting emulator's rewrite to a function that
  // may have to start first (seconds on a loaded machine).
  await new Promise((r) => setTimeout(r, 3_000));
  await context.close();
}

/**
 * Kills a browser the way a crash does: SIGKILL to its process, so nothing
 * is said to anyone (no pagehide, no leave, no closing handshake). Resolves
 * once the process is gone.
 */
export async function killBrowser(browser: Browser): Promise<void> {
  const proc = browser.process();
  if (!proc?.pid) throw new Error('the browser does not run as a process of its own');
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGKILL');
  await exited;
}

/**
 * A person with a browser process of their own (so that killBrowser can kill
 * just them), with Parley open and `room` chosen.
 */
export async function openInOwnBrowser(room: string): Promise<{ tab: ParleyTab; browser: Browser }> {
  const browser = await launchChromium();
  const tab = await ParleyTab.open(browser);
  await tab.chooseRoom(room);
  return { tab, browser };
}

/**
 * In `page`: the random chat page's shadow root, <parley-app> → <parley-random>
 * (null before it renders). The shell keeps that page for the whole visit, so
 * a handle stays good while the tab is on random chat.
 */
function randomRoot(page: Page): Promise<JSHandle<ShadowRoot | null>> {
  return page.evaluateHandle(
    () => document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-random')?.shadowRoot ?? null,
  );
}

/** One person: a tab with Parley open. */
export class ParleyTab {
  private constructor(readonly page: Page) {}

  /** `prepare` runs before the page loads (e.g. page.evaluateOnNewDocument to instrument it). */
  static async open(browser: Browser, path = '/', prepare?: (page: Page) => Promise<unknown>): Promise<ParleyTab> {
    const page = await openPersonPage(browser, path, prepare);
    await page.waitForFunction(() => customElements.get('parley-app') !== undefined);
    return new ParleyTab(page);
  }

  async status(): Promise<string | null> {
    return this.page.evaluate(
      (root) => root?.querySelector('#status')?.getAttribute('data-status') ?? null,
      await randomRoot(this.page),
    );
  }

  async statusText(): Promise<string> {
    return this.page.evaluate((root) => root?.querySelector('#status')?.textContent ?? '', await randomRoot(this.page));
  }

  async waitForStatus(status: string, timeoutMs = 30_000): Promise<void> {
    try {
      await this.page.waitForFunction(
        (root, s) => root?.querySelector('#status')?.getAttribute('data-status') === s,
        { timeout: timeoutMs, polling: 50 },
        await randomRoot(this.page),
        status,
      );
    } catch (err) {
      throw new Error(
        `expected status ${status}, still ${await this.status()} (${await this.statusText()}) after ${timeoutMs} ms`,
        {
          cause: err,
        },
      );
    }
  }

  async chooseRoom(room: string): Promise<void> {
    await this.page.evaluate(
      (root, r) => {
        const select = root!.querySelector('#room') as HTMLSelectElement;
        select.value = r;
        select.dispatchEvent(new Event('change'));
      },
      await randomRoot(this.page),
      room,
    );
  }

  async press(button: 'start' | 'next' | 'stop' | 'report' | 'block' | 'confirm-report' | 'confirm-block'): Promise<void> {
    const root = await randomRoot(this.page);
    await this.page.evaluate(
      (r, id) => {
        // The confirmation's buttons are in its own element (<parley-report-dialog>).
        const el = (r!.querySelector(`#${id}`) ??
          r!.querySelector('parley-report-dialog')?.shadowRoot?.querySelector(`#${id}`)) as HTMLButtonElement | null;
        if (!el || el.disabled) throw new Error(`button ${id} is not available`);
        el.click();
      },
      root,
      button,
    );
    // Let Lit render what the click changed (e.g. a confirmation) before the next step.
    await this.page.evaluate((r) => (r!.host as unknown as { updateComplete: Promise<unknown> }).updateComplete, root);
  }

  /** Waits for a decoded frame of the stranger's video; resolves with its size. */
  async remoteFrame(timeoutMs = 20_000): Promise<{ width: number; height: number }> {
    return this.page.evaluate(
      (root, ms) =>
        new Promise<{ width: number; height: number }>((resolve, reject) => {
          const video = root!.querySelector('#remote') as HTMLVideoElement;
          const timer = setTimeout(() => reject(new Error('no remote video frame')), ms);
          video.requestVideoFrameCallback((_now, meta) => {
            clearTimeout(timer);
            resolve({ width: meta.width, height: meta.height });
          });
        }),
      await randomRoot(this.page),
      timeoutMs,
    );
  }

  /** The tab's anonymous uid (from the session Firebase Auth persisted), once it is signed in. */
  async uid(timeoutMs = 30_000): Promise<string> {
    const handle = await this.page.waitForFunction(
      () => {
        for (let i = 0; i < sessionStorage.length; i++) {
          const key = sessionStorage.key(i)!;
          if (key.startsWith('firebase:authUser:')) return (JSON.parse(sessionStorage.getItem(key)!) as { uid: string }).uid;
        }
        return null;
      },
      { timeout: timeoutMs, polling: 100 },
    );
    return (await handle.jsonValue()) as string;
  }

  /** The current call's id, from the session (diagnostics). */
  async callId(): Promise<string | null> {
    return this.page.evaluate(
      (root) => {
        const app = (root?.host ?? null) as unknown as { flow: { call: { callId: string } | null } } | null;
        return app?.flow.call?.callId ?? null;
      },
      await randomRoot(this.page),
    );
  }

  /**
   * What the page's session is doing, from its private fields: for a run
   * that failed (e.g. paired but no media), to say which side stalled where.
   */
  async diagnosis(): Promise<object> {
    return this.page.evaluate(
      (root) => {
        const app = (root?.host ?? null) as unknown as {
          flow: {
            state: { status: string };
            attempt: {
              live: boolean;
              matched: boolean;
              role: string | null;
              signaling: { callId: string; seenCall?: boolean } | null;
              peer: { signalingState: string; connectionState: string; heldCandidates: number } | null;
            } | null;
          };
        } | null;
        const attempt = app?.flow.attempt;
        return {
          status: app?.flow.state.status ?? null,
          attempt: attempt && {
            live: attempt.live,
            matched: attempt.matched,
            role: attempt.role,
            callId: attempt.signaling?.callId ?? null,
            // FirestoreSignaling: whether its listener ever saw the call document.
            seenCall: attempt.signaling?.seenCall ?? null,
            signalingState: attempt.peer?.signalingState ?? null,
            connectionState: attempt.peer?.connectionState ?? null,
            heldCandidates: attempt.peer?.heldCandidates ?? null,
          },
          marks: performance
            .getEntriesByType('mark')
            .filter((m) => m.name.startsWith('parley:'))
            .map((m) => `${m.name.slice('parley:'.length)}@${Math.round(performance.timeOrigin + m.startTime)}`),
        };
      },
      await randomRoot(this.page),
    );
  }

  /** Closes the tab as a person would (see closeLikeATab). */
  close(): Promise<void> {
    return closeLikeATab(this.page);
  }
}

/** A page in a private call: reaches into <parley-app> → <parley-call>. */
export class CallTab {
  private constructor(readonly page: Page) {}

  static async open(browser: Browser, hash: string): Promise<CallTab> {
    const page = await openPersonPage(browser, `/${hash}`);
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
          document
            .querySelector('parley-app')
            ?.shadowRoot?.querySelector('parley-call')
            ?.shadowRoot?.querySelector('#status')
            ?.getAttribute('data-status') === s,
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
      const call = document.querySelector('parley-app')!.shadowRoot!.querySelector('parley-call') as unknown as {
        flow: { refresh(): Promise<void> };
      };
      await call.flow.refresh();
    });
  }

  /** Waits until the page shows its own camera (the lobby's preview): Join then needs no getUserMedia. */
  async waitForPreview(timeoutMs = 30_000): Promise<void> {
    await this.page.waitForFunction(
      () => {
        const call = document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-call') as unknown as {
          flow?: { localStream: MediaStream | null };
        } | null;
        return call?.flow?.localStream != null;
      },
      { timeout: timeoutMs, polling: 50 },
    );
  }

  /**
   * Presses Join and measures, in the page, the milliseconds from the click to
   * a decoded frame (requestVideoFrameCallback) from `peers` different members'
   * tiles.
   */
  joinUntilFaces(peers: number, timeoutMs = 60_000): Promise<number> {
    return this.page.evaluate(
      (n, ms) =>
        new Promise<number>((resolve, reject) => {
          const root = document.querySelector('parley-app')!.shadowRoot!.querySelector('parley-call')!.shadowRoot!;
          const decoded = new Set<string>();
          // Lit reuses a tile's <video> when the grid changes: watch each element per stream it shows.
          const watching = new WeakMap<HTMLVideoElement, MediaProvider>();
          const done = (err: Error | null, value = 0) => {
            clearInterval(poll);
            clearTimeout(timer);
            if (err) reject(err);
            else resolve(value);
          };
          const t0 = performance.now();
          const timer = setTimeout(() => done(new Error(`frames decoded from ${decoded.size} of ${n} members`)), ms);
          const poll = setInterval(() => {
            for (const video of root.querySelectorAll<HTMLVideoElement>('.tile.peer video')) {
              const stream = video.srcObject;
              if (!stream || watching.get(video) === stream) continue;
              watching.set(video, stream);
              video.requestVideoFrameCallback(() => {
                const id = video.closest('.tile')?.getAttribute('data-peer');
                if (!id || video.srcObject !== stream) return;
                decoded.add(id);
                if (decoded.size >= n) done(null, performance.now() - t0);
              });
            }
          }, 5);
          const join = root.querySelector<HTMLButtonElement>('#join');
          if (!join || join.disabled) done(new Error('button join is not available'));
          else join.click();
        }),
      peers,
      timeoutMs,
    );
  }

  /**
   * This page's outgoing video over `windowMs`: the sum over its links of the
   * outbound-rtp (video) bytesSent deltas, in bits per second, with each
   * link's rate and the cap (maxBitrate) its sender carries.
   */
  outboundVideo(windowMs: number): Promise<{
    totalBps: number;
    links: Array<{
      bps: number;
      capBps: number | null;
      frameWidth: number | null;
      fps: number | null;
      limitation: string | null;
    }>;
  }> {
    return this.page.evaluate(async (ms) => {
      type Link = { getStats(): Promise<RTCStatsReport>; videoSenders: RTCRtpSender[] };
      const call = document.querySelector('parley-app')!.shadowRoot!.querySelector('parley-call') as unknown as {
        flow: { engine: { peers: Array<{ id: string }>; link(id: string): Link | null } | null };
      };
      const engine = call.flow.engine;
      if (!engine) throw new Error('not in a call');
      const links = engine.peers.map((p) => engine.link(p.id)).filter((l): l is Link => l !== null);
      const sample = async (link: Link) => {
        let bytes = 0;
        let frameWidth: number | null = null;
        let fps: number | null = null;
        let limitation: string | null = null;
        (await link.getStats()).forEach(
          (s: {
            type: string;
            kind?: string;
            bytesSent?: number;
            frameWidth?: number;
            framesPerSecond?: number;
            qualityLimitationReason?: string;
          }) => {
            if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
            bytes += s.bytesSent ?? 0;
            frameWidth = s.frameWidth ?? frameWidth;
            fps = s.framesPerSecond ?? fps;
            limitation = s.qualityLimitationReason ?? limitation;
          },
        );
        return { bytes, at: performance.now(), frameWidth, fps, limitation };
      };
      const before = await Promise.all(links.map(sample));
      await new Promise((r) => setTimeout(r, ms));
      const after = await Promise.all(links.map(sample));
      const out = links.map((link, i) => ({
        bps: Math.round(((after[i]!.bytes - before[i]!.bytes) * 8 * 1000) / (after[i]!.at - before[i]!.at)),
        capBps: link.videoSenders[0]?.getParameters().encodings?.[0]?.maxBitrate ?? null,
        frameWidth: after[i]!.frameWidth,
        fps: after[i]!.fps,
        limitation: after[i]!.limitation,
      }));
      return { totalBps: out.reduce((s, l) => s + l.bps, 0), links: out };
    }, windowMs);
  }

  /** What this page's link calls have cost so far (`parleyLinkUsage`, counted by the backend). */
  linkUsage(): Promise<{ reads: number; mailboxWrites: number; heartbeats: number }> {
    return this.page.evaluate(() => ({
      ...((globalThis as { parleyLinkUsage?: { reads: number; mailboxWrites: number; heartbeats: number } }).parleyLinkUsage ?? {
        reads: 0,
        mailboxWrites: 0,
        heartbeats: 0,
      }),
    }));
  }

  peerTiles(): Promise<number> {
    return this.page.evaluate(
      () =>
        document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-call')?.shadowRoot?.querySelectorAll('.tile.peer')
          .length ?? 0,
    );
  }

  /** Closes the tab as a person would (see closeLikeATab). */
  close(): Promise<void> {
    return closeLikeATab(this.page);
  }
}
