// In-browser tests for the web client (test/web). Run from the repository root:
//   npx web-test-runner --config test/web-test-runner.config.mjs
// The browser is the system Chromium (CHROME_PATH), never a downloaded one.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';

const chromeArgs = [
  // Containers and CI run as root or without user namespaces, where the sandbox cannot start.
  '--no-sandbox',
  // The new headless mode: the real browser without a window (WebRTC and media behave as in a tab).
  '--headless=new',
  // No GPU here; software rendering avoids GPU-process crashes and warnings.
  '--disable-gpu',
  // No internet: keep Chromium from trying QUIC/HTTP3 connections out.
  '--disable-quic',
  // Skip the first-run dialogs and setup.
  '--no-first-run',
  // No background requests (safe browsing lists, variations, ...): the machine is offline.
  '--disable-background-networking',
  // No component updater downloads (Widevine, CRLSets, ...).
  '--disable-component-update',
  // No sign-in or sync traffic.
  '--disable-sync',
  // Grant getUserMedia without a permission prompt (nobody can click "Allow").
  '--use-fake-ui-for-media-stream',
  // A synthetic camera and microphone (test pattern and beep): no real devices needed.
  '--use-fake-device-for-media-stream',
  // Let two RTCPeerConnections in one page pair over loopback addresses
  // (Chromium drops loopback ICE candidates by default).
  '--allow-loopback-in-peer-connection',
];

export default {
  files: 'test/web/**/*.test.ts',
  // Bare imports (lit) are resolved from node_modules.
  nodeResolve: true,
  plugins: [
    // TypeScript through esbuild, with the web client's tsconfig: Lit's legacy
    // decorators need experimentalDecorators and useDefineForClassFields: false.
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'web/tsconfig.json' }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: chromeArgs,
      },
    }),
  ],
  // One test file at a time: each one runs real peer connections and media.
  concurrency: 1,
  browserStartTimeout: 60000,
  testsFinishTimeout: 180000,
  testFramework: {
    config: {
      // Connecting real peers takes seconds; each test waits with its own, shorter limits.
      timeout: 20000,
    },
  },
};
