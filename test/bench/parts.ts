/**
 * The parts of `npm run bench` and the figures each one reports. Pure.
 * run-bench.ts marks a failed part's missing figures `failed` from this list;
 * compare mode uses it to leave out a baseline's figures of parts that were
 * not asked for (an older bench may run every part whatever PARLEY_BENCH_ONLY says).
 */

export const BENCH_PARTS = {
  bundle: ['web-bundle'],
  calls: [
    'floor',
    'start-to-face',
    'match-to-face',
    'phase',
    'ratios-to-floor',
    'signaling-cost',
    'signaling-cost-again',
    'random-call-minute',
    'waiting-minute',
  ],
  relay: ['turn-credentials', 'relay-vs-direct-match-to-face', 'relay-crash-recovery'],
  links: ['link-join-to-faces', 'link-outbound-video', 'link-call-cost'],
  writes: ['write-latency'],
  ghosts: ['ghost-partner-told-ms', 'ghost-requeued-ms', 'ghost-unmatchable-ms'],
  pairing: ['pairing-under-load'],
  screening: ['screening-bytes', 'screening-model', 'screening-main-thread', 'screening-unsafe-to-placeholder'],
  quality: ['quality-unshaped', 'quality-cap-300k', 'quality-cap-100k', 'quality-loss-5', 'quality-loss-15'],
} as const satisfies Record<string, readonly string[]>;

export type BenchPart = keyof typeof BENCH_PARTS;

export const PART_NAMES = Object.keys(BENCH_PARTS) as BenchPart[];

/** The part that reports `figure`, or null for a name this bench does not know. */
export function partOf(figure: string): BenchPart | null {
  return PART_NAMES.find((p) => (BENCH_PARTS[p] as readonly string[]).includes(figure)) ?? null;
}

/** PARLEY_BENCH_ONLY as a list of parts (null: all); an unknown name is an error a person can act on. */
export function parseOnly(value: string | undefined): BenchPart[] | null {
  if (value === undefined || value.trim() === '') return null;
  const names = value.split(',').map((x) => x.trim());
  const unknown = names.filter((n) => !(PART_NAMES as string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(`PARLEY_BENCH_ONLY: unknown part ${unknown.join(', ')}; the parts are ${PART_NAMES.join(', ')}`);
  }
  return names as BenchPart[];
}

/**
 * Parts a run measured before the first part asked for (`only`), in the order
 * it printed them: an older bench that ignores PARLEY_BENCH_ONLY runs them
 * first, and they warm the emulators (the Firestore emulator's JIT, the
 * function workers) for the parts asked for. A side that ran such parts
 * first did not run the same way as one that did not: 2e29a51's 20 calls
 * before its stampedes made it look twice as fast at pairing as a cold run
 * of the current tree (docs/PERFORMANCE.md, 2026-12-04).
 */
export function warmedBefore(figures: readonly string[], only: readonly BenchPart[]): BenchPart[] {
  const before: BenchPart[] = [];
  for (const figure of figures) {
    const part = partOf(figure);
    // The bundle's sizes are read from files: they warm nothing.
    if (part === null || part === 'bundle') continue;
    if (only.includes(part)) break;
    if (!before.includes(part)) before.push(part);
  }
  return before;
}
