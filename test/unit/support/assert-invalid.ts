import assert from 'node:assert/strict';
import { InvalidRequest } from '../../../functions/src/domain/refusals.js';

/**
 * Asserts `fn` throws an InvalidRequest whose refusal names `field` (and
 * `limit`, when given, else none) and whose message matches `message`. The
 * message is for logs: it must stay short whatever was sent.
 */
export function assertInvalid(fn: () => unknown, message: RegExp, field: string, limit?: number): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidRequest, `expected InvalidRequest, got ${String(err)}`);
    assert.equal(err.name, 'InvalidRequest');
    assert.match(err.message, message);
    assert.deepEqual(
      err.refusal,
      limit === undefined ? { code: 'invalid-request', field } : { code: 'invalid-request', field, limit },
    );
    assert.ok(err.message.length < 200, `a short message: ${err.message.length} characters`);
    return true;
  });
}
