import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeChannelMessage, encodeChannelMessage, MAX_CHAT_CHARS } from '../../../../web/src/engine/channel-messages.js';
import {
  ACK_WITHIN_MS,
  CHAT_RATE,
  delivery,
  nextDeliveryStep,
  outgoingText,
  RateWindow,
  SeenIds,
  type DeliveryEvent,
  type DeliveryStep,
} from '../../../../web/src/features/chat-rules.js';

describe('what a person may send', () => {
  it('trims, refuses an empty message and one past 1,000 characters, and says how long it is', () => {
    assert.deepEqual(outgoingText('  hi there \n'), { ok: true, text: 'hi there' });
    assert.deepEqual(outgoingText(' \n\t '), { ok: false, reason: 'empty', length: 0 });
    assert.deepEqual(outgoingText('a'.repeat(MAX_CHAT_CHARS)), { ok: true, text: 'a'.repeat(MAX_CHAT_CHARS) });
    assert.deepEqual(outgoingText('a'.repeat(MAX_CHAT_CHARS + 5)), { ok: false, reason: 'too-long', length: 1005 });
    // Characters as a person counts them: 1,000 emoji are 2,000 UTF-16 units and still allowed.
    assert.equal(outgoingText('🙂'.repeat(MAX_CHAT_CHARS)).ok, true);
  });

  it('keeps inner line breaks', () => {
    assert.deepEqual(outgoingText('one\ntwo'), { ok: true, text: 'one\ntwo' });
  });

  it('leaves markup exactly as typed: it is text, and the receiver gets the same text', () => {
    const typed = '<img src=x onerror=alert(1)>';
    const out = outgoingText(typed);
    assert.deepEqual(out, { ok: true, text: typed });
    const frame = encodeChannelMessage({ type: 'chat', id: 'm1', text: typed, sentAt: 1 });
    const decoded = decodeChannelMessage(frame);
    assert.ok(decoded.valid && decoded.message?.type === 'chat');
    assert.equal(decoded.message.text, typed, 'nothing escaped or stripped on the way: the page shows it as a text node');
  });
});

describe('the rate: at most 5 messages in any 3 s', () => {
  it('allows a burst of 5, refuses the 6th, and allows again once the oldest is 3 s old', () => {
    const rate = new RateWindow();
    for (let i = 0; i < CHAT_RATE.messages; i++) assert.ok(rate.allow(1_000 + i * 10), `message ${i + 1}`);
    assert.equal(rate.allow(1_100), false, 'the 6th within 3 s');
    assert.equal(rate.allow(1_000 + CHAT_RATE.perMs - 1), false, 'just before the first leaves the window');
    assert.ok(rate.allow(1_000 + CHAT_RATE.perMs), 'the first left the window');
    assert.equal(rate.allow(1_000 + CHAT_RATE.perMs + 1), false, 'still 5 in the window');
  });

  it('a refused message does not count', () => {
    const rate = new RateWindow({ messages: 1, perMs: 1_000 });
    assert.ok(rate.allow(0));
    for (let t = 1; t < 1_000; t += 100) assert.equal(rate.allow(t), false);
    assert.ok(rate.allow(1_000));
  });

  it('a steady sender of one message a second is never refused', () => {
    const rate = new RateWindow();
    for (let t = 0; t < 60_000; t += 1_000) assert.ok(rate.allow(t), `at ${t} ms`);
  });
});

describe('what became of a message, per recipient', () => {
  const run = (events: DeliveryEvent[], from: DeliveryStep = { step: 'queued' }) => events.reduce(nextDeliveryStep, from);

  it('queued while the link cannot take it, sent, then acknowledged', () => {
    assert.deepEqual(run([{ type: 'sent', at: 10 }]), { step: 'sent', waitingSince: 10 });
    assert.deepEqual(run([{ type: 'sent', at: 10 }, { type: 'acked' }]), { step: 'acked' });
  });

  it('never lost in silence: a recipient whose link goes before acknowledging makes it not delivered', () => {
    assert.deepEqual(run([{ type: 'gone' }]), { step: 'failed' }, 'still queued when they went');
    assert.deepEqual(run([{ type: 'sent', at: 10 }, { type: 'gone' }]), { step: 'failed' }, 'sent, not acknowledged');
    assert.deepEqual(run([{ type: 'sent', at: 10 }, { type: 'acked' }, { type: 'gone' }]), { step: 'acked' }, 'they had it');
  });

  it('no acknowledgement within 10 s of connected time: not delivered; a late one still counts', () => {
    const sent = run([{ type: 'sent', at: 0 }]);
    assert.deepEqual(nextDeliveryStep(sent, { type: 'tick', at: ACK_WITHIN_MS - 1 }), sent);
    const failed = nextDeliveryStep(sent, { type: 'tick', at: ACK_WITHIN_MS });
    assert.deepEqual(failed, { step: 'failed' });
    assert.deepEqual(nextDeliveryStep(failed, { type: 'acked' }), { step: 'acked' });
  });

  it('a link that comes back starts the wait over, so a reconnection is not counted against it', () => {
    const sent = run([
      { type: 'sent', at: 0 },
      { type: 'reconnected', at: 8_000 },
    ]);
    assert.deepEqual(sent, { step: 'sent', waitingSince: 8_000 });
    assert.deepEqual(nextDeliveryStep(sent, { type: 'tick', at: ACK_WITHIN_MS + 1 }), sent);
  });

  it('a queued message is unaffected by ticks (it waits for the link, however long)', () => {
    assert.deepEqual(run([{ type: 'tick', at: 10 * ACK_WITHIN_MS }]), { step: 'queued' });
  });

  it('sums the recipients up for the sender', () => {
    assert.deepEqual(delivery([{ step: 'acked' }, { step: 'acked' }]), { status: 'delivered' });
    assert.deepEqual(delivery([{ step: 'acked' }, { step: 'sent', waitingSince: 0 }]), { status: 'sending' });
    assert.deepEqual(delivery([{ step: 'queued' }]), { status: 'sending' });
    assert.deepEqual(delivery([{ step: 'acked' }, { step: 'failed' }, { step: 'sent', waitingSince: 0 }]), {
      status: 'not-delivered',
      reached: 1,
      of: 3,
    });
    assert.deepEqual(delivery([]), { status: 'not-delivered', reached: 0, of: 0 }, 'nobody to send to');
  });
});

describe('messages shown once', () => {
  it('recognises an id seen before, and forgets the oldest past its bound', () => {
    const seen = new SeenIds(3);
    assert.ok(seen.add('a'));
    assert.equal(seen.add('a'), false);
    seen.add('b');
    seen.add('c');
    seen.add('d');
    assert.ok(seen.add('a'), 'the oldest was forgotten');
    assert.equal(seen.add('d'), false);
  });
});
