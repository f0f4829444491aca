/**
 * Compare mode's arithmetic (`PARLEY_BENCH_BASELINE=… npm run bench`): the
 * figures of several runs of a baseline and of the working tree, matched by
 * name, reduced to one row per number with the median over rounds, the
 * spread (min–max) of each side, the ratio current / baseline and a verdict.
 * Pure: compare-bench.ts runs the benches and feeds their figures in.
 */

import { partOf, type BenchPart } from './parts.js';

/** One figure as run-bench.ts prints it: `{ figure, ...data }`; `failed` holds the reason when its part failed. */
export interface Figure {
  readonly figure: string;
  readonly [field: string]: unknown;
}

/** The figures of one bench run (bench-results/latest.json's `figures`). */
export type RunFigures = readonly Figure[];

/** One side's value of a row over its rounds. */
export interface SideSummary {
  /** One per round that measured it, in round order. */
  readonly values: readonly number[];
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** Why, for each round whose run marked this figure failed. */
  readonly failed: readonly string[];
}

export const Verdict = {
  same: 'same',
  /** The two sides' min–max ranges overlap: the difference is no larger than the runs' own scatter. */
  withinSpread: 'within-spread',
  /** Outside the spread but within the tolerance (with one round the spread is a point). */
  withinTolerance: 'within-tolerance',
  worse: 'worse',
  better: 'better',
  /** For numbers that are neither better nor worse when higher (e.g. a bitrate the encoder picks). */
  higher: 'higher',
  lower: 'lower',
  onlyBaseline: 'only-baseline',
  onlyCurrent: 'only-current',
  failedBaseline: 'failed-baseline',
  failedCurrent: 'failed-current',
  failedBoth: 'failed-both',
  /** The two sides were not measured the same way (markUnlike): the numbers are shown, not judged. */
  unlike: 'unlike',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export interface ComparisonRow {
  /** `figure[discriminators] path`, e.g. `pairing-under-load[joiners=50] pairingLatencyMs.p95`. */
  readonly figure: string;
  readonly baseline: SideSummary;
  readonly current: SideSummary;
  /** Current median / baseline median; null when a side has none (or the baseline is 0 and the current is not). */
  readonly ratio: number | null;
  readonly verdict: Verdict;
  /** Whether the number is a time (or a ratio of times): says "slower/faster" instead of "worse/better". */
  readonly time: boolean;
  /** With Verdict.unlike: why the sides differ, and the verdict the numbers alone would give. */
  readonly unlike?: { readonly why: string; readonly verdict: Verdict };
}

export interface CompareOptions {
  /**
   * A difference outside the spread but within this fraction is not called
   * worse or better: with one round each side's spread is a single point,
   * and a few percent is what two runs of one commit differ by here.
   */
  readonly tolerance?: number;
}

const DEFAULT_TOLERANCE = 0.05;

/** String fields that describe a figure rather than tell two figures of one name apart. */
const DESCRIPTIVE = new Set(['figure', 'what', 'unit', 'note', 'hopsNote', 'target', 'skipped', 'failed', 'part']);
/** Number fields that tell figures of one name apart (the N of a round, a member's position). */
const COUNTED_BY = new Set(['joiners', 'member', 'members']);
/**
 * Numbers not compared: sample counts and means (the bench's summaries also
 * give p50 and p95), the max (one sample; too noisy to call a change),
 * content-hashed chunk names, and fixed targets and caps.
 */
const NOT_COMPARED = new Set(['n', 'mean', 'max', 'chunks', 'targets', 'target', 'cap']);
/** Paths where more is better; everything else compared is a time, a count or a size, where less is. */
const HIGHER_IS_BETTER = /(^|\.)(pairsPerSecond|pairs)$/;
/** Figures whose numbers are neither better nor worse when higher (the encoder's bitrate under a cap). */
const NEUTRAL_FIGURES = new Set(['link-outbound-video']);
/** Where ratios to the floor of the same run exist, they lead: they cancel the machine's drift between runs. */
const FIRST = 'ratios-to-floor';

/** The fields that tell figures of the same name apart, in the figure's own order. */
export function discriminators(f: Figure): Array<[string, string | number]> {
  const out: Array<[string, string | number]> = [];
  for (const [k, v] of Object.entries(f)) {
    if (typeof v === 'string' && !DESCRIPTIVE.has(k)) out.push([k, v]);
    else if (typeof v === 'number' && COUNTED_BY.has(k)) out.push([k, v]);
  }
  return out;
}

/** The figure's name with its discriminators, e.g. `phase[A connected → A first frame]` or `pairing-under-load[joiners=50]`. */
export function figureKey(f: Figure): string {
  const ids = discriminators(f);
  if (ids.length === 0) return f.figure;
  return `${f.figure}[${ids.map(([k, v]) => (typeof v === 'number' ? `${k}=${v}` : v)).join(', ')}]`;
}

/** The figure's name in a row's key (`figure[discriminators] path`, figureKey): what comes before `[` or the first space. */
function figureNameOf(key: string): string {
  return key.split(/[ []/, 1)[0]!;
}

/** The numbers of a figure worth comparing, by dotted path (arrays and descriptive fields left out). */
export function metricsOf(f: Figure): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const visit = (value: unknown, path: string) => {
    if (typeof value === 'number') {
      if (Number.isFinite(value)) out.push([path, value]);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (NOT_COMPARED.has(k) || (path === '' && (COUNTED_BY.has(k) || DESCRIPTIVE.has(k)))) continue;
      visit(v, path === '' ? k : `${path}.${k}`);
    }
  };
  visit(f, '');
  return out;
}

/** Whether a failure marker (`{ figure, failed, ...discriminators }`) stands for figure `f`: same name, its discriminators among f's. */
function markerCovers(marker: Figure, f: Figure): boolean {
  if (marker.figure !== f.figure) return false;
  const own = new Map(discriminators(f));
  return discriminators(marker).every(([k, v]) => own.get(k) === v);
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summarizeSide(values: readonly number[], failed: readonly string[]): SideSummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    values,
    median: median(sorted),
    min: sorted[0] ?? null,
    max: sorted[sorted.length - 1] ?? null,
    failed,
  };
}

interface RowSource {
  readonly key: string;
  /** A figure this row came from (for its name, discriminators and unit). */
  readonly sample: Figure;
  readonly path: string;
}

function isFailed(f: Figure): boolean {
  return typeof f.failed === 'string';
}

/**
 * One row per number that either side measured in any round, matched by
 * figure name, discriminators and path. A round whose run marked the figure
 * failed counts as missing on that side, with its reason; a round whose run
 * neither measured nor failed it (an older bench without the figure) just
 * lacks it.
 */
export function compareRuns(
  baseline: readonly RunFigures[],
  current: readonly RunFigures[],
  options: CompareOptions = {},
): ComparisonRow[] {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const sources = new Map<string, RowSource>();
  for (const run of [...current, ...baseline]) {
    for (const f of run) {
      if (isFailed(f)) continue;
      for (const [path] of metricsOf(f)) {
        const key = `${figureKey(f)} ${path}`;
        if (!sources.has(key)) sources.set(key, { key, sample: f, path });
      }
    }
  }
  // Figures that failed in every run that had them: no numbers to name, one row per figure.
  for (const run of [...current, ...baseline]) {
    for (const marker of run.filter(isFailed)) {
      const known = [...sources.values()].some((s) => markerCovers(marker, s.sample));
      const key = figureKey(marker);
      if (!known && !sources.has(key)) sources.set(key, { key, sample: marker, path: '' });
    }
  }
  const side = (runs: readonly RunFigures[], source: RowSource): SideSummary => {
    const values: number[] = [];
    const failed: string[] = [];
    const sourceKey = figureKey(source.sample);
    for (const run of runs) {
      const measured = run.find((f) => !isFailed(f) && figureKey(f) === sourceKey);
      const value = measured && metricsOf(measured).find(([p]) => p === source.path)?.[1];
      if (value !== undefined) {
        values.push(value);
        continue;
      }
      const marker = run.find((f) => isFailed(f) && markerCovers(f, source.sample));
      if (marker) failed.push(marker.failed as string);
    }
    return summarizeSide(values, failed);
  };
  const rows = [...sources.values()].map((source) => {
    const b = side(baseline, source);
    const c = side(current, source);
    const name = source.sample.figure;
    const time =
      source.sample['unit'] === 'ms' || /Ms(\.|$)/.test(source.path) || name.endsWith('-ms') || name === 'ratios-to-floor';
    const ratio = ratioOf(b.median, c.median);
    return {
      figure: source.key,
      baseline: b,
      current: c,
      ratio,
      verdict: verdictOf(b, c, ratio, tolerance, direction(name, source.path)),
      time,
    };
  });
  // Stable: the ratios to the floor first, then in the order the runs reported them.
  return [...rows.filter((r) => r.figure.startsWith(`${FIRST} `)), ...rows.filter((r) => !r.figure.startsWith(`${FIRST} `))];
}

/** What each side's bench ran before the parts asked for, on the same emulators (parts.ts, warmedBefore). */
export interface WarmUps {
  readonly baseline: readonly BenchPart[];
  readonly current: readonly BenchPart[];
}

/** Verdicts drawn from two sides' numbers (the others say what is missing or failed). */
const JUDGED: ReadonlySet<Verdict> = new Set([
  Verdict.same,
  Verdict.withinSpread,
  Verdict.withinTolerance,
  Verdict.worse,
  Verdict.better,
  Verdict.higher,
  Verdict.lower,
]);

/**
 * Marks the rows whose sides were not measured the same way: one side's
 * bench ran other parts first, on emulators they warmed (the Firestore
 * emulator's JIT, the function workers), and the other side's did not, or
 * ran other ones. Such a row's verdict becomes `unlike`; its numbers stay,
 * and the text says what they alone would read. A pairing-only compare
 * against 2e29a51, whose bench runs its calls first whatever it is asked,
 * read as "pairing twice as slow" in a table whose warning at the bottom
 * was overlooked (docs/SCALING.md). Figures read from files (the bundle)
 * are not warmed by anything and keep their verdict.
 */
export function markUnlike(rows: readonly ComparisonRow[], warmed: WarmUps): ComparisonRow[] {
  const names = (parts: readonly BenchPart[]) => [...new Set(parts)].sort().join(', ');
  if (names(warmed.baseline) === names(warmed.current)) return [...rows];
  const ran = (side: string, parts: readonly BenchPart[]) => (parts.length > 0 ? `the ${side} ran ${names(parts)} first` : '');
  const why = [ran('baseline', warmed.baseline), ran('current tree', warmed.current)].filter(Boolean).join('; ');
  return rows.map((r) => {
    const part = partOf(figureNameOf(r.figure));
    if (part === 'bundle' || !JUDGED.has(r.verdict)) return r;
    return { ...r, verdict: Verdict.unlike, unlike: { why, verdict: r.verdict } };
  });
}

function ratioOf(baseline: number | null, current: number | null): number | null {
  if (baseline === null || current === null) return null;
  if (baseline === 0) return current === 0 ? 1 : null;
  return current / baseline;
}

type Direction = 'lower' | 'higher' | 'neutral';

function direction(figure: string, path: string): Direction {
  if (NEUTRAL_FIGURES.has(figure)) return 'neutral';
  return HIGHER_IS_BETTER.test(path) ? 'higher' : 'lower';
}

function verdictOf(b: SideSummary, c: SideSummary, ratio: number | null, tolerance: number, better: Direction): Verdict {
  if (b.median === null && c.median === null) {
    if (b.failed.length > 0 && c.failed.length > 0) return Verdict.failedBoth;
    return b.failed.length > 0 ? Verdict.failedBaseline : Verdict.failedCurrent;
  }
  if (c.median === null) return c.failed.length > 0 ? Verdict.failedCurrent : Verdict.onlyBaseline;
  if (b.median === null) return b.failed.length > 0 ? Verdict.failedBaseline : Verdict.onlyCurrent;
  if (c.median === b.median) return Verdict.same;
  if (c.min! <= b.max! && b.min! <= c.max!) return Verdict.withinSpread;
  if (ratio !== null && Math.abs(ratio - 1) <= tolerance) return Verdict.withinTolerance;
  const up = c.median > b.median;
  if (better === 'neutral') return up ? Verdict.higher : Verdict.lower;
  return up === (better === 'higher') ? Verdict.better : Verdict.worse;
}

/** A number as the table shows it: whole above 100, two decimals below. */
export function formatNumber(x: number | null): string {
  if (x === null) return '—';
  if (Math.abs(x) >= 100) return String(Math.round(x));
  return String(Math.round(x * 100) / 100);
}

function spread(s: SideSummary): string {
  if (s.min === null || s.max === null) return '—';
  return s.min === s.max ? formatNumber(s.min) : `${formatNumber(s.min)}–${formatNumber(s.max)}`;
}

/** The verdict in words, with how many rounds failed where some did. */
export function verdictText(row: ComparisonRow, tolerance = DEFAULT_TOLERANCE): string {
  if (row.verdict === Verdict.unlike && row.unlike) {
    return `not like for like (${row.unlike.why}); the numbers alone: ${verdictText({ ...row, verdict: row.unlike.verdict }, tolerance)}`;
  }
  // From a baseline of 0 there is no ratio: say what it was instead.
  const pct =
    row.ratio === null ? `${formatNumber(row.current.median)} (baseline 0)` : `${Math.round(Math.abs(row.ratio - 1) * 100)}%`;
  const reason = (s: SideSummary) => (s.failed[0] ?? '').replace(/\s+/g, ' ').slice(0, 80);
  const words: Record<Verdict, string> = {
    [Verdict.same]: 'same',
    [Verdict.withinSpread]: 'within spread',
    [Verdict.withinTolerance]: `within ${Math.round(tolerance * 100)}%`,
    [Verdict.worse]: `${row.time ? 'slower' : 'worse'} by ${pct}`,
    [Verdict.better]: `${row.time ? 'faster' : 'better'} by ${pct}`,
    [Verdict.higher]: `higher by ${pct}`,
    [Verdict.lower]: `lower by ${pct}`,
    [Verdict.onlyBaseline]: 'only the baseline has it',
    [Verdict.onlyCurrent]: 'only the current tree has it',
    [Verdict.failedBaseline]: `failed on the baseline: ${reason(row.baseline)}`,
    [Verdict.failedCurrent]: `failed on the current tree: ${reason(row.current)}`,
    [Verdict.failedBoth]: `failed on both: ${reason(row.current)}`,
    [Verdict.unlike]: 'not like for like',
  };
  const partly = (label: string, s: SideSummary) =>
    s.values.length > 0 && s.failed.length > 0
      ? ` (${label} failed in ${s.failed.length} of ${s.failed.length + s.values.length} rounds)`
      : '';
  return words[row.verdict] + partly('baseline', row.baseline) + partly('current', row.current);
}

/** The comparison as a Markdown table (what compare mode prints and docs/PERFORMANCE.md quotes). */
export function formatTable(rows: readonly ComparisonRow[], labels: { baseline: string; current: string }): string {
  const header = [
    'figure',
    `baseline ${labels.baseline}`,
    `current ${labels.current}`,
    'ratio',
    'baseline min–max',
    'current min–max',
    'verdict',
  ];
  const body = rows.map((r) => [
    r.figure,
    formatNumber(r.baseline.median),
    formatNumber(r.current.median),
    r.ratio === null ? '—' : r.ratio.toFixed(2),
    spread(r.baseline),
    spread(r.current),
    verdictText(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
