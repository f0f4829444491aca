import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { canMakeCalls } from '../../../web/src/browser-support.js';

describe('canMakeCalls', () => {
  it('is true only where RTCPeerConnection is a constructor', () => {
    class FakePeerConnection {}
    assert.equal(canMakeCalls({ RTCPeerConnection: FakePeerConnection }), true);
    assert.equal(canMakeCalls({}), false, 'absent');
    assert.equal(canMakeCalls({ RTCPeerConnection: undefined }), false, 'deleted or unset');
    assert.equal(canMakeCalls({ RTCPeerConnection: {} }), false, 'a stub object, not a constructor');
  });

  it('reads the global object by default (Node has no WebRTC)', () => {
    assert.equal(canMakeCalls(), typeof (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection === 'function');
  });
});
