import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DATA_SAVER_BUDGET,
  DEFAULT_UPLINK_BUDGET,
  type UplinkBudget,
  videoSendLimits,
  type VideoSendLimits,
} from '../../../../web/src/engine/bitrate-policy.js';

const ONE_TO_ONE: VideoSendLimits = { maxBitrate: 1_500_000, scaleResolutionDownBy: 1, maxFramerate: 30 };

/** The limits for a single link allowed exactly `bps`: isolates the tier table from the budget. */
function limitsAt(bps: number): VideoSendLimits {
  const budget: UplinkBudget = { totalBps: bps, perLinkMaxBps: bps, perLinkMinBps: 0 };
  return videoSendLimits(1, budget);
}

function assertValid(limits: VideoSendLimits, label: string): void {
  assert.ok(Number.isInteger(limits.maxBitrate) && limits.maxBitrate > 0, `${label}: maxBitrate ${limits.maxBitrate}`);
  assert.ok(Number.isFinite(limits.scaleResolutionDownBy) && limits.scaleResolutionDownBy >= 1, `${label}: scale`);
  assert.ok(Number.isFinite(limits.maxFramerate) && limits.maxFramerate > 0, `${label}: framerate`);
}

describe('videoSendLimits', () => {
  it('sends 1.5 Mbps at 640x480, 30 fps to one person', () => {
    assert.deepEqual(videoSendLimits(1), ONE_TO_ONE);
  });

  it('sends 500 kbps at 640x480, 24 fps to each of four', () => {
    assert.deepEqual(videoSendLimits(4), { maxBitrate: 500_000, scaleResolutionDownBy: 1, maxFramerate: 24 });
  });

  it('follows the default ladder as links are added', () => {
    const expected: ReadonlyArray<readonly [links: number, maxBitrate: number, scale: number, fps: number]> = [
      [1, 1_500_000, 1, 30],
      [2, 1_000_000, 1, 30],
      [3, 666_666, 1, 24],
      [4, 500_000, 1, 24],
      [5, 400_000, 1.5, 20],
      [6, 333_333, 1.5, 20],
      [7, 285_714, 2, 15],
      [8, 250_000, 2, 15],
    ];
    for (const [links, maxBitrate, scaleResolutionDownBy, maxFramerate] of expected) {
      assert.deepEqual(videoSendLimits(links), { maxBitrate, scaleResolutionDownBy, maxFramerate }, `${links} links`);
    }
  });

  it('never exceeds the total budget for 1 to 4 links', () => {
    for (let links = 1; links <= 4; links++) {
      const { maxBitrate } = videoSendLimits(links);
      assert.ok(links * maxBitrate <= DEFAULT_UPLINK_BUDGET.totalBps, `${links} links × ${maxBitrate}`);
      assert.ok(maxBitrate <= DEFAULT_UPLINK_BUDGET.perLinkMaxBps, `${links} links`);
    }
  });

  it('never gives more bitrate, resolution or frame rate to more links', () => {
    for (const measured of [null, 3_000_000, 1_200_000, 600_000]) {
      let previous = videoSendLimits(1, DEFAULT_UPLINK_BUDGET, measured);
      for (let links = 2; links <= 8; links++) {
        const next = videoSendLimits(links, DEFAULT_UPLINK_BUDGET, measured);
        const label = `${links} links, measured ${measured}`;
        assert.ok(next.maxBitrate <= previous.maxBitrate, label);
        assert.ok(next.scaleResolutionDownBy >= previous.scaleResolutionDownBy, label);
        assert.ok(next.maxFramerate <= previous.maxFramerate, label);
        previous = next;
      }
    }
  });

  it('never caps a link under the floor, however many links or however slow the uplink', () => {
    const floor = { maxBitrate: 150_000, scaleResolutionDownBy: 2, maxFramerate: 15 };
    assert.deepEqual(videoSendLimits(14), floor); // 2 Mbps / 14 ≈ 143 kbps
    assert.deepEqual(videoSendLimits(100), floor);
    assert.deepEqual(videoSendLimits(4, DEFAULT_UPLINK_BUDGET, 100_000), floor);
    assert.deepEqual(videoSendLimits(1, DEFAULT_UPLINK_BUDGET, 1), floor);
  });

  it('plans on 85% of a measured uplink that is below the budget', () => {
    assert.deepEqual(videoSendLimits(1, DEFAULT_UPLINK_BUDGET, 1_200_000), {
      maxBitrate: 1_020_000,
      scaleResolutionDownBy: 1,
      maxFramerate: 30,
    });
    assert.deepEqual(videoSendLimits(4, DEFAULT_UPLINK_BUDGET, 1_000_000), {
      maxBitrate: 212_500,
      scaleResolutionDownBy: 2,
      maxFramerate: 15,
    });
    for (let links = 1; links <= 4; links++) {
      const { maxBitrate } = videoSendLimits(links, DEFAULT_UPLINK_BUDGET, 1_200_000);
      assert.ok(links * maxBitrate <= 1_200_000 * 0.85, `${links} links`);
    }
  });

  it('lowers the total smoothly as the measurement crosses the budget', () => {
    // 85% of 2.2 Mbps is under the 2 Mbps budget, so it applies too.
    assert.equal(videoSendLimits(2, DEFAULT_UPLINK_BUDGET, 2_200_000).maxBitrate, 935_000);
    assert.equal(videoSendLimits(2, DEFAULT_UPLINK_BUDGET, 2_000_000).maxBitrate, 850_000);
  });

  it('never lets a measurement raise the budget', () => {
    assert.deepEqual(videoSendLimits(1, DEFAULT_UPLINK_BUDGET, 50_000_000), ONE_TO_ONE);
    assert.deepEqual(videoSendLimits(4, DEFAULT_UPLINK_BUDGET, 50_000_000), videoSendLimits(4));
  });

  it('ignores measurements that are not finite positive numbers', () => {
    for (const measured of [null, undefined, 0, -1_000_000, Number.NaN, Infinity, -Infinity]) {
      assert.deepEqual(videoSendLimits(1, DEFAULT_UPLINK_BUDGET, measured), ONE_TO_ONE, String(measured));
      assert.deepEqual(videoSendLimits(4, DEFAULT_UPLINK_BUDGET, measured), videoSendLimits(4), String(measured));
    }
  });

  it('gives the 1:1 limits for no links, negative counts and NaN', () => {
    for (const links of [0, -1, -0.5, 0.5, Number.NaN, -Infinity]) {
      assert.deepEqual(videoSendLimits(links), ONE_TO_ONE, String(links));
    }
  });

  it('rounds a fractional count up, so the total still fits', () => {
    assert.deepEqual(videoSendLimits(2.7), videoSendLimits(3));
    assert.ok(2.7 * videoSendLimits(2.7).maxBitrate <= DEFAULT_UPLINK_BUDGET.totalBps);
  });

  it('gives valid finite limits for any input', () => {
    const linkCounts = [0, -1, Number.NaN, 2.7, Infinity, -Infinity, Number.MAX_VALUE, 1e-9];
    const measurements = [undefined, null, 0, -1, Number.NaN, Infinity, 1, 1e-9, 1e12];
    for (const links of linkCounts) {
      for (const measured of measurements) {
        assertValid(videoSendLimits(links, DEFAULT_UPLINK_BUDGET, measured), `links ${links}, measured ${measured}`);
      }
    }
  });

  it('keeps a custom budget', () => {
    const budget: UplinkBudget = { totalBps: 900_000, perLinkMaxBps: 800_000, perLinkMinBps: 100_000 };
    assert.equal(videoSendLimits(1, budget).maxBitrate, 800_000);
    assert.equal(videoSendLimits(3, budget).maxBitrate, 300_000);
    assert.deepEqual(videoSendLimits(20, budget), { maxBitrate: 100_000, scaleResolutionDownBy: 4, maxFramerate: 12 });
  });

  it('switches picture exactly at each tier boundary', () => {
    const tiers: ReadonlyArray<readonly [bps: number, scale: number, fps: number]> = [
      [1_500_000, 1, 30],
      [1_000_000, 1, 30],
      [999_999, 1, 24],
      [500_000, 1, 24],
      [499_999, 1.5, 20],
      [300_000, 1.5, 20],
      [299_999, 2, 15],
      [150_000, 2, 15],
      [149_999, 4, 12],
      [1, 4, 12],
    ];
    for (const [bps, scaleResolutionDownBy, maxFramerate] of tiers) {
      assert.deepEqual(limitsAt(bps), { maxBitrate: bps, scaleResolutionDownBy, maxFramerate }, `${bps} bps`);
    }
  });
});

describe('DEFAULT_UPLINK_BUDGET', () => {
  it('is 2 Mbps in all, 1.5 Mbps to 150 kbps a link', () => {
    assert.deepEqual(DEFAULT_UPLINK_BUDGET, { totalBps: 2_000_000, perLinkMaxBps: 1_500_000, perLinkMinBps: 150_000 });
  });
});

describe('DATA_SAVER_BUDGET', () => {
  it('sends at most 250 kbps of 320x240 at 15 fps to one person: a sixth of the default', () => {
    assert.deepEqual(videoSendLimits(1, DATA_SAVER_BUDGET), { maxBitrate: 250_000, scaleResolutionDownBy: 2, maxFramerate: 15 });
    assert.ok(videoSendLimits(1, DATA_SAVER_BUDGET).maxBitrate * 6 <= videoSendLimits(1).maxBitrate);
  });

  it('gives each of four 100 kbps of 160x120 at 12 fps, never more than the default would', () => {
    assert.deepEqual(videoSendLimits(4, DATA_SAVER_BUDGET), { maxBitrate: 100_000, scaleResolutionDownBy: 4, maxFramerate: 12 });
    for (let links = 1; links <= 4; links++) {
      const saver = videoSendLimits(links, DATA_SAVER_BUDGET);
      const normal = videoSendLimits(links);
      assert.ok(saver.maxBitrate < normal.maxBitrate, `${links} links: bitrate`);
      assert.ok(saver.scaleResolutionDownBy >= normal.scaleResolutionDownBy, `${links} links: resolution`);
      assert.ok(saver.maxFramerate <= normal.maxFramerate, `${links} links: frame rate`);
    }
  });
});

describe("videoSendLimits with a link's own cap", () => {
  it('takes the lower of the group share and the cap, with the picture that fits it', () => {
    assert.deepEqual(videoSendLimits(1, DEFAULT_UPLINK_BUDGET, null, 400_000), {
      maxBitrate: 400_000,
      scaleResolutionDownBy: 1.5,
      maxFramerate: 20,
    });
    assert.deepEqual(
      videoSendLimits(4, DEFAULT_UPLINK_BUDGET, null, 900_000),
      videoSendLimits(4),
      'a cap over the share changes nothing',
    );
  });

  it('never goes under the per-link floor (a weaker path pauses video instead)', () => {
    assert.equal(videoSendLimits(1, DEFAULT_UPLINK_BUDGET, null, 60_000).maxBitrate, DEFAULT_UPLINK_BUDGET.perLinkMinBps);
  });

  it('ignores a cap that is not a finite positive number', () => {
    for (const cap of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, null])
      assert.deepEqual(videoSendLimits(2, DEFAULT_UPLINK_BUDGET, null, cap), videoSendLimits(2), String(cap));
  });
});
