/**
 * The getStats() recordings of test/fixtures/stats/ (made by
 * test/e2e/record-stats.ts from real Chromium calls on a shaped path), and
 * the samples the reducer makes of them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reduceStats, type LinkSample, type StatsEntry } from '../../../web/src/features/link-stats.js';

const DIR = fileURLToPath(new URL('../../../../test/fixtures/stats/', import.meta.url));

export type FixtureName = 'unshaped' | 'uplink-cap' | 'loss-10' | 'relayed';

export interface Snapshot {
  readonly phase: string;
  /** The page whose uplink was shaped. */
  readonly sender: StatsEntry[];
  readonly receiver: StatsEntry[];
}

export interface Fixture {
  readonly description: string;
  readonly snapshots: readonly Snapshot[];
}

export function loadFixture(name: FixtureName): Fixture {
  return JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as Fixture;
}

/** One page's samples over a recording, each with the phase its later snapshot was taken in. */
export function samples(name: FixtureName, page: 'sender' | 'receiver'): Array<{ phase: string; sample: LinkSample }> {
  const { snapshots } = loadFixture(name);
  return snapshots.slice(1).map((s, i) => ({ phase: s.phase, sample: reduceStats(snapshots[i]![page], s[page]) }));
}
