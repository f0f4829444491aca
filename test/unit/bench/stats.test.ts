import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, summarize } from '../../bench/stats.js';

describe('bench statistics', () => {
  it('uses nearest-rank percentiles', () => {
    const s = Array.from({ length: 20 }, (_, i) => i + 1); // 1..20
    assert.equal(percentile(s, 50), 10);
    assert.equal(percentile(s, 95), 19);
    assert.equal(percentile(s, 100), 20);
    assert.equal(percentile([7], 95), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('leaves out samples that are not finite', () => {
    assert.deepEqual(summarize([NaN, 100, Infinity]), { n: 1, p50: 100, p95: 100, max: 100, mean: 100 });
  });

  it('summarizes unsorted samples', () => {
    assert.deepEqual(summarize([300, 100, 200]), { n: 3, p50: 200, p95: 300, max: 300, mean: 200 });
  });
});
