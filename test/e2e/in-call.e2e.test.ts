/**
 * What people do in a call besides seeing each other, in real Chromium
 * (fake cameras) against the emulator suite and the built site: text chat
 * in a random chat and in a three-person call by link; mute and camera off;
 * the safety code; a camera switch during a call; screen share in a call by
 * link (Chromium's fake capture: with the fake-UI and fake-device flags of
 * CHROMIUM_ARGS getDisplayMedia answers at once, without a picker or a
 * gesture, with a test picture of the headless window's screen).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { launchChromium, LEAN_PAGES, ParleyTab } from '../support/browser.js';
import { clearFirestore } from '../support/emulator.js';

/** Waits until none of the tab's own messages is still on its way. */
async function allDelivered(tab: ParleyTab, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let states: string[] = [];
  while (Date.now() < deadline) {
    states = await tab.chatDeliveries();
    if (states.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`messages still ${JSON.stringify(states)}`);
}

describe('in the call, end to end', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchChromium([], LEAN_PAGES);
  });
  beforeEach(() => clearFirestore());
  after(async () => {
    await browser?.close();
  });

  async function randomPair(): Promise<[ParleyTab, ParleyTab]> {
    const a = await ParleyTab.open(browser);
    const b = await ParleyTab.open(browser);
    await a.press('start');
    await a.waitForStatus('searching', 60_000);
    await b.press('start');
    // Generous: a function's first start on a loaded machine has taken over 40 s.
    await Promise.all([a.waitForStatus('connected', 90_000), b.waitForStatus('connected', 90_000)]);
    return [a, b];
  }

  it('random chat: messages both ways, in order, shown as text', async () => {
    const [a, b] = await randomPair();
    await a.sendChat('hi there');
    await a.sendChat('<b>not bold</b>');
    await b.waitForChat(['Stranger: hi there', 'Stranger: <b>not bold</b>']);
    await b.sendChat('hello!');
    await a.waitForChat(['You: hi there', 'You: <b>not bold</b>', 'Stranger: hello!']);
    await a.sendChat('bye');
    await b.waitForChat(['Stranger: hi there', 'Stranger: <b>not bold</b>', 'You: hello!', 'Stranger: bye']);
    await Promise.all([allDelivered(a), allDelivered(b)]);
    for (const t of [a, b]) await t.close();
  });

  it('a call by link of three: every message reaches both others, in order', async () => {
    const host = await ParleyTab.open(browser, '/#/call/new');
    await host.waitForStatus('in-call', 90_000);
    const callId = await host.callId();
    const guests: ParleyTab[] = [];
    for (let i = 0; i < 2; i++) {
      const g = await ParleyTab.open(browser, `/#/call/${callId}`);
      await g.waitForStatus('lobby', 60_000);
      await g.press('join');
      await g.waitForStatus('in-call', 90_000);
      guests.push(g);
    }
    const everyone = [host, ...guests];
    await Promise.all(everyone.map((t) => t.decodesFromAll(2, 90_000)));
    await host.sendChat('welcome');
    await Promise.all(guests.map((g) => g.waitForChat(['Guest 1: welcome'])));
    await guests[0]!.sendChat('thanks');
    await guests[1]!.waitForChat(['Guest 1: welcome', 'Guest 2: thanks']);
    await guests[1]!.sendChat('hi both');
    await host.waitForChat(['You: welcome', 'Guest 2: thanks', 'Guest 3: hi both']);
    await guests[0]!.waitForChat(['Guest 1: welcome', 'You: thanks', 'Guest 3: hi both']);
    await guests[1]!.waitForChat(['Guest 1: welcome', 'Guest 2: thanks', 'You: hi both']);
    await Promise.all(everyone.map((t) => allDelivered(t)));
    for (const t of everyone) await t.close();
  });

  it('mute shows on the other page and its audio packets stop; camera off shows the placeholder, not a frozen frame', async () => {
    const [a, b] = await randomPair();
    await b.waitForPackets('audio', 'inbound', true);
    await a.press('mic');
    await b.waitForShown('#remote-muted');
    await b.waitForPackets('audio', 'inbound', false);
    await a.waitForPackets('audio', 'outbound', false);
    await a.press('mic');
    await b.waitForShown('#remote-muted', false);
    await b.waitForPackets('audio', 'inbound', true);

    await a.press('camera');
    await b.waitForShown('#remote-camera-off');
    await b.waitForPackets('video', 'inbound', false);
    await a.press('camera');
    await b.waitForShown('#remote-camera-off', false);
    await b.waitForPackets('video', 'inbound', true);
    await b.remoteFrame();
    for (const t of [a, b]) await t.close();
  });

  it('both pages of a call show the same safety code', async () => {
    const [a, b] = await randomPair();
    await a.press('safety-toggle');
    await b.press('safety-toggle');
    const [atA, atB] = await Promise.all([a.safetyCodes(1), b.safetyCodes(1)]);
    assert.deepEqual(atA, atB, 'the same code on both pages');
    for (const t of [a, b]) await t.close();
  });

  it('a camera switch during a call keeps frames flowing to the other page (another fake camera)', async () => {
    // Chromium's second fake camera imitates a depth camera (16-bit grey, which
    // WebRTC cannot encode); the third is an ordinary one (MJPEG).
    const threeCameras = await launchChromium(['--use-fake-device-for-media-stream=device-count=3']);
    try {
      const a = await ParleyTab.open(threeCameras);
      const b = await ParleyTab.open(threeCameras);
      await a.press('start');
      await a.waitForStatus('searching', 60_000);
      await b.press('start');
      await Promise.all([a.waitForStatus('connected', 90_000), b.waitForStatus('connected', 90_000)]);
      await b.remoteFrame();
      assert.equal(await a.ownTrackLabel('video'), 'fake_device_0');
      await a.press('devices-toggle');
      await a.chooseDevice('videoinput', 'fake_device_2');
      const deadline = Date.now() + 20_000;
      while ((await a.ownTrackLabel('video')) !== 'fake_device_2') {
        assert.ok(Date.now() < deadline, 'the other camera in use');
        await new Promise((r) => setTimeout(r, 100));
      }
      await b.waitForPackets('video', 'inbound', true);
      const before = await b.framesDecoded();
      await b.remoteFrame();
      const until = Date.now() + 20_000;
      while ((await b.framesDecoded()) < before + 10) {
        assert.ok(Date.now() < until, 'frames keep being decoded after the switch');
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(await a.status(), 'connected', 'the same call, no reconnection');
    } finally {
      await threeCameras.close();
    }
  });

  it('screen share in a call by link reaches the others and one who joins later, and ends from the button and from the browser bar', async () => {
    const host = await ParleyTab.open(browser, '/#/call/new');
    await host.waitForStatus('in-call', 90_000);
    const callId = await host.callId();
    const joinCall = async () => {
      const g = await ParleyTab.open(browser, `/#/call/${callId}`);
      await g.waitForStatus('lobby', 60_000);
      await g.press('join');
      await g.waitForStatus('in-call', 90_000);
      return g;
    };
    const first = await joinCall();
    await Promise.all([host, first].map((t) => t.decodesFromAll(1, 90_000)));

    await host.press('screen-toggle');
    const seen = await first.screenFrame(60_000);
    const shared = await host.ownScreenSize();
    assert.ok(shared, 'the host shares');
    // The encoder may scale the picture down, never change its shape (the camera's is 4:3, this screen's is not).
    assert.equal(
      seen.width * shared.height,
      seen.height * shared.width,
      `the shared screen (${shared.width}×${shared.height}), seen as ${seen.width}×${seen.height}`,
    );
    assert.equal(await first.peerTiles(), 1, "the host's camera still in its tile");
    const late = await joinCall();
    await late.screenFrame(90_000);

    await host.press('screen-toggle');
    await Promise.all([first, late].map((t) => t.waitForShown('#screen', false, 30_000)));

    await host.press('screen-toggle');
    await Promise.all([first, late].map((t) => t.screenFrame(60_000)));
    await host.stopSharingFromBrowser();
    await Promise.all([first, late].map((t) => t.waitForShown('#screen', false, 30_000)));
    await host.waitForShown('#screen', false);
    for (const t of [host, first, late]) await t.close();
  });
});
