/**
 * The hosting folder and its headers, as `firebase deploy` would publish
 * them: every file the page references is in web/dist and not excluded by
 * firebase.json's `ignore`; the Content-Security-Policy is strict and still
 * admits the page's one inline <style>; the emulators' copy of the config
 * differs only by the loopback origins it adds. (The served headers and the
 * page working under them in Chromium: test/e2e/security-headers.e2e.test.ts.)
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { firebaseJson, headerFor, parseCsp, ROOT } from './support.js';

const DIST = join(ROOT, firebaseJson().hosting.public);

/** Same-site URLs that index.html loads (src and href), as paths under the hosting root. */
function referencedByPage(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)]
    .map((m) => m[1]!)
    .filter((url) => !/^(data:|https?:|#)/.test(url))
    .map((url) => url.replace(/^\//, ''));
}

/**
 * Chunks a module imports, statically or dynamically (rollup's output:
 * `from"./x.js"`, `import("./x.js")`), and files it names by URL (a worker's
 * script, WASM binaries: `new URL("x-hash.js",import.meta.url)`).
 */
function importedChunks(code: string): string[] {
  return [
    ...[...code.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js)["']/g)].map((m) => m[1]!),
    ...[...code.matchAll(/new URL\(\s*["']([^"':]+)["']\s*,\s*import\.meta\.url\s*\)/g)].map((m) => `./${m[1]!}`),
  ];
}

/** Whether firebase.json's hosting `ignore` globs (the ones used here) would leave a file out of the deploy. */
function ignoredByHosting(path: string): boolean {
  return path.split('/').some((part) => part.startsWith('.')) || path.endsWith('.map');
}

describe('hosting folder', () => {
  it('has every asset index.html references and every chunk main.js imports, transitively', () => {
    assert.deepEqual(firebaseJson().hosting.ignore, ['**/.*', '**/*.map'], 'the ignore rules this check knows');
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const pending = referencedByPage(html);
    assert.ok(pending.includes('assets/main.js'), 'the page loads assets/main.js');
    const seen = new Set<string>();
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      assert.ok(existsSync(join(DIST, file)), `${file} is referenced but missing from ${firebaseJson().hosting.public}`);
      assert.ok(!ignoredByHosting(file), `${file} is referenced but firebase.json's hosting.ignore leaves it out`);
      if (file.endsWith('.js')) {
        const code = readFileSync(join(DIST, file), 'utf8');
        for (const spec of importedChunks(code)) pending.push(posix.normalize(posix.join(posix.dirname(file), spec)));
      }
    }
    assert.ok([...seen].filter((f) => f.endsWith('.js')).length >= 2, 'main.js and the Firebase chunk it loads later');
    assert.ok(
      [...seen].some((f) => /^assets\/screening-worker-[\w-]+\.js$/.test(f)),
      'the screening worker, which the in-call chunk names by URL',
    );
    assert.ok(
      [...seen].some((f) => /^assets\/tfjs-backend-wasm-simd-[\w-]+\.wasm$/.test(f)),
      'the WASM backend, which the worker names by URL',
    );
  });
});

describe('Content-Security-Policy (production, firebase.json)', () => {
  const csp = parseCsp(headerFor(firebaseJson(), 'Content-Security-Policy') ?? '');

  it('allows scripts from the site only: no inline script, no eval; WebAssembly compiles (the screening model)', () => {
    // 'wasm-unsafe-eval' lets the screening worker compile tfjs's WASM backend, and nothing else: never 'unsafe-eval'.
    assert.deepEqual(csp.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(csp.get('worker-src'), ["'self'"]);
    assert.deepEqual(csp.get('object-src'), ["'none'"]);
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    assert.equal([...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>/g)].length, 0, 'index.html has no inline script');
  });

  it('connects only to the site, Firebase and the Cloud Functions of the project', () => {
    const allowed = new Set([
      "'self'",
      'https://firestore.googleapis.com',
      'https://identitytoolkit.googleapis.com',
      'https://securetoken.googleapis.com',
      'https://content-firebaseappcheck.googleapis.com',
      'https://*.cloudfunctions.net',
    ]);
    for (const source of csp.get('connect-src') ?? []) assert.ok(allowed.has(source), `connect-src ${source} is not Firebase`);
    assert.ok(csp.get('connect-src')?.includes('https://*.cloudfunctions.net'), 'the callables');
  });

  it("admits index.html's inline <style> by its hash, not by 'unsafe-inline'", () => {
    const styleSrc = csp.get('style-src') ?? [];
    assert.ok(!styleSrc.includes("'unsafe-inline'"));
    const html = readFileSync(join(ROOT, 'web', 'public', 'index.html'), 'utf8');
    for (const [, body] of html.matchAll(/<style>([\s\S]*?)<\/style>/g)) {
      const hash = `'sha256-${createHash('sha256').update(body!).digest('base64')}'`;
      assert.ok(styleSrc.includes(hash), `index.html's <style> changed: put ${hash} in style-src (firebase.json)`);
    }
  });

  it('comes with HSTS, COOP and the existing headers', () => {
    const config = firebaseJson();
    assert.match(headerFor(config, 'Strict-Transport-Security') ?? '', /^max-age=\d{8,}/);
    assert.equal(headerFor(config, 'Cross-Origin-Opener-Policy'), 'same-origin');
    assert.equal(headerFor(config, 'X-Content-Type-Options'), 'nosniff');
    assert.equal(headerFor(config, 'Referrer-Policy'), 'no-referrer');
    assert.match(headerFor(config, 'Permissions-Policy') ?? '', /camera=\(self\)/);
  });
});

describe("the emulators' copy of the config (npm start, npm test)", () => {
  it('differs from firebase.json only by loopback emulator origins in connect-src', async () => {
    const { localContentSecurityPolicy, loopbackOrigins } = (await import(join(ROOT, 'scripts', 'parley.mjs'))) as {
      localContentSecurityPolicy(policy: string, emulators: unknown): string;
      loopbackOrigins(emulators: unknown): string[];
    };
    const config = firebaseJson();
    const production = parseCsp(headerFor(config, 'Content-Security-Policy')!);
    const local = parseCsp(localContentSecurityPolicy(headerFor(config, 'Content-Security-Policy')!, config.emulators));
    for (const [name, sources] of production) {
      const expected = name === 'connect-src' ? [...sources, ...loopbackOrigins(config.emulators)] : sources;
      assert.deepEqual(local.get(name), expected, name);
    }
    assert.equal(local.size, production.size);
    for (const origin of loopbackOrigins(config.emulators)) assert.match(origin, /^http:\/\/(127\.0\.0\.1|localhost):\d+$/);
  });
});
