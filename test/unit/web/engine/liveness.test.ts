/**
 * The liveness decisions (engine/liveness.ts): when a silent link is probed
 * through the mailbox, when the partner is judged gone, when a probe is
 * answered. Pure, with made-up times.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_LIVENESS_TIMINGS,
  PartnerLiveness,
  REBUILD_AGAIN_MS,
  transportBytesIn,
} from '../../../../web/src/engine/liveness.js';

const T = DEFAULT_LIVENESS_TIMINGS;
const START = 1_000_000;

/** Checks every 250 ms from `from` to `to` (exclusive) and returns the actions with their times. */
function run(l: PartnerLiveness, from: number, to: number): [number, string][] {
  const out: [number, string][] = [];
  for (let t = from; t < to; t += 250) {
    const a = l.check(t);
    if (a) out.push([t, a]);
  }
  return out;
}

describe('PartnerLiveness', () => {
  it('stays silent while heartbeats arrive', () => {
    const l = new PartnerLiveness(START);
    for (let t = START; t < START + 10_000; t += 500) {
      l.heard(t);
      assert.equal(l.check(t + 250), null);
    }
  });

  it('probes once when the link goes quiet, not before quietAfterMs', () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    assert.deepEqual(run(l, START, START + T.quietAfterMs), []);
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    // One probe per quiet spell, however long it lasts.
    assert.deepEqual(run(l, START + T.quietAfterMs + 1, START + 60_000), []);
  });

  it('a partner who never writes back is gone answerWithinMs after our probe was stored, within 5 s of their last beat', () => {
    const l = new PartnerLiveness(START);
    l.heard(START); // their last heartbeat: then the browser was killed
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    const stored = START + T.quietAfterMs + 300; // our write's round trip
    l.probeStored(stored);
    assert.equal(l.check(stored + T.answerWithinMs - 1), null);
    assert.equal(l.check(stored + T.answerWithinMs), 'gone');
    assert.ok(stored + T.answerWithinMs - START <= 5_000, 'decided within 5 s of the death');
    assert.equal(l.check(stored + T.answerWithinMs + 1_000), null, 'decided once');
  });

  it('a partner who writes back (its own probe, a reply or an ICE restart offer) is alive: never gone; the silent link is rebuilt, asked again every REBUILD_AGAIN_MS', () => {
    for (const bare of [true, false]) {
      const l = new PartnerLiveness(START);
      l.heard(START);
      assert.equal(l.check(START + T.quietAfterMs), 'probe');
      const stored = START + T.quietAfterMs + 250;
      l.probeStored(stored);
      l.partnerWrote(START + T.quietAfterMs + 600, bare);
      const first = START + T.rebuildAfterMs;
      assert.deepEqual(run(l, START + T.quietAfterMs + 750, START + 31_000), [
        [first, 'rebuild'],
        [first + REBUILD_AGAIN_MS, 'rebuild'],
        [first + 2 * REBUILD_AGAIN_MS, 'rebuild'],
      ]);
    }
  });

  it('hearing the partner after a rebuild ends the spell: no more rebuilds, and the next spell starts with a probe', () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    l.probeStored(START + T.quietAfterMs);
    l.partnerWrote(START + T.quietAfterMs + 300, true);
    const rebuildAt = START + T.rebuildAfterMs;
    assert.equal(l.check(rebuildAt - 1), null, 'not before rebuildAfterMs of silence');
    assert.equal(l.check(rebuildAt), 'rebuild');
    for (let t = rebuildAt + 1_000; t < rebuildAt + 30_000; t += 500) {
      l.heard(t);
      assert.equal(l.check(t + 250), null, 'heard again: nothing to do');
    }
    const lastHeard = rebuildAt + 29_500;
    assert.equal(l.check(lastHeard + T.quietAfterMs), 'probe');
  });

  it("counts a partner's probe that arrived just before we noticed the silence", () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    // They noticed first and probed; their write reached us before our quiet.
    assert.equal(l.partnerWrote(START + 1_000, true), 'reply');
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    l.probeStored(START + T.quietAfterMs + 100);
    assert.equal(l.check(START + T.quietAfterMs + 100 + T.answerWithinMs), null, 'alive: not gone');
  });

  it('a write of theirs from before the silence (a late candidate of the setup) is no sign of life now', () => {
    const l = new PartnerLiveness(START);
    l.partnerWrote(START + 100, false);
    l.heard(START + 200); // their last heartbeat: then the browser was killed
    assert.equal(l.check(START + 200 + T.quietAfterMs), 'probe');
    l.probeStored(START + 200 + T.quietAfterMs + 100);
    assert.equal(l.check(START + 200 + T.quietAfterMs + 100 + T.answerWithinMs), 'gone');
  });

  it('a candidate of theirs that lands after their last heartbeat but before our probe is no sign of life (it was in flight when they died)', () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    l.partnerWrote(START + 300, false);
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    l.probeStored(START + T.quietAfterMs + 100);
    assert.equal(l.check(START + T.quietAfterMs + 100 + T.answerWithinMs), 'gone');
  });

  it('without our probe stored (our own network is down) it never blames the partner', () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    assert.deepEqual(run(l, START + T.quietAfterMs + 1, START + 60_000), []);
  });

  it('a silence shorter than rebuildAfterMs never asks for a rebuild, even with the partner alive (ICE notices real cuts by then)', () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    l.probeStored(START + T.quietAfterMs + 100);
    l.partnerWrote(START + T.quietAfterMs + 200, true);
    assert.deepEqual(run(l, START + T.quietAfterMs + 250, START + T.rebuildAfterMs - 250), []);
    l.heard(START + T.rebuildAfterMs - 200);
    assert.deepEqual(run(l, START + T.rebuildAfterMs, START + T.rebuildAfterMs + 1_000), []);
  });

  it('hearing the partner again ends the quiet spell; the next spell probes again', () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    l.heard(START + 2_000);
    assert.equal(l.check(START + 2_000 + T.quietAfterMs - 1), null);
    assert.equal(l.check(START + 2_000 + T.quietAfterMs), 'probe');
  });

  it("answers a partner's probe when not quiet itself and it wrote nothing lately; never twice in a row (no ping-pong)", () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    assert.equal(l.partnerWrote(START + 100, true), 'reply');
    // Their answer to our reply (or another probe) right after: not answered again.
    assert.equal(l.partnerWrote(START + 900, true), null);
    assert.equal(l.partnerWrote(START + 100 + T.replyGapMs, true), 'reply');
    // A write with signals in it (an offer, candidates) is not a probe.
    assert.equal(l.partnerWrote(START + 100 + 3 * T.replyGapMs, false), null);
  });

  it('does not answer a probe that crosses its own: each counts the other', () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    assert.equal(l.partnerWrote(START + T.quietAfterMs + 200, true), null);
  });

  it('answers a probe while quiet itself when its own probe is old: a spell that began long before theirs does not count for them', () => {
    // Our side went quiet first (the path broke one way); theirs goes quiet
    // 10 s later (after a restart broke the other way too). Unanswered,
    // their page would find us gone while we are alive.
    const us = new PartnerLiveness(START);
    const them = new PartnerLiveness(START);
    us.heard(START);
    assert.equal(us.check(START + T.quietAfterMs), 'probe');
    them.partnerWrote(START + T.quietAfterMs + 100, true); // our probe: they are not quiet, and reply
    const theirQuiet = START + 10_000;
    them.heard(theirQuiet - T.quietAfterMs);
    assert.equal(them.check(theirQuiet), 'probe');
    them.probeStored(theirQuiet + 100);
    assert.equal(us.partnerWrote(theirQuiet + 200, true), 'reply', 'we answer, quiet or not');
    them.partnerWrote(theirQuiet + 400, true); // our reply reaches them
    assert.equal(them.check(theirQuiet + 100 + T.answerWithinMs), null, 'not gone');
  });

  it('an answer or candidates of ours sent before their probe do not answer it', () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    // Writes with signals in them are not probes or replies: they do not hold a reply back.
    assert.equal(l.partnerWrote(START + 100, false), null);
    assert.equal(l.partnerWrote(START + 200, true), 'reply');
  });

  it('a partner whose packets still arrive is not gone: the verdict is taken back and asked again answerWithinMs later, until they answer or their packets stop', () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    const stored = START + T.quietAfterMs + 300;
    l.probeStored(stored);
    const first = stored + T.answerWithinMs;
    assert.equal(l.check(first), 'gone');
    // The caller found more bytes received than at the probe: a busy page.
    l.transportAlive(first + 50);
    assert.deepEqual(run(l, first + 50, first + 50 + T.answerWithinMs), [], 'no verdict for answerWithinMs');
    assert.equal(l.check(first + 50 + T.answerWithinMs), 'gone', 'asked again');
    // Their packets still arrive, and then their page answers: alive, and heard on the link again.
    l.transportAlive(first + 50 + T.answerWithinMs + 20);
    const wrote = first + 50 + T.answerWithinMs + 500;
    assert.equal(l.partnerWrote(wrote, true), 'reply');
    // A partner that wrote back is never gone; one silent on the link this long is rebuilt, as before.
    assert.deepEqual(run(l, wrote, START + T.rebuildAfterMs), []);
    assert.equal(l.check(START + T.rebuildAfterMs), 'rebuild');
    l.heard(START + T.rebuildAfterMs + 1_000);
    assert.deepEqual(
      run(l, START + T.rebuildAfterMs + 1_000, START + T.rebuildAfterMs + 1_000 + T.quietAfterMs),
      [],
      'a new spell starts afresh',
    );
  });

  it('transportAlive outside a verdict changes nothing: a killed browser is still gone within 5 s', () => {
    const l = new PartnerLiveness(START);
    l.heard(START);
    l.transportAlive(START + 100); // no verdict yet: nothing to take back
    assert.equal(l.check(START + T.quietAfterMs), 'probe');
    l.probeStored(START + T.quietAfterMs + 300);
    assert.equal(l.check(START + T.quietAfterMs + 300 + T.answerWithinMs), 'gone');
  });
});

describe('transportBytesIn', () => {
  it("sums the transports' bytesReceived (Chromium), else the candidate pairs' (Firefox), else null", () => {
    assert.equal(
      transportBytesIn([
        { type: 'transport', bytesReceived: 1_000 },
        { type: 'candidate-pair', bytesReceived: 900 },
        { type: 'inbound-rtp', bytesReceived: 700 },
      ]),
      1_000,
    );
    assert.equal(
      transportBytesIn([
        { type: 'candidate-pair', bytesReceived: 900 },
        { type: 'candidate-pair', bytesReceived: 100 },
        { type: 'local-candidate' },
      ]),
      1_000,
    );
    assert.equal(transportBytesIn([{ type: 'inbound-rtp', bytesReceived: 700 }, { type: 'codec' }]), null);
    assert.equal(transportBytesIn([]), null);
  });
});
