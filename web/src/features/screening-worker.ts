/**
 * The nudity classifier, in a module Worker of its own so that the page's
 * main thread never runs the model: nsfwjs's MobileNetV2 on tfjs. Its
 * weights come from the nsfwjs package, bundled into this worker's chunks
 * by rollup and served by the site itself: no frame and no request leaves
 * for anywhere else. Rollup emits this file as its own chunk (see
 * web/rollup.config.mjs, workerChunks); the page starts it only once a
 * call needs screening.
 *
 * It loads the model at once, says `ready`, then scores each frame it is
 * sent and closes the frame's bitmap. A frame is scored on 224×224 pixels,
 * the model's input, whatever size it arrives at.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { load, type NSFWJS } from 'nsfwjs/core';
import { MobileNetV2Model } from 'nsfwjs/models/mobilenet_v2';
import type { ClassifierMessage, ClassifyRequest } from './screening-messages.js';
import { scoresFrom } from './screening-policy.js';

/** MobileNetV2's input size. */
const SIZE = 224;

/**
 * Backends in the order tried. WASM (SIMD where the browser has it) runs
 * MobileNetV2 several times faster than plain JavaScript and needs only
 * `'wasm-unsafe-eval'` in the CSP, never `'unsafe-eval'`. The CPU backend
 * is the fallback for a browser that refuses WebAssembly: slow, but it
 * screens.
 */
const BACKENDS = ['wasm', 'cpu'] as const;

/**
 * The site is not cross-origin isolated (no COEP), so SharedArrayBuffer and
 * the threaded WASM build are unavailable; all three names must be given
 * all the same. Rollup (workerChunks) replaces each `new URL` with the
 * emitted file's hashed name on this site.
 */
function wasmPaths(): Record<string, string> {
  return {
    'tfjs-backend-wasm.wasm': new URL('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', import.meta.url).href,
    'tfjs-backend-wasm-simd.wasm': new URL('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm', import.meta.url)
      .href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
      import.meta.url,
    ).href,
  };
}

const canvas = new OffscreenCanvas(SIZE, SIZE);
// Read back on every frame: keep the canvas in memory rather than on a GPU.
const context = canvas.getContext('2d', { willReadFrequently: true })!;

function send(message: ClassifierMessage): void {
  postMessage(message);
}

async function startBackend(): Promise<string | null> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(wasmPaths());
  for (const backend of BACKENDS) {
    try {
      if (await tf.setBackend(backend)) return backend;
    } catch {
      // The next one, then.
    }
  }
  return null;
}

async function loadModel(): Promise<NSFWJS | null> {
  try {
    const backend = await startBackend();
    if (backend === null) return null;
    const model = await load('MobileNetV2', { modelDefinitions: [MobileNetV2Model] });
    send({ type: 'ready', backend });
    return model;
  } catch {
    return null;
  }
}

const model = loadModel();

async function classify(request: ClassifyRequest): Promise<void> {
  try {
    const loaded = await model;
    if (!loaded) return;
    context.drawImage(request.frame, 0, 0, SIZE, SIZE);
    const predictions = await loaded.classify(context.getImageData(0, 0, SIZE, SIZE), 5);
    send({ type: 'scores', id: request.id, scores: scoresFrom(predictions) });
  } catch {
    send({ type: 'failed', stage: 'classify', id: request.id });
  } finally {
    request.frame.close();
  }
}

void model.then((m) => {
  if (!m) send({ type: 'failed', stage: 'load' });
});

// Frames are scored one after another: tfjs runs one model at a time anyway.
let queue: Promise<void> = Promise.resolve();
addEventListener('message', (event: MessageEvent<ClassifyRequest>) => {
  if (event.data.type !== 'classify') return;
  queue = queue.then(() => classify(event.data));
});
