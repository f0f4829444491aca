import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { fingerprints, safetyCode } from '../../../../web/src/features/safety-code.js';

/** The shape of Chromium's descriptions (trimmed), with made-up fingerprints. */
const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS 5d2b',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789abcdef01234567',
  'a=fingerprint:sha-256 1F:2E:3D:4C:5B:6A:79:88:97:A6:B5:C4:D3:E2:F1:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01',
  'a=setup:actpass',
  'a=mid:0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=fingerprint:sha-256 1F:2E:3D:4C:5B:6A:79:88:97:A6:B5:C4:D3:E2:F1:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01',
  'a=mid:1',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=fingerprint:sha-256 1F:2E:3D:4C:5B:6A:79:88:97:A6:B5:C4:D3:E2:F1:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01',
  'a=mid:2',
  '',
].join('\r\n');

const ANSWER = OFFER.replace(
  /a=fingerprint:sha-256 1F:2E[^\r]*/g,
  () => 'a=fingerprint:sha-256 A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F:A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F',
).replace('a=setup:actpass', 'a=setup:active');

/** Someone in the middle answers with their own certificate. */
const MIDDLE = OFFER.replace(
  /a=fingerprint:sha-256 1F:2E[^\r]*/g,
  () => 'a=fingerprint:sha-256 A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F:A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9E',
);

const CALL = 'Qm2f8Jx0aLkP3vZr7yT1cW';

/** The same derivation written another way (Node's crypto, a bit string), to check the module against. */
function expected(a: string, b: string, callId: string): string {
  const [first, second] = [a, b].sort();
  const digest = createHash('sha256').update(`parley safety code v1\n${callId}\n${first}\n${second}`).digest();
  const bits = [...digest].map((byte) => byte.toString(2).padStart(8, '0')).join('');
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let code = '';
  for (let i = 0; i < 16; i++) code += alphabet[parseInt(bits.slice(i * 5, i * 5 + 5), 2)];
  return code.match(/.{4}/g)!.join(' ');
}

describe('the safety code', () => {
  it('reads each side’s DTLS fingerprint, in lower case, once', () => {
    assert.deepEqual(fingerprints(OFFER), [
      'sha-256 1f:2e:3d:4c:5b:6a:79:88:97:a6:b5:c4:d3:e2:f1:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:01',
    ]);
    assert.deepEqual(fingerprints('v=0\r\ns=-\r\n'), []);
  });

  it('is the same on both sides: the order of local and remote does not matter', async () => {
    const atOfferer = await safetyCode(OFFER, ANSWER, CALL);
    const atAnswerer = await safetyCode(ANSWER, OFFER, CALL);
    assert.equal(atOfferer, atAnswerer);
    assert.match(atOfferer ?? '', /^[0-9A-HJKMNP-TV-Z]{4}( [0-9A-HJKMNP-TV-Z]{4}){3}$/, 'four groups of four, no I, L, O or U');
  });

  it('is SHA-256 of the sorted fingerprints and the call id, 80 bits in base32', async () => {
    const a = fingerprints(OFFER).join(',');
    const b = fingerprints(ANSWER).join(',');
    assert.equal(await safetyCode(OFFER, ANSWER, CALL), expected(a, b, CALL));
  });

  it('differs when a fingerprint was swapped on the way: what each side sees of the other is not the same pair', async () => {
    // The offerer got the middle's answer; the answerer got the middle's offer.
    const atOfferer = await safetyCode(OFFER, MIDDLE, CALL);
    const atAnswerer = await safetyCode(ANSWER, MIDDLE, CALL);
    assert.notEqual(atOfferer, atAnswerer);
    assert.notEqual(atOfferer, await safetyCode(OFFER, ANSWER, CALL), 'one changed hex digit changes the code');
  });

  it('depends on the call: the same two certificates in another call give another code', async () => {
    assert.notEqual(await safetyCode(OFFER, ANSWER, CALL), await safetyCode(OFFER, ANSWER, `${CALL}x`));
  });

  it('ignores what is not a fingerprint: case, line endings, other lines', async () => {
    const shouted = OFFER.replace(
      /a=fingerprint:sha-256 ([^\r]*)/g,
      (_, hex: string) => `a=fingerprint:SHA-256 ${hex.toLowerCase()}`,
    );
    const unix = ANSWER.replace(/\r\n/g, '\n').replace('a=setup:active', 'a=setup:passive');
    assert.equal(await safetyCode(shouted, unix, CALL), await safetyCode(OFFER, ANSWER, CALL));
  });

  it('is null when a description declares no fingerprint: nothing to check', async () => {
    assert.equal(await safetyCode(OFFER, 'v=0\r\ns=-\r\n', CALL), null);
  });
});
