/**
 * How the end-to-end layer starts Firefox: Debian's firefox-esr (never a
 * downloaded one; scripts/parley.mjs installs it like Chromium), driven by
 * puppeteer-core over WebDriver BiDi, with the preferences that make it work
 * offline with a fake camera. Plain data with no imports, like chromium.ts.
 */

export function firefoxPath(): string {
  return process.env['FIREFOX_PATH'] || '/usr/bin/firefox-esr';
}

/**
 * Preferences of the fresh profile puppeteer makes for each launch (a
 * temporary folder, removed when the browser closes), on top of puppeteer's
 * own (no updates, no telemetry, no first-run pages).
 */
export const FIREFOX_PREFS: Readonly<Record<string, unknown>> = {
  // A synthetic camera and microphone (a coloured frame and a tone), as
  // Chromium's --use-fake-device-for-media-stream.
  'media.navigator.streams.fake': true,
  // Grant getUserMedia without a prompt (nobody can click "Allow").
  'media.navigator.permission.disabled': true,
  // ...and as a stored permission, as after a person's "Allow" that Firefox
  // remembers. Without one, Firefox gathers ICE candidates on the default
  // route's address only (it finds it by connecting a socket outwards, which
  // fails in a loopback-only namespace: no candidate at all, "ICE failed"):
  // the fake device above does not count as capturing.
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  // Tests may use only loopback (npm test runs them in a namespace that has
  // nothing else); Firefox leaves loopback out of ICE gathering unless told,
  // as Chromium does without --allow-loopback-in-peer-connection.
  'media.peerconnection.ice.loopback': true,
  // No background requests to Mozilla's services, which the closed network refuses.
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.update.enabled': false,
  'extensions.update.enabled': false,
  // Several tabs run calls at once: none may be throttled as a background tab.
  'dom.min_background_timeout_value': 4,
  'dom.timeout.enable_budget_timer_throttling': false,
};
