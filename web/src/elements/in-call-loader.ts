/**
 * The in-call elements' code comes with a page's first call (or its device
 * menu), not with the page: both call pages load it through this, and hand
 * the speaker remembered on the device to their videos once it is known.
 */
export class InCallElementsLoader {
  private speakerRecalled = false;

  /** Loads the in-call elements (import() loads them once per page); the first time, tells `onSpeaker` the remembered speaker. */
  load(onSpeaker: (id: string | null) => void): void {
    const loaded = import('./in-call-elements.js');
    if (this.speakerRecalled) return;
    this.speakerRecalled = true;
    void loaded.then((m) => m.rememberedSpeaker()).then(onSpeaker);
  }
}
