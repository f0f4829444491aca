import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOMS } from '../../../functions/src/protocol/rooms.js';
import { hashForRoom, roomFromHash } from '../../../web/src/room-url.js';

describe('room URLs', () => {
  it('round-trips every room', () => {
    for (const r of ROOMS) assert.equal(roomFromHash(hashForRoom(r.id)), r.id);
  });

  it('reads /#/room/ta, with or without a trailing slash', () => {
    assert.equal(hashForRoom('ta'), '#/room/ta');
    assert.equal(roomFromHash('#/room/ta'), 'ta');
    assert.equal(roomFromHash('#/room/ta/'), 'ta');
  });

  it('ignores unknown rooms and other hashes', () => {
    for (const h of ['', '#', '#/room/', '#/room/xx', '#/room/TA', '#/rooms/ta', '#/room/ta/x', 'ta', '#/room/__proto__']) {
      assert.equal(roomFromHash(h), null, h);
    }
  });
});
