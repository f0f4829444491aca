import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MeterUntilRunning, type LevelMeter } from '../../../../web/src/flows/level-meter.js';

/** A meter that reads `value`, running or held back as the test says. */
class FakeMeter implements LevelMeter {
  running = true;
  value = 0;
  closed = false;
  resumed = 0;
  peak = 0;
  level(): number {
    return this.value;
  }
  resume(): Promise<void> {
    this.resumed += 1;
    return Promise.resolve();
  }
  close(): void {
    this.closed = true;
  }
}

describe('MeterUntilRunning', () => {
  it('reads the main meter when it runs, and never makes a stand-in', () => {
    const main = Object.assign(new FakeMeter(), { value: 0.4 });
    let made = 0;
    const meter = new MeterUntilRunning(main, () => (made++, new FakeMeter()));
    assert.equal(meter.level(), 0.4);
    assert.equal(made, 0);
  });

  it('reads a stand-in while the main meter is held back, and closes it once the main one runs', () => {
    const main = Object.assign(new FakeMeter(), { running: false });
    const standIn = Object.assign(new FakeMeter(), { value: 0.7 });
    let made = 0;
    const meter = new MeterUntilRunning(main, () => (made++, standIn));
    assert.equal(meter.level(), 0.7);
    assert.equal(meter.level(), 0.7);
    assert.equal(made, 1, 'one stand-in, made on first need');
    main.running = true;
    main.value = 0.2;
    assert.equal(meter.level(), 0.2, 'the main meter once it runs');
    assert.equal(standIn.closed, true, 'the stand-in is closed');
    assert.equal(meter.peak, 0.7, 'the peak spans both');
  });

  it('passes resume to the main meter, and closes both', () => {
    const main = Object.assign(new FakeMeter(), { running: false });
    const standIn = new FakeMeter();
    const meter = new MeterUntilRunning(main, () => standIn);
    meter.level();
    void meter.resume();
    assert.equal(main.resumed, 1);
    meter.close();
    assert.deepEqual([main.closed, standIn.closed], [true, true]);
  });
});
