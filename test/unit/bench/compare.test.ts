import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareRuns,
  figureKey,
  formatTable,
  markUnlike,
  metricsOf,
  Verdict,
  verdictText,
  type Figure,
} from '../../bench/compare.js';
import { warmedBefore } from '../../bench/parts.js';

/** One run of the calls and pairing parts, as run-bench.ts prints them, scaled by `slow` (times) and `/slow` (throughput). */
function run(slow = 1, jitter = 0): Figure[] {
  const t = (ms: number) => Math.round(ms * slow * (1 + jitter));
  return [
    { figure: 'floor', part: 'calls', unit: 'ms', n: 20, p50: t(150), p95: t(200), max: t(260), mean: t(160) },
    { figure: 'match-to-face', part: 'calls', unit: 'ms', failures: 0, n: 20, p50: t(450), p95: t(700), max: 900, mean: 1 },
    {
      figure: 'phase',
      part: 'calls',
      phase: 'B start → offer ready',
      unit: 'ms',
      n: 10,
      p50: t(45),
      p95: t(70),
      max: 90,
      mean: 50,
    },
    { figure: 'ratios-to-floor', part: 'calls', matchToFaceP50: 3, startToFaceP50: 4, targets: { matchToFaceP50: '≤ 1.5×' } },
    {
      figure: 'pairing-under-load',
      part: 'pairing',
      joiners: 50,
      pairs: 25,
      pairingLatencyMs: { p50: t(1200), p95: t(2900), max: 3000 },
      pairsPerSecond: Math.round((7.8 / slow) * 10) / 10,
      lostRaces: { total: 8, joinsThatRetried: 6, joins: 50 },
    },
  ];
}

const row = (rows: ReturnType<typeof compareRuns>, figure: string) => {
  const found = rows.find((r) => r.figure === figure);
  assert.ok(found, `no row ${figure} in ${rows.map((r) => r.figure).join('; ')}`);
  return found;
};

describe('bench compare mode', () => {
  it('names figures by their discriminators and compares their numbers, not sample counts or maxima', () => {
    const [, , phase, , pairing] = run();
    assert.equal(figureKey(phase!), 'phase[B start → offer ready]');
    assert.equal(figureKey(pairing!), 'pairing-under-load[joiners=50]');
    assert.deepEqual(
      metricsOf(pairing!).map(([path]) => path),
      [
        'pairs',
        'pairingLatencyMs.p50',
        'pairingLatencyMs.p95',
        'pairsPerSecond',
        'lostRaces.total',
        'lostRaces.joinsThatRetried',
        'lostRaces.joins',
      ],
    );
  });

  it('finds two runs of the same commit alike: ratios near 1, within their spread', () => {
    const rows = compareRuns([run(1, 0), run(1, 0.04)], [run(1, 0.03), run(1, 0.01)]);
    assert.ok(rows.length > 10);
    for (const r of rows) {
      assert.ok(r.ratio !== null && Math.abs(r.ratio - 1) <= 0.03, `${r.figure}: ratio ${r.ratio}`);
      assert.ok(r.verdict === Verdict.same || r.verdict === Verdict.withinSpread, `${r.figure}: ${r.verdict}`);
    }
    assert.equal(rows[0]!.figure, 'ratios-to-floor matchToFaceP50', 'the ratios to the floor lead');
  });

  it('flags a figure twice as slow, and throughput that halved, as worse', () => {
    const rows = compareRuns([run(1, 0), run(1, 0.02)], [run(2, 0), run(2, 0.02)]);
    const p95 = row(rows, 'pairing-under-load[joiners=50] pairingLatencyMs.p95');
    assert.equal(p95.verdict, Verdict.worse);
    assert.equal(p95.ratio, 2);
    assert.equal(verdictText(p95), 'slower by 100%');
    const pps = row(rows, 'pairing-under-load[joiners=50] pairsPerSecond');
    assert.equal(pps.verdict, Verdict.worse);
    assert.equal(verdictText(pps), 'worse by 50%');
    assert.equal(row(rows, 'pairing-under-load[joiners=50] lostRaces.total').verdict, Verdict.same);
    assert.equal(verdictText(row(rows, 'floor p50')), 'slower by 100%');
  });

  it('says what a figure became when the baseline had none of it', () => {
    const races = (total: number): Figure[] => [{ figure: 'pairing-under-load', joiners: 10, lostRaces: { total } }];
    const r = row(compareRuns([races(0)], [races(3)]), 'pairing-under-load[joiners=10] lostRaces.total');
    assert.equal(r.ratio, null);
    assert.equal(r.verdict, Verdict.worse);
    assert.equal(verdictText(r), 'worse by 3 (baseline 0)');
  });

  it('calls a small difference with one round each within tolerance, not a change', () => {
    const rows = compareRuns([run(1)], [run(1.03)]);
    assert.equal(row(rows, 'floor p50').verdict, Verdict.withinTolerance);
    assert.equal(row(rows, 'match-to-face p95').verdict, Verdict.withinTolerance);
  });

  it('shows a figure only one side has with a dash', () => {
    const bundle: Figure = { figure: 'web-bundle', beforeFirstPaint: 13_500, chunks: { 'main-1a2b.js': 13_500 } };
    const rows = compareRuns([[...run(), bundle]], [run()]);
    const r = row(rows, 'web-bundle beforeFirstPaint');
    assert.equal(r.verdict, Verdict.onlyBaseline);
    assert.equal(r.ratio, null);
    assert.ok(!rows.some((x) => x.figure.includes('chunks')), 'content-hashed chunk names are not compared');
    assert.match(formatTable(rows, { baseline: 'a', current: 'b' }), /\| web-bundle beforeFirstPaint +\| 13500 +\| — +\| — /);
  });

  it('treats a failed figure as missing on that side and says why', () => {
    const failedCalls: Figure[] = [
      { figure: 'floor', part: 'calls', unit: 'ms', n: 20, p50: 150, p95: 200, max: 260, mean: 160 },
      { figure: 'match-to-face', part: 'calls', failed: 'expected status connected, still searching after 30000 ms' },
      { figure: 'phase', part: 'calls', failed: 'expected status connected, still searching after 30000 ms' },
      { figure: 'pairing-under-load', part: 'pairing', joiners: 50, failed: 'join log lines' },
    ];
    const rows = compareRuns([run(), run()], [failedCalls, failedCalls]);
    const m = row(rows, 'match-to-face p50');
    assert.equal(m.verdict, Verdict.failedCurrent);
    assert.equal(m.current.median, null);
    assert.match(verdictText(m), /^failed on the current tree: expected status connected/);
    assert.equal(
      row(rows, 'phase[B start → offer ready] p95').verdict,
      Verdict.failedCurrent,
      'a marker without discriminators covers every phase',
    );
    assert.equal(row(rows, 'pairing-under-load[joiners=50] pairsPerSecond').verdict, Verdict.failedCurrent);
    assert.equal(row(rows, 'floor p50').verdict, Verdict.same);
  });

  it('takes the median of the rounds that measured a figure when only some failed', () => {
    const failed: Figure[] = [{ figure: 'floor', part: 'calls', failed: 'Chromium crashed' }];
    const rows = compareRuns([run(), run()], [run(), failed, run()]);
    const r = row(rows, 'floor p50');
    assert.deepEqual(r.current.values, [150, 150]);
    assert.deepEqual(r.current.failed, ['Chromium crashed']);
    assert.equal(verdictText(r), 'same (current failed in 1 of 3 rounds)');
  });

  it('keeps a figure that failed in every round as one row', () => {
    const failed: Figure[] = [{ figure: 'pairing-under-load', part: 'pairing', joiners: 200, failed: 'timed out' }];
    const rows = compareRuns([failed], [failed]);
    assert.deepEqual(
      rows.map((r) => [r.figure, r.verdict]),
      [['pairing-under-load[joiners=200]', Verdict.failedBoth]],
    );
  });
});

describe('which parts warmed the emulators before the parts asked for', () => {
  it('names the parts an older bench ran first, whatever PARLEY_BENCH_ONLY said', () => {
    // 2e29a51's order: the bundle, the calls, then the stampedes.
    const old = ['web-bundle', 'floor', 'start-to-face', 'signaling-cost', 'pairing-under-load', 'pairing-under-load'];
    assert.deepEqual(warmedBefore(old, ['pairing']), ['calls']);
    assert.deepEqual(warmedBefore(old, ['calls', 'pairing']), [], 'the bundle warms nothing');
    assert.deepEqual(warmedBefore(['pairing-under-load', 'floor'], ['pairing']), [], 'after the parts asked for does not count');
    assert.deepEqual(warmedBefore(['unknown-figure', 'write-latency', 'pairing-under-load'], ['pairing']), ['writes']);
  });
});

describe('rows whose sides were not measured the same way', () => {
  const bundle: Figure = { figure: 'web-bundle', part: 'bundle', gzipBytes: 100_000 };
  // The baseline's pairing twice as fast, its bundle half the size.
  const rows = compareRuns([[...run(0.5), { ...bundle, gzipBytes: 50_000 }]], [[...run(1), bundle]]);

  it('are shown with their numbers but not judged, and say why and what the numbers alone would read', () => {
    const marked = markUnlike(rows, { baseline: ['calls'], current: [] });
    const p95 = row(marked, 'pairing-under-load[joiners=50] pairingLatencyMs.p95');
    assert.equal(p95.verdict, Verdict.unlike);
    assert.equal(p95.ratio, row(rows, 'pairing-under-load[joiners=50] pairingLatencyMs.p95').ratio, 'the numbers stay');
    assert.equal(verdictText(p95), 'not like for like (the baseline ran calls first); the numbers alone: slower by 100%');
    assert.equal(row(marked, 'web-bundle gzipBytes').verdict, Verdict.worse, 'a size read from files is warmed by nothing');
  });

  it('leave rows alone when both sides ran the same parts first, or none', () => {
    for (const parts of [[], ['calls']] as const) {
      const same = markUnlike(rows, { baseline: parts, current: parts });
      assert.deepEqual(
        same.map((r) => r.verdict),
        rows.map((r) => r.verdict),
      );
    }
  });

  it('name both sides when each ran something else first', () => {
    const marked = markUnlike(rows, { baseline: ['calls'], current: ['writes'] });
    assert.match(
      verdictText(row(marked, 'floor p50')),
      /^not like for like \(the baseline ran calls first; the current tree ran writes first\)/,
    );
  });
});
