import assert from 'node:assert/strict';
import { InvalidRequest } from '../../../functions/src/domain/requests.js';

/** Asserts `fn` throws an InvalidRequest whose message matches `message`. */
export function assertInvalid(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidRequest, `expected InvalidRequest, got ${String(err)}`);
    assert.equal(err.name, 'InvalidRequest');
    assert.match(err.message, message);
    return true;
  });
}
