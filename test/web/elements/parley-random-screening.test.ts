/**
 * Screening both ways in a random chat, as two people see it: two
 * <parley-random> pages on the in-memory backend, real peer connections,
 * cameras made of canvases, the real model in the built worker, and a
 * policy that treats drawings as unsafe (the blocking path without
 * explicit pictures). When one camera shows a drawing, what the other page
 * decodes turns to the placeholder's flat grey (outgoing screening); when a
 * page does not screen its own camera (a modified client), the other page
 * blurs its tile (incoming screening) and offers "Show anyway" and
 * "Report". Both recover once the camera shows a photo-like scene again.
 * Times are printed, not asserted (they belong to the bench).
 */
import type { ParleyRandom } from '../../../web/src/elements/parley-random.js';
import { WorkerClassifier } from '../../../web/src/features/screening-classifier.js';
import type { ScreeningConfig } from '../../../web/src/features/screening-policy.js';
import { assert, assertEqual } from '../assert.js';
import { $, CONNECT_MS, RandomPages } from '../support/random-pages.js';
import { Rig, type RigOptions } from '../support/rig.js';
import { builtWorkerUrl, CanvasCamera, illustration, photoLike, showsPlaceholder } from '../support/screening-frames.js';
import { waitForStatus, waitUntil } from '../support/wait.js';

const DRAWINGS_UNSAFE: ScreeningConfig = { rules: [{ classes: ['Drawing'], atLeast: 0.5 }], cleanAfterMs: 1_000 };

const remote = (el: ParleyRandom) => $<HTMLVideoElement>(el, '#remote')!;
const blurred = (el: ParleyRandom) => remote(el).classList.contains('screened');

describe('<parley-random> screening both ways (real model, two pages)', () => {
  let rig: Rig;
  let pages: RandomPages;
  let classifier: WorkerClassifier;
  const cameras: CanvasCamera[] = [];

  beforeEach(async () => {
    rig = new Rig();
    pages = new RandomPages(rig);
    const url = await builtWorkerUrl();
    // One worker for both pages (one page each in life): the same model and policy.
    classifier = new WorkerClassifier(() => new Worker(url, { type: 'module' }));
  });
  afterEach(async () => {
    await pages.cleanup();
    classifier.close();
    for (const c of cameras.splice(0)) c.stop();
  });

  /** A page whose camera is `camera`, screening with the drawing policy; `screenCamera: false` plays a client that skips its own. */
  function page(camera: CanvasCamera, screenCamera = true): Promise<ParleyRandom> {
    cameras.push(camera);
    const options: RigOptions = {
      getUserMedia: camera.getUserMedia,
      screening: { screenCamera, screening: { classifier, config: DRAWINGS_UNSAFE, sampleEveryMs: 250 } },
    };
    return pages.mount(options);
  }

  async function connect(a: ParleyRandom, b: ParleyRandom): Promise<void> {
    $<HTMLButtonElement>(a, '#start')!.click();
    await waitForStatus(a.flow, 'searching', 5_000);
    $<HTMLButtonElement>(b, '#start')!.click();
    await Promise.all([waitForStatus(a.flow, 'connected', CONNECT_MS), waitForStatus(b.flow, 'connected', CONNECT_MS)]);
  }

  it('a drawing on one camera sends the placeholder instead (the other page decodes flat grey), and the camera again once clean', async function () {
    this.timeout(90_000);
    const cameraA = new CanvasCamera();
    const a = await page(cameraA);
    const b = await page(new CanvasCamera());
    classifier.start();
    await connect(a, b);
    await waitUntil(() => remote(b).videoWidth > 0 && !showsPlaceholder(remote(b)), 30_000, "B receives A's camera");
    await waitUntil(() => !blurred(b) && !blurred(a), 30_000, 'both tiles shown once scored clean');

    const drawn = performance.now();
    cameraA.scene = illustration;
    await waitUntil(() => showsPlaceholder(remote(b)), 15_000, 'B decodes the placeholder instead of the drawing');
    console.log(`A's camera shows a drawing → B decodes the placeholder ${Math.round(performance.now() - drawn)} ms later`);
    assert($(a, '#screening-paused'), 'A is told why its video is paused');

    const cleaned = performance.now();
    cameraA.scene = photoLike;
    await waitUntil(() => !showsPlaceholder(remote(b)), 15_000, "B receives A's camera again");
    console.log(`clean again → B decodes A's camera ${Math.round(performance.now() - cleaned)} ms later (clean time 1000 ms)`);
    await waitUntil(() => $(a, '#screening-paused') === null, 5_000, 'A no longer told it is paused');
  });

  it("a page that skips screening its own camera: the other page blurs the drawing at once, offers Show anyway and Report, and unblurs once clean; a new stranger's video starts blurred", async function () {
    this.timeout(90_000);
    const cameraA = new CanvasCamera();
    const a = await page(cameraA, false);
    const b = await page(new CanvasCamera());
    await connect(a, b);
    // Nothing has scored A's video yet (the classifier has not started): B keeps it blurred.
    await waitUntil(() => remote(b).videoWidth > 0, 15_000, "B receives A's video");
    assertEqual(blurred(b), true, "B's tile blurred before A's first frame is scored");
    assertEqual($(b, '#screened'), null, 'no "may show nudity" note for a video not yet scored');
    const video = remote(b);
    classifier.start();
    await waitUntil(() => !blurred(b), 30_000, "B shows A's video once its first frame is scored clean");

    const drawn = performance.now();
    cameraA.scene = illustration;
    await waitUntil(() => blurred(b), 10_000, "B blurs A's drawing");
    console.log(`A's camera shows a drawing (unscreened by A) → B blurs it ${Math.round(performance.now() - drawn)} ms later`);
    assertEqual(getComputedStyle(remote(b)).filter.startsWith('blur('), true, 'a CSS blur on the video');
    assertEqual(remote(b), video, 'the same video element (never recreated)');
    assertEqual(showsPlaceholder(remote(b)), false, 'A sent its drawing (it does not screen its own camera)');
    assert($(b, '#screened-report'), 'Report offered');

    const cleaned = performance.now();
    cameraA.scene = photoLike;
    await waitUntil(() => !blurred(b), 10_000, 'unblurred once clean for the clean time');
    console.log(`clean again → B unblurs ${Math.round(performance.now() - cleaned)} ms later (clean time 1000 ms)`);
    assertEqual($(b, '#screened'), null, 'the note gone');

    // Another drawing, and this time the viewer chooses to see it.
    cameraA.scene = illustration;
    await waitUntil(() => blurred(b) && $(b, '#show-anyway') !== null, 10_000, 'blurred again, with Show anyway');
    $<HTMLButtonElement>(b, '#show-anyway')!.click();
    await waitUntil(() => !blurred(b), 2_000, 'shown anyway');
    assertEqual(remote(b), video, 'still the same video element');
  });
});
