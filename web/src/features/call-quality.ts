/**
 * How good each link of a call is, for the indicator on every remote video
 * and the statistics panel: every SAMPLE_EVERY_MS each connected link's
 * getStats() is reduced with the previous snapshot (link-stats.ts) and
 * graded with hysteresis (quality-policy.ts). Attached to a Call; knows no
 * DOM.
 */
import type { Peer } from '../engine/call.js';
import { LinkState } from '../engine/peer-link.js';
import { reduceStats, type LinkSample, type StatsSnapshot } from './link-stats.js';
import { INITIAL_QUALITY, nextQuality, type QualityCause, type QualityLevel, type QualityState } from './quality-policy.js';

/**
 * One sample a second: the indicator reacts within a few seconds (the
 * policy wants two readings in a row), and a getStats() per link per
 * second costs little even in a five-person mesh.
 */
export const SAMPLE_EVERY_MS = 1_000;

/** The link to a member, as far as this uses it (engine/peer-link.ts). */
export interface QualityLink {
  getStats(): Promise<StatsSnapshot>;
}

/** What of a `Call` this uses (engine/call.ts). */
export interface QualityCall {
  readonly peers: readonly Pick<Peer, 'id' | 'state'>[];
  link(id: string): QualityLink | null;
  onChange(listener: () => void): () => void;
}

/** What the page shows about the link to one member. */
export interface MemberQuality {
  /** The latest figures, null before the second snapshot. */
  readonly sample: LinkSample | null;
  readonly level: QualityLevel;
  readonly cause: QualityCause | null;
}

const UNKNOWN: MemberQuality = { sample: null, level: 'good', cause: null };

interface Entry {
  /** The link these figures are of: a rebuilt link starts over. */
  readonly link: QualityLink;
  snapshot: StatsSnapshot | null;
  sample: LinkSample | null;
  quality: QualityState;
  /** A getStats() still running: the next tick skips the link rather than pile calls up. */
  busy: boolean;
}

export class CallQuality {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();
  private readonly stops: (() => void)[] = [];
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly call: QualityCall,
    everyMs = SAMPLE_EVERY_MS,
  ) {
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.stops.push(call.onChange(() => this.forgetGone()));
  }

  /** The link to member `id` as the indicator shows it (good, no figures, until sampled). */
  of(id: string): MemberQuality {
    const e = this.entries.get(id);
    return e ? { sample: e.sample, level: e.quality.level, cause: e.quality.cause } : UNKNOWN;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  detach(): void {
    clearInterval(this.timer);
    for (const stop of this.stops.splice(0)) stop();
  }

  private async tick(): Promise<void> {
    const sampled = await Promise.all(
      this.call.peers.filter((p) => p.state === LinkState.connected).map((p) => this.sample(p.id)),
    );
    if (sampled.some(Boolean)) this.notify();
  }

  /** Takes a snapshot of the link to `id`; true when it made a new sample. */
  private async sample(id: string): Promise<boolean> {
    const link = this.call.link(id);
    if (!link) return false;
    let entry = this.entries.get(id);
    if (!entry || entry.link !== link) {
      entry = { link, snapshot: null, sample: null, quality: INITIAL_QUALITY, busy: false };
      this.entries.set(id, entry);
    }
    if (entry.busy) return false;
    entry.busy = true;
    let snapshot: StatsSnapshot;
    try {
      snapshot = await link.getStats();
    } catch {
      return false; // the link closed meanwhile
    } finally {
      entry.busy = false;
    }
    if (this.entries.get(id) !== entry) return false;
    const previous = entry.snapshot;
    entry.snapshot = snapshot;
    if (previous === null) return false;
    const sample = reduceStats(previous, snapshot);
    if (sample.intervalMs <= 0) return false;
    entry.sample = sample;
    entry.quality = nextQuality(entry.quality, sample);
    return true;
  }

  private forgetGone(): void {
    const present = new Set(this.call.peers.map((p) => p.id));
    for (const id of [...this.entries.keys()]) if (!present.has(id)) this.entries.delete(id);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
