/**
 * IceConfigSource in Chromium: the page's ICE servers before and after the
 * backend answers, the credential renewed when a link is about to use one
 * that is due, a failed fetch leaving the page on its fallback servers, and
 * stop().
 */
import type { TurnCredentialsResult } from '@parley/functions/protocol';
import { turnRenewalDelayMs } from '@parley/functions/protocol';
import { IceConfigSource } from '../../../web/src/engine/ice-config.js';
import { assert, assertDeepEqual, assertEqual } from '../assert.js';
import { waitUntil } from '../support/wait.js';

const STUN = { urls: ['stun:stun.example.org:3478'] };
const HOUR = 3_600_000;

/** A `turnCredentials` stand-in: each answer carries a fresh username, so a renewal shows. */
function backend(validForMs = HOUR, relayOnlyDefault = false) {
  const calls: number[] = [];
  let failing = false;
  return {
    calls,
    fail: (on: boolean) => (failing = on),
    fetch: async (): Promise<TurnCredentialsResult> => {
      calls.push(calls.length + 1);
      if (failing) throw new Error('unavailable');
      return {
        iceServers: [STUN, { urls: ['turn:relay.example.org:3478'], username: `user${calls.length}`, credential: 'secret' }],
        validForMs,
        relayOnlyDefault,
      };
    },
  };
}

const usernames = (config: RTCConfiguration) => (config.iceServers ?? []).map((s) => s.username ?? null);

describe('IceConfigSource', () => {
  const sources: IceConfigSource[] = [];
  afterEach(() => {
    for (const s of sources.splice(0)) s.stop();
  });
  function source(now: () => number = Date.now): IceConfigSource {
    const s = new IceConfigSource({ fallback: () => [STUN], now });
    sources.push(s);
    return s;
  }

  it('uses the fallback until the backend answers, then its servers; relay-only asks for relay candidates only', async () => {
    const ice = source();
    assertDeepEqual(ice.config(false), { iceServers: [STUN], iceTransportPolicy: 'all' }, 'before attach');
    assertEqual(ice.relayOnlyDefault, false, 'no default before the backend said');
    const changes: number[] = [];
    ice.onChange(() => changes.push(1));
    const server = backend(HOUR, true);
    await ice.attach(server.fetch);
    assertDeepEqual(usernames(ice.config(false)), [null, 'user1'], 'the STUN and the TURN server from the backend');
    assertEqual(ice.config(true).iceTransportPolicy, 'relay');
    assertEqual(ice.relayOnlyDefault, true, "the deployment's default");
    assertEqual(changes.length, 1, 'listeners told once');
    // A second attach is the first: one fetch per page.
    await ice.attach(server.fetch);
    assertEqual(server.calls.length, 1, 'one fetch');
  });

  it('renews a credential that is due when a link is about to use it (a page that slept past its renewal)', async () => {
    let now = 1_000_000;
    const ice = source(() => now);
    const server = backend(HOUR);
    await ice.attach(server.fetch);
    assertDeepEqual(usernames(ice.config(false)), [null, 'user1']);
    assertEqual(server.calls.length, 1, 'not due yet: no renewal');
    now += turnRenewalDelayMs(HOUR);
    // This link uses what there is; the renewal starts now.
    assertDeepEqual(usernames(ice.config(false)), [null, 'user1'], 'the link does not wait');
    await waitUntil(() => usernames(ice.config(false))[1] === 'user2', 5_000, 'the renewed credential');
    assertEqual(server.calls.length, 2, 'one renewal');
  });

  it('a failed fetch leaves the page on its fallback, and attach still resolves (calls connect directly)', async () => {
    const ice = source();
    const server = backend();
    server.fail(true);
    await ice.attach(server.fetch);
    assertDeepEqual(ice.config(false).iceServers, [STUN]);
    assert(server.calls.length === 1, 'asked once');
  });

  it('stop() ends the renewals', async () => {
    let now = 1_000_000;
    const ice = source(() => now);
    const server = backend(HOUR);
    await ice.attach(server.fetch);
    ice.stop();
    now += 2 * HOUR;
    ice.config(false);
    await new Promise((r) => setTimeout(r, 100));
    assertEqual(server.calls.length, 1, 'no renewal after stop');
  });
});
