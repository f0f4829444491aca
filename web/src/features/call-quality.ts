/**
 * How good each link of a call is, and what the page does about a weak
 * uplink. Every SAMPLE_EVERY_MS each connected link's getStats() is reduced
 * with the previous snapshot (link-stats.ts) and fed to two policies
 * (quality-policy.ts): the level and cause the indicator on the member's
 * video shows, and whether to send video on that link at all. A link whose
 * uplink cannot carry video stops sending it (its encoding goes inactive:
 * no renegotiation, audio goes on) and tells the member with a
 * `video-paused` message, so that their page says why instead of showing a
 * frozen frame; it sends video again by itself once the policy says so.
 *
 * The person's own "Audio only" goes through the same switch: no video goes
 * out on any link, and an `audio-only` message asks every member to send
 * none either (it is meant to save data both ways). A link sends video only
 * when neither side chose audio only and its uplink carries it.
 *
 * Each link's video budget is also the lower of the group's share and the
 * bandwidth measured on that link (quality-policy.ts nextLinkCap), so that
 * the picture sent fits the path (engine/bitrate-policy.ts).
 * Attached to a Call; knows no DOM.
 */
import type { CallLinkListener, Peer } from '../engine/call.js';
import type { ChannelMessage } from '../engine/channel-messages.js';
import { LinkState } from '../engine/peer-link.js';
import { reduceStats, type LinkSample, type StatsSnapshot } from './link-stats.js';
import {
  INITIAL_LINK_CAP,
  INITIAL_QUALITY,
  INITIAL_VIDEO_PAUSE,
  nextLinkCap,
  nextQuality,
  nextVideoPause,
  type LinkCapState,
  type QualityCause,
  type QualityLevel,
  type QualityState,
  type VideoPauseState,
} from './quality-policy.js';

/**
 * One sample a second: the indicator reacts within a few seconds (the
 * policy wants two readings in a row), and a getStats() per link per
 * second costs little even in a five-person mesh.
 */
export const SAMPLE_EVERY_MS = 1_000;

/** The link to a member, as far as this uses it (engine/peer-link.ts). */
export interface QualityLink {
  getStats(): Promise<StatsSnapshot>;
  /** Stops or restarts sending the camera on the link, without renegotiating. */
  setVideoActive(active: boolean): Promise<boolean>;
}

/** What of a `Call` this uses (engine/call.ts). */
export interface QualityCall {
  readonly peers: readonly Pick<Peer, 'id' | 'state'>[];
  link(id: string): QualityLink | null;
  sendMessage(to: string, message: ChannelMessage): boolean;
  onLink(listener: CallLinkListener): () => void;
  onChange(listener: () => void): () => void;
  /** What each link's video may use by the group's size alone (engine/call.ts). */
  readonly videoShareBps: number;
  /** A link's own cap from the bandwidth measured on it; null lifts it. */
  setLinkCap(id: string, bps: number | null): void;
}

/** What the page shows about the link to one member. */
export interface MemberQuality {
  /** The latest figures, null before the second snapshot. */
  readonly sample: LinkSample | null;
  readonly level: QualityLevel;
  readonly cause: QualityCause | null;
  /** We stopped sending them our video: our uplink to them is too weak. */
  readonly ourVideoPaused: boolean;
  /** They told us they stopped sending us their video: their uplink is too weak. */
  readonly theirVideoPaused: boolean;
  /** They chose audio only: they send no video and we send them none. */
  readonly theirAudioOnly: boolean;
  /** Our video to them is capped under the group's share at this, bits per second, by the bandwidth measured; null: not. */
  readonly linkCapBps: number | null;
}

const UNKNOWN: MemberQuality = {
  sample: null,
  level: 'good',
  cause: null,
  ourVideoPaused: false,
  theirVideoPaused: false,
  theirAudioOnly: false,
  linkCapBps: null,
};

interface Entry {
  /** The link these figures are of: a rebuilt link starts over. */
  readonly link: QualityLink;
  snapshot: StatsSnapshot | null;
  sample: LinkSample | null;
  quality: QualityState;
  pause: VideoPauseState;
  /** A getStats() still running: the next tick skips the link rather than pile calls up. */
  busy: boolean;
  /** Whether video was last switched on (true) or off on this link; a new link sends video. */
  active: boolean;
  /** The link's own video budget (quality-policy.ts nextLinkCap). */
  cap: LinkCapState;
}

export class CallQuality {
  private readonly entries = new Map<string, Entry>();
  /** Members who told us they paused their video to us (their last `video-paused` said so). */
  private readonly pausedByThem = new Set<string>();
  /** Members who told us they chose audio only (their last `audio-only` said so). */
  private readonly audioOnlyThem = new Set<string>();
  /** This person chose audio only (setAudioOnly). */
  private _audioOnly = false;
  private readonly listeners = new Set<() => void>();
  private readonly stops: (() => void)[] = [];
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly call: QualityCall,
    everyMs = SAMPLE_EVERY_MS,
  ) {
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.stops.push(
      call.onChange(() => this.forgetGone()),
      call.onLink({
        message: (from, message) => this.onMessage(from, message),
        // A link rebuilt while paused starts sending video; one opened to a member starts unpaused on both sides.
        // Audio only is said again on every new channel, and applied to the new link at once.
        channelOpen: (id) => {
          const wasPaused = this.pausedByThem.delete(id);
          const changed = this.audioOnlyThem.delete(id) || wasPaused;
          if (this._audioOnly) this.call.sendMessage(id, { type: 'audio-only', on: true });
          this.applyVideo(id);
          if (changed) this.notify();
        },
      }),
    );
  }

  /** The link to member `id` as the indicator shows it (good, no figures, until sampled). */
  of(id: string): MemberQuality {
    const e = this.entries.get(id);
    const theirVideoPaused = this.pausedByThem.has(id);
    const theirAudioOnly = this.audioOnlyThem.has(id);
    if (!e) return { ...UNKNOWN, theirVideoPaused, theirAudioOnly };
    return {
      sample: e.sample,
      level: e.quality.level,
      cause: e.quality.cause,
      ourVideoPaused: e.pause.paused,
      theirVideoPaused,
      theirAudioOnly,
      linkCapBps: e.cap.capBps,
    };
  }

  /** Whether this person chose audio only for this call. */
  get audioOnly(): boolean {
    return this._audioOnly;
  }

  /** Audio only, or video again: every link at once, and every member is told. */
  setAudioOnly(on: boolean): void {
    if (on === this._audioOnly) return;
    this._audioOnly = on;
    for (const p of this.call.peers) {
      if (p.state === LinkState.connected) this.call.sendMessage(p.id, { type: 'audio-only', on });
      this.applyVideo(p.id);
    }
    this.notify();
  }

  /** Whether we stopped sending video on any link because the uplink is too weak. */
  get videoPaused(): boolean {
    for (const e of this.entries.values()) if (e.pause.paused) return true;
    return false;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  detach(): void {
    clearInterval(this.timer);
    for (const stop of this.stops.splice(0)) stop();
    // The call goes on without this page's decisions (it has ended, or another attaches): leave it sending.
    for (const e of this.entries.values()) if (!e.active) void e.link.setVideoActive(true);
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
    const entry = this.entryOf(id, link);
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
    const wasPaused = entry.pause.paused;
    entry.pause = nextVideoPause(entry.pause, sample);
    if (entry.pause.paused !== wasPaused) this.applyPause(id, entry);
    const capBefore = entry.cap.capBps;
    entry.cap = nextLinkCap(entry.cap, sample, this.call.videoShareBps);
    if (entry.cap.capBps !== capBefore) this.call.setLinkCap(id, entry.cap.capBps);
    return true;
  }

  /** The entry of the link to `id`; a rebuilt link starts a new one (it sends video, as a new link does). */
  private entryOf(id: string, link: QualityLink): Entry {
    let entry = this.entries.get(id);
    if (!entry || entry.link !== link) {
      entry = {
        link,
        snapshot: null,
        sample: null,
        quality: INITIAL_QUALITY,
        pause: INITIAL_VIDEO_PAUSE,
        busy: false,
        active: true,
        cap: INITIAL_LINK_CAP,
      };
      this.entries.set(id, entry);
    }
    return entry;
  }

  /** Tells the member first, so that their page explains the stop before the last frame freezes. */
  private applyPause(id: string, entry: Entry): void {
    this.call.sendMessage(id, { type: 'video-paused', paused: entry.pause.paused });
    this.applyVideo(id);
  }

  /** Switches video on the link to `id` on or off as the uplink and both sides' audio only say. */
  private applyVideo(id: string): void {
    const link = this.call.link(id);
    if (!link) return;
    const entry = this.entryOf(id, link);
    const active = !this._audioOnly && !this.audioOnlyThem.has(id) && !entry.pause.paused;
    if (active === entry.active) return;
    entry.active = active;
    void link.setVideoActive(active);
  }

  private onMessage(from: string, message: ChannelMessage): void {
    if (message.type === 'video-paused') {
      if (message.paused) this.pausedByThem.add(from);
      else this.pausedByThem.delete(from);
    } else if (message.type === 'audio-only') {
      if (message.on) this.audioOnlyThem.add(from);
      else this.audioOnlyThem.delete(from);
      this.applyVideo(from);
    } else {
      return;
    }
    this.notify();
  }

  private forgetGone(): void {
    const present = new Set(this.call.peers.map((p) => p.id));
    for (const id of [...this.entries.keys()]) if (!present.has(id)) this.entries.delete(id);
    for (const set of [this.pausedByThem, this.audioOnlyThem]) for (const id of [...set]) if (!present.has(id)) set.delete(id);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
