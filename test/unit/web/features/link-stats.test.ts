/**
 * The stats reducer (features/link-stats.ts): on getStats() snapshots
 * recorded from real Chromium calls (test/fixtures/stats/, made by
 * test/e2e/record-stats.ts on a shaped path) and on a few hand-made
 * snapshots for what the recordings do not show (another browser's shapes,
 * counters that reset, missing entries).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reduceStats, type StatsEntry } from '../../../../web/src/features/link-stats.js';
import { samples } from '../../support/stats-fixtures.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function defined<T>(values: Array<T | null>): T[] {
  return values.filter((v): v is T => v !== null);
}

describe('reduceStats on recorded Chromium calls', () => {
  it('an unshaped direct call: video both ways at the camera size, nothing lost, VP8 or the like, direct', () => {
    for (const page of ['sender', 'receiver'] as const) {
      const all = samples('unshaped', page).map((s) => s.sample);
      assert.ok(all.length >= 10, 'a sample per second');
      for (const s of all) {
        assert.ok(s.intervalMs > 200 && s.intervalMs < 3_000, `interval ${s.intervalMs}`);
        assert.equal(s.route, 'direct');
        assert.ok(s.sendingVideo, 'video goes out');
        assert.ok(s.codecIn && s.codecOut, 'codecs named');
        assert.ok(!s.codecIn.includes('/'), 'without the media type');
      }
      assert.ok(median(defined(all.map((s) => s.lossIn))) < 0.01, `${page}: no loss coming in`);
      assert.ok(median(defined(all.map((s) => s.lossOut))) < 0.01, `${page}: no loss going out`);
      assert.ok(median(defined(all.map((s) => s.rttMs))) < 50, `${page}: loopback round trips`);
      assert.ok(median(defined(all.map((s) => s.bitrateOut))) > 200_000, `${page}: video-sized bitrate out`);
      assert.ok(median(defined(all.map((s) => s.bitrateIn))) > 200_000, `${page}: video-sized bitrate in`);
      const fpsIn = median(defined(all.map((s) => s.videoIn)).map((v) => v.fps));
      assert.ok(fpsIn > 10, `${page}: frames decoded (${fpsIn} fps)`);
      const size = all.at(-1)!.videoIn!;
      assert.ok(size.width >= 160 && size.height >= 120, `${page}: a picture (${size.width}x${size.height})`);
    }
  });

  it('a relayed call (Hide my IP) reads as relayed', () => {
    for (const page of ['sender', 'receiver'] as const)
      for (const { sample } of samples('relayed', page)) assert.equal(sample.route, 'relayed');
  });

  it("10 % loss on the sender's packets: the receiver counts about 10 % lost coming in, the sender about 10 % going out", () => {
    const lossIn = defined(
      samples('loss-10', 'receiver')
        .filter((s) => s.phase === 'lossy')
        .map((s) => s.sample.lossIn),
    );
    const lossOut = defined(
      samples('loss-10', 'sender')
        .filter((s) => s.phase === 'lossy')
        .map((s) => s.sample.lossOut),
    );
    assert.ok(median(lossIn) > 0.05 && median(lossIn) < 0.2, `receiver: ${median(lossIn)}`);
    assert.ok(median(lossOut) > 0.05 && median(lossOut) < 0.2, `sender: ${median(lossOut)}`);
    const clean = defined(
      samples('loss-10', 'receiver')
        .filter((s) => s.phase === 'clean')
        .map((s) => s.sample.lossIn),
    );
    assert.ok(Math.max(...clean) < 0.02, 'none before');
  });

  it("a capped uplink: the sender's bandwidth estimate and bitrate out fall under the cap, and rise again once it is lifted", () => {
    const sender = samples('uplink-cap', 'sender');
    const phase = (name: string) => sender.filter((s) => s.phase === name).map((s) => s.sample);
    const capped = phase('capped').slice(-6);
    assert.ok(median(defined(capped.map((s) => s.bitrateOut))) < 150_000, 'sends under the cap, with some overhead');
    assert.ok(median(defined(capped.map((s) => s.availableOutBps))) < 150_000, 'the estimate knows');
    assert.ok(median(defined(phase('clean').map((s) => s.availableOutBps))) > 300_000, 'a video-sized estimate before');
  });
});

/** A hand-made entry. */
function entry(id: string, type: string, timestamp: number, fields: Record<string, unknown> = {}): StatsEntry {
  return { id, type, timestamp, ...fields };
}

describe('reduceStats on hand-made snapshots', () => {
  it('Firefox: the pair flagged selected (no transport entry), no bandwidth estimate, a relay on the far end', () => {
    const snap = (t: number, bytes: number) => [
      entry('P', 'candidate-pair', t, { selected: true, localCandidateId: 'L', remoteCandidateId: 'R', bytesSent: bytes }),
      entry('Q', 'candidate-pair', t, { localCandidateId: 'L', remoteCandidateId: 'R2', bytesSent: 0 }),
      entry('L', 'local-candidate', t, { candidateType: 'host' }),
      entry('R', 'remote-candidate', t, { candidateType: 'relay' }),
    ];
    const s = reduceStats(snap(1_000, 0), snap(3_000, 50_000));
    assert.equal(s.route, 'relayed');
    assert.equal(s.bitrateOut, 200_000);
    assert.equal(s.availableOutBps, null);
    assert.equal(s.rttMs, null);
    assert.equal(s.intervalMs, 2_000);
  });

  it('a counter that went backwards (a new stream under the same id) counts as zero, not negative', () => {
    const a = [entry('in', 'inbound-rtp', 1_000, { kind: 'audio', packetsReceived: 500, packetsLost: 20 })];
    const b = [entry('in', 'inbound-rtp', 2_000, { kind: 'audio', packetsReceived: 10, packetsLost: 0 })];
    const s = reduceStats(a, b);
    assert.equal(s.lossIn, null, 'nothing expected in the interval');
  });

  it('an empty report (a link closing) gives nulls, never zeros that would read as perfect', () => {
    const s = reduceStats([], []);
    assert.deepEqual(
      [s.rttMs, s.lossIn, s.lossOut, s.jitterMs, s.bitrateIn, s.bitrateOut, s.videoIn, s.videoOut, s.route],
      [null, null, null, null, null, null, null, null, null],
    );
    assert.equal(s.sendingVideo, false);
  });

  it('takes an RTCStatsReport-like map as well as an array', () => {
    const pair = (t: number, bytes: number) =>
      new Map([
        ['T', entry('T', 'transport', t, { selectedCandidatePairId: 'P' })],
        ['P', entry('P', 'candidate-pair', t, { bytesReceived: bytes, currentRoundTripTime: 0.25 })],
      ]);
    const s = reduceStats(pair(0, 0), pair(1_000, 1_000));
    assert.equal(s.bitrateIn, 8_000);
    assert.equal(s.rttMs, 250);
  });

  it('video paused (encoding inactive): no video out, and no frame rate made up from the last frame size', () => {
    const out = (t: number) => [
      entry('o', 'outbound-rtp', t, { kind: 'video', packetsSent: 900, framesEncoded: 300, frameWidth: 640, frameHeight: 480 }),
    ];
    const s = reduceStats(out(0), out(1_000));
    assert.equal(s.sendingVideo, false);
    assert.equal(s.videoOut, null);
  });
});
