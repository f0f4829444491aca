// In-browser tests for the web client (test/web). Run from the repository root:
//   npm run build && npx web-test-runner --config test/web-test-runner.config.mjs
// The browser is the system Chromium (CHROME_PATH), never a downloaded one.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
// The same browser and flags as the end-to-end tests; compiled from
// test/support/chromium.ts by the build step that `npm test` runs first.
import { CHROMIUM_ARGS, chromiumPath } from '../build/test/support/chromium.js';

/**
 * `executeServerCommand('parley-screenshot', { name })` from a test saves the
 * page as .cache/screenshots/<name>.png, for a person to look at (not
 * committed, never compared). Not under CI (CI=true), where nobody looks at
 * them: the 443 screenshots took 52–54 s of the browser layer there (the two
 * files that take them: 98–107 s with, 46–53 s without), unless
 * PARLEY_SCREENSHOTS=1 asks for them.
 */
const TAKE_SCREENSHOTS = process.env.PARLEY_SCREENSHOTS === '1' || process.env.CI !== 'true';
function screenshots() {
  return {
    name: 'parley-screenshots',
    async executeCommand({ command, payload, session }) {
      if (command !== 'parley-screenshot') return undefined;
      const name = String(payload?.name ?? '');
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error('parley-screenshot: the name must be kebab-case');
      const path = `.cache/screenshots/${name}.png`;
      if (!TAKE_SCREENSHOTS) return true;
      mkdirSync(dirname(path), { recursive: true });
      // The viewport only, encoded fast: the tests take hundreds of these (every state in every language).
      await session.browser.getPage(session.id).screenshot({ path, optimizeForSpeed: true, captureBeyondViewport: false });
      return true;
    },
  };
}

export default {
  files: 'test/web/**/*.test.ts',
  // Every test page starts as a device that already confirmed it is 18 or
  // older (web/src/settings.ts, ADULT_STORAGE_KEY), so that Start starts:
  // the confirmation's own tests remove the flag and put it back.
  testRunnerHtml: (testFramework) =>
    `<!doctype html><html><body><script>localStorage.setItem('parley.adult', '1');</script><script type="module" src="${testFramework}"></script></body></html>`,
  // Bare imports (lit) are resolved from node_modules.
  nodeResolve: true,
  plugins: [
    // TypeScript through esbuild, with the web client's tsconfig: Lit's legacy
    // decorators need experimentalDecorators and useDefineForClassFields: false.
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'web/tsconfig.json' }),
    screenshots(),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath(),
        headless: true,
        args: [...CHROMIUM_ARGS],
      },
    }),
  ],
  // One test file at a time: each one runs real peer connections and media.
  concurrency: 1,
  browserStartTimeout: 60000,
  // A file's tests together: the page test renders every state in every language (about 350 screenshots).
  testsFinishTimeout: 300000,
  testFramework: {
    config: {
      // Connecting real peers takes seconds; each test waits with its own, shorter limits.
      timeout: 20000,
    },
  },
};
