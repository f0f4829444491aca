/**
 * What the page and the screening worker (screening-worker.ts) say to each
 * other. Types only: the worker's chunk and the page's share no code.
 */
import type { ClassScores } from './screening-policy.js';

/** Page → worker: score one frame. The bitmap is transferred, and closed by the worker. */
export interface ClassifyRequest {
  readonly type: 'classify';
  readonly id: number;
  readonly frame: ImageBitmap;
}

/** Worker → page. */
export type ClassifierMessage =
  /** The model is loaded and warmed up, on tfjs backend `backend`. */
  | { readonly type: 'ready'; readonly backend: string }
  /** One frame's scores. */
  | { readonly type: 'scores'; readonly id: number; readonly scores: ClassScores }
  /** The model could not be loaded (no backend would start, or its files did not load): nothing will be scored. */
  | { readonly type: 'failed'; readonly stage: 'load' }
  /** One frame could not be scored. */
  | { readonly type: 'failed'; readonly stage: 'classify'; readonly id: number };
