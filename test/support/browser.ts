/**
 * Real Chromium and Firefox for end-to-end tests and the benchmark, driven by
 * puppeteer-core (no browser download: CHROME_PATH or Debian's chromium,
 * FIREFOX_PATH or Debian's firefox-esr).
 */
import puppeteer, { type Browser, type BrowserContext, type ElementHandle, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.js';
import { HOSTING_URL } from './emulator.js';
import { FIREFOX_PREFS, firefoxPath } from './firefox.js';

/**
 * Chromium's fake camera at 10 frames a second instead of its 20 (measured
 * with the page's constraints, 640x480). A call of five is 20 encoders and
 * 20 decoders; at half the frames its test in link-call.e2e took 279 and
 * ~250 s against 405 s (the same hour). A real camera in dim light sends as
 * few. Part of PageDiet.smallCamera.
 */
export const FAKE_CAMERA_10_FPS = '--use-fake-device-for-media-stream=fps=10';

/**
 * What a test's pages leave out when it is not what the test is about, so
 * that the 2 cores of this machine go to what it tests. Nothing here changes
 * the page's code: the browser is given less to do.
 */
export interface PageDiet {
  /**
   * The camera at 320x240 (the page asks for 640x480: getUserMedia's video
   * constraints narrowed before they reach the browser) and, in Chromium,
   * 10 frames a second (FAKE_CAMERA_10_FPS): a quarter of the pixels of
   * each frame to encode and decode, on every link.
   */
  readonly smallCamera?: boolean;
  /**
   * false: the page's screening worker never loads, as when its script is
   * blocked, so the page sends its camera and shows what it receives
   * unscreened (features/screening-classifier.ts, the "cannot run" path).
   * A random chat page otherwise scores four frames a second, its camera's
   * and the stranger's, in its worker. Screening itself is tested with its
   * real model in the browser layer, and the worker under its CSP in
   * security-headers.e2e; stranger-chat.e2e keeps it, as a new user has it.
   */
  readonly screening?: boolean;
}

/**
 * The end-to-end tests' usual pages: they test who is paired, connected and
 * told what, not the picture. quality.e2e (the picture under a weak network),
 * the CSP tests and the bench (figures compared across releases) keep the
 * full page. Measured in one hour, runs alternating, CPU of the whole
 * machine for the file: stranger-chat.e2e without screening 144 and 148 s,
 * with it 190 and 209 s; in-call.e2e with this diet 233 and 260 s (its
 * tests 111 and 123 s), without it 309 and 375 s (147 and 182 s).
 */
export const LEAN_PAGES: PageDiet = { smallCamera: true, screening: false };

/** The diet each browser's pages get (launchChromium, launchFirefox). */
const diets = new WeakMap<Browser, PageDiet>();

/**
 * `extraArgs`: flags for one test's browser (e.g. a stricter autoplay policy);
 * a flag already in CHROMIUM_ARGS is replaced (e.g. the fake device flag with
 * more devices). `diet`: what its pages leave out (PageDiet).
 */
export async function launchChromium(extraArgs: readonly string[] = [], diet: PageDiet = {}): Promise<Browser> {
  const flag = (a: string) => a.split('=')[0];
  const args = [
    ...(diet.smallCamera && !extraArgs.some((a) => flag(a) === flag(FAKE_CAMERA_10_FPS)) ? [FAKE_CAMERA_10_FPS] : []),
    ...extraArgs,
  ];
  const replaced = new Set(args.map(flag));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS.filter((a) => !replaced.has(flag(a))), ...args],
    // Above the longest in-page wait of a test (90 s): a wait that runs out
    // says what it waited for, rather than "Runtime.callFunctionOn timed out".
    protocolTimeout: 180_000,
  });
  diets.set(browser, diet);
  return browser;
}

/**
 * Firefox over WebDriver BiDi, in a fresh profile (puppeteer makes a
 * temporary one per launch and removes it on close). ParleyTab works the
 * same in it: BiDi supports the deep selectors, browser contexts (one per
 * person) and the in-page evaluations the page object uses.
 */
export async function launchFirefox(diet: PageDiet = {}): Promise<Browser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    extraPrefsFirefox: { ...FIREFOX_PREFS },
    // Above the longest in-page wait of a test (90 s): a wait that runs out
    // says what it waited for, rather than "Runtime.callFunctionOn timed out".
    protocolTimeout: 180_000,
  });
  diets.set(browser, diet);
  return browser;
}

/**
 * A new tab of a person who already confirmed on this device that they are
 * 18 or older (web/src/settings.ts, ADULT_STORAGE_KEY), so that Start
 * starts; set before the site's first script runs. The confirmation itself
 * is tested in the browser layer (test/web/elements/parley-age-dialog.test.ts).
 */
export async function adultPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const diet = diets.get(context.browser()) ?? {};
  await page.evaluateOnNewDocument(
    (smallCamera: boolean, unscreened: boolean) => {
      try {
        localStorage.setItem('parley.adult', '1');
      } catch {
        // about:blank and other opaque origins have no storage
      }
      const devices = navigator.mediaDevices as MediaDevices | undefined;
      if (smallCamera && devices?.getUserMedia) {
        const ask = devices.getUserMedia.bind(devices);
        devices.getUserMedia = (constraints?: MediaStreamConstraints) =>
          ask(
            constraints?.video
              ? {
                  ...constraints,
                  video: {
                    ...(typeof constraints.video === 'object' ? constraints.video : {}),
                    width: { ideal: 320 },
                    height: { ideal: 240 },
                  },
                }
              : constraints,
          );
      }
      if (unscreened) {
        // The screening worker's script fails to load (a 404), as a blocked one would.
        const Native = Worker;
        (globalThis as { Worker: typeof Worker }).Worker = class extends Native {
          constructor(url: string | URL, options?: WorkerOptions) {
            super(options?.name === 'screening' ? '/no-screening-worker.js' : url, options);
          }
        };
      }
    },
    diet.smallCamera === true,
    diet.screening === false,
  );
  return page;
}

/** A page of the built site at `path`, in a browser context of its own (separate storage, like separate browsers). */
async function openPersonPage(browser: Browser, path: string, prepare?: (page: Page) => Promise<unknown>): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await adultPage(context);
  await prepare?.(page);
  page.on('pageerror', (err) => console.error('[page error]', err));
  // The session reports what went wrong with console.warn (a rejected answer,
  // a failed offer); show it, so a failing run says why.
  page.on('console', (msg) => {
    if (msg.type() === 'warn' || msg.type() === 'error') console.error(`[page ${msg.type()}]`, msg.text());
  });
  await page.goto(HOSTING_URL + path, { waitUntil: 'load', timeout: 90_000 });
  return page;
}

/**
 * How long the browser context of a closed tab lives on. A real browser lets
 * a page's keepalive request finish after the tab is gone, however long the
 * server takes; closing the context aborts it. The context went 3 s after the
 * tab once, and a clean-clone CI run lost a stranger's tab-close leave that
 * way: the emulator, behind a backlog, had not started the function yet.
 */
const CLOSED_TAB_CONTEXT_MS = 90_000;

/**
 * Closes a person's tab as a person would. Leaving the page first fires
 * pagehide every time (page.close() alone did not always, under the load of
 * five calling pages). The browser context (a stand-in for the rest of the
 * browser) goes later, in the background (CLOSED_TAB_CONTEXT_MS), or with
 * the browser, whichever comes first.
 */
async function closeLikeATab(page: Page): Promise<void> {
  const context = page.browserContext();
  const leaving = Date.now();
  const left = await page.goto('about:blank').then(
    () => 'left',
    (err: Error) => `failed to leave (${err.message})`,
  );
  // Slow or failed: the page's pagehide (its leave and its byes) may not have run.
  if (left !== 'left' || Date.now() - leaving > 2_000) console.log(`# closing a tab: ${left} in ${Date.now() - leaving} ms`);
  await page.close({ runBeforeUnload: true });
  setTimeout(() => void context.close().catch(() => undefined), CLOSED_TAB_CONTEXT_MS).unref();
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
 * just them), with Parley open and `room` chosen; `extraArgs` and `diet` as in launchChromium.
 */
export async function openInOwnBrowser(
  room: string,
  extraArgs: readonly string[] = [],
  diet: PageDiet = {},
): Promise<{ tab: ParleyTab; browser: Browser }> {
  const browser = await launchChromium(extraArgs, diet);
  const tab = await ParleyTab.open(browser);
  await tab.chooseRoom(room);
  return { tab, browser };
}

/**
 * Selectors that reach through the elements' shadow roots (puppeteer's deep
 * combinator `>>>`), so the page object does not depend on how the page is
 * split into elements: the random chat page and a call page each have one
 * `#status`, and the shell shows one page at a time.
 */
const IN_PAGE = 'parley-app >>>';
const STATUS = `${IN_PAGE} #status`;

/** The buttons a person presses, on the random chat page and on a call page. */
export type Button =
  | 'start'
  | 'next'
  | 'stop'
  | 'report'
  | 'block'
  | 'confirm-report'
  | 'confirm-block'
  | 'join'
  | 'leave'
  | 'copy'
  | 'retry'
  | 'mic'
  | 'camera'
  | 'chat-toggle'
  | 'safety-toggle'
  | 'devices-toggle'
  | 'screen-toggle';

/** One person: a tab with Parley open, on random chat or a call by link. */
export class ParleyTab {
  private constructor(readonly page: Page) {}

  /** `prepare` runs before the page loads (e.g. page.evaluateOnNewDocument to instrument it). */
  static async open(browser: Browser, path = '/', prepare?: (page: Page) => Promise<unknown>): Promise<ParleyTab> {
    const page = await openPersonPage(browser, path, prepare);
    // Polled, not waitForSelector: its mutation observer watches the light
    // DOM only, and missed #status rendered into the shadow roots when no
    // light-DOM change came after it (the page then looked blank for the
    // whole wait). Long: a page opened beside five others in a call (a sixth
    // person) has been seen to take over 30 s to render on a two-core machine.
    await page.waitForFunction(
      () => {
        const find = (root: Document | ShadowRoot): Element | null =>
          root.querySelector('#status') ??
          [...root.querySelectorAll('*')].reduce<Element | null>(
            (hit, el) => hit ?? (el.shadowRoot ? find(el.shadowRoot) : null),
            null,
          );
        return find(document) !== null;
      },
      { timeout: 90_000, polling: 100 },
    );
    return new ParleyTab(page);
  }

  /** The element at a deep selector under the shell (see IN_PAGE), or throws. */
  private async element(selector: string): Promise<ElementHandle> {
    const handle = await this.page.$(`${IN_PAGE} ${selector}`);
    if (!handle) throw new Error(`${selector} is not on the page (status ${await this.status()})`);
    return handle;
  }

  async status(): Promise<string | null> {
    const el = await this.page.$(STATUS);
    return el ? el.evaluate((e) => e.getAttribute('data-status')) : null;
  }

  /**
   * Records every status the page shows from now on, in order (polled every
   * 50 ms in the page, so a state that lasts a moment is seen too). Returns
   * what was recorded so far, each time it is called.
   */
  async recordStatuses(): Promise<() => Promise<string[]>> {
    await this.page.evaluate(() => {
      const w = window as unknown as { statuses: string[] };
      w.statuses = [];
      const find = (root: Document | ShadowRoot): Element | null =>
        root.querySelector('#status') ??
        [...root.querySelectorAll('*')].reduce<Element | null>(
          (hit, el) => hit ?? (el.shadowRoot ? find(el.shadowRoot) : null),
          null,
        );
      setInterval(() => {
        const s = find(document)?.getAttribute('data-status') ?? '';
        if (w.statuses[w.statuses.length - 1] !== s) w.statuses.push(s);
      }, 50);
    });
    return () => this.page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
  }

  async statusText(): Promise<string> {
    const el = await this.page.$(STATUS);
    return el ? el.evaluate((e) => (e.textContent ?? '').trim()) : '';
  }

  async waitForStatus(status: string, timeoutMs = 30_000): Promise<void> {
    try {
      // Polled, not waitForSelector: its mutation observer does not see changes inside shadow roots.
      await this.page.waitForFunction(
        (wanted) => {
          const find = (root: Document | ShadowRoot): Element | null =>
            root.querySelector('#status') ??
            [...root.querySelectorAll('*')].reduce<Element | null>(
              (hit, el) => hit ?? (el.shadowRoot ? find(el.shadowRoot) : null),
              null,
            );
          return find(document)?.getAttribute('data-status') === wanted;
        },
        { timeout: timeoutMs, polling: 50 },
        status,
      );
    } catch (err) {
      throw new Error(
        `expected status ${status}, still ${await this.status()} (${await this.statusText()}) after ${timeoutMs} ms`,
        { cause: err },
      );
    }
  }

  async chooseRoom(room: string): Promise<void> {
    await (
      await this.element('#room')
    ).evaluate((select, r) => {
      (select as HTMLSelectElement).value = r;
      select.dispatchEvent(new Event('change'));
    }, room);
  }

  async press(button: Button): Promise<void> {
    const el = await this.page.$(`${IN_PAGE} #${button}`);
    const pressed = await el?.evaluate((b) => {
      if ((b as HTMLButtonElement).disabled) return false;
      (b as HTMLButtonElement).click();
      return true;
    });
    if (!pressed) throw new Error(`button ${button} is not available (status ${await this.status()})`);
    // Let Lit render what the click changed (e.g. a confirmation) before the next step.
    await this.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  }

  /** Waits for a decoded frame of the stranger's video; resolves with its size. */
  async remoteFrame(timeoutMs = 20_000): Promise<{ width: number; height: number }> {
    return (await this.element('#remote')).evaluate(
      (video, ms) =>
        new Promise<{ width: number; height: number }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no remote video frame')), ms);
          (video as HTMLVideoElement).requestVideoFrameCallback((_now, meta) => {
            clearTimeout(timer);
            resolve({ width: meta.width, height: meta.height });
          });
        }),
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

  /**
   * The call this tab is in: a call by link's from the address (once the
   * call exists), a random call's from the flow (null while not matched).
   */
  async callId(): Promise<string | null> {
    if (await this.page.evaluate(() => location.hash.startsWith('#/call/'))) {
      await this.page.waitForFunction(() => /^#\/call\/[A-Za-z0-9]{22}$/.test(location.hash), { timeout: 30_000 });
      return this.page.evaluate(() => location.hash.slice('#/call/'.length));
    }
    return (await this.element('parley-random')).evaluate((el) => (el as unknown as RandomPage).flow.callId);
  }

  /**
   * What the random chat page's flow is doing, through its public seams (its
   * state, its call and each link's signaling and ICE state): for a run that
   * failed (e.g. paired but no media), to say which side stalled where.
   */
  async diagnosis(): Promise<object> {
    const page = (await this.page.$(`${IN_PAGE} parley-random`)) ?? (await this.page.$(`${IN_PAGE} parley-call`));
    const flow = page
      ? await page.evaluate(async (el) => {
          const f = (el as unknown as RandomPage).flow;
          const call = f.call ?? (el as unknown as CallPage).flow.engine;
          const quality = (f as unknown as { inCall?: { quality?: { of(id: string): unknown } } | null }).inCall?.quality;
          // What the video did: a stall reads differently when nothing was
          // sent (paused, encoder limited) than when nothing was decoded.
          const video = async (id: string) => {
            const link = call?.link(id);
            if (!link) return null;
            const out: Record<string, unknown> = {};
            // Bounded, as in framesDecoded: a diagnosis must not hang the test.
            const stats = await Promise.race([
              link.getStats(),
              new Promise<never>((_, reject) => setTimeout(() => reject(new Error('getStats() did not answer')), 5_000)),
            ]);
            stats.forEach((s: Record<string, unknown>) => {
              if (s['type'] !== 'transport' && s['type'] !== 'candidate-pair' && s['kind'] !== 'video') return;
              if (s['type'] === 'inbound-rtp')
                out['in'] = {
                  packets: s['packetsReceived'],
                  frames: s['framesDecoded'],
                  keyFrames: s['keyFramesDecoded'],
                  pli: s['pliCount'],
                };
              if (s['type'] === 'transport')
                out['transport'] = { in: s['bytesReceived'], out: s['bytesSent'], dtls: s['dtlsState'], ice: s['iceState'] };
              if (s['type'] === 'candidate-pair' && (s['nominated'] || s['selected']))
                (out['pairs'] = (out['pairs'] as unknown[] | undefined) ?? []).push({
                  state: s['state'],
                  selected: s['selected'] ?? null,
                  in: s['bytesReceived'],
                  out: s['bytesSent'],
                });
              if (s['type'] === 'outbound-rtp')
                out['out'] = {
                  active: s['active'],
                  frames: s['framesEncoded'],
                  limitation: s['qualityLimitationReason'],
                  pli: s['pliCount'],
                };
            });
            return out;
          };
          return {
            status: f.state.status,
            callId: f.callId ?? null,
            entries: (call as unknown as { diagnostics?: object[] } | null)?.diagnostics ?? null,
            // After the call ended ("Stranger left"), the last call's events, as the flow kept them.
            history:
              (call as unknown as { history?: readonly string[] } | null)?.history ??
              (f as unknown as { lastCallHistory?: readonly string[] | null }).lastCallHistory ??
              null,
            links: call
              ? await Promise.all(
                  call.peers.map(async (p) => {
                    const link = call.link(p.id);
                    return {
                      peer: p.id,
                      state: p.state,
                      problem: p.problem,
                      signalingState: link?.signalingState ?? null,
                      connectionState: link?.connectionState ?? null,
                      history: link?.history ?? null,
                      heldCandidates: link?.heldCandidateCount ?? null,
                      quality: quality?.of(p.id) ?? null,
                      video: await video(p.id).catch(() => null),
                    };
                  }),
                )
              : null,
          };
        })
      : null;
    const marks = await this.page.evaluate(() =>
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('parley:'))
        .map((m) => `${m.name.slice('parley:'.length)}@${Math.round(performance.timeOrigin + m.startTime)}`),
    );
    return { flow, marks };
  }

  /**
   * Waits until the grid shows `peers` other members, each connected, and a
   * decoded frame from each of their videos; returns the number of tiles whose
   * video decoded a frame.
   */
  async decodesFromAll(peers: number, timeoutMs = 60_000): Promise<number> {
    // A grid can change between the wait for its tiles and the count of their
    // frames: right after another page's freeze, this page's liveness check
    // drops that member's tile, then the link is rebuilt (a CI run counted 3
    // of 4 that way). Such a count is looked at again, until the time is up.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const decoded = await this.decodesFromAllOnce(peers, Math.max(1, deadline - Date.now()));
      if (decoded === peers || Date.now() >= deadline) return decoded;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private async decodesFromAllOnce(peers: number, timeoutMs: number): Promise<number> {
    const grid = await this.element('parley-call');
    await this.page.waitForFunction(
      (el, n) => {
        const tiles = [...(el.shadowRoot?.querySelectorAll('.tile.peer') ?? [])];
        return tiles.length === n && tiles.every((t) => t.getAttribute('data-state') === 'connected');
      },
      { timeout: timeoutMs, polling: 100 },
      grid,
      peers,
    );
    return grid.evaluate(
      (el, ms) =>
        new Promise<number>((resolve, reject) => {
          const videos = [...el.shadowRoot!.querySelectorAll<HTMLVideoElement>('.tile.peer video')];
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

  /**
   * Restarts ICE on every link of the call this page is in (random or by
   * link), through the flow's public seam: what the reconnect policy does
   * when the path drops, on demand.
   */
  async restartIce(): Promise<void> {
    const restarted = await (
      await this.flowHost()
    ).evaluate((el) => {
      const flow = (el as unknown as { flow: { call?: { restartIce(): void } | null; engine?: { restartIce(): void } | null } })
        .flow;
      const call = flow.call ?? flow.engine ?? null;
      call?.restartIce();
      return call !== null;
    });
    if (!restarted) throw new Error(`not in a call (status ${await this.status()})`);
  }

  /** Each link's signaling and connection state (the call this page is in, random or by link). */
  async links(): Promise<Array<{ signalingState: string; connectionState: string }>> {
    return (await this.flowHost()).evaluate((el) => {
      const flow = (el as unknown as { flow: { call?: Engine | null; engine?: Engine | null } }).flow;
      const call = flow.call ?? flow.engine ?? null;
      return (call?.peers ?? []).flatMap((p) => {
        const link = call!.link(p.id);
        return link ? [{ signalingState: link.signalingState, connectionState: link.connectionState }] : [];
      });
    });
  }

  /** The element whose `flow` runs the call shown: a call page's, else random chat's. */
  private async flowHost(): Promise<ElementHandle> {
    return (await this.page.$(`${IN_PAGE} parley-call`)) ?? this.element('parley-random');
  }

  /**
   * The creator of a call by link turns screening of incoming video off (or
   * on) for everyone, as a person does: "Camera and microphone", then the
   * box; resolves once this page's call follows the stored setting.
   */
  async screenIncoming(on: boolean): Promise<void> {
    const call = await this.element('parley-call');
    await call.evaluate(async (el, on) => {
      const root = el.shadowRoot!;
      const box = () => root.querySelector<HTMLInputElement>('#screen-incoming');
      if (!box()) root.querySelector<HTMLButtonElement>('#devices-toggle')?.click();
      const deadline = Date.now() + 10_000;
      while (!box() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const b = box();
      if (!b || b.disabled) throw new Error(`the screening box is ${b ? 'greyed' : 'not shown'}`);
      if (b.checked !== on) b.click();
    }, on);
    await this.page.waitForFunction(
      (el, on) =>
        ((el as unknown as CallPage).flow.inCall?.incoming != null) === on &&
        !el.shadowRoot!.querySelector('#screening-off') === on,
      { timeout: 30_000 },
      call,
      on,
    );
  }

  /** Whether this call page screens the video it receives (null outside a call). */
  async screensIncoming(): Promise<boolean | null> {
    return (await this.element('parley-call')).evaluate((el) => {
      const inCall = (el as unknown as CallPage).flow.inCall;
      return inCall ? inCall.incoming !== null : null;
    });
  }

  /** Asks the backend again how many are in the call (what the Try again button does). */
  async refresh(): Promise<void> {
    await (await this.element('parley-call')).evaluate((el) => (el as unknown as CallPage).flow.refresh());
  }

  /** Waits until the page shows its own camera (the lobby's preview): Join then needs no getUserMedia. */
  async waitForPreview(timeoutMs = 30_000): Promise<void> {
    await this.page.waitForFunction(
      (el) => (el as unknown as CallPage).flow.localStream != null,
      { timeout: timeoutMs, polling: 50 },
      await this.element('parley-call'),
    );
  }

  /**
   * Presses Join and measures, in the page, the milliseconds from the click to
   * a decoded frame (requestVideoFrameCallback) from `peers` different members'
   * tiles.
   */
  async joinUntilFaces(peers: number, timeoutMs = 60_000): Promise<number> {
    return (await this.element('parley-call')).evaluate(
      (el, n, ms) =>
        new Promise<number>((resolve, reject) => {
          const root = el.shadowRoot!;
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
   * This page's outgoing video over `windowMs`: the sum over its call's links
   * of the outbound-rtp (video) bytesSent deltas, in bits per second, with
   * each link's rate and the cap (maxBitrate) its sender carries.
   */
  async outboundVideo(windowMs: number): Promise<{
    totalBps: number;
    links: Array<{
      bps: number;
      capBps: number | null;
      frameWidth: number | null;
      fps: number | null;
      limitation: string | null;
    }>;
  }> {
    const el = (await this.page.$(`${IN_PAGE} parley-call`)) ?? (await this.element('parley-random'));
    return el.evaluate(async (page, ms) => {
      const flow = (page as unknown as { flow: { engine?: Engine | null; call?: Engine | null } }).flow;
      const engine = flow.engine ?? flow.call ?? null;
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

  /**
   * RTP packets of `kind` this page has received (inbound) or sent
   * (outbound) so far, summed over its call's links (getStats), on either
   * page kind.
   */
  async rtpPackets(kind: 'audio' | 'video', direction: 'inbound' | 'outbound'): Promise<number> {
    const el = (await this.page.$(`${IN_PAGE} parley-call`)) ?? (await this.element('parley-random'));
    return el.evaluate(
      async (page, k, d) => {
        const flow = (page as unknown as { flow: { engine?: Engine | null; call?: Engine | null } }).flow;
        const engine = flow.engine ?? flow.call ?? null;
        if (!engine) return 0;
        let packets = 0;
        for (const p of engine.peers) {
          (await engine.link(p.id)?.getStats())?.forEach(
            (s: { type: string; kind?: string; packetsReceived?: number; packetsSent?: number }) => {
              if (s.type === `${d}-rtp` && s.kind === k) packets += (d === 'inbound' ? s.packetsReceived : s.packetsSent) ?? 0;
            },
          );
        }
        return packets;
      },
      kind,
      direction,
    );
  }

  /**
   * Waits until this page's `kind` packets (received or sent) keep flowing,
   * or have stopped: two samples a second apart, the same or not.
   */
  async waitForPackets(
    kind: 'audio' | 'video',
    direction: 'inbound' | 'outbound',
    flowing: boolean,
    timeoutMs = 20_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const before = await this.rtpPackets(kind, direction);
      await new Promise((r) => setTimeout(r, 1_000));
      if ((await this.rtpPackets(kind, direction)) > before === flowing) return;
    }
    throw new Error(`${direction} ${kind} packets ${flowing ? 'never flowed' : 'never stopped'} within ${timeoutMs} ms`);
  }

  /**
   * The getStats() report of this page's link to its first other member, as
   * plain objects (what features/link-stats.ts reduces), keeping only the
   * types `keep` names (all when empty).
   */
  async linkStats(keep: readonly string[] = []): Promise<Array<Record<string, unknown>>> {
    return (await this.flowHost()).evaluate(async (el, types) => {
      const flow = (el as unknown as { flow: { call?: Engine | null; engine?: Engine | null } }).flow;
      const call = flow.call ?? flow.engine ?? null;
      const peer = call?.peers[0];
      const link = peer ? call.link(peer.id) : null;
      if (!link) throw new Error('no link');
      const out: Array<Record<string, unknown>> = [];
      (await link.getStats()).forEach((s: Record<string, unknown>) => {
        if (types.length === 0 || types.includes(s['type'] as string)) out.push({ ...s });
      });
      return out;
    }, keep);
  }

  /** The UDP port of this page's end of its first link's selected candidate pair (what shaping.ts shapes). */
  async linkPort(): Promise<number> {
    const stats = await this.linkStats(['transport', 'candidate-pair', 'local-candidate']);
    const transport = stats.find((s) => s['type'] === 'transport' && s['selectedCandidatePairId']);
    const pair = stats.find((s) => s['id'] === transport?.['selectedCandidatePairId']);
    const local = stats.find((s) => s['id'] === pair?.['localCandidateId']);
    const port = local?.['port'];
    if (typeof port !== 'number') throw new Error('no selected candidate pair');
    return port;
  }

  /** The camera encoding of the random call's link as the page set it (bitrate-policy.ts): cap, scale, frame rate. */
  async videoEncoding(): Promise<{ maxBitrate: number | null; scale: number | null; fps: number | null }> {
    return (await this.element('parley-random')).evaluate((el) => {
      const call = (el as unknown as RandomPage).flow.call;
      const link = call && call.peers[0] ? call.link(call.peers[0].id) : null;
      const e = link?.videoSenders[0]?.getParameters().encodings[0];
      return { maxBitrate: e?.maxBitrate ?? null, scale: e?.scaleResolutionDownBy ?? null, fps: e?.maxFramerate ?? null };
    });
  }

  /** The safety codes shown (press 'safety-toggle' first), once each is worked out: one per other member. */
  async safetyCodes(members: number, timeoutMs = 20_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let codes: string[] = [];
    while (Date.now() < deadline) {
      const section = await this.page.$(`${IN_PAGE} #safety`);
      codes = section
        ? await section.evaluate((s) => [...s.querySelectorAll('code')].map((c) => c.textContent?.trim() ?? ''))
        : [];
      if (codes.length === members && codes.every((c) => /^[0-9A-Z]{4}( [0-9A-Z]{4}){3}$/.test(c))) return codes;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`safety codes shown: ${JSON.stringify(codes)}`);
  }

  /**
   * Picks the device labelled `label` in the device pickers (press
   * 'devices-toggle' first), as a person would, once the picker lists it.
   */
  async chooseDevice(kind: 'videoinput' | 'audioinput', label: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const select = await this.page.$(`${IN_PAGE} #${kind}`);
      const chosen = await select?.evaluate((s, l) => {
        const el = s as HTMLSelectElement;
        const option = [...el.options].find((o) => o.textContent?.trim() === l);
        if (!option) return false;
        el.value = option.value;
        el.dispatchEvent(new Event('change'));
        return true;
      }, label);
      if (chosen) return;
      if (Date.now() > deadline) throw new Error(`no ${kind} labelled ${label} in the pickers`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits for a decoded frame of the screen shown large (a call by link); resolves with its size. */
  async screenFrame(timeoutMs = 30_000): Promise<{ width: number; height: number }> {
    await this.waitForShown('#screen video', true, timeoutMs);
    return (await this.element('#screen video')).evaluate(
      (video, ms) =>
        new Promise<{ width: number; height: number }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no screen frame')), ms);
          (video as HTMLVideoElement).requestVideoFrameCallback((_now, meta) => {
            clearTimeout(timer);
            resolve({ width: meta.width, height: meta.height });
          });
        }),
      timeoutMs,
    );
  }

  /** The size of the screen this page shares, as captured (null when not sharing). */
  async ownScreenSize(): Promise<{ width: number; height: number } | null> {
    return (await this.element('parley-call')).evaluate((page) => {
      const screen = (page as unknown as { flow: { inCall: { screen: { ownScreen: MediaStream | null } | null } | null } }).flow
        .inCall?.screen?.ownScreen;
      const settings = screen?.getVideoTracks()[0]?.getSettings();
      return settings?.width && settings.height ? { width: settings.width, height: settings.height } : null;
    });
  }

  /**
   * What the browser's own "Stop sharing" bar does to the page (headless
   * Chromium has no bar to click): the screen track ends by itself.
   */
  async stopSharingFromBrowser(): Promise<void> {
    await (
      await this.element('parley-call')
    ).evaluate((page) => {
      const screen = (page as unknown as { flow: { inCall: { screen: { ownScreen: MediaStream | null } | null } | null } }).flow
        .inCall?.screen?.ownScreen;
      const track = screen?.getVideoTracks()[0];
      if (!track) throw new Error('not sharing');
      track.dispatchEvent(new Event('ended'));
    });
  }

  /** The label of this page's own camera or microphone track now. */
  async ownTrackLabel(kind: 'audio' | 'video'): Promise<string | null> {
    const el = (await this.page.$(`${IN_PAGE} parley-call`)) ?? (await this.element('parley-random'));
    return el.evaluate(
      (page, k) =>
        (page as unknown as { flow: { localStream: MediaStream | null } }).flow.localStream?.getTracks().find((t) => t.kind === k)
          ?.label ?? null,
      kind,
    );
  }

  /** Whether an element matching `selector` is shown (anywhere under the shell). */
  async shows(selector: string): Promise<boolean> {
    return (await this.page.$(`${IN_PAGE} ${selector}`)) !== null;
  }

  /** Waits until an element matching `selector` is shown (or, `present` false, gone). */
  async waitForShown(selector: string, present = true, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.shows(selector)) !== present) {
      if (Date.now() > deadline) throw new Error(`${selector} ${present ? 'never shown' : 'still shown'} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Frames decoded so far from the stranger's video (inbound-rtp
   * framesDecoded of the random call's link), counted on across the links
   * this page had: a rebuilt link's counter starts from 0, and a caller
   * waiting for the count to grow past an earlier reading would otherwise
   * wait for as many frames again as the old link had decoded (a minute's
   * worth after a long call) while the video plays.
   */
  async framesDecoded(): Promise<number> {
    return (await this.element('parley-random')).evaluate(async (el) => {
      const call = (el as unknown as RandomPage).flow.call;
      const link = call && call.peers[0] ? call.link(call.peers[0].id) : null;
      // Test-only memory on the page: the link last read, and the frames of the links before it.
      const memory = window as unknown as { parleyFrames?: { link: object | null; before: number; last: number } };
      const seen = (memory.parleyFrames ??= { link: null, before: 0, last: 0 });
      if (!link) return seen.before + seen.last;
      // Bounded: an evaluation that never settles holds the test for the
      // whole protocol timeout (180 s in Firefox) and then says nothing of
      // what it waited for.
      const stats = await Promise.race([
        link.getStats(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('getStats() did not answer within 10 s')), 10_000)),
      ]);
      let frames = 0;
      stats.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
      });
      if (seen.link !== link) {
        seen.before += seen.last;
        seen.link = link;
      }
      seen.last = frames;
      return seen.before + frames;
    });
  }

  /** How many times the page set the performance mark `name` (random chat's `Mark`). */
  marks(name: string): Promise<number> {
    return this.page.evaluate((n) => performance.getEntriesByName(n, 'mark').length, name);
  }

  /** Reads this page's calls made, by what they were for (`parleyUsage.named`, e.g. `call (listener)`). */
  async readsOf(what: string): Promise<number> {
    return this.page.evaluate(
      (w) => (globalThis as { parleyUsage?: { named: Record<string, { reads: number }> } }).parleyUsage?.named[w]?.reads ?? 0,
      what,
    );
  }

  /** What this page's calls have cost in Firestore so far (`parleyUsage`, counted by the backend). */
  usage(): Promise<{ reads: number; writes: number; heartbeats: number }> {
    return this.page.evaluate(() => ({
      ...((globalThis as { parleyUsage?: { reads: number; writes: number; heartbeats: number } }).parleyUsage ?? {
        reads: 0,
        writes: 0,
        heartbeats: 0,
      }),
    }));
  }

  /**
   * Freezes the page's JavaScript, as a busy CPU or a phone switching apps
   * does: timers, listeners, heartbeats and Firestore callbacks stop (the
   * DevTools debugger holds the main thread), while the browser's network
   * and media threads go on. Returns the function that lets it run again.
   * Call nothing else on this tab while it is frozen: it would wait for it.
   */
  async freeze(): Promise<() => Promise<void>> {
    const cdp = await this.page.createCDPSession();
    await cdp.send('Debugger.enable');
    const paused = new Promise<void>((resolve) => cdp.once('Debugger.paused', () => resolve()));
    await cdp.send('Debugger.pause');
    // The page pauses at its next statement: its timers run every 250 ms.
    await paused;
    return async () => {
      await cdp.send('Debugger.resume');
      await cdp.send('Debugger.disable');
      await cdp.detach();
    };
  }

  async peerTiles(): Promise<number> {
    const grid = await this.page.$(`${IN_PAGE} parley-call`);
    return grid ? grid.evaluate((el) => el.shadowRoot?.querySelectorAll('.tile.peer').length ?? 0) : 0;
  }

  /** Each peer tile's state on a call page (connecting, connected, interrupted, …), in grid order. */
  async tileStates(): Promise<string[]> {
    const grid = await this.page.$(`${IN_PAGE} parley-call`);
    if (!grid) return [];
    return grid.evaluate((el) =>
      [...(el.shadowRoot?.querySelectorAll('.tile.peer') ?? [])].map((t) => t.getAttribute('data-state') ?? ''),
    );
  }

  /** Whether Hide my IP shows as on, on the page shown now. */
  async hideMyIp(): Promise<boolean> {
    return (await this.element('#hide-ip')).evaluate((box) => (box as HTMLInputElement).checked);
  }

  /** What the call view says of the call's route over the stranger's video ("Direct" or "Relayed"), once the first statistics arrive. */
  async route(timeoutMs = 20_000): Promise<string> {
    await this.waitForShown('#route', true, timeoutMs);
    return (await this.element('#route')).evaluate((el) => el.textContent?.trim() ?? '');
  }

  /** Clicks Hide my IP, as a person would. */
  async clickHideMyIp(): Promise<void> {
    await (await this.element('#hide-ip')).evaluate((box) => (box as HTMLInputElement).click());
  }

  /** The problem box under the status, if one shows: its text and its two links. */
  async problem(): Promise<{ text: string; check: string | null; help: string | null }> {
    const box = await this.page.$(`${IN_PAGE} .problem`);
    if (!box) return { text: '', check: null, help: null };
    return box.evaluate((el) => ({
      text: el.textContent?.replace(/\s+/g, ' ').trim() ?? '',
      check: el.querySelector('a.check-link')?.getAttribute('href') ?? null,
      help: el.querySelector('a.help-link')?.getAttribute('href') ?? null,
    }));
  }

  /** Types `text` into the chat box and presses Enter, with the keyboard, as a person would. */
  async sendChat(text: string): Promise<void> {
    const input = await this.element('#chat-input');
    await input.type(text);
    await input.press('Enter');
  }

  /** The chat as shown: "author: text" per message, oldest first. */
  async chatLines(): Promise<string[]> {
    const log = await this.page.$(`${IN_PAGE} #chat-log`);
    if (!log) return [];
    return log.evaluate((ol) =>
      [...ol.querySelectorAll('.msg')].map(
        (m) => `${m.querySelector('.who')?.textContent?.trim()}: ${m.querySelector('.text')?.textContent ?? ''}`,
      ),
    );
  }

  /** What the chat says about one's own messages that are not delivered yet ("Sending…", "Not delivered"). */
  async chatDeliveries(): Promise<string[]> {
    const log = await this.page.$(`${IN_PAGE} #chat-log`);
    return log
      ? log.evaluate((ol) => [...ol.querySelectorAll('.msg.you .state')].map((s) => s.getAttribute('data-delivery') ?? ''))
      : [];
  }

  /** Waits until the chat shows exactly `lines`. */
  async waitForChat(lines: readonly string[], timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let shown: string[] = [];
    while (Date.now() < deadline) {
      shown = await this.chatLines();
      if (JSON.stringify(shown) === JSON.stringify(lines)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the chat shows ${JSON.stringify(shown)}, not ${JSON.stringify(lines)}`);
  }

  /** Closes the tab as a person would (see closeLikeATab). */
  close(): Promise<void> {
    return closeLikeATab(this.page);
  }
}

/** The shapes the page object reads from the elements' public seams (`flow`), as plain data types. */
interface Link {
  getStats(): Promise<RTCStatsReport>;
  videoSenders: RTCRtpSender[];
  signalingState: string;
  connectionState: string;
  heldCandidateCount: number;
  history: readonly string[];
}
interface Engine {
  peers: Array<{ id: string; state: string; problem: string | null }>;
  link(id: string): Link | null;
}
interface RandomPage {
  flow: { state: { status: string }; callId: string | null; call: Engine | null };
}
interface CallPage {
  flow: {
    state: { status: string };
    refresh(): Promise<void>;
    localStream: MediaStream | null;
    engine: Engine | null;
    inCall: { incoming: object | null } | null;
  };
}
