/**
 * The screening classifier with the real model, in the worker as the build
 * ships it (web/dist, started from where the test server has it): frames
 * drawn on a canvas here, no photographs. A neutral picture is neutral
 * under the default policy; an illustration is scored Drawing, which the policy
 * hides once configured to treat drawings as unsafe. Prints the time to
 * load the model and to score a frame (figures, not assertions: timing
 * targets belong to the bench).
 */
import { WorkerClassifier } from '../../../web/src/features/screening-classifier.js';
import {
  type ClassScores,
  DEFAULT_SCREENING,
  frameIsUnsafe,
  INITIAL_SCREENING,
  mayShow,
  nextScreening,
  type ScreeningConfig,
  SCREENING_CLASSES,
} from '../../../web/src/features/screening-policy.js';
import { assert, assertEqual } from '../assert.js';
import { builtWorkerUrl, frame, illustration, photoLike } from '../support/screening-frames.js';

/** Drawings stand in for nudity: the blocking path, proven without explicit pictures. */
const DRAWINGS_UNSAFE: ScreeningConfig = { rules: [{ classes: ['Drawing'], atLeast: 0.5 }], cleanAfterMs: 1_000 };

function top(scores: ClassScores): string {
  return SCREENING_CLASSES.reduce((a, b) => (scores[b] > scores[a] ? b : a));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('screening classifier, real model in the built worker', () => {
  let classifier: WorkerClassifier;
  let loadMs = 0;
  let backend: string | null = null;

  before(async function () {
    this.timeout(120_000);
    const url = await builtWorkerUrl();
    const begun = performance.now();
    classifier = new WorkerClassifier(() => new Worker(url, { type: 'module' }));
    classifier.start();
    backend = await classifier.ready;
    loadMs = performance.now() - begun;
    console.log(`screening model: backend ${backend}, loaded in ${Math.round(loadMs)} ms (worker start to warmed-up model)`);
  });
  after(() => classifier?.close());

  it('loads the model on the WASM backend', () => {
    assertEqual(backend, 'wasm', 'backend');
  });

  it('a photo-like picture is not unsafe under the default policy, and scored Neutral; timing printed', async function () {
    this.timeout(120_000);
    const times: number[] = [];
    let scores: ClassScores | null = null;
    for (let i = 0; i < 20; i++) {
      const bitmap = await frame(photoLike);
      const begun = performance.now();
      scores = await classifier.classify(bitmap);
      times.push(performance.now() - begun);
    }
    assert(scores, 'scored');
    console.log(`photo-like frame scores: ${JSON.stringify(scores)}`);
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `classify one 640×480 frame (transfer, 224×224 draw, model, answer): first ${Math.round(times[0]!)} ms, ` +
        `p50 ${Math.round(percentile(sorted, 50))} ms, p95 ${Math.round(percentile(sorted, 95))} ms over ${times.length}`,
    );
    assertEqual(frameIsUnsafe(scores, DEFAULT_SCREENING), false, 'unsafe under the default policy');
    assertEqual(top(scores), 'Neutral', 'top class');
  });

  it('an illustration is scored Drawing; a policy treating drawings as unsafe hides it, and shows neutral frames again after its clean time', async function () {
    this.timeout(60_000);
    const drawing = await classifier.classify(await frame(illustration));
    assert(drawing, 'scored');
    console.log(`illustration scores: ${JSON.stringify(drawing)}`);
    assertEqual(top(drawing), 'Drawing', 'top class');
    assertEqual(frameIsUnsafe(drawing, DEFAULT_SCREENING), false, 'a drawing is fine under the default policy');

    let state = nextScreening(INITIAL_SCREENING, { atMs: 0, scores: drawing }, DRAWINGS_UNSAFE);
    assertEqual(mayShow(state), false, 'hidden after the drawing');
    const neutral = await classifier.classify(await frame(photoLike));
    assert(neutral, 'scored');
    state = nextScreening(state, { atMs: 500, scores: neutral }, DRAWINGS_UNSAFE);
    assertEqual(mayShow(state), false, 'still hidden half a second into clean frames');
    state = nextScreening(state, { atMs: 1_500, scores: neutral }, DRAWINGS_UNSAFE);
    assertEqual(mayShow(state), true, 'shown after clean frames for the clean time');
  });

  it('a classifier not started or closed answers null and closes the frame; closed, it is never ready', async () => {
    const spare = new WorkerClassifier(() => {
      throw new Error('not to be started');
    });
    const first = await frame(photoLike);
    assertEqual(await spare.classify(first), null, 'scores before start');
    assertEqual(first.width, 0, 'a closed bitmap has no width');
    spare.close();
    spare.start();
    const second = await frame(photoLike);
    assertEqual(await spare.classify(second), null, 'scores after close');
    assertEqual(second.width, 0, 'closed');
    assertEqual(await spare.ready, null, 'ready');
  });

  it('a worker that does not load makes it never ready', async () => {
    const missing = new WorkerClassifier(() => new Worker('/web/dist/assets/no-such-worker.js', { type: 'module' }));
    missing.start();
    assertEqual(await missing.ready, null, 'ready');
  });
});
