/**
 * The page's one "Audio only" and "Data saver" setting, remembered between
 * visits (settings.ts); every call of the page follows it, the one going on
 * included (features/data-use.ts).
 */
import type { DataUseChoice, DataUseSource } from './features/data-use.js';
import { recall, remember } from './settings.js';

export const AUDIO_ONLY_STORAGE_KEY = 'parley.audioOnly';
export const DATA_SAVER_STORAGE_KEY = 'parley.dataSaver';

export class DataUseSetting implements DataUseSource {
  private _choice: DataUseChoice = {
    audioOnly: recall(AUDIO_ONLY_STORAGE_KEY) === 'true',
    dataSaver: recall(DATA_SAVER_STORAGE_KEY) === 'true',
  };
  private readonly listeners = new Set<() => void>();

  get choice(): DataUseChoice {
    return this._choice;
  }

  /** Changes and remembers what `change` names; listeners hear of it only when something changed. */
  set(change: Partial<DataUseChoice>): void {
    const next = { ...this._choice, ...change };
    if (next.audioOnly === this._choice.audioOnly && next.dataSaver === this._choice.dataSaver) return;
    this._choice = next;
    remember(AUDIO_ONLY_STORAGE_KEY, String(next.audioOnly));
    remember(DATA_SAVER_STORAGE_KEY, String(next.dataSaver));
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** One per page, like its camera (media.ts) and its ICE servers (ice.ts). */
export const DATA_USE = new DataUseSetting();
