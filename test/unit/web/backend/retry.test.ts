/**
 * Trying a safe callable again (web/src/backend/retry.ts): transient
 * failures are tried again after the given waits, refusals never, and the
 * last failure reaches the caller as it came.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isTransient, retryTransient } from '../../../../web/src/backend/retry.js';

/** An error shaped as the Functions SDK throws it. */
const fail = (code: string, details?: unknown) => Object.assign(new Error(code), { code, details });

/** An operation that fails with `errors` in turn, then answers `ok`; counts its calls. */
function flaky(errors: Error[]): { op: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    op: async () => {
      const err = errors[calls];
      calls += 1;
      if (err) throw err;
      return 'ok';
    },
    calls: () => calls,
  };
}

describe('retryTransient', () => {
  it('tries again after each wait while the failure is transient, and answers the first success', async () => {
    const waits: number[] = [];
    const { op, calls } = flaky([fail('functions/internal'), fail('functions/unavailable')]);
    assert.equal(
      await retryTransient(op, [10, 20], async (ms) => {
        waits.push(ms);
      }),
      'ok',
    );
    assert.equal(calls(), 3);
    assert.deepEqual(waits, [10, 20]);
  });

  it('gives up after the last wait and throws the last failure', async () => {
    const last = fail('functions/deadline-exceeded');
    const { op, calls } = flaky([fail('functions/internal'), fail('functions/unavailable'), last, fail('functions/internal')]);
    await assert.rejects(
      retryTransient(op, [1, 1], async () => undefined),
      (err) => err === last,
    );
    assert.equal(calls(), 3, 'one try and two more');
  });

  it('never tries a refusal again: a code that is not transient, or a transient code with the server reason in it', async () => {
    for (const refusal of [
      fail('functions/resource-exhausted'),
      fail('functions/not-found'),
      fail('functions/permission-denied'),
      fail('functions/internal', { code: 'some-reason' }),
      new Error('no code at all'),
    ]) {
      const { op, calls } = flaky([refusal]);
      await assert.rejects(
        retryTransient(op, [1, 1], async () => undefined),
        (err) => err === refusal,
      );
      assert.equal(calls(), 1, (refusal as { code?: string }).code ?? 'plain error');
    }
  });

  it('classifies the Functions SDK codes', () => {
    for (const code of ['functions/unavailable', 'functions/deadline-exceeded', 'functions/internal', 'functions/unknown'])
      assert.ok(isTransient(fail(code)), code);
    for (const code of ['functions/invalid-argument', 'functions/unauthenticated', 'unavailable', 'firestore/unavailable'])
      assert.ok(!isTransient(fail(code)), code);
    assert.ok(isTransient(fail('functions/aborted', { code: 'contended' })), "the server's own try again");
    assert.ok(!isTransient(fail('functions/aborted', { code: 'banned', until: 1 })), 'another refusal');
    assert.ok(!isTransient(fail('functions/aborted')), 'aborted without the reason');
    assert.ok(!isTransient(null));
    assert.ok(!isTransient('functions/internal'));
  });
});
