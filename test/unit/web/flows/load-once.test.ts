import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadOnce } from '../../../../web/src/flows/load-once.js';

describe('loadOnce', () => {
  it('loads once for every caller, at the same time or later', async () => {
    let loads = 0;
    const load = loadOnce(async () => ++loads);
    assert.deepEqual(await Promise.all([load(), load()]), [1, 1]);
    assert.equal(await load(), 1);
    assert.equal(loads, 1);
  });

  it('forgets a failed load: the callers of that load are refused, the next call loads again', async () => {
    let loads = 0;
    const load = loadOnce(async () => {
      loads++;
      if (loads === 1) throw new Error('network gone');
      return 'module';
    });
    await Promise.all([assert.rejects(load(), /network gone/), assert.rejects(load(), /network gone/)]);
    assert.equal(loads, 1, 'both callers of the failing load shared it');
    assert.equal(await load(), 'module');
    assert.equal(await load(), 'module');
    assert.equal(loads, 2);
  });
});
