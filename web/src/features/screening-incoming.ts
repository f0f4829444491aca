/**
 * Screening of what the other members send, on this page, before it is
 * seen: a modified client can skip screening its own camera, so the
 * viewer's page screens what it receives too. Every SAMPLE_EVERY_MS one
 * member's video (the one never scored, else the one scored longest ago:
 * screening-policy.ts nextToSample) gives a frame to the classifier, the
 * same worker that screens our camera; the policy decides per member
 * whether their tile is blurred (`blurred`), and the viewer may choose
 * "Show anyway" (`showAnyway`). A member's video nobody has scored yet (a
 * new stranger, a new track) is blurred until its first frame is. The
 * video elements are the elements' business: this only says which to blur.
 *
 * If the classifier cannot run at all (its model did not load), nothing is
 * blurred: a page that could never show video would push people to turn
 * screening off, and the sender's own page screens before sending.
 */
import type { Peer } from '../engine/call.js';
import type { FrameClassifier } from './screening-classifier.js';
import type { FrameSampler } from './screening.js';
import {
  DEFAULT_SCREENING,
  INITIAL_INCOMING,
  isBlurred,
  isFlagged,
  nextIncoming,
  nextToSample,
  showAnyway,
  type IncomingView,
  type ScreeningConfig,
} from './screening-policy.js';

/**
 * One frame every half second, shared by every member's video: the
 * stranger of a random chat is scored twice a second (an unsafe frame is
 * blurred within about 0.6 s: one interval plus one scoring), each of four
 * members of a full link call every two seconds. With our own camera's two
 * a second (screening.ts), the worker scores at most four frames a second
 * whatever the group's size: a third of a core at the 65–90 ms per frame
 * measured (docs/PERFORMANCE.md, screening).
 */
export const SAMPLE_EVERY_MS = 500;

/** What of a `Call` this uses (engine/call.ts). */
export interface ScreenedCall {
  readonly peers: readonly Pick<Peer, 'id' | 'stream'>[];
}

export interface IncomingScreeningOptions {
  readonly classifier: FrameClassifier;
  readonly sampler: (track: MediaStreamTrack) => FrameSampler;
  /** The policy's classes, thresholds and clean time; tests treat drawings as unsafe. */
  readonly config?: ScreeningConfig;
  readonly sampleEveryMs?: number;
  /** The clock (tests may pass their own). */
  readonly now?: () => number;
}

/** One member's video as screened here. */
interface Source {
  readonly sampler: FrameSampler;
  view: IncomingView;
  sampledAtMs: number | null;
}

export class IncomingScreening {
  private readonly sources = new Map<string, Source>();
  private busy = false;
  private stopped = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly config: ScreeningConfig;
  private readonly now: () => number;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly call: ScreenedCall,
    private readonly options: IncomingScreeningOptions,
  ) {
    this.config = options.config ?? DEFAULT_SCREENING;
    this.now = options.now ?? (() => performance.now());
    this.timer = setInterval(() => void this.tick(), options.sampleEveryMs ?? SAMPLE_EVERY_MS);
    void options.classifier.ready.then((backend) => {
      if (backend === null) this.giveUp();
      else void this.tick();
    });
  }

  /** Whether member `id`'s video is to be blurred: not scored clean yet, or unsafe, and not shown anyway. */
  blurred(id: string): boolean {
    if (this.stopped) return false;
    const source = this.sources.get(id);
    // A member whose video has not reached a tick yet: blurred all the same.
    return source ? isBlurred(source.view) : true;
  }

  /** Whether member `id`'s video is blurred because a frame was judged unsafe (so "Show anyway" applies), not only unscored. */
  flagged(id: string): boolean {
    if (this.stopped) return false;
    const view = this.sources.get(id)?.view;
    return view !== undefined && isFlagged(view);
  }

  /** The viewer chose to see member `id`'s video although a frame was judged unsafe. */
  showAnyway(id: string): void {
    const source = this.sources.get(id);
    if (!source || this.stopped) return;
    this.setView(source, showAnyway(source.view));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The call is over: no more samples; the classifier stays for the next call. */
  detach(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const source of this.sources.values()) source.sampler.close();
    this.sources.clear();
    this.notify();
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.refreshSources();
    const id = nextToSample([...this.sources].map(([id, s]) => ({ id, sampledAtMs: s.sampledAtMs })));
    const source = id === null ? undefined : this.sources.get(id);
    if (!source) return;
    this.busy = true;
    try {
      const atMs = this.now();
      const frame = await source.sampler.sample();
      if (!frame) return;
      source.sampledAtMs = atMs;
      const scores = await this.options.classifier.classify(frame);
      // The member left, or sent another track, while the frame was scored.
      if (!scores || this.stopped || this.sources.get(id!) !== source) return;
      this.setView(source, nextIncoming(source.view, { atMs, scores }, this.config));
    } finally {
      this.busy = false;
    }
  }

  /** One source per member with a video track; a new track (a new video) starts unscored. */
  private refreshSources(): void {
    const seen = new Set<string>();
    for (const peer of this.call.peers) {
      const track = peer.stream?.getVideoTracks()[0];
      if (!track || track.readyState === 'ended') continue;
      seen.add(peer.id);
      const known = this.sources.get(peer.id);
      if (known?.sampler.track === track) continue;
      known?.sampler.close();
      this.sources.set(peer.id, { sampler: this.options.sampler(track), view: INITIAL_INCOMING, sampledAtMs: null });
      if (known) this.notify();
    }
    for (const [id, source] of this.sources)
      if (!seen.has(id)) {
        source.sampler.close();
        this.sources.delete(id);
      }
  }

  private setView(source: Source, view: IncomingView): void {
    const changed = isBlurred(source.view) !== isBlurred(view) || isFlagged(source.view) !== isFlagged(view);
    source.view = view;
    if (changed) this.notify();
  }

  /** The classifier will never answer: nothing is blurred (see the top of this file). */
  private giveUp(): void {
    console.warn('screening: the classifier did not load; incoming video is shown unscreened');
    this.detach();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
