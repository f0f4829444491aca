/**
 * How every test layer starts Chromium: the system browser (never a
 * downloaded one) and the flags that make it work offline with a fake camera.
 * Plain data with no imports, so the web-test-runner config can load the
 * compiled file too.
 */

export function chromiumPath(): string {
  return process.env['CHROME_PATH'] || '/usr/bin/chromium';
}

export const CHROMIUM_ARGS: readonly string[] = [
  // Containers and CI run as root or without user namespaces, where the sandbox cannot start.
  '--no-sandbox',
  // The new headless mode: the real browser without a window (WebRTC and media behave as in a tab).
  '--headless=new',
  // No GPU here; software rendering avoids GPU-process crashes and warnings.
  '--disable-gpu',
  // No internet: keep Chromium from trying QUIC/HTTP3 connections out.
  '--disable-quic',
  '--no-first-run',
  // No background requests (safe browsing lists, variations, updates, sync):
  // without these Chromium keeps calling Google services the closed network refuses.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Grant getUserMedia without a prompt (nobody can click "Allow"), and use a
  // synthetic camera and microphone (test pattern and beep).
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  // Tests may use only loopback; Chromium drops loopback ICE candidates unless told.
  '--allow-loopback-in-peer-connection',
  // Several tabs run calls at once: none may be throttled as a background tab.
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
];
