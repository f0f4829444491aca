import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MAX_SDP_LENGTH } from '../../../../functions/src/domain/limits.js';
import { MAX_AVOID, MAX_UID_LENGTH, SKIP_MEMORY_SIZE } from '../../../../functions/src/protocol/calls.js';
import { InvalidRequest } from '../../../../functions/src/domain/refusals.js';
import {
  MAX_CALL_ID_LENGTH,
  MAX_REQUEST_DEPTH,
  ownField,
  parseCreateCallRequest,
  parseDescription,
  parseEnterCallRequest,
  parseJoinRequest,
  parseLeaveCallRequest,
  parseLeaveRequest,
  parsePeekCallRequest,
  rejectPrototypeKeys,
  WHOLE_REQUEST,
} from '../../../../functions/src/domain/requests.js';
import { parseBlockRequest, parseReportRequest } from '../../../../functions/src/domain/moderation.js';
import { LINK_CALL_ID_LENGTH } from '../../../../functions/src/protocol/calls.js';
import { ROOMS } from '../../../../functions/src/protocol/rooms.js';
import { assertInvalid } from '../../support/assert-invalid.js';

const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

/** An SDP of exactly `length` characters that starts with "v=0". */
function sdpOfLength(length: number): string {
  return 'v=0' + 'a'.repeat(length - 3);
}

function offer(sdp: string = SDP): { type: 'offer'; sdp: string } {
  return { type: 'offer', sdp };
}

describe('InvalidRequest', () => {
  it('is an Error named InvalidRequest carrying its message and its refusal: the field, and the limit when given', () => {
    const err = new InvalidRequest('room', 'nope');
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'InvalidRequest');
    assert.equal(err.message, 'nope');
    assert.deepEqual(err.refusal, { code: 'invalid-request', field: 'room' });
    assert.deepEqual(new InvalidRequest('offer.sdp', 'too long', 16).refusal, {
      code: 'invalid-request',
      field: 'offer.sdp',
      limit: 16,
    });
  });
});

describe('parseDescription', () => {
  it('accepts a valid offer and returns only type and sdp', () => {
    assert.deepEqual(parseDescription({ type: 'offer', sdp: SDP }, 'offer'), { type: 'offer', sdp: SDP });
  });

  it('accepts a valid answer', () => {
    assert.deepEqual(parseDescription({ type: 'answer', sdp: SDP }, 'answer'), { type: 'answer', sdp: SDP });
  });

  it('returns a new object, not the input', () => {
    const input = { type: 'offer', sdp: SDP };
    const result = parseDescription(input, 'offer');
    assert.notEqual(result, input);
  });

  for (const [label, value] of [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'v=0'],
    ['a number', 42],
    ['a boolean', true],
    ['an array', [{ type: 'offer', sdp: SDP }]],
    ['an empty array', []],
  ] as const) {
    it(`rejects ${label}, naming the expected shape`, () => {
      assertInvalid(() => parseDescription(value, 'offer'), /The offer must be an object with "type" and "sdp"/, 'offer');
    });
  }

  it('names the expected kind in the shape message for answers', () => {
    assertInvalid(() => parseDescription(null, 'answer'), /^The answer must be an object/, 'answer');
  });

  it('rejects unknown fields, naming what it takes and not what it got', () => {
    assertInvalid(
      () => parseDescription({ type: 'offer', sdp: SDP, extra: 1, more: 2 }, 'offer'),
      /^The offer has a field it does not take \(it takes only type, sdp\)\.$/,
      'offer',
    );
  });

  it('rejects a missing type', () => {
    assertInvalid(() => parseDescription({ sdp: SDP }, 'offer'), /The offer must have type "offer"/, 'offer.type');
  });

  it('rejects an answer given where an offer is expected', () => {
    assertInvalid(() => parseDescription({ type: 'answer', sdp: SDP }, 'offer'), /must have type "offer"/, 'offer.type');
  });

  it('rejects an offer given where an answer is expected', () => {
    assertInvalid(() => parseDescription({ type: 'offer', sdp: SDP }, 'answer'), /must have type "answer"/, 'answer.type');
  });

  it('rejects other type values', () => {
    for (const type of ['OFFER', 'pranswer', 'rollback', '', 1, null]) {
      assertInvalid(() => parseDescription({ type, sdp: SDP }, 'offer'), /must have type "offer"/, 'offer.type');
    }
  });

  it('rejects a missing sdp', () => {
    assertInvalid(() => parseDescription({ type: 'offer' }, 'offer'), /SDP as a non-empty string/, 'offer.sdp');
  });

  it('rejects a non-string sdp', () => {
    for (const sdp of [null, 0, 123, true, {}, ['v=0'], new String(SDP)]) {
      assertInvalid(() => parseDescription({ type: 'offer', sdp }, 'offer'), /SDP as a non-empty string/, 'offer.sdp');
    }
  });

  it('rejects an empty sdp', () => {
    assertInvalid(() => parseDescription({ type: 'offer', sdp: '' }, 'offer'), /SDP as a non-empty string/, 'offer.sdp');
  });

  it('accepts an sdp of exactly MAX_SDP_LENGTH characters', () => {
    const sdp = sdpOfLength(MAX_SDP_LENGTH);
    assert.equal(sdp.length, MAX_SDP_LENGTH);
    assert.equal(parseDescription({ type: 'offer', sdp }, 'offer').sdp, sdp);
  });

  it('rejects an sdp of MAX_SDP_LENGTH + 1 characters, stating the limit', () => {
    const sdp = sdpOfLength(MAX_SDP_LENGTH + 1);
    assertInvalid(
      () => parseDescription({ type: 'offer', sdp }, 'offer'),
      new RegExp(`^The offer SDP is too long: at most ${MAX_SDP_LENGTH} characters are accepted\\.$`),
      'offer.sdp',
      MAX_SDP_LENGTH,
    );
  });

  it('MAX_SDP_LENGTH is 16 KiB', () => {
    assert.equal(MAX_SDP_LENGTH, 16_384);
  });

  it('rejects an sdp that does not start with "v=0"', () => {
    for (const sdp of ['o=- 1 2 IN IP4 127.0.0.1', ' v=0\r\n', 'v=1\r\n', 'V=0\r\n', 'hello']) {
      assertInvalid(() => parseDescription({ type: 'offer', sdp }, 'offer'), /The offer SDP must start with "v=0"/, 'offer.sdp');
    }
  });

  it('accepts an sdp that is just "v=0"', () => {
    assert.equal(parseDescription({ type: 'answer', sdp: 'v=0' }, 'answer').sdp, 'v=0');
  });
});

describe('parseJoinRequest', () => {
  it('accepts a room and an offer', () => {
    assert.deepEqual(parseJoinRequest({ room: 'en', offer: offer() }), {
      room: 'en',
      offer: offer(),
      widen: true,
      avoid: [],
      presenceOnCall: false,
      makesOwnMailbox: false,
    });
  });

  it('keeps presence in a presence document unless the page says presenceOnCall: true', () => {
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer() }).presenceOnCall, false);
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), presenceOnCall: false }).presenceOnCall, false);
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), presenceOnCall: true }).presenceOnCall, true);
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), renewing: 'abc', presenceOnCall: true }).presenceOnCall, true);
  });

  it("makes the joiner's mailbox in join unless the page says makesOwnMailbox: true", () => {
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer() }).makesOwnMailbox, false);
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), makesOwnMailbox: false }).makesOwnMailbox, false);
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), makesOwnMailbox: true }).makesOwnMailbox, true);
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), renewing: 'abc', makesOwnMailbox: true }).makesOwnMailbox, true);
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), leaving: null, makesOwnMailbox: true }).makesOwnMailbox, true);
  });

  // The page's two yes-or-no words about itself: validated alike.
  for (const flag of ['presenceOnCall', 'makesOwnMailbox'] as const) {
    for (const value of ['true', 1, null, {}]) {
      it(`rejects ${flag} ${JSON.stringify(value)}`, () => {
        assertInvalid(
          () => parseJoinRequest({ room: 'ta', offer: offer(), [flag]: value }),
          new RegExp(`"${flag}" must be true or false`),
          flag,
        );
      });
    }

    it(`reads ${flag} from the request itself, never from Object.prototype`, () => {
      Object.defineProperty(Object.prototype, flag, { value: true, configurable: true });
      try {
        assert.equal(parseJoinRequest({ room: 'ta', offer: offer() })[flag], false);
      } finally {
        delete (Object.prototype as Record<string, unknown>)[flag];
      }
    });
  }

  it('takes what the page says it leaves: a call id (Next), null (Start), or nothing (a page that cannot say)', () => {
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer() }).leaving, undefined);
    assert.equal('leaving' in parseJoinRequest({ room: 'ta', offer: offer() }), false, 'absent stays absent');
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), leaving: null }).leaving, null);
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), leaving: 'AbC123' }).leaving, 'AbC123');
  });

  for (const leaving of ['', 'a/b', 7, true, {}, ['abc']]) {
    it(`rejects leaving ${JSON.stringify(leaving)}`, () => {
      assertInvalid(
        () => parseJoinRequest({ room: 'ta', offer: offer(), leaving }),
        /"leaving" must be null or the id/,
        'leaving',
      );
    });
  }

  it('rejects a leaving call id longer than any call id, naming the limit', () => {
    assertInvalid(
      () => parseJoinRequest({ room: 'ta', offer: offer(), leaving: 'x'.repeat(65) }),
      /"leaving" must be null or the id/,
      'leaving',
      64,
    );
  });

  it('refuses leaving with renewing: a page that renews waits, in no call', () => {
    for (const leaving of [null, 'abc']) {
      assertInvalid(
        () => parseJoinRequest({ room: 'ta', offer: offer(), renewing: 'abc', leaving }),
        /"leaving" cannot come with "renewing"/,
        'leaving',
      );
    }
  });

  it('reads leaving from the request itself, never from Object.prototype', () => {
    Object.defineProperty(Object.prototype, 'leaving', { value: null, configurable: true });
    try {
      assert.equal(Object.prototype.hasOwnProperty.call(parseJoinRequest({ room: 'ta', offer: offer() }), 'leaving'), false);
    } finally {
      delete (Object.prototype as Record<string, unknown>).leaving;
    }
  });

  it('widens by default and honours widen: false', () => {
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer() }).widen, true);
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), widen: false }).widen, false);
    assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), widen: true }).widen, true);
  });

  for (const widen of ['yes', 1, 0, null, {}]) {
    it(`rejects widen ${JSON.stringify(widen)}`, () => {
      assertInvalid(() => parseJoinRequest({ room: 'ta', offer: offer(), widen }), /"widen" must be true or false/, 'widen');
    });
  }

  it('accepts every listed room', () => {
    for (const room of ROOMS) {
      assert.equal(parseJoinRequest({ room: room.id, offer: offer() }).room, room.id);
    }
  });

  describe('avoid', () => {
    const uid = (i: number) => `Uid${String(i).padStart(25, '0')}`;

    it('takes up to MAX_AVOID user ids, without duplicates', () => {
      const ten = Array.from({ length: MAX_AVOID }, (_, i) => uid(i));
      assert.deepEqual(parseJoinRequest({ room: 'ta', offer: offer(), avoid: ten }).avoid, ten);
      assert.deepEqual(parseJoinRequest({ room: 'ta', offer: offer(), avoid: [uid(1), uid(1)] }).avoid, [uid(1)]);
      assert.deepEqual(parseJoinRequest({ room: 'ta', offer: offer(), avoid: [] }).avoid, []);
    });

    it('refuses more than MAX_AVOID ids, naming the field and the limit', () => {
      const eleven = Array.from({ length: MAX_AVOID + 1 }, (_, i) => uid(i));
      assertInvalid(() => parseJoinRequest({ room: 'ta', offer: offer(), avoid: eleven }), /at most 10/, 'avoid', MAX_AVOID);
    });

    for (const avoid of ['someone', {}, null, 3]) {
      it(`refuses ${JSON.stringify(avoid)} (not an array)`, () => {
        assertInvalid(() => parseJoinRequest({ room: 'ta', offer: offer(), avoid }), /must be an array/, 'avoid');
      });
    }

    for (const bad of ['', 'a b', 'x/y', 'ü', 7, null, ['u']]) {
      it(`refuses the entry ${JSON.stringify(bad)} (not a uid), naming its index`, () => {
        assertInvalid(
          () => parseJoinRequest({ room: 'ta', offer: offer(), avoid: [uid(1), bad] }),
          /must be a user id/,
          'avoid[1]',
        );
      });
    }

    it('reads own elements only: a hole is refused even when Array.prototype has that index', () => {
      const holey: unknown[] = [uid(1)];
      holey[2] = uid(2); // index 1 is a hole
      Object.defineProperty(Array.prototype, 1, { value: uid(9), configurable: true });
      try {
        assertInvalid(() => parseJoinRequest({ room: 'ta', offer: offer(), avoid: holey }), /must be a user id/, 'avoid[1]');
      } finally {
        delete (Array.prototype as unknown as Record<number, unknown>)[1];
      }
    });

    it('is read from the request itself, never inherited from Object.prototype', () => {
      Object.defineProperty(Object.prototype, 'avoid', { value: ['x/y'], configurable: true });
      try {
        assert.deepEqual(parseJoinRequest({ room: 'ta', offer: offer() }).avoid, []);
      } finally {
        delete (Object.prototype as Record<string, unknown>).avoid;
      }
    });

    it('refuses a uid longer than 128 characters with the limit, and never echoes it', () => {
      const long = 'u'.repeat(100_000);
      assertInvalid(
        () => parseJoinRequest({ room: 'ta', offer: offer(), avoid: [long] }),
        /1 to 128 letters/,
        'avoid[0]',
        MAX_UID_LENGTH,
      );
      assert.equal(parseJoinRequest({ room: 'ta', offer: offer(), avoid: ['u'.repeat(128)] }).avoid?.length, 1);
    });
  });

  describe('recent', () => {
    const uid = (i: number) => `Uid${String(i).padStart(25, '0')}`;

    it('is absent unless sent, and takes up to SKIP_MEMORY_SIZE user ids (an empty list too), without duplicates', () => {
      assert.equal('recent' in parseJoinRequest({ room: 'ta', offer: offer() }), false);
      assert.deepEqual(parseJoinRequest({ room: 'ta', offer: offer(), recent: [] }).recent, []);
      const all = Array.from({ length: SKIP_MEMORY_SIZE }, (_, i) => uid(i));
      assert.deepEqual(parseJoinRequest({ room: 'ta', offer: offer(), recent: all }).recent, all);
      assert.deepEqual(parseJoinRequest({ room: 'ta', offer: offer(), recent: [uid(1), uid(1)] }).recent, [uid(1)]);
      assert.deepEqual(parseJoinRequest({ room: 'ta', offer: offer(), renewing: 'abc', recent: [uid(2)] }).recent, [uid(2)]);
    });

    it('refuses more than SKIP_MEMORY_SIZE ids, something not an array, or an entry not a uid, naming the field', () => {
      const tooMany = Array.from({ length: SKIP_MEMORY_SIZE + 1 }, (_, i) => uid(i));
      assertInvalid(
        () => parseJoinRequest({ room: 'ta', offer: offer(), recent: tooMany }),
        /"recent" holds too many/,
        'recent',
        SKIP_MEMORY_SIZE,
      );
      assertInvalid(() => parseJoinRequest({ room: 'ta', offer: offer(), recent: 'x' }), /"recent" must be an array/, 'recent');
      assertInvalid(() => parseJoinRequest({ room: 'ta', offer: offer(), recent: null }), /"recent" must be an array/, 'recent');
      assertInvalid(
        () => parseJoinRequest({ room: 'ta', offer: offer(), recent: [uid(1), 'x/y'] }),
        /Each entry of "recent" must be a user id/,
        'recent[1]',
      );
    });

    it('is read from the request itself, never inherited from Object.prototype', () => {
      Object.defineProperty(Object.prototype, 'recent', { value: ['x'], configurable: true });
      try {
        assert.equal(Object.prototype.hasOwnProperty.call(parseJoinRequest({ room: 'ta', offer: offer() }), 'recent'), false);
      } finally {
        delete (Object.prototype as Record<string, unknown>).recent;
      }
    });
  });

  it('omits renewing when it was not sent', () => {
    const request = parseJoinRequest({ room: 'any', offer: offer() });
    assert.equal('renewing' in request, false);
  });

  it('treats an explicit undefined renewing as absent', () => {
    const request = parseJoinRequest({ room: 'any', offer: offer(), renewing: undefined });
    assert.deepEqual(request, {
      room: 'any',
      offer: offer(),
      widen: true,
      avoid: [],
      presenceOnCall: false,
      makesOwnMailbox: false,
    });
    assert.equal('renewing' in request, false);
  });

  it('accepts a Firestore-style 20-character call id as renewing', () => {
    const renewing = 'aB3dE5fG7hJ9kL1mN3pQ';
    assert.deepEqual(parseJoinRequest({ room: 'ta', offer: offer(), renewing }), {
      room: 'ta',
      offer: offer(),
      renewing,
      widen: true,
      avoid: [],
      presenceOnCall: false,
      makesOwnMailbox: false,
    });
  });

  it('accepts renewing ids of length 1 and 64', () => {
    assert.equal(parseJoinRequest({ room: 'en', offer: offer(), renewing: 'x' }).renewing, 'x');
    const long = 'A'.repeat(64);
    assert.equal(parseJoinRequest({ room: 'en', offer: offer(), renewing: long }).renewing, long);
  });

  for (const [label, value] of [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'en'],
    ['a number', 7],
    ['an array', [{ room: 'en', offer: offer() }]],
    ['an empty array', []],
  ] as const) {
    it(`rejects ${label} as the request, showing the expected shape`, () => {
      assertInvalid(
        () => parseJoinRequest(value),
        /join expects an object: \{ room, offer, renewing\?, widen\?, avoid\?, presenceOnCall\?, makesOwnMailbox\?, recent\?, leaving\? \}/,
        WHOLE_REQUEST,
      );
    });
  }

  it('rejects unknown keys, naming what it takes and not what it got', () => {
    assertInvalid(
      () => parseJoinRequest({ room: 'en', offer: offer(), uid: 'someone-else' }),
      /^The join request has a field it does not take \(it takes only room, offer, renewing, widen, avoid, presenceOnCall, makesOwnMailbox, recent, leaving\)\.$/,
      WHOLE_REQUEST,
    );
  });

  it('rejects unknown keys before looking at the room', () => {
    assertInvalid(() => parseJoinRequest({ room: 'nowhere', offer: offer(), admin: true }), /does not take/, WHOLE_REQUEST);
  });

  it('rejects an unknown room, listing the rooms to choose from and not the one sent', () => {
    const ids = ROOMS.map((r) => r.id).join(', ');
    assertInvalid(
      () => parseJoinRequest({ room: 'fr', offer: offer() }),
      new RegExp(`^"room" must be a room id: one of ${ids}\\.$`),
      'room',
    );
  });

  it('rejects a missing room', () => {
    assertInvalid(() => parseJoinRequest({ offer: offer() }), /"room" must be a room id/, 'room');
  });

  it('rejects a non-string room', () => {
    for (const room of [null, 1, ['en'], { id: 'en' }]) {
      assertInvalid(() => parseJoinRequest({ room, offer: offer() }), /"room" must be a room id/, 'room');
    }
  });

  it('rejects a room in the wrong case', () => {
    assertInvalid(() => parseJoinRequest({ room: 'EN', offer: offer() }), /"room" must be a room id/, 'room');
  });

  it('never echoes what was sent: a 100,000-character room gets a short answer naming the field', () => {
    const room = 'x'.repeat(100_000);
    assertInvalid(() => parseJoinRequest({ room, offer: offer() }), /^"room" must be a room id/, 'room');
    assert.throws(
      () => parseJoinRequest({ room, offer: offer() }),
      (err: unknown) => err instanceof InvalidRequest && !err.message.includes('xxxx'),
    );
  });

  it('never echoes what was sent, whichever field is at fault', () => {
    const huge = 'v=0' + 'y'.repeat(100_000);
    for (const [data, field, limit] of [
      [{ room: 'en', offer: offer(), ['k'.repeat(100_000)]: 1 }, WHOLE_REQUEST, undefined],
      [{ room: 'en', offer: { type: 'offer', sdp: huge } }, 'offer.sdp', MAX_SDP_LENGTH],
      [{ room: 'en', offer: { type: 'y'.repeat(100_000), sdp: SDP } }, 'offer.type', undefined],
      [{ room: 'en', offer: { ...offer(), ['k'.repeat(100_000)]: 1 } }, 'offer', undefined],
      [{ room: 'en', offer: offer(), widen: 'y'.repeat(100_000) }, 'widen', undefined],
      [{ room: 'en', offer: offer(), renewing: 'y'.repeat(100_000) }, 'renewing', MAX_CALL_ID_LENGTH],
    ] as const) {
      assertInvalid(() => parseJoinRequest(data), /./, field, limit);
      assert.throws(
        () => parseJoinRequest(data),
        (err: unknown) => err instanceof InvalidRequest && !/yyyy|kkkk/.test(err.message),
      );
    }
  });

  it('rejects a missing offer', () => {
    assertInvalid(() => parseJoinRequest({ room: 'en' }), /The offer must be an object/, 'offer');
  });

  it('rejects an answer sent as the offer', () => {
    assertInvalid(
      () => parseJoinRequest({ room: 'en', offer: { type: 'answer', sdp: SDP } }),
      /must have type "offer"/,
      'offer.type',
    );
  });

  it('rejects an offer without a type', () => {
    assertInvalid(() => parseJoinRequest({ room: 'en', offer: { sdp: SDP } }), /must have type "offer"/, 'offer.type');
  });

  it('rejects an offer with an empty sdp', () => {
    assertInvalid(() => parseJoinRequest({ room: 'en', offer: offer('') }), /non-empty string/, 'offer.sdp');
  });

  it('rejects an offer with a non-string sdp', () => {
    assertInvalid(() => parseJoinRequest({ room: 'en', offer: { type: 'offer', sdp: 5 } }), /non-empty string/, 'offer.sdp');
  });

  it('accepts an offer sdp of exactly MAX_SDP_LENGTH characters', () => {
    const sdp = sdpOfLength(MAX_SDP_LENGTH);
    assert.equal(parseJoinRequest({ room: 'en', offer: offer(sdp) }).offer.sdp, sdp);
  });

  it('rejects an offer sdp of MAX_SDP_LENGTH + 1 characters', () => {
    assertInvalid(
      () => parseJoinRequest({ room: 'en', offer: offer(sdpOfLength(MAX_SDP_LENGTH + 1)) }),
      /at most 16384 characters are accepted/,
      'offer.sdp',
      MAX_SDP_LENGTH,
    );
  });

  it('rejects an offer sdp not starting with "v=0"', () => {
    assertInvalid(
      () => parseJoinRequest({ room: 'en', offer: offer('o=- 1 2 IN IP4 0.0.0.0') }),
      /must start with "v=0"/,
      'offer.sdp',
    );
  });

  it('rejects an offer carrying unknown fields', () => {
    assertInvalid(
      () => parseJoinRequest({ room: 'en', offer: { type: 'offer', sdp: SDP, candidates: [] } }),
      /The offer has a field it does not take/,
      'offer',
    );
  });

  it('rejects a non-string renewing', () => {
    for (const renewing of [null, 0, 12345, true, {}, ['abc']]) {
      assertInvalid(
        () => parseJoinRequest({ room: 'en', offer: offer(), renewing }),
        /"renewing" must be the call id that join returned/,
        'renewing',
      );
    }
  });

  it('rejects an empty renewing', () => {
    assertInvalid(
      () => parseJoinRequest({ room: 'en', offer: offer(), renewing: '' }),
      /"renewing" must be the call id/,
      'renewing',
    );
  });

  it('rejects renewing with characters outside A-Z, a-z, 0-9', () => {
    for (const renewing of ['calls/abc', 'abc-def', 'abc_def', 'abc def', ' abc', 'abc\n', 'ábc', '../x', 'a.b']) {
      assertInvalid(
        () => parseJoinRequest({ room: 'en', offer: offer(), renewing }),
        /"renewing" must be the call id/,
        'renewing',
      );
    }
  });

  it('rejects renewing longer than 64 characters, stating the limit', () => {
    assertInvalid(
      () => parseJoinRequest({ room: 'en', offer: offer(), renewing: 'A'.repeat(65) }),
      /"renewing" must be the call id/,
      'renewing',
      MAX_CALL_ID_LENGTH,
    );
  });
});

describe('parseLeaveRequest', () => {
  it('accepts undefined', () => {
    assert.deepEqual(parseLeaveRequest(undefined), {});
  });

  it('accepts null', () => {
    assert.deepEqual(parseLeaveRequest(null), {});
  });

  it('accepts an empty object', () => {
    assert.deepEqual(parseLeaveRequest({}), {});
  });

  for (const [label, value] of [
    ['a string', 'bye'],
    ['an empty string', ''],
    ['a number', 0],
    ['a boolean', false],
    ['an array', []],
  ] as const) {
    it(`rejects ${label}`, () => {
      assertInvalid(
        () => parseLeaveRequest(value),
        /leave expects no arguments, or an object: \{ callId\?: string \}/,
        WHOLE_REQUEST,
      );
    });
  }

  it('takes the call the page is in, or nothing', () => {
    assert.deepEqual(parseLeaveRequest({ callId: 'AbC123xyz' }), { callId: 'AbC123xyz' });
    assert.deepEqual(parseLeaveRequest({}), {});
    assert.deepEqual(parseLeaveRequest(null), {});
  });

  for (const callId of ['', '../x', 'a b', 42, null]) {
    it(`rejects the call id ${JSON.stringify(callId)}`, () => {
      assertInvalid(() => parseLeaveRequest({ callId }), /^leave, when it names a call, needs "callId"/, 'callId');
    });
  }

  it('rejects a call id longer than any', () => {
    assertInvalid(
      () => parseLeaveRequest({ callId: 'x'.repeat(65) }),
      /^leave, when it names a call, needs "callId"/,
      'callId',
      64,
    );
  });

  it('rejects any other field', () => {
    assertInvalid(() => parseLeaveRequest({ room: 'ta' }), /^The leave request has a field it does not take/, WHOLE_REQUEST);
  });

  it('takes no inherited call id', () => {
    assert.deepEqual(parseLeaveRequest(Object.create(null, {})), {});
  });

  it('rejects several fields', () => {
    assertInvalid(() => parseLeaveRequest({ a: 1, b: 2 }), /does not take/, WHOLE_REQUEST);
  });
});

/**
 * What the callable decoder (firebase-functions' `decode`) makes of a JSON
 * request: a copy by assignment, so a "__proto__" key sets the prototype.
 */
function decoded(json: string): unknown {
  const decode = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(decode);
    if (typeof value !== 'object' || value === null) return value;
    const obj: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) obj[k] = decode(v);
    return obj;
  };
  return decode(JSON.parse(json));
}

describe('prototype keys in join, leave, report and block', () => {
  const OFFER = JSON.stringify(offer());
  const cases: ReadonlyArray<readonly [string, (data: unknown) => unknown, string, string]> = [
    ['join', parseJoinRequest, `{"__proto__": {"room": "en", "offer": ${OFFER}}}`, WHOLE_REQUEST],
    ['join', parseJoinRequest, `{"room": "en", "offer": ${OFFER}, "__proto__": {"x": 1}}`, WHOLE_REQUEST],
    ['join', parseJoinRequest, `{"room": "en", "offer": {"__proto__": ${OFFER}}}`, 'offer'],
    ['join', parseJoinRequest, `{"__proto__": {"room": "en"}, "offer": ${OFFER}}`, WHOLE_REQUEST],
    ['leave', parseLeaveRequest, `{"__proto__": {"x": 1}}`, WHOLE_REQUEST],
    ['report', parseReportRequest, `{"__proto__": {"callId": "abc", "reason": "spam"}}`, WHOLE_REQUEST],
    ['report', parseReportRequest, `{"callId": "abc", "reason": "spam", "__proto__": {"x": 1}}`, WHOLE_REQUEST],
    ['report', parseReportRequest, `{"callId": "abc", "__proto__": {"reason": "spam"}}`, WHOLE_REQUEST],
    ['block', parseBlockRequest, `{"__proto__": {"callId": "abc"}}`, WHOLE_REQUEST],
    ['block', parseBlockRequest, `{"callId": "abc", "__proto__": {"x": 1}}`, WHOLE_REQUEST],
  ];

  for (const [name, parse, json, field] of cases) {
    it(`${name} refuses ${json.replace(OFFER, '<offer>')}, decoded or parsed`, () => {
      assertInvalid(() => parse(decoded(json)), /has a "__proto__" key/, field);
      assertInvalid(() => parse(JSON.parse(json)), /has a "__proto__" key/, field);
    });
  }
});

describe('rejectPrototypeKeys (the raw request body)', () => {
  it('accepts bodies without a "__proto__" key', () => {
    for (const body of [
      undefined,
      null,
      'x',
      1,
      {},
      { data: { room: 'en', offer: offer() } },
      { data: [{ a: [1, { b: 2 }] }] },
    ]) {
      rejectPrototypeKeys(body, 'The request');
    }
  });

  it('refuses a "__proto__" key at any depth, whatever its value (the decoder drops or hides them)', () => {
    for (const json of [
      '{"data": {"__proto__": null}}',
      '{"data": {"callId": "abc", "__proto__": "x"}}',
      '{"data": {"offer": {"__proto__": {"sdp": "v=0"}}}}',
      '{"data": [{"__proto__": 1}]}',
      '{"__proto__": {}}',
    ]) {
      assertInvalid(
        () => rejectPrototypeKeys(JSON.parse(json), 'The join request'),
        /^The join request has a "__proto__" key\.$/,
        WHOLE_REQUEST,
      );
    }
  });

  it('refuses bodies nested deeper than any request, stating the limit', () => {
    let body: unknown = 1;
    for (let i = 0; i < 12; i++) body = { a: body };
    assertInvalid(
      () => rejectPrototypeKeys(body, 'The report request'),
      /nested more than 8 levels deep/,
      WHOLE_REQUEST,
      MAX_REQUEST_DEPTH,
    );
  });
});

describe('parseCreateCallRequest', () => {
  it('accepts nothing, null, an empty object, and screenIncoming true or false', () => {
    assert.deepEqual(parseCreateCallRequest(undefined), {});
    assert.deepEqual(parseCreateCallRequest(null), {});
    assert.deepEqual(parseCreateCallRequest({}), {});
    assert.deepEqual(parseCreateCallRequest({ screenIncoming: false }), { screenIncoming: false });
    assert.deepEqual(parseCreateCallRequest({ screenIncoming: true }), { screenIncoming: true });
  });
  it('refuses anything else: other values, other fields, a screenIncoming that is not a boolean, __proto__', () => {
    assertInvalid(() => parseCreateCallRequest('x'), /createCall expects no arguments, or an object/, WHOLE_REQUEST);
    assertInvalid(() => parseCreateCallRequest([]), /createCall expects no arguments, or an object/, WHOLE_REQUEST);
    assertInvalid(() => parseCreateCallRequest({ room: 'ta' }), /does not take \(it takes only screenIncoming\)/, WHOLE_REQUEST);
    for (const bad of ['false', 0, null, {}])
      assertInvalid(
        () => parseCreateCallRequest({ screenIncoming: bad }),
        /"screenIncoming" must be true or false/,
        'screenIncoming',
      );
    // Inherited, not own: ignored is not enough, the prototype itself is refused.
    assertInvalid(
      () => parseCreateCallRequest(Object.create({ screenIncoming: false }) as unknown),
      /"__proto__"/,
      WHOLE_REQUEST,
    );
    assertInvalid(() => parseCreateCallRequest(JSON.parse('{"__proto__": {}}')), /"__proto__"/, WHOLE_REQUEST);
    // What the callable decoder makes of a JSON "__proto__" key: a prototype, not a field.
    assertInvalid(() => parseCreateCallRequest(Object.create({ x: 1 }) as unknown), /"__proto__"/, WHOLE_REQUEST);
  });
});

describe('parsePeekCallRequest, parseEnterCallRequest, parseLeaveCallRequest', () => {
  const ID = 'Ab3dEf6hIj9lMn2pQr5tUv';
  const parsers = [
    ['peekCall', parsePeekCallRequest],
    ['enterCall', parseEnterCallRequest],
    ['leaveCall', parseLeaveCallRequest],
  ] as const;
  for (const [name, parse] of parsers) {
    it(`${name}: accepts { callId } with a link call id and returns only it`, () => {
      assert.deepEqual(parse({ callId: ID }), { callId: ID });
    });
    it(`${name}: refuses a missing, malformed or wrongly typed callId, stating the length when it is too long`, () => {
      assertInvalid(() => parse(undefined), new RegExp(`${name} expects an object: \\{ callId \\}`), WHOLE_REQUEST);
      assertInvalid(() => parse(ID), new RegExp(`${name} expects an object`), WHOLE_REQUEST);
      assertInvalid(() => parse({}), /"callId" must be the 22 letters and digits of a call link/, 'callId');
      assertInvalid(() => parse({ callId: 42 }), /"callId" must be/, 'callId');
      assertInvalid(() => parse({ callId: ID.slice(1) }), /"callId" must be/, 'callId');
      assertInvalid(() => parse({ callId: `${ID}x` }), /"callId" must be/, 'callId', LINK_CALL_ID_LENGTH);
      assertInvalid(() => parse({ callId: `${ID.slice(1)}-` }), /"callId" must be/, 'callId');
      assertInvalid(() => parse({ callId: 'abcdefghijklmnopqrst' }), /"callId" must be/, 'callId');
    });
    it(`${name}: refuses unknown fields and __proto__, and never reads an inherited callId`, () => {
      assertInvalid(() => parse({ callId: ID, room: 'ta' }), /does not take \(it takes only callId\)/, WHOLE_REQUEST);
      assertInvalid(() => parse(JSON.parse(`{"callId": "${ID}", "__proto__": {"x": 1}}`)), /"__proto__"/, WHOLE_REQUEST);
      assertInvalid(() => parse(JSON.parse(`{"__proto__": {"callId": "${ID}"}}`)), /"__proto__"/, WHOLE_REQUEST);
      assertInvalid(() => parse(Object.create({ callId: ID }) as unknown), /"__proto__"/, WHOLE_REQUEST);
      const bare = Object.create(null) as Record<string, unknown>;
      assertInvalid(() => parse(bare), /"callId" must be/, 'callId');
      bare['callId'] = ID;
      assert.deepEqual(parse(bare), { callId: ID });
    });
  }
});

describe('ownField', () => {
  it('reads own properties only', () => {
    assert.equal(ownField({ a: 1 }, 'a'), 1);
    assert.equal(ownField(Object.create({ a: 1 }) as Record<string, unknown>, 'a'), undefined);
    assert.equal(ownField({}, 'toString'), undefined);
  });
});
