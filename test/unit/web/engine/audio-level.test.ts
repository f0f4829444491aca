import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { METER_FLOOR_DB, meterLevel, rms } from '../../../../web/src/engine/audio-level.js';

describe('rms', () => {
  it('is 0 for silence and for no samples', () => {
    assert.equal(rms(new Float32Array(0)), 0);
    assert.equal(rms(new Float32Array(128)), 0);
  });

  it('is the amplitude of a square wave and amplitude/√2 of a sine', () => {
    assert.equal(rms(Float32Array.from({ length: 100 }, (_, i) => (i % 2 ? 0.5 : -0.5))), 0.5);
    const sine = Float32Array.from({ length: 4800 }, (_, i) => Math.sin((2 * Math.PI * i) / 48));
    assert.ok(Math.abs(rms(sine) - Math.SQRT1_2) < 1e-3);
  });
});

describe('meterLevel', () => {
  it('is 0 at and below the floor, 1 at full scale, and halfway at half the decibels', () => {
    assert.equal(meterLevel(0), 0);
    assert.equal(meterLevel(Number.NaN), 0);
    assert.equal(meterLevel(10 ** (METER_FLOOR_DB / 20)), 0);
    assert.equal(meterLevel(1e-6), 0);
    assert.equal(meterLevel(1), 1);
    assert.equal(meterLevel(2), 1, 'clipped input stays on the scale');
    assert.ok(Math.abs(meterLevel(10 ** (METER_FLOOR_DB / 40)) - 0.5) < 1e-9);
  });

  it('grows with loudness', () => {
    const levels = [0.001, 0.01, 0.1, 0.5].map(meterLevel);
    assert.deepEqual(
      [...levels].sort((a, b) => a - b),
      levels,
    );
    assert.ok(levels[0]! < levels[3]!);
  });
});
