/**
 * Real Chromium for end-to-end tests and the benchmark, driven by
 * puppeteer-core (no browser download: CHROME_PATH or Debian's chromium).
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
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

/** One person: a tab with Parley open. */
export class ParleyTab {
  private constructor(readonly page: Page) {}

  /** `prepare` runs before the page loads (e.g. page.evaluateOnNewDocument to instrument it). */
  static async open(browser: Browser, path = '/', prepare?: (page: Page) => Promise<unknown>): Promise<ParleyTab> {
    // A separate browser context per person: separate storage, like separate browsers.
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
    await page.waitForFunction(() => customElements.get('parley-app') !== undefined);
    return new ParleyTab(page);
  }

  status(): Promise<string | null> {
    return this.page.evaluate(
      () => document.querySelector('parley-app')?.shadowRoot?.querySelector('#status')?.getAttribute('data-status') ?? null,
    );
  }

  statusText(): Promise<string> {
    return this.page.evaluate(
      () => document.querySelector('parley-app')?.shadowRoot?.querySelector('#status')?.textContent ?? '',
    );
  }

  async waitForStatus(status: string, timeoutMs = 30_000): Promise<void> {
    try {
      await this.page.waitForFunction(
        (s) => document.querySelector('parley-app')?.shadowRoot?.querySelector('#status')?.getAttribute('data-status') === s,
        { timeout: timeoutMs, polling: 50 },
        status,
      );
    } catch (err) {
      throw new Error(`expected status ${status}, still ${await this.status()} (${await this.statusText()}) after ${timeoutMs} ms`, {
        cause: err,
      });
    }
  }

  async chooseRoom(room: string): Promise<void> {
    await this.page.evaluate((r) => {
      const select = document.querySelector('parley-app')!.shadowRoot!.querySelector('#room') as HTMLSelectElement;
      select.value = r;
      select.dispatchEvent(new Event('change'));
    }, room);
  }

  async press(button: 'start' | 'next' | 'stop' | 'report' | 'block' | 'confirm-report' | 'confirm-block'): Promise<void> {
    await this.page.evaluate((id) => {
      const el = document.querySelector('parley-app')!.shadowRoot!.querySelector(`#${id}`) as HTMLButtonElement | null;
      if (!el || el.disabled) throw new Error(`button ${id} is not available`);
      el.click();
    }, button);
    // Let Lit render what the click changed (e.g. a confirmation) before the next step.
    await this.page.evaluate(() => (document.querySelector('parley-app') as unknown as { updateComplete: Promise<unknown> }).updateComplete);
  }

  /** Waits for a decoded frame of the stranger's video; resolves with its size. */
  remoteFrame(timeoutMs = 20_000): Promise<{ width: number; height: number }> {
    return this.page.evaluate(
      (ms) =>
        new Promise<{ width: number; height: number }>((resolve, reject) => {
          const video = document.querySelector('parley-app')!.shadowRoot!.querySelector('#remote') as HTMLVideoElement;
          const timer = setTimeout(() => reject(new Error('no remote video frame')), ms);
          video.requestVideoFrameCallback((_now, meta) => {
            clearTimeout(timer);
            resolve({ width: meta.width, height: meta.height });
          });
        }),
      timeoutMs,
    );
  }

  /** The current call's id, from the session (diagnostics). */
  callId(): Promise<string | null> {
    return this.page.evaluate(() => {
      const app = document.querySelector('parley-app') as unknown as { session: { call: { callId: string } | null } } | null;
      return app?.session.call?.callId ?? null;
    });
  }

  async close(): Promise<void> {
    const context = this.page.browserContext();
    await this.page.close({ runBeforeUnload: true });
    await context.close();
  }
}
