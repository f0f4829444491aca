/**
 * The site as served with its security headers: each header on the page and
 * on an asset, then two real Chromium tabs pairing and connecting under that
 * Content-Security-Policy without a single violation, and the connection
 * check running to its verdict without one in Chromium and in Firefox, and
 * the screening worker loading its model on the WASM backend under it. Also
 * the TTL check that a static reading cannot do: every collection a real
 * call leaves documents with `expireAt` in has a TTL policy
 * (test/deploy/ttl.deploy.test.ts).
 *
 * The emulators serve .firebase.local.json (scripts/parley.mjs): firebase.json
 * with the loopback emulator origins added to connect-src.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Firestore } from 'firebase-admin/firestore';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium, launchFirefox, ParleyTab } from '../support/browser.js';
import { adminDb, clearFirestore, eventually, HOSTING_URL, ROOT } from '../support/emulator.js';

interface HeaderRule {
  source: string;
  headers: { key: string; value: string }[];
}
function servedConfigHeaders(): Map<string, string> {
  const config = JSON.parse(readFileSync(join(ROOT, '.firebase.local.json'), 'utf8')) as { hosting: { headers: HeaderRule[] } };
  const all = config.hosting.headers.find((r) => r.source === '**')!;
  return new Map(all.headers.map((h) => [h.key.toLowerCase(), h.value]));
}
function productionCsp(): string {
  const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8')) as { hosting: { headers: HeaderRule[] } };
  return config.hosting.headers.find((r) => r.source === '**')!.headers.find((h) => h.key === 'Content-Security-Policy')!.value;
}

/** Collections (and subcollections) holding at least one document with `expireAt`. */
async function collectionsWithExpireAt(db: Firestore): Promise<Set<string>> {
  const found = new Set<string>();
  const visit = async (collections: Awaited<ReturnType<Firestore['listCollections']>>): Promise<void> => {
    for (const c of collections) {
      const docs = await c.listDocuments();
      for (const ref of docs) {
        const snap = await ref.get();
        if (snap.exists && snap.get('expireAt') !== undefined) found.add(c.id);
        await visit(await ref.listCollections());
      }
    }
  };
  await visit(await db.listCollections());
  return found;
}

function ttlCollections(): Set<string> {
  const indexes = JSON.parse(readFileSync(join(ROOT, 'firestore.indexes.json'), 'utf8')) as {
    fieldOverrides: { collectionGroup: string; fieldPath: string; ttl?: boolean }[];
  };
  return new Set(indexes.fieldOverrides.filter((o) => o.fieldPath === 'expireAt' && o.ttl).map((o) => o.collectionGroup));
}

/** Records CSP violations and console errors of a page, from its next load on. */
async function recordViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy|Refused to/i.test(msg.text())) seen.push(`console: ${msg.text()}`);
  });
  await page.exposeFunction('__parleyCspViolation', (text: string) => seen.push(text));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      void (window as unknown as { __parleyCspViolation(t: string): void }).__parleyCspViolation(
        `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`,
      );
    });
  });
  return seen;
}

/** Records CSP violations of a tab already open: from a reload on, so that the listener is there before the first script runs. */
async function watchViolations(tab: ParleyTab): Promise<string[]> {
  const seen = await recordViolations(tab.page);
  await tab.page.reload({ waitUntil: 'load' });
  await tab.page.waitForFunction(() => customElements.get('parley-app') !== undefined);
  return seen;
}

/** The built screening worker's chunk and WASM binary, as served (web/dist/assets). */
function screeningFiles(): { worker: string; wasm: string } {
  const files = readdirSync(join(ROOT, 'web', 'dist', 'assets'));
  const worker = files.find((f) => /^screening-worker-[\w-]+\.js$/.test(f));
  const wasm = files.find((f) => /^tfjs-backend-wasm-simd-[\w-]+\.wasm$/.test(f));
  assert.ok(worker && wasm, 'the build has the screening worker and its WASM backend');
  return { worker: `/assets/${worker}`, wasm: `/assets/${wasm}` };
}

describe('security headers, served', () => {
  const expected = servedConfigHeaders();

  // The page, its script, the static pages beside it (rules, privacy, terms, their stylesheet, the icon), and the
  // screening worker's script, which carries its own policy: a worker runs under the CSP of its response, not of the page.
  for (const path of [
    '/',
    '/assets/main.js',
    '/rules.html',
    '/privacy.html',
    '/terms.html',
    '/pages.css',
    '/favicon.svg',
    screeningFiles().worker,
  ]) {
    it(`sends CSP, HSTS, COOP and the other headers on ${path}`, async () => {
      const res = await fetch(HOSTING_URL + path);
      assert.equal(res.status, 200);
      for (const key of [
        'content-security-policy',
        'strict-transport-security',
        'cross-origin-opener-policy',
        'permissions-policy',
        'referrer-policy',
        'x-content-type-options',
      ]) {
        assert.equal(res.headers.get(key), expected.get(key), `${key} on ${path}`);
      }
      const csp = res.headers.get('content-security-policy')!;
      assert.ok(csp.startsWith(productionCsp().split('connect-src')[0]!), 'the production policy, up to connect-src');
      assert.match(csp, /connect-src 'self' https:\/\/firestore\.googleapis\.com .* http:\/\/127\.0\.0\.1:8080/);
    });
  }

  it('sends the hashed chunks and WASM binaries as immutable', async () => {
    for (const path of [screeningFiles().worker, screeningFiles().wasm]) {
      const res = await fetch(HOSTING_URL + path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', path);
    }
  });
});

describe('the page under its Content-Security-Policy, in Chromium', () => {
  let browser: Browser;
  const db = adminDb();

  before(async () => {
    await clearFirestore();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it('pairs and connects two tabs with no CSP violation, and every expiring collection has a TTL policy', async () => {
    const a = await ParleyTab.open(browser);
    const b = await ParleyTab.open(browser);
    const violations = [...(await Promise.all([watchViolations(a), watchViolations(b)]))];
    const expiring = new Set<string>();
    const note = async () => (await collectionsWithExpireAt(db)).forEach((c) => expiring.add(c));

    for (const t of [a, b]) await t.chooseRoom('en');
    await a.press('start');
    await a.waitForStatus('searching');
    await eventually(async () => (await db.collection('queue').get()).size === 1, 10_000, 'A queued');
    await note();
    await b.press('start');
    await Promise.all([a.waitForStatus('connected'), b.waitForStatus('connected')]);
    await Promise.all([a.remoteFrame(), b.remoteFrame()]);
    await note();
    await a.press('stop');
    await b.waitForStatus('partner-left');
    await b.press('stop');
    await eventually(async () => (await db.collection('history').get()).size > 0, 15_000, 'the call in history');
    await note();
    await Promise.all([a.close(), b.close()]);

    assert.deepEqual(violations.flat(), [], 'no Content-Security-Policy violation in either tab');
    assert.ok(
      ['queue', 'calls', 'signals', 'history'].every((c) => expiring.has(c)),
      `seen: ${[...expiring].join(', ')}`,
    );
    const ttl = ttlCollections();
    assert.deepEqual(
      [...expiring].filter((c) => !ttl.has(c)),
      [],
      'collections with expireAt documents but no TTL policy',
    );
  });
});

describe('the front door under its Content-Security-Policy, in Chromium', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  for (const path of ['/rules.html', '/privacy.html', '/terms.html']) {
    it(`shows ${path} styled by its stylesheet, with its icon and no CSP violation`, async () => {
      const page = await (await browser.createBrowserContext()).newPage();
      try {
        const violations = await recordViolations(page);
        const res = await page.goto(HOSTING_URL + path, { waitUntil: 'load' });
        assert.equal(res?.status(), 200);
        const shown = await page.evaluate(() => ({
          h1: document.querySelector('h1')?.textContent ?? '',
          // pages.css sets the page's width and font; the browser's defaults would be neither.
          maxWidth: getComputedStyle(document.querySelector('.page')!).maxWidth,
          font: getComputedStyle(document.body).fontFamily,
          icon: document.querySelector('link[rel=icon]')?.getAttribute('href'),
          links: [...document.querySelectorAll('nav a')].map((a) => a.getAttribute('href')),
        }));
        assert.ok(shown.h1.length > 0, 'a heading');
        assert.equal(shown.maxWidth, '704px', 'pages.css applied (44rem)');
        assert.match(shown.font, /system-ui/);
        assert.equal(shown.icon, '/favicon.svg');
        assert.deepEqual(shown.links, ['/rules.html', '/privacy.html', '/terms.html']);
        assert.deepEqual(violations, [], `no Content-Security-Policy violation on ${path}`);
      } finally {
        await page.browserContext().close();
      }
    });
  }

  it('a first visit shows the introduction, and Start opens the 18+ confirmation (a chunk of its own), with no CSP violation', async () => {
    // A fresh context, not a ParleyTab: those start as a device that already confirmed.
    const page = await (await browser.createBrowserContext()).newPage();
    try {
      const violations = await recordViolations(page);
      await page.goto(`${HOSTING_URL}/`, { waitUntil: 'load' });
      await page.waitForSelector('parley-app >>> #intro', { timeout: 30_000 });
      await (await page.$('parley-app >>> #start'))!.evaluate((b) => (b as HTMLButtonElement).click());
      await page.waitForFunction(
        () => {
          const random = document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-random')?.shadowRoot;
          return random?.querySelector('parley-age-dialog')?.shadowRoot?.querySelector('dialog')?.open === true;
        },
        { timeout: 30_000, polling: 100 },
      );
      assert.deepEqual(violations, [], 'no Content-Security-Policy violation on the front door');
    } finally {
      await page.browserContext().close();
    }
  });
});

describe('the connection check under its Content-Security-Policy, in Chromium and Firefox', () => {
  for (const engine of ['chromium', 'firefox'] as const) {
    it(`runs to its verdict in ${engine}, the microphone meter moving, with no CSP violation`, async () => {
      const browser = engine === 'firefox' ? await launchFirefox() : await launchChromium();
      try {
        const page = await (await browser.createBrowserContext()).newPage();
        const violations = await recordViolations(page);
        await page.goto(`${HOSTING_URL}/#/check`, { waitUntil: 'load' });
        // The meter's bar is what once carried an inline style: wait until it has moved, and the check has finished.
        await page.waitForFunction(
          () => {
            const check = document.querySelector('parley-app')?.shadowRoot?.querySelector('parley-check')?.shadowRoot;
            const verdict = check?.querySelector('#verdict')?.getAttribute('data-status');
            const bar = check?.querySelector<HTMLElement>('.bar');
            return (verdict === 'done' || verdict === 'failed') && /^scaleX\(/.test(bar?.style.transform ?? '');
          },
          { timeout: 60_000, polling: 100 },
        );
        assert.deepEqual(violations, [], `no Content-Security-Policy violation on #/check in ${engine}`);
      } finally {
        await browser.close();
      }
    });
  }
});

describe('the screening worker under its Content-Security-Policy, in Chromium', () => {
  it("loads the model on the WASM backend: 'wasm-unsafe-eval' is enough, and a policy without it would leave only the slow CPU backend", async () => {
    const browser = await launchChromium();
    try {
      const page = await (await browser.createBrowserContext()).newPage();
      const violations = await recordViolations(page);
      // A document of the site under its policy, without starting the app (whose sign-in and
      // calls would only load the machine): the worker's origin and policy are what matter.
      await page.goto(`${HOSTING_URL}/assets/main.js`, { waitUntil: 'load' });
      const answer = await page.evaluate(
        (url) =>
          new Promise<unknown>((resolve) => {
            const worker = new Worker(url, { type: 'module' });
            worker.addEventListener('message', (e: MessageEvent) => resolve(e.data));
            worker.addEventListener('error', () => resolve({ type: 'error' }));
          }),
        screeningFiles().worker,
      );
      assert.deepEqual(answer, { type: 'ready', backend: 'wasm' });
      assert.deepEqual(violations, [], 'no Content-Security-Policy violation on the page');
    } finally {
      await browser.close();
    }
  });
});

describe('languages and fonts under the Content-Security-Policy, in Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  /** The site's own files the page fetched so far, as paths. */
  const fetched = (page: Page) =>
    page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => new URL(e.name).pathname)
        .filter((p) => p.startsWith('/assets/')),
    );

  it('shows a Tamil page with its words and the Tamil font from the site, with no CSP violation', async () => {
    const page = await (await browser.createBrowserContext()).newPage();
    const violations = await recordViolations(page);
    await page.evaluateOnNewDocument(() => localStorage.setItem('parley.lang', 'ta'));
    await page.goto(HOSTING_URL, { waitUntil: 'load' });
    await page.waitForFunction(() => document.documentElement.lang === 'ta', { timeout: 15_000 });
    // The room follows the language: the picker draws "தமிழ்", which fetches the Tamil face.
    await page.waitForFunction(
      () => [...document.fonts].some((f) => f.family.includes('Noto Sans Tamil') && f.status === 'loaded'),
      { timeout: 15_000, polling: 100 },
    );
    const paths = await fetched(page);
    assert.ok(
      paths.some((p) => /^\/assets\/ta-[\w-]+\.js$/.test(p)),
      `the Tamil words' chunk: ${paths.join(', ')}`,
    );
    assert.ok(paths.includes('/assets/fonts/noto-sans-tamil-tamil-400-normal.woff2'), 'the Tamil face, from the site');
    assert.ok(!paths.some((p) => /^\/assets\/(hi|te|ml|kn|bn|es|pt)-/.test(p)), 'no other language');
    assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
  });

  it('loads no other language on an English page', async () => {
    const page = await (await browser.createBrowserContext()).newPage();
    await page.goto(HOSTING_URL, { waitUntil: 'load' });
    await page.waitForFunction(() => customElements.get('parley-app') !== undefined);
    await page.evaluate(() => document.fonts.ready);
    const paths = await fetched(page);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.ok(!paths.some((p) => /^\/assets\/(hi|ta|te|ml|kn|bn|es|pt)-/.test(p)), `no language chunk: ${paths.join(', ')}`);
  });
});
