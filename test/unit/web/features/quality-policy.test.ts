/**
 * The quality and pause/resume policies (features/quality-policy.ts): on
 * samples reduced from real Chromium calls on a shaped path
 * (test/fixtures/stats/) and on hand-made sequences for the hysteresis.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LinkSample } from '../../../../web/src/features/link-stats.js';
import { videoSendLimits } from '../../../../web/src/engine/bitrate-policy.js';
import {
  gradeSample,
  INITIAL_LINK_CAP,
  INITIAL_QUALITY,
  INITIAL_VIDEO_PAUSE,
  nextLinkCap,
  nextQuality,
  nextVideoPause,
  type LinkCapState,
  type QualityState,
  type VideoPauseState,
} from '../../../../web/src/features/quality-policy.js';
import { samples, type FixtureName } from '../../support/stats-fixtures.js';

/** The indicator's level and cause after each sample of a recording, with the sample's phase. */
function indicator(name: FixtureName, page: 'sender' | 'receiver'): Array<{ phase: string; state: QualityState }> {
  let state = INITIAL_QUALITY;
  return samples(name, page).map(({ phase, sample }) => {
    state = nextQuality(state, sample);
    return { phase, state };
  });
}

/** The pause decision after each sample of a recording. */
function pauses(name: FixtureName): Array<{ phase: string; state: VideoPauseState }> {
  let state = INITIAL_VIDEO_PAUSE;
  return samples(name, 'sender').map(({ phase, sample }) => {
    state = nextVideoPause(state, sample);
    return { phase, state };
  });
}

describe('call quality on recorded calls', () => {
  it('an unshaped direct call stays good, with nothing to say, on both pages', () => {
    for (const page of ['sender', 'receiver'] as const)
      for (const { state } of indicator('unshaped', page)) assert.deepEqual([state.level, state.cause], ['good', null]);
  });

  it('a relayed call is good, and says it is relayed', () => {
    const shown = indicator('relayed', 'receiver').at(-1)!.state;
    assert.deepEqual([shown.level, shown.cause], ['good', 'relayed']);
  });

  it('10 % loss: the receiving page drops to fair or poor and names packet loss; good again after', () => {
    const run = indicator('loss-10', 'receiver');
    const lossy = run.filter((r) => r.phase === 'lossy').at(-1)!.state;
    assert.notEqual(lossy.level, 'good');
    assert.equal(lossy.cause, 'high-loss');
    assert.ok(
      run.filter((r) => r.phase === 'clean').every((r) => r.state.level === 'good'),
      'good before the loss',
    );
    assert.equal(run.at(-1)!.state.level, 'good', 'good again once the loss stopped');
  });

  it('10 % loss: the sending page sees its loss going out too', () => {
    const lossy = indicator('loss-10', 'sender')
      .filter((r) => r.phase === 'lossy')
      .at(-1)!.state;
    assert.notEqual(lossy.level, 'good');
    assert.equal(lossy.cause, 'high-loss');
  });

  it('a capped uplink makes the sending page poor', () => {
    const capped = indicator('uplink-cap', 'sender')
      .filter((r) => r.phase === 'capped')
      .at(-1)!.state;
    assert.equal(capped.level, 'poor');
    assert.ok(capped.cause === 'slow-network' || capped.cause === 'high-loss', `cause ${capped.cause}`);
  });
});

describe('pausing video on recorded calls', () => {
  it('never pauses an unshaped call, nor one with 10 % loss (loss is not a slow uplink)', () => {
    for (const name of ['unshaped', 'loss-10', 'relayed'] as const)
      assert.ok(
        pauses(name).every((p) => !p.state.paused),
        name,
      );
  });

  it("pauses the sender's video under the cap, not before it, and resumes once the cap is lifted", () => {
    const run = pauses('uplink-cap');
    assert.ok(
      run.filter((r) => r.phase === 'clean').every((r) => !r.state.paused),
      'not before',
    );
    const pausedAt = run.findIndex((r) => r.state.paused);
    assert.ok(pausedAt >= 0 && run[pausedAt]!.phase === 'capped', 'paused while capped');
    assert.equal(run.at(-1)!.state.paused, false, 'resumed once lifted');
  });
});

/** A sample at `at` seconds with the given figures, everything else unremarkable. */
function sample(at: number, figures: Partial<LinkSample> = {}): LinkSample {
  return {
    at: at * 1000,
    intervalMs: 1000,
    rttMs: 20,
    lossIn: 0,
    lossOut: 0,
    jitterMs: 5,
    bitrateIn: 800_000,
    bitrateOut: 800_000,
    availableOutBps: 1_500_000,
    videoIn: { width: 640, height: 480, fps: 30 },
    videoOut: { width: 640, height: 480, fps: 30 },
    codecIn: 'VP8',
    codecOut: 'VP8',
    route: 'direct',
    limitation: 'none',
    sendingVideo: true,
    ...figures,
  };
}

const LOSSY = { lossIn: 0.25 };
const WEAK = { availableOutBps: 90_000, limitation: 'bandwidth' as const, videoOut: { width: 320, height: 240, fps: 2 } };

describe('quality hysteresis', () => {
  it('each figure grades on its own, the worst wins, loss first on a tie', () => {
    assert.deepEqual(gradeSample(sample(0)), { level: 'good', cause: null });
    assert.deepEqual(gradeSample(sample(0, { lossOut: 0.07 })), { level: 'fair', cause: 'high-loss' });
    assert.deepEqual(gradeSample(sample(0, { rttMs: 2_000 })), { level: 'poor', cause: 'slow-network' });
    assert.deepEqual(gradeSample(sample(0, { rttMs: 2_000, route: 'relayed' })), { level: 'poor', cause: 'relayed' });
    assert.deepEqual(gradeSample(sample(0, { availableOutBps: 200_000 })), { level: 'fair', cause: 'slow-network' });
    assert.deepEqual(gradeSample(sample(0, { lossIn: 0.3, rttMs: 2_000 })), { level: 'poor', cause: 'high-loss' });
  });

  it('one bad second in every other does not move the indicator', () => {
    let s = INITIAL_QUALITY;
    for (let t = 0; t < 30; t++) {
      s = nextQuality(s, sample(t, t % 2 ? LOSSY : {}));
      assert.equal(s.level, 'good', `at ${t} s`);
    }
  });

  it('worse after two samples in a row, better only after four', () => {
    let s = nextQuality(INITIAL_QUALITY, sample(0, LOSSY));
    assert.equal(s.level, 'good');
    s = nextQuality(s, sample(1, LOSSY));
    assert.deepEqual([s.level, s.cause], ['poor', 'high-loss']);
    for (let t = 2; t < 5; t++) {
      s = nextQuality(s, sample(t));
      assert.equal(s.level, 'poor', `still poor at ${t} s`);
    }
    s = nextQuality(s, sample(5));
    assert.deepEqual([s.level, s.cause], ['good', null]);
  });

  it('a worse run of fair then poor settles on fair, the level both samples agree on', () => {
    let s = nextQuality(INITIAL_QUALITY, sample(0, { lossIn: 0.07 }));
    s = nextQuality(s, sample(1, LOSSY));
    assert.equal(s.level, 'fair');
  });
});

describe('pausing video: hysteresis', () => {
  function feed(state: VideoPauseState, from: number, to: number, figures: Partial<LinkSample>): VideoPauseState {
    let s = state;
    for (let t = from; t < to; t++) s = nextVideoPause(s, sample(t, figures));
    return s;
  }

  it('a weak spell shorter than 4 s does not pause', () => {
    let s = feed(INITIAL_VIDEO_PAUSE, 0, 4, WEAK);
    assert.equal(s.paused, false);
    s = feed(s, 4, 10, {});
    s = feed(s, 10, 14, WEAK);
    assert.equal(s.paused, false);
  });

  it('4 s weak pauses; a strong estimate for 4 s resumes', () => {
    let s = feed(INITIAL_VIDEO_PAUSE, 0, 5, WEAK);
    assert.equal(s.paused, true);
    // Paused: only audio goes out, the estimate recovers.
    s = feed(s, 5, 9, { sendingVideo: false, videoOut: null, availableOutBps: 400_000 });
    assert.equal(s.paused, true, 'strong for 3 s');
    s = nextVideoPause(s, sample(9, { sendingVideo: false, videoOut: null, availableOutBps: 400_000 }));
    assert.equal(s.paused, false);
  });

  it('a still-weak uplink gets retries further and further apart, never more often than every 8 s', () => {
    const paused: number[] = [];
    const resumed: number[] = [];
    let s = INITIAL_VIDEO_PAUSE;
    for (let t = 0; t < 300; t++) {
      const before = s.paused;
      // While paused the estimate stays at what audio alone shows; each retry meets the same weak uplink.
      s = nextVideoPause(s, sample(t, s.paused ? { ...WEAK, sendingVideo: false, videoOut: null } : WEAK));
      if (s.paused && !before) paused.push(t);
      if (!s.paused && before) resumed.push(t);
    }
    const waits = resumed.map((r, i) => r - paused[i]!);
    assert.deepEqual(waits.slice(0, 4), [8, 16, 32, 60]);
    assert.ok(waits.every((w) => w <= 60));
  });

  it('video that ran 30 s since it resumed starts over at the first retry time', () => {
    let s = feed(INITIAL_VIDEO_PAUSE, 0, 5, WEAK);
    s = feed(s, 5, 13, { ...WEAK, sendingVideo: false, videoOut: null });
    assert.equal(s.paused, false, 'retried after 8 s');
    s = feed(s, 13, 50, {});
    s = feed(s, 50, 55, WEAK);
    assert.equal(s.paused, true);
    assert.equal(s.retryAfterMs, 8_000);
  });

  it('no video going out (camera off) is never taken for a weak uplink', () => {
    const s = feed(INITIAL_VIDEO_PAUSE, 0, 30, { ...WEAK, sendingVideo: false, videoOut: null });
    assert.equal(s.paused, false);
  });
});

/** The 1:1 share of the default budget (engine/bitrate-policy.ts). */
const SHARE = 1_500_000;

/** The link's cap after each sample of a recording. */
function caps(name: FixtureName): Array<{ phase: string; state: LinkCapState }> {
  let state = INITIAL_LINK_CAP;
  return samples(name, 'sender').map(({ phase, sample }) => {
    state = nextLinkCap(state, sample, SHARE);
    return { phase, state };
  });
}

describe("a link's own budget on recorded calls", () => {
  it('never caps an unshaped call', () => {
    assert.ok(caps('unshaped').every((c) => c.state.capBps === null));
  });

  it('caps the link under the uplink cap, not before it, and lifts the cap once the path recovered', () => {
    const run = caps('uplink-cap');
    assert.ok(
      run.filter((r) => r.phase === 'clean').every((r) => r.state.capBps === null),
      'not before',
    );
    const capped = run.filter((r) => r.phase === 'capped').at(-1)!.state.capBps;
    assert.ok(capped !== null && capped < 150_000, `capped at ${capped} under a 100 kbit/s path`);
    assert.equal(run.at(-1)!.state.capBps, null, 'lifted once the path carried more than the share again');
  });

  it('a relayed path that carries less than the share gets a cap, and the picture that fits it', () => {
    const cap = caps('relayed').at(-1)!.state.capBps;
    assert.ok(cap !== null && cap < SHARE, `cap ${cap}`);
    const fitted = videoSendLimits(1, undefined, null, cap);
    const full = videoSendLimits(1);
    assert.equal(fitted.maxBitrate, cap);
    assert.ok(
      fitted.maxFramerate < full.maxFramerate || fitted.scaleResolutionDownBy > full.scaleResolutionDownBy,
      'a smaller picture',
    );
  });

  it('10 % loss: a cap while the estimate sagged, gone once it recovered', () => {
    assert.equal(caps('loss-10').at(-1)!.state.capBps, null);
  });
});

describe("a link's own budget: hysteresis", () => {
  const run = (figures: Array<Partial<LinkSample>>, share = SHARE, from: LinkCapState = INITIAL_LINK_CAP) => {
    let state = from;
    return figures.map((f, i) => (state = nextLinkCap(state, sample(i, f), share)));
  };
  const est = (bps: number, more: Partial<LinkSample> = {}) => ({ availableOutBps: bps, ...more });

  it('a dip shorter than 3 s changes nothing; a longer one caps at 85 % of the estimate', () => {
    const short = run([est(2_000_000), est(400_000), est(400_000), est(400_000), est(2_000_000)]);
    assert.ok(short.every((s) => s.capBps === null));
    const long = run([est(2_000_000), est(400_000), est(400_000), est(400_000), est(400_000)]);
    assert.equal(long.at(-1)!.capBps, 340_000);
  });

  it('an estimate that wanders 10 % around the cap does not ratchet it down', () => {
    const cap: LinkCapState = { capBps: 400_000, lowSince: null, highSince: null, changedAt: 0 };
    const around = Array.from({ length: 60 }, (_, i) => est((400_000 / 0.85) * (i % 2 ? 0.9 : 1.1), { limitation: 'bandwidth' }));
    const states = run(around, SHARE, cap);
    assert.ok(
      states.every((s) => s.capBps === 400_000),
      JSON.stringify(states.map((s) => s.capBps)),
    );
  });

  it('an estimate clearly over the cap for 3 s raises it; reaching the share lifts it', () => {
    const cap: LinkCapState = { capBps: 400_000, lowSince: null, highSince: null, changedAt: 0 };
    const up = run([est(800_000), est(800_000), est(800_000), est(800_000)], SHARE, cap);
    assert.equal(up.at(-1)!.capBps, 680_000);
    const lifted = run([est(3_000_000), est(3_000_000), est(3_000_000), est(3_000_000)], SHARE, cap);
    assert.equal(lifted.at(-1)!.capBps, null);
  });

  it('a cap the estimate never beats is tried a step higher after 20 s without a bandwidth limit, not while limited', () => {
    const cap: LinkCapState = { capBps: 400_000, lowSince: null, highSince: null, changedAt: 0 };
    const flat = (limitation: 'none' | 'bandwidth') => Array.from({ length: 21 }, () => est(400_000 / 0.85, { limitation }));
    assert.equal(run(flat('none'), SHARE, cap).at(-1)!.capBps, 600_000);
    assert.equal(run(flat('bandwidth'), SHARE, cap).at(-1)!.capBps, 400_000);
  });

  it('judges nothing without an estimate (Firefox) or without video going out (paused, audio only)', () => {
    const low = Array.from({ length: 10 }, () => est(100_000));
    assert.ok(run(low.map((f) => ({ ...f, availableOutBps: null }))).every((s) => s.capBps === null));
    assert.ok(run(low.map((f) => ({ ...f, sendingVideo: false }))).every((s) => s.capBps === null));
  });

  it('a smaller share (a bigger group, the data saver) is the reference: an estimate above it caps nothing', () => {
    const states = run(
      Array.from({ length: 6 }, () => est(400_000)),
      300_000,
    );
    assert.ok(states.every((s) => s.capBps === null));
  });
});
