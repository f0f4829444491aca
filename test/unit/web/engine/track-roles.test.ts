import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isCameraOrMicrophone, screenIndex, type TransceiverInfo } from '../../../../web/src/engine/track-roles.js';

/** A link of a member who shares: microphone, camera, then the screen's own section (as Chromium orders them). */
const SHARING: TransceiverInfo[] = [
  { kind: 'audio', mid: '0' },
  { kind: 'video', mid: '1' },
  { kind: 'video', mid: '3' },
];

describe('track roles on a link', () => {
  it('the first transceiver of each kind is the camera or the microphone; a later video one is not', () => {
    assert.deepEqual(
      SHARING.map((_, i) => isCameraOrMicrophone(SHARING, i)),
      [true, true, false],
    );
    assert.equal(isCameraOrMicrophone(SHARING, 3), false, 'no such transceiver');
    // Before negotiation mids are null: the order alone decides.
    const fresh: TransceiverInfo[] = [
      { kind: 'video', mid: null },
      { kind: 'audio', mid: null },
      { kind: 'video', mid: null },
    ];
    assert.deepEqual(
      fresh.map((_, i) => isCameraOrMicrophone(fresh, i)),
      [true, true, false],
    );
  });

  it('finds the screen by the mid the other end names, and only a video section that is not the camera', () => {
    assert.equal(screenIndex(SHARING, '3'), 2);
    assert.equal(screenIndex(SHARING, '1'), -1, 'the camera named as the screen');
    assert.equal(screenIndex(SHARING, '0'), -1, 'the microphone named as the screen');
    assert.equal(screenIndex(SHARING, '9'), -1, 'a section this link does not have (not negotiated yet)');
    assert.equal(screenIndex(SHARING, null), -1, 'nobody shares');
    assert.equal(screenIndex([...SHARING, { kind: 'audio', mid: '4' }], '4'), -1, 'a sound is no screen');
  });
});
