import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CHANNEL_VERSION,
  codePoints,
  decodeChannelMessage,
  encodeChannelMessage,
  isChatText,
  isDisplayName,
  MAX_CHAT_CHARS,
  MAX_FRAME_CHARS,
  MAX_NAME_CHARS,
  type ChannelMessage,
} from '../../../../web/src/engine/channel-messages.js';

const MESSAGES: readonly ChannelMessage[] = [
  { type: 'heartbeat' },
  { type: 'chat', id: 'a1', text: 'hello', sentAt: 1_700_000_000_000 },
  { type: 'chat', id: 'a2', text: 'hi', sentAt: 1, name: 'Asha' },
  { type: 'ack', id: 'a1' },
  { type: 'media', audio: false, video: true, screen: null },
  { type: 'media', audio: true, video: false, screen: '3' },
  { type: 'video-paused', paused: true },
  { type: 'video-paused', paused: false },
  { type: 'audio-only', on: true },
  { type: 'audio-only', on: false },
  { type: 'bye' },
  { type: 'restart' },
  { type: 'hello', takes: ['cand'] },
  { type: 'hello', takes: [] },
  {
    type: 'candidate',
    candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
  },
  {
    type: 'candidate',
    candidate: { candidate: 'candidate:2 1 udp 1 192.0.2.2 50001 typ srflx', sdpMid: null, sdpMLineIndex: 1 },
  },
];

describe('the control channel codec', () => {
  it('decodes what it encodes, for every type', () => {
    for (const message of MESSAGES) {
      assert.deepEqual(decodeChannelMessage(encodeChannelMessage(message)), { valid: true, message }, message.type);
    }
  });

  it('writes the documented frames (docs/PROTOCOL.md)', () => {
    assert.equal(encodeChannelMessage({ type: 'heartbeat' }), '{"v":1,"t":"beat"}');
    assert.equal(encodeChannelMessage({ type: 'bye' }), '{"v":1,"t":"bye"}');
    assert.equal(encodeChannelMessage({ type: 'restart' }), '{"v":1,"t":"restart"}');
    assert.equal(
      encodeChannelMessage({ type: 'chat', id: 'x', text: 'hi', sentAt: 5 }),
      '{"v":1,"t":"chat","id":"x","text":"hi","sentAt":5}',
    );
    assert.equal(
      encodeChannelMessage({ type: 'media', audio: true, video: false, screen: '2' }),
      '{"v":1,"t":"media","audio":true,"video":false,"screen":"2"}',
    );
    assert.equal(encodeChannelMessage({ type: 'ack', id: 'x' }), '{"v":1,"t":"ack","id":"x"}');
    assert.equal(encodeChannelMessage({ type: 'video-paused', paused: true }), '{"v":1,"t":"vpause","paused":true}');
    assert.equal(encodeChannelMessage({ type: 'audio-only', on: true }), '{"v":1,"t":"aonly","on":true}');
    assert.equal(encodeChannelMessage({ type: 'hello', takes: ['cand'] }), '{"v":1,"t":"hello","takes":["cand"]}');
    assert.equal(
      encodeChannelMessage({ type: 'candidate', candidate: { candidate: 'candidate:x', sdpMid: '0', sdpMLineIndex: null } }),
      '{"v":1,"t":"cand","candidate":"candidate:x","sdpMid":"0","sdpMLineIndex":null}',
    );
  });

  it('hello: at most 16 names of 1 to 32 lower-case letters, digits and dashes; anything else is dropped', () => {
    const hello = (takes: unknown) => decodeChannelMessage(JSON.stringify({ v: 1, t: 'hello', takes }));
    assert.deepEqual(hello(['cand', 'future-thing']), {
      valid: true,
      message: { type: 'hello', takes: ['cand', 'future-thing'] },
    });
    assert.deepEqual(hello(Array.from({ length: 16 }, () => 'a')).valid, true);
    for (const bad of [undefined, 'cand', [1], ['CAND'], [''], ['a'.repeat(33)], Array.from({ length: 17 }, () => 'a'), [null]]) {
      assert.deepEqual(hello(bad), { valid: false, error: 'bad-fields' }, JSON.stringify(bad));
    }
  });

  it('cand: a candidate line of at most 512 characters, a media section by mid or index; anything else is dropped', () => {
    const cand = (fields: Record<string, unknown>) => decodeChannelMessage(JSON.stringify({ v: 1, t: 'cand', ...fields }));
    const line = 'candidate:1 1 udp 1 192.0.2.1 5 typ host';
    assert.equal(cand({ candidate: line, sdpMid: '0' }).valid, true, 'a missing index is null');
    assert.equal(cand({ candidate: 'candidate:' + 'x'.repeat(502), sdpMLineIndex: 0 }).valid, true, '512 characters');
    for (const bad of [
      { candidate: line },
      { candidate: line, sdpMid: null, sdpMLineIndex: null },
      { candidate: 'candidate:' + 'x'.repeat(503), sdpMid: '0' },
      { candidate: 'a=candidate:1', sdpMid: '0' },
      { candidate: line + '\r\na=ice-ufrag:x', sdpMid: '0' },
      { candidate: 5, sdpMid: '0' },
      { candidate: line, sdpMid: 'has space' },
      { candidate: line, sdpMLineIndex: -1 },
      { candidate: line, sdpMLineIndex: 1024 },
      { candidate: line, sdpMLineIndex: 0.5 },
    ]) {
      assert.deepEqual(cand(bad), { valid: false, error: 'bad-fields' }, JSON.stringify(bad));
    }
  });

  it("takes the heartbeat of pages before the codec, without a version, as version 1's", () => {
    assert.deepEqual(decodeChannelMessage('{"t":"beat"}'), { valid: true, message: { type: 'heartbeat' } });
  });

  it('ignores a well-formed frame of an unknown type or version, without rejecting it', () => {
    assert.deepEqual(decodeChannelMessage('{"v":1,"t":"reaction","emoji":"👍"}'), { valid: true, message: null });
    assert.deepEqual(decodeChannelMessage(`{"v":${CHANNEL_VERSION + 1},"t":"chat","body":{}}`), { valid: true, message: null });
  });

  it('ignores fields it does not know in a known type (a newer page may add some)', () => {
    assert.deepEqual(decodeChannelMessage('{"v":1,"t":"ack","id":"x","at":5}'), {
      valid: true,
      message: { type: 'ack', id: 'x' },
    });
  });

  it('rejects malformed input without throwing, and says why', () => {
    const cases: Array<[unknown, string]> = [
      [new ArrayBuffer(8), 'not-text'],
      [null, 'not-text'],
      ['x'.repeat(MAX_FRAME_CHARS + 1), 'too-large'],
      ['{"v":1,"t":"chat"', 'not-json'],
      ['', 'not-json'],
      ['[1,2]', 'bad-envelope'],
      ['"beat"', 'bad-envelope'],
      ['null', 'bad-envelope'],
      ['{"v":1}', 'bad-envelope'],
      ['{"v":"1","t":"beat"}', 'bad-envelope'],
      ['{"v":0,"t":"beat"}', 'bad-envelope'],
      ['{"v":1.5,"t":"beat"}', 'bad-envelope'],
      ['{"v":1,"t":7}', 'bad-envelope'],
      ['{"v":1,"t":"chat","id":"x","text":"","sentAt":1}', 'bad-fields'],
      ['{"v":1,"t":"chat","id":"x","text":"   \\n ","sentAt":1}', 'bad-fields'],
      ['{"v":1,"t":"chat","id":"","text":"hi","sentAt":1}', 'bad-fields'],
      [`{"v":1,"t":"chat","id":"${'i'.repeat(65)}","text":"hi","sentAt":1}`, 'bad-fields'],
      ['{"v":1,"t":"chat","id":"x","text":"hi","sentAt":"now"}', 'bad-fields'],
      ['{"v":1,"t":"chat","id":"x","text":"hi","sentAt":-1}', 'bad-fields'],
      ['{"v":1,"t":"chat","id":"x","text":{"html":"<b>"},"sentAt":1}', 'bad-fields'],
      ['{"v":1,"t":"chat","id":"x","text":"hi","sentAt":1,"name":"a\\u0000b"}', 'bad-fields'],
      ['{"v":1,"t":"chat","id":"x","text":"hi","sentAt":1,"name":"\\u202eevil"}', 'bad-fields'],
      ['{"v":1,"t":"chat","id":"x","text":"hi","sentAt":1,"name":5}', 'bad-fields'],
      ['{"v":1,"t":"media","audio":"yes","video":true,"screen":null}', 'bad-fields'],
      ['{"v":1,"t":"media","audio":true,"video":true,"screen":"has space"}', 'bad-fields'],
      ['{"v":1,"t":"media","audio":true,"video":true,"screen":3}', 'bad-fields'],
      ['{"v":1,"t":"ack"}', 'bad-fields'],
      ['{"v":1,"t":"vpause"}', 'bad-fields'],
      ['{"v":1,"t":"vpause","paused":"yes"}', 'bad-fields'],
      ['{"v":1,"t":"aonly"}', 'bad-fields'],
      ['{"v":1,"t":"aonly","on":1}', 'bad-fields'],
    ];
    for (const [frame, error] of cases) {
      assert.deepEqual(decodeChannelMessage(frame), { valid: false, error }, String(frame).slice(0, 80));
    }
  });

  it('reads only fields of the frame itself, never inherited ones', () => {
    assert.deepEqual(decodeChannelMessage('{"v":1,"t":"constructor"}'), { valid: true, message: null });
    assert.deepEqual(decodeChannelMessage('{"v":1,"t":"ack","__proto__":{"id":"x"}}'), { valid: false, error: 'bad-fields' });
  });

  it('bounds chat text at 1,000 characters as a person counts them (emoji are one)', () => {
    const emoji = '😀'.repeat(MAX_CHAT_CHARS);
    assert.equal(emoji.length, 2 * MAX_CHAT_CHARS, 'two UTF-16 units each');
    assert.equal(codePoints(emoji), MAX_CHAT_CHARS);
    assert.ok(isChatText(emoji));
    assert.ok(!isChatText(`${emoji}!`));
    assert.ok(isChatText('a'.repeat(MAX_CHAT_CHARS)));
    assert.ok(!isChatText('a'.repeat(MAX_CHAT_CHARS + 1)));
    const frame = encodeChannelMessage({ type: 'chat', id: 'x', text: emoji, sentAt: 1 });
    assert.deepEqual(decodeChannelMessage(frame), { valid: true, message: { type: 'chat', id: 'x', text: emoji, sentAt: 1 } });
    assert.deepEqual(
      decodeChannelMessage(encodeChannelMessage({ type: 'chat', id: 'x', text: `${emoji}!`, sentAt: 1 })),
      { valid: false, error: 'bad-fields' },
      'one past the limit is refused by the receiver too',
    );
  });

  it('the largest valid chat message fits in a frame, even with every character escaped', () => {
    // The worst case for the frame's length: characters JSON writes as \\uXXXX.
    const text = '\u0001'.repeat(MAX_CHAT_CHARS);
    const name = 'n'.repeat(MAX_NAME_CHARS);
    const frame = encodeChannelMessage({ type: 'chat', id: 'i'.repeat(64), text, sentAt: Number.MAX_SAFE_INTEGER, name });
    assert.ok(frame.length <= MAX_FRAME_CHARS, `${frame.length} characters`);
    assert.equal(decodeChannelMessage(frame).valid, true);
  });

  it('keeps markup as the text it is: decoding never interprets it', () => {
    const text = '<img src=x onerror=alert(1)>';
    assert.deepEqual(decodeChannelMessage(encodeChannelMessage({ type: 'chat', id: 'x', text, sentAt: 1 })), {
      valid: true,
      message: { type: 'chat', id: 'x', text, sentAt: 1 },
    });
  });

  it('display names: 1 to 40 characters, no control or direction-override characters', () => {
    assert.ok(isDisplayName('Asha'));
    assert.ok(isDisplayName('த'.repeat(MAX_NAME_CHARS)));
    assert.ok(!isDisplayName('த'.repeat(MAX_NAME_CHARS + 1)));
    assert.ok(!isDisplayName('  '));
    assert.ok(!isDisplayName('a\nb'));
    assert.ok(!isDisplayName('\u2067x'));
  });
});
