import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { watchRelay } from '../../../../web/src/engine/relay-watch.js';

/** A clock that only moves when the watch sleeps, and a probe that answers from a script. */
function harness(answers: boolean[]) {
  let clock = 0;
  const probes: number[] = [];
  const sleeps: number[] = [];
  let backs = 0;
  let settle!: () => void;
  const finished = new Promise<void>((r) => (settle = r));
  const probe = async () => {
    probes.push(clock);
    clock += 100; // each try takes 100 ms
    const answer = answers.shift();
    if (answer === undefined) {
      settle();
      return new Promise<boolean>(() => undefined); // never answers: the test is over
    }
    if (answers.length === 0) queueMicrotask(settle);
    return answer;
  };
  return {
    probe,
    options: {
      everyMs: 1_000,
      now: () => clock,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
    },
    onBack: () => (backs += 1),
    get backs() {
      return backs;
    },
    probes,
    sleeps,
    finished,
  };
}

describe('watchRelay', () => {
  it('calls back once when the relay answers again after missing, trying once a second meanwhile', async () => {
    const h = harness([false, false, false, true]);
    watchRelay(h.probe, h.onBack, h.options);
    await h.finished;
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(h.backs, 1);
    assert.deepEqual(h.probes, [0, 1_000, 2_000, 3_000], 'a try every second, the time of a try included');
    assert.deepEqual(h.sleeps, [900, 900, 900]);
  });

  it('stops without calling back when the relay answers at once: the relay was not what dropped', async () => {
    const h = harness([true]);
    watchRelay(h.probe, h.onBack, h.options);
    await h.finished;
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(h.backs, 0);
    assert.equal(h.probes.length, 1);
  });

  it('calls back when the first try is answered only after a retransmission: the relay came back as the watch began', async () => {
    let backs = 0;
    let clock = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    watchRelay(
      async () => {
        clock += 260; // answered after the first retransmission (250 ms)
        queueMicrotask(done);
        return true;
      },
      () => (backs += 1),
      { everyMs: 1_000, now: () => clock, sleep: async () => undefined },
    );
    await finished;
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(backs, 1);
  });

  it('a probe that throws counts as a miss; stopping ends the watch with no callback', async () => {
    let tries = 0;
    let stop: () => void = () => undefined;
    let backs = 0;
    await new Promise<void>((resolve) => {
      stop = watchRelay(
        async () => {
          tries += 1;
          if (tries === 1) throw new Error('no RTCPeerConnection');
          if (tries === 2) {
            stop();
            resolve();
          }
          return true;
        },
        () => (backs += 1),
        { everyMs: 10, sleep: async () => undefined },
      );
    });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(tries, 2);
    assert.equal(backs, 0, 'stopped before the answer counted');
  });
});
