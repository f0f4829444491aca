/**
 * The screening policy (features/screening-policy.ts) on hand-made scores:
 * what one frame is, and the hysteresis over a video's frames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ClassScores,
  DEFAULT_SCREENING,
  frameIsUnsafe,
  INITIAL_INCOMING,
  INITIAL_SCREENING,
  isBlurred,
  isFlagged,
  mayShow,
  nextIncoming,
  nextScreening,
  nextToSample,
  showAnyway,
  type IncomingView,
  type ScreeningConfig,
  type ScreeningState,
  scoresFrom,
} from '../../../../web/src/features/screening-policy.js';

const NEUTRAL: ClassScores = { Drawing: 0.02, Hentai: 0.01, Neutral: 0.9, Porn: 0.03, Sexy: 0.04 };
const PORN: ClassScores = { Drawing: 0.01, Hentai: 0.04, Neutral: 0.05, Porn: 0.8, Sexy: 0.1 };
const DRAWING: ClassScores = { Drawing: 0.85, Hentai: 0.05, Neutral: 0.08, Porn: 0.01, Sexy: 0.01 };

/** What the browser test configures: drawings stand in for nudity. */
const DRAWINGS_UNSAFE: ScreeningConfig = { rules: [{ classes: ['Drawing'], atLeast: 0.5 }], cleanAfterMs: 2_000 };

/** The state after each frame, from a new video; frames are [atMs, scores]. */
function run(frames: Array<[number, ClassScores]>, config: ScreeningConfig = DEFAULT_SCREENING): ScreeningState[] {
  let state = INITIAL_SCREENING;
  return frames.map(([atMs, scores]) => (state = nextScreening(state, { atMs, scores }, config)));
}

describe('one frame under the default policy', () => {
  it('a neutral frame and a drawing are safe; explicit content is not', () => {
    assert.equal(frameIsUnsafe(NEUTRAL, DEFAULT_SCREENING), false);
    assert.equal(frameIsUnsafe(DRAWING, DEFAULT_SCREENING), false);
    assert.equal(frameIsUnsafe(PORN, DEFAULT_SCREENING), true);
  });

  it('Porn and Hentai count together: neither alone passes half, their sum does', () => {
    assert.equal(frameIsUnsafe({ Drawing: 0.1, Hentai: 0.26, Neutral: 0.3, Porn: 0.26, Sexy: 0.08 }, DEFAULT_SCREENING), true);
    assert.equal(frameIsUnsafe({ Drawing: 0.1, Hentai: 0.2, Neutral: 0.42, Porn: 0.2, Sexy: 0.08 }, DEFAULT_SCREENING), false);
  });

  it('"Sexy" needs a higher bar, reached alone or with the explicit classes', () => {
    assert.equal(frameIsUnsafe({ Drawing: 0, Hentai: 0, Neutral: 0.3, Porn: 0, Sexy: 0.7 }, DEFAULT_SCREENING), false);
    assert.equal(frameIsUnsafe({ Drawing: 0, Hentai: 0, Neutral: 0.15, Porn: 0, Sexy: 0.85 }, DEFAULT_SCREENING), true);
    assert.equal(frameIsUnsafe({ Drawing: 0, Hentai: 0.05, Neutral: 0.05, Porn: 0.3, Sexy: 0.6 }, DEFAULT_SCREENING), true);
  });

  it('a threshold is reached at its value exactly', () => {
    const config: ScreeningConfig = { rules: [{ classes: ['Drawing'], atLeast: 0.5 }], cleanAfterMs: 0 };
    assert.equal(frameIsUnsafe({ ...NEUTRAL, Drawing: 0.5 }, config), true);
    assert.equal(frameIsUnsafe({ ...NEUTRAL, Drawing: 0.49 }, config), false);
  });

  it('the classes are configuration: a test may treat drawings as unsafe', () => {
    assert.equal(frameIsUnsafe(DRAWING, DRAWINGS_UNSAFE), true);
    assert.equal(frameIsUnsafe(PORN, DRAWINGS_UNSAFE), false);
  });
});

describe('a video over time', () => {
  it('starts unclassified and hidden, and shows from its first clean frame', () => {
    assert.equal(INITIAL_SCREENING.status, 'unclassified');
    assert.equal(mayShow(INITIAL_SCREENING), false);
    const [first] = run([[0, NEUTRAL]]);
    assert.deepEqual(first, { status: 'clean' });
    assert.equal(mayShow(first!), true);
  });

  it('a first frame that is unsafe keeps it hidden', () => {
    assert.deepEqual(run([[0, PORN]]), [{ status: 'unsafe', cleanSinceMs: null }]);
  });

  it('one unsafe frame hides a clean video at once', () => {
    const states = run([
      [0, NEUTRAL],
      [500, NEUTRAL],
      [1_000, PORN],
    ]);
    assert.deepEqual(
      states.map((s) => s.status),
      ['clean', 'clean', 'unsafe'],
    );
  });

  it('shows again only once frames have stayed clean for cleanAfterMs', () => {
    const states = run(
      [
        [0, DRAWING],
        [500, NEUTRAL],
        [1_000, NEUTRAL],
        [2_000, NEUTRAL],
        [2_499, NEUTRAL],
        [2_500, NEUTRAL],
      ],
      DRAWINGS_UNSAFE,
    );
    assert.deepEqual(states, [
      { status: 'unsafe', cleanSinceMs: null },
      { status: 'unsafe', cleanSinceMs: 500 },
      { status: 'unsafe', cleanSinceMs: 500 },
      { status: 'unsafe', cleanSinceMs: 500 },
      { status: 'unsafe', cleanSinceMs: 500 },
      { status: 'clean' },
    ]);
  });

  it('an unsafe frame during the clean run starts the wait over', () => {
    const states = run(
      [
        [0, DRAWING],
        [500, NEUTRAL],
        [2_000, DRAWING],
        [2_600, NEUTRAL],
        [4_000, NEUTRAL],
        [4_600, NEUTRAL],
      ],
      DRAWINGS_UNSAFE,
    );
    assert.deepEqual(
      states.map((s) => s.status),
      ['unsafe', 'unsafe', 'unsafe', 'unsafe', 'unsafe', 'clean'],
    );
    assert.deepEqual(states[3], { status: 'unsafe', cleanSinceMs: 2_600 });
  });

  it('with cleanAfterMs 0 the first clean frame shows it again', () => {
    const states = run(
      [
        [0, DRAWING],
        [100, NEUTRAL],
      ],
      { ...DRAWINGS_UNSAFE, cleanAfterMs: 0 },
    );
    assert.deepEqual(
      states.map((s) => s.status),
      ['unsafe', 'clean'],
    );
  });
});

describe('scores from the classifier', () => {
  it('reads nsfwjs predictions by class name; a class not reported scores 0, an unknown one is ignored', () => {
    assert.deepEqual(
      scoresFrom([
        { className: 'Neutral', probability: 0.7 },
        { className: 'Drawing', probability: 0.2 },
        { className: 'Sexy', probability: 0.1 },
        { className: 'Other', probability: 0.5 },
      ]),
      { Drawing: 0.2, Hentai: 0, Neutral: 0.7, Porn: 0, Sexy: 0.1 },
    );
  });
});

describe('an incoming video as its viewer sees it', () => {
  /** The view after each frame, from a new video, with "Show anyway" pressed where a frame is 'show'. */
  function view(steps: Array<[number, ClassScores] | 'show'>, config: ScreeningConfig = DRAWINGS_UNSAFE): IncomingView[] {
    let v = INITIAL_INCOMING;
    return steps.map(
      (step) => (v = step === 'show' ? showAnyway(v) : nextIncoming(v, { atMs: step[0], scores: step[1] }, config)),
    );
  }

  it('a new video is blurred until its first frame is scored, and "Show anyway" does not apply to it', () => {
    assert.equal(isBlurred(INITIAL_INCOMING), true);
    assert.equal(isBlurred(showAnyway(INITIAL_INCOMING)), true);
    assert.deepEqual(view([[0, NEUTRAL]]).map(isBlurred), [false]);
  });

  it('an unsafe frame blurs at once; "Show anyway" unblurs it while that unsafe stretch lasts', () => {
    const views = view([[0, NEUTRAL], [500, DRAWING], 'show', [1_000, DRAWING], [1_500, NEUTRAL]]);
    assert.deepEqual(views.map(isBlurred), [false, true, false, false, false]);
    assert.deepEqual(
      views.map(isFlagged),
      [false, true, false, false, false],
      'the note and its choices: only while blurred for a frame',
    );
    assert.equal(isFlagged(INITIAL_INCOMING), false, 'a video not yet scored is blurred without the note');
  });

  it('once clean for the clean time, the choice is spent: the next unsafe frame blurs again', () => {
    const views = view([[0, DRAWING], 'show', [500, NEUTRAL], [2_500, NEUTRAL], [3_000, DRAWING]]);
    assert.deepEqual(views.map(isBlurred), [true, false, false, false, true]);
    assert.equal(views[3]!.shownAnyway, false);
  });

  it('without the choice, it shows again only after the clean time', () => {
    const views = view([
      [0, DRAWING],
      [500, NEUTRAL],
      [2_000, NEUTRAL],
      [2_500, NEUTRAL],
    ]);
    assert.deepEqual(views.map(isBlurred), [true, true, true, false]);
  });
});

describe('which video is sampled next', () => {
  it('none: null', () => {
    assert.equal(nextToSample([]), null);
  });

  it('a video never sampled goes first, the earlier in the list of several', () => {
    assert.equal(
      nextToSample([
        { id: 'a', sampledAtMs: 100 },
        { id: 'b', sampledAtMs: null },
        { id: 'c', sampledAtMs: null },
      ]),
      'b',
    );
  });

  it('else the one sampled longest ago; ties go to the earlier', () => {
    assert.equal(
      nextToSample([
        { id: 'a', sampledAtMs: 900 },
        { id: 'b', sampledAtMs: 400 },
        { id: 'c', sampledAtMs: 700 },
      ]),
      'b',
    );
    assert.equal(
      nextToSample([
        { id: 'a', sampledAtMs: 400 },
        { id: 'b', sampledAtMs: 400 },
      ]),
      'a',
    );
  });

  it('round robin: sampling the chosen one in turn visits each of four members once every four ticks', () => {
    const at = new Map<string, number | null>([
      ['a', null],
      ['b', null],
      ['c', null],
      ['d', null],
    ]);
    const order: string[] = [];
    for (let tick = 0; tick < 8; tick++) {
      const id = nextToSample([...at].map(([id, sampledAtMs]) => ({ id, sampledAtMs })))!;
      order.push(id);
      at.set(id, tick * 500);
    }
    assert.deepEqual(order, ['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd']);
  });
});
