/**
 * The page's side of the screening worker (screening-worker.ts): one worker
 * per page, started on first use, that scores frames one after another.
 * The model loads in the worker, off the main thread; the page only draws
 * a small bitmap of a frame and transfers it.
 */
import type { ClassifierMessage, ClassifyRequest } from './screening-messages.js';
import type { ClassScores } from './screening-policy.js';

/** Scores frames of video. */
export interface FrameClassifier {
  /** Resolves with the tfjs backend once the model is loaded, or null when it never will be. */
  readonly ready: Promise<string | null>;
  /** Scores one frame; the bitmap is transferred (closed here). Null when it could not be scored. */
  classify(frame: ImageBitmap): Promise<ClassScores | null>;
  /** Stops the worker; pending frames resolve null, and `ready` null if it was not ready yet. */
  close(): void;
}

/** The worker as rollup emits it: its own chunk on this site (web/rollup.config.mjs, urlChunks). */
function siteWorker(): Worker {
  return new Worker(new URL('./screening-worker.js', import.meta.url), { type: 'module', name: 'screening' });
}

export class WorkerClassifier implements FrameClassifier {
  readonly ready: Promise<string | null>;
  private worker: Worker | null = null;
  private resolveReady: (backend: string | null) => void = () => undefined;
  private readonly pending = new Map<number, (scores: ClassScores | null) => void>();
  private nextId = 1;
  private closed = false;

  /**
   * Nothing starts until `start()`: loading the model costs a core for a
   * second or two, which the page spends when nothing else waits for it.
   * `createWorker` is for tests, which start the built worker from where
   * the test server has it.
   */
  constructor(private readonly createWorker: () => Worker = siteWorker) {
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
  }

  /** Starts the worker, which loads the model at once; again is nothing. */
  start(): void {
    if (this.worker || this.closed) return;
    const worker = this.createWorker();
    this.worker = worker;
    worker.addEventListener('message', (event: MessageEvent<ClassifierMessage>) => {
      const message = event.data;
      if (message.type === 'ready') this.resolveReady(message.backend);
      else if (message.type === 'scores') this.settle(message.id, message.scores);
      else if (message.stage === 'classify') this.settle(message.id, null);
      else this.close();
    });
    // The script or one of its chunks did not load (offline, blocked by the CSP).
    worker.addEventListener('error', () => this.close());
  }

  classify(frame: ImageBitmap): Promise<ClassScores | null> {
    const worker = this.worker;
    if (this.closed || !worker) {
      frame.close();
      return Promise.resolve(null);
    }
    const id = this.nextId++;
    const request: ClassifyRequest = { type: 'classify', id, frame };
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage(request, [frame]);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker?.terminate();
    this.resolveReady(null);
    for (const resolve of this.pending.values()) resolve(null);
    this.pending.clear();
  }

  private settle(id: number, scores: ClassScores | null): void {
    this.pending.get(id)?.(scores);
    this.pending.delete(id);
  }
}
