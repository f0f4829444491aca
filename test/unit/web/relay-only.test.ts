import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { relayOnlyFor } from '../../../web/src/config.js';

describe('relayOnlyFor ("Hide my IP")', () => {
  it("follows the person's choice whatever the deployment says", () => {
    for (const kind of ['random', 'link'] as const) {
      for (const deploymentDefault of [true, false]) {
        assert.equal(relayOnlyFor(kind, true, deploymentDefault), true);
        assert.equal(relayOnlyFor(kind, false, deploymentDefault), false);
      }
    }
  });

  it("without a choice: the deployment's default for random calls, direct for calls by link", () => {
    assert.equal(relayOnlyFor('random', null, true), true);
    assert.equal(relayOnlyFor('random', null, false), false);
    assert.equal(relayOnlyFor('link', null, true), false);
  });
});
