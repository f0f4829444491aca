import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_ROOM, isRoomId, ROOMS } from '../../../../functions/src/protocol/rooms.js';

describe('ROOMS', () => {
  it('lists Anyone, then the language rooms, then the regional rooms', () => {
    assert.deepEqual(
      ROOMS.map((r) => r.id),
      ['any', 'en', 'hi', 'ta', 'te', 'ml', 'kn', 'bn', 'es', 'pt', 'us', 'uk', 'in'],
    );
    assert.deepEqual(
      ROOMS.map((r) => r.kind),
      ['anyone', ...Array<string>(9).fill('language'), 'region', 'region', 'region'],
    );
  });

  it('has unique ids', () => {
    const ids = ROOMS.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('uses short lower-case ids', () => {
    for (const room of ROOMS) {
      assert.match(room.id, /^[a-z]{2,3}$/, `room id ${room.id}`);
    }
  });

  it('gives every room a non-empty name and native name', () => {
    for (const room of ROOMS) {
      assert.ok(room.name.trim().length > 0, `name of ${room.id}`);
      assert.ok(room.nativeName.trim().length > 0, `nativeName of ${room.id}`);
    }
  });

  it('shows Indian-language rooms in their own script', () => {
    const native = Object.fromEntries(ROOMS.map((r) => [r.id, r.nativeName]));
    assert.equal(native['ta'], 'தமிழ்');
    assert.equal(native['hi'], 'हिन्दी');
    assert.equal(native['ml'], 'മലയാളം');
    assert.equal(native['te'], 'తెలుగు');
    assert.equal(native['kn'], 'ಕನ್ನಡ');
    assert.equal(native['bn'], 'বাংলা');
  });
});

describe('DEFAULT_ROOM', () => {
  it('is "any"', () => {
    assert.equal(DEFAULT_ROOM, 'any');
  });

  it('is one of the rooms', () => {
    assert.ok(isRoomId(DEFAULT_ROOM));
    assert.ok(ROOMS.some((r) => r.id === DEFAULT_ROOM));
  });
});

describe('isRoomId', () => {
  it('accepts every listed room id', () => {
    for (const room of ROOMS) {
      assert.equal(isRoomId(room.id), true, room.id);
    }
  });

  it('rejects unknown strings', () => {
    for (const value of ['', 'fr', 'ANY', 'En', ' en', 'en ', 'english', 'Tamil']) {
      assert.equal(isRoomId(value), false, JSON.stringify(value));
    }
  });

  it('rejects non-strings', () => {
    for (const value of [undefined, null, 0, 1, true, {}, [], ['en'], { id: 'en' }, Symbol('en')]) {
      assert.equal(isRoomId(value), false, String(typeof value));
    }
  });

  it('rejects inherited object keys', () => {
    for (const value of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.equal(isRoomId(value), false, value);
    }
  });
});
