/**
 * The person's choices about how much data a call uses: "Audio only" (no
 * video either way) and "Data saver" (a small video budget,
 * engine/bitrate-policy.ts DATA_SAVER_BUDGET). They are the person's, kept
 * by the page between calls (data-use.ts at the page's top level), and apply
 * to the call going on at once, unlike Hide my IP, which a call cannot change
 * half-way. Attached to a Call; knows no DOM.
 */
import { DATA_SAVER_BUDGET, type UplinkBudget } from '../engine/bitrate-policy.js';

export interface DataUseChoice {
  readonly audioOnly: boolean;
  readonly dataSaver: boolean;
}

/** Where the choices come from: the page's remembered setting (or a test's). */
export interface DataUseSource {
  readonly choice: DataUseChoice;
  /** Calls `listener` after every change; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** What of a Call and its quality feature this uses (engine/call.ts, features/call-quality.ts). */
export interface DataUseTargets {
  setBudget(budget: UplinkBudget | null): void;
  setAudioOnly(on: boolean): void;
}

/** Applies the source's choices to one call now and on every change, until detached. */
export class DataUse {
  private readonly stop: () => void;

  constructor(
    private readonly source: DataUseSource,
    private readonly targets: DataUseTargets,
  ) {
    this.apply();
    this.stop = source.onChange(() => this.apply());
  }

  detach(): void {
    this.stop();
  }

  private apply(): void {
    const { audioOnly, dataSaver } = this.source.choice;
    this.targets.setBudget(dataSaver ? DATA_SAVER_BUDGET : null);
    this.targets.setAudioOnly(audioOnly);
  }
}
