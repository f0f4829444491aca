import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DATA_SAVER_BUDGET, type UplinkBudget } from '../../../../web/src/engine/bitrate-policy.js';
import { DataUse, type DataUseChoice, type DataUseSource } from '../../../../web/src/features/data-use.js';

/** A setting a test changes by hand. */
class Source implements DataUseSource {
  choice: DataUseChoice = { audioOnly: false, dataSaver: false };
  private readonly listeners = new Set<() => void>();
  set(change: Partial<DataUseChoice>): void {
    this.choice = { ...this.choice, ...change };
    for (const l of this.listeners) l();
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** What was applied, in order. */
function targets() {
  const applied: string[] = [];
  const name = (b: UplinkBudget | null) => (b === DATA_SAVER_BUDGET ? 'saver' : b === null ? 'default' : 'other');
  return {
    applied,
    setBudget: (b: UplinkBudget | null) => void applied.push(`budget ${name(b)}`),
    setAudioOnly: (on: boolean) => void applied.push(`audio only ${on}`),
  };
}

describe('DataUse', () => {
  it('applies the choice when attached: a call started with Data saver on sends little from the start', () => {
    const source = new Source();
    source.set({ dataSaver: true, audioOnly: true });
    const t = targets();
    new DataUse(source, t);
    assert.deepEqual(t.applied, ['budget saver', 'audio only true']);
  });

  it('applies every change to the call going on, and nothing once detached', () => {
    const source = new Source();
    const t = targets();
    const use = new DataUse(source, t);
    source.set({ dataSaver: true });
    source.set({ audioOnly: true });
    source.set({ dataSaver: false });
    use.detach();
    source.set({ audioOnly: false });
    assert.deepEqual(t.applied, [
      'budget default',
      'audio only false',
      'budget saver',
      'audio only false',
      'budget saver',
      'audio only true',
      'budget default',
      'audio only true',
    ]);
  });
});
