import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { HELP_TOPICS } from '../../../web/src/flows/help-topic.js';
import { CHECK_HASH, hashForHelp, helpFromHash, isCheckHash } from '../../../web/src/page-url.js';

describe('page URLs', () => {
  it('reads #/check, with or without a trailing slash', () => {
    assert.equal(isCheckHash(CHECK_HASH), true);
    assert.equal(isCheckHash('#/check/'), true);
    for (const h of ['', '#/', '#/checks', '#/check/x', '#/room/en', 'check']) assert.equal(isCheckHash(h), false, h);
  });

  it('round-trips every help topic, and the whole guide', () => {
    for (const topic of HELP_TOPICS) assert.equal(helpFromHash(hashForHelp(topic)), topic);
    assert.equal(hashForHelp(), '#/help');
    assert.equal(helpFromHash('#/help'), '');
    assert.equal(helpFromHash('#/help/'), '');
  });

  it('opens the whole guide for a topic it does not know, and ignores other hashes', () => {
    assert.equal(helpFromHash('#/help/no-such-thing'), '');
    for (const h of ['', '#/', '#/helps', '#/help/a/b', '#/call/abc', '#/room/en']) assert.equal(helpFromHash(h), null, h);
  });
});
