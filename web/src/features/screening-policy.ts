/**
 * What the classifier's scores for a video's frames mean: whether the video
 * may be shown or sent. Pure: a state plus one transition function, fed one
 * classified frame at a time, tested without a browser or a model.
 *
 * The decision leans towards hiding: one unsafe frame hides the video at
 * once, and it shows again only after frames have stayed clean for a while,
 * so that a person moving in and out of view does not flash through. A new
 * video starts unclassified, and is treated as hidden until its first frame
 * has been scored.
 */

/** The classes the nsfwjs models score, spelled as they report them. */
export const SCREENING_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type ScreeningClass = (typeof SCREENING_CLASSES)[number];

/** One frame's probability per class (they sum to about 1). */
export type ClassScores = Readonly<Record<ScreeningClass, number>>;

/** A frame is unsafe when the summed probability of `classes` reaches `atLeast`. */
export interface UnsafeRule {
  readonly classes: readonly ScreeningClass[];
  /** In (0, 1]. */
  readonly atLeast: number;
}

export interface ScreeningConfig {
  /** A frame is unsafe when any rule holds. */
  readonly rules: readonly UnsafeRule[];
  /** How long frames must stay clean, ms, before an unsafe video shows again. */
  readonly cleanAfterMs: number;
}

/**
 * Explicit content (Porn, Hentai) hides a frame once it is the more likely
 * reading. "Sexy" (underwear, bare chests, suggestive poses) is what most
 * false positives on ordinary webcam frames are scored as, so it needs a
 * higher bar, reached alone or with the explicit classes: PhotoPrism calls
 * a picture NSFW when one of the three passes 0.75. Three seconds of clean
 * frames (three to six samples at the rates screening uses) before a video
 * shows again: long enough that a person stepping out of view and back does
 * not flash through, short enough that a false alarm is over quickly.
 * These figures come from the literature, not from measurement on nudity
 * (which the tests here cannot hold); they are configuration for that reason.
 */
export const DEFAULT_SCREENING: ScreeningConfig = {
  rules: [
    { classes: ['Porn', 'Hentai'], atLeast: 0.5 },
    { classes: ['Porn', 'Hentai', 'Sexy'], atLeast: 0.8 },
  ],
  cleanAfterMs: 3_000,
};

export const ScreeningStatus = { unclassified: 'unclassified', clean: 'clean', unsafe: 'unsafe' } as const;
export type ScreeningStatus = (typeof ScreeningStatus)[keyof typeof ScreeningStatus];

export type ScreeningState =
  /** No frame of this video has been scored yet: hidden. */
  | { readonly status: typeof ScreeningStatus.unclassified }
  | { readonly status: typeof ScreeningStatus.clean }
  /** Hidden; `cleanSinceMs` is when the run of clean frames since the last unsafe one began (null: the last frame was unsafe). */
  | { readonly status: typeof ScreeningStatus.unsafe; readonly cleanSinceMs: number | null };

export const INITIAL_SCREENING: ScreeningState = { status: ScreeningStatus.unclassified };

/** One scored frame; `atMs` is when it was sampled, on a clock that only moves forward. */
export interface ClassifiedFrame {
  readonly atMs: number;
  readonly scores: ClassScores;
}

/** Whether one frame, on its own, is unsafe under `config`. */
export function frameIsUnsafe(scores: ClassScores, config: ScreeningConfig): boolean {
  return config.rules.some((rule) => rule.classes.reduce((sum, c) => sum + scores[c], 0) >= rule.atLeast);
}

/** The state after one more frame of the same video. */
export function nextScreening(state: ScreeningState, frame: ClassifiedFrame, config: ScreeningConfig): ScreeningState {
  if (frameIsUnsafe(frame.scores, config)) return { status: ScreeningStatus.unsafe, cleanSinceMs: null };
  if (state.status !== ScreeningStatus.unsafe) return { status: ScreeningStatus.clean };
  const cleanSinceMs = state.cleanSinceMs ?? frame.atMs;
  if (frame.atMs - cleanSinceMs >= config.cleanAfterMs) return { status: ScreeningStatus.clean };
  return { status: ScreeningStatus.unsafe, cleanSinceMs };
}

/** Whether the video may be shown or sent in `state`: only once scored and clean. */
export function mayShow(state: ScreeningState): boolean {
  return state.status === ScreeningStatus.clean;
}

/**
 * Scores in the shape the policy reads, from the classifier's list of
 * predictions; a class it did not report scores 0.
 */
export function scoresFrom(
  predictions: ReadonlyArray<{ readonly className: string; readonly probability: number }>,
): ClassScores {
  const scores: Record<ScreeningClass, number> = { Drawing: 0, Hentai: 0, Neutral: 0, Porn: 0, Sexy: 0 };
  for (const p of predictions)
    if ((SCREENING_CLASSES as readonly string[]).includes(p.className)) scores[p.className as ScreeningClass] = p.probability;
  return scores;
}

/**
 * One incoming video as its viewer sees it: the policy's state, and
 * whether the viewer chose "Show anyway" while it was hidden. The choice
 * lasts while that unsafe stretch does: once the video has been clean for
 * the clean time, a later unsafe frame blurs it again (a false alarm is
 * waved through once, not everything that follows).
 */
export interface IncomingView {
  readonly state: ScreeningState;
  readonly shownAnyway: boolean;
}

export const INITIAL_INCOMING: IncomingView = { state: INITIAL_SCREENING, shownAnyway: false };

/** The view after one more scored frame. */
export function nextIncoming(view: IncomingView, frame: ClassifiedFrame, config: ScreeningConfig): IncomingView {
  const state = nextScreening(view.state, frame, config);
  return { state, shownAnyway: view.shownAnyway && !mayShow(state) };
}

/** The viewer chose to see it: only a video that is hidden because of its frames (not one never scored) can be. */
export function showAnyway(view: IncomingView): IncomingView {
  return view.state.status === ScreeningStatus.unsafe ? { ...view, shownAnyway: true } : view;
}

/** Whether the viewer's page blurs the video: until it is scored clean, unless they chose to see it. */
export function isBlurred(view: IncomingView): boolean {
  return !mayShow(view.state) && !view.shownAnyway;
}

/** Whether it is blurred because a frame was judged unsafe (the viewer is told, and may choose to see it), not only unscored. */
export function isFlagged(view: IncomingView): boolean {
  return view.state.status === ScreeningStatus.unsafe && !view.shownAnyway;
}

/** A video that screening may sample next: `sampledAtMs` is when it last was (null: never). */
export interface SamplingCandidate {
  readonly id: string;
  readonly sampledAtMs: number | null;
}

/**
 * Which of several videos to sample next, one per tick, so that the
 * classifier's load stays the same whatever the group's size: a video
 * never sampled goes first (it is blurred until then), then the one
 * sampled longest ago; ties go to the earlier in the list. Null when there
 * is none.
 */
export function nextToSample(candidates: readonly SamplingCandidate[]): string | null {
  let best: SamplingCandidate | null = null;
  for (const c of candidates) {
    if (best === null) best = c;
    else if (best.sampledAtMs !== null && (c.sampledAtMs === null || c.sampledAtMs < best.sampledAtMs)) best = c;
  }
  return best?.id ?? null;
}
